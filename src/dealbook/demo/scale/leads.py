"""The leads still open (or disqualified): in the inbox, in the pool, being worked.

Converted leads are made with the account they became (accounts.py); these are the rest,
as the demo makes them (demo/leads.py), after every account so their company names and
phone numbers never meet an account's.
"""

from __future__ import annotations

import random

from dealbook.demo import names
from dealbook.demo.companies import person_name
from dealbook.demo.leads import INQUIRIES, LEAD_SOURCES
from dealbook.demo.scale.activities import ActivityMaker
from dealbook.demo.scale.catalog import CatalogRefs
from dealbook.demo.scale.clock import DAY, ScaleClock
from dealbook.demo.scale.naming import Namer, mobile
from dealbook.demo.scale.plan import LeadPlan
from dealbook.demo.scale.writer import Table
from dealbook.leads.enums import LeadStatus

UNQUALIFIED_WORKED_DAYS = 30  # a disqualified lead was worked for its first month


class LeadMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        clock: ScaleClock,
        catalog: CatalogRefs,
        table: Table,
        namer: Namer,
        activity_maker: ActivityMaker,
        org_id: int,
    ) -> None:
        self.rng, self.clock, self.catalog, self.table = rng, clock, catalog, table
        self.namer, self.activity_maker, self.org_id = namer, activity_maker, org_id
        self.sources = [s for s, _w in LEAD_SOURCES]
        self.source_weights = [w for _s, w in LEAD_SOURCES]

    def make(self, plan: LeadPlan) -> None:
        rng, clock, table = self.rng, self.clock, self.table
        lead_id, company = plan.id, plan.company
        assert company is not None
        person, given, surname = person_name(rng)
        phone, phone_key = mobile(rng.random(), rng.random(), plan.phone_number)
        email = email_key = ""
        if rng.random() < 0.8:
            email, email_key = self.namer.email(f"{given}.{surname}".lower(), company.domain)
        last = None
        if plan.owner_id is not None and plan.activities:
            end = clock.now
            if plan.status == LeadStatus.UNQUALIFIED:
                end = min(clock.now, plan.created + UNQUALIFIED_WORKED_DAYS * DAY)
            last = self.activity_maker.lead(
                lead=lead_id, owner=plan.owner_id, created=plan.created, end=end,
                count=plan.activities,
            )  # fmt: skip
        rule = self.catalog.rules[plan.rule][0] if plan.rule is not None else None
        table.rows.append(
            (
                lead_id, self.org_id, 1, plan.created, max(plan.created, last or 0),
                plan.owner_id, person, company.name, rng.choice(names.JOB_TITLES), phone,
                phone_key, email, email_key,
                rng.choices(self.sources, weights=self.source_weights)[0], plan.region,
                company.industry, plan.status, rng.choice(INQUIRIES),
                rng.choice(names.UNQUALIFIED_REASONS)
                if plan.status == LeadStatus.UNQUALIFIED
                else "",
                rule, None, None, None, None, last, None, None,
            )
        )  # fmt: skip
