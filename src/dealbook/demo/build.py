"""`dealbook demo`: load the demo organisation, 华信科技 Huaxin Technology, into an empty database.

Deterministic from a seed (dates are relative to today), sized by a scale factor, and
loaded in one transaction. People and teams go through the org services (audited); the
domain rows are written in bulk, with the same derived fields the services compute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.activities.models import Activity
from dealbook.customers.models import Account, Contact, Tag
from dealbook.demo import names
from dealbook.demo.activities import ActivityMaker
from dealbook.demo.catalog import create_catalog
from dealbook.demo.clock import Clock
from dealbook.demo.companies import (
    Company,
    Uniques,
    date_companies,
    finish_companies,
    plan_companies,
)
from dealbook.demo.deals import HISTORY_DAYS, DealMaker, DealPlan
from dealbook.demo.leads import LeadBook, plan_leads
from dealbook.demo.people import PASSWORD, Cast, create_cast
from dealbook.demo.targets import create_targets
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.org.models import Organization, User
from dealbook.pipeline.models import Deal, DealLineItem, StageHistory
from dealbook.search.index import reindex
from dealbook.targets.services import target_milestones_record

DEFAULT_SEED = 20261127
BATCH_SIZE = 500
SIGN_IN_URL = "http://127.0.0.1:8000/"
# Full-size counts; `scale` multiplies them, never below the minimum.
FULL_SIZE = {"accounts": 500, "contacts": 1500, "deals": 2000, "leads": 300, "activities": 10000}
MINIMUM = {"accounts": 20, "contacts": 40, "deals": 40, "leads": 10, "activities": 200}


class DemoRefused(Exception):
    """The database already holds data; the demo never mixes with it."""


@dataclass(frozen=True)
class Counts:
    accounts: int
    contacts: int
    deals: int
    leads: int
    activities: int

    @classmethod
    def for_scale(cls, scale: float) -> Counts:
        if not 0 < scale <= 10:
            raise ValueError("The demo scale must be above 0 and at most 10.")
        return cls(
            **{key: max(MINIMUM[key], round(full * scale)) for key, full in FULL_SIZE.items()}
        )


def database_is_empty() -> bool:
    """True when no organisation and no user exist yet (a fresh installation)."""
    return not Organization.objects.exists() and not User.objects.exists()


def build_demo(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, now: dt.datetime | None = None
) -> str:
    """Load the demo organisation; returns a summary to print. Refuses a non-empty database."""
    counts = Counts.for_scale(scale)
    with transaction.atomic():
        _refuse_unless_empty()
        cast = create_cast(rng=_rng(seed, "people"))
        clock = Clock.at(now or timezone.now(), cast.org.time_zone)
        # Everyone joined when the two years of history begin: the recommendation counts a
        # person's capacity (and ramp-up) from the day they joined.
        User.objects.filter(org=cast.org).update(date_joined=clock.days_ago(HISTORY_DAYS))
        catalog = create_catalog(cast.org)
        uniques = Uniques()
        companies = plan_companies(
            rng=_rng(seed, "companies"),
            cast=cast,
            uniques=uniques,
            accounts=counts.accounts,
            contacts=counts.contacts,
        )
        deals = DealMaker(rng=_rng(seed, "deals"), clock=clock, cast=cast, catalog=catalog).plan(
            companies, counts.deals
        )
        date_companies(_rng(seed, "dates"), clock, companies)
        lead_book = plan_leads(
            rng=_rng(seed, "leads"),
            clock=clock,
            cast=cast,
            uniques=uniques,
            companies=companies,
            total=counts.leads,
        )
        activities = ActivityMaker(rng=_rng(seed, "activities"), clock=clock, cast=cast).plan(
            companies=companies, deals=deals, leads=lead_book.leads, total=counts.activities
        )
        finish_companies(_rng(seed, "finish"), clock, companies, activities)
        _insert(cast, companies, deals, lead_book, activities)
        reindex(org_id=cast.org.pk)  # bulk_create sends no signals: index in bulk
        create_targets(rng=_rng(seed, "targets"), cast=cast, clock=clock)
        # The milestones this quarter's results have reached, and their notifications.
        target_milestones_record(org=cast.org, today=clock.today)
    return _summary(cast, companies, deals, lead_book, activities)


def _rng(seed: int, part: str) -> random.Random:
    """One generator per part, so changing how deals are made leaves the accounts alone."""
    return random.Random(f"{seed}:{part}")


def _refuse_unless_empty() -> None:
    if not database_is_empty():
        raise DemoRefused(
            _(
                "The database already holds an organisation or users. The demo loads only into "
                "an empty database and never mixes with real data; point SQLITE_PATH or "
                "DATABASE_URL at a fresh database."
            )
        )


def _insert(
    cast: Cast,
    companies: list[Company],
    deals: list[DealPlan],
    lead_book: LeadBook,
    activities: list[Activity],
) -> None:
    """Parents first; bulk_create sets the primary keys the children then point at."""
    tags = {
        tag.name: tag
        for tag in Tag.objects.bulk_create([Tag(org=cast.org, name=n) for n in names.TAGS])
    }
    AssignmentRule.objects.bulk_create(lead_book.rules)
    with _historical_timestamps(Account, Contact, Deal, DealLineItem, StageHistory, Lead, Activity):
        _bulk(Account, [c.account for c in companies])
        _bulk(Contact, [contact for c in companies for contact in c.contacts])
        _bulk(Deal, [p.deal for p in deals])
        _bulk(DealLineItem, [line for p in deals for line in p.lines])
        _bulk(StageHistory, [row for p in deals for row in p.history])
        _bulk(Lead, lead_book.leads)
        _bulk(Activity, activities)
    _bulk(
        Account.tags.through,
        [
            Account.tags.through(account_id=c.account.pk, tag_id=tags[name].pk)
            for c in companies
            for name in c.tags
        ],
    )
    _bulk(
        Deal.contacts.through,
        [
            Deal.contacts.through(deal_id=p.deal.pk, contact_id=contact.pk)
            for p in deals
            for contact in p.contacts
        ],
    )
    _bulk(
        Deal.competitors.through,
        [
            Deal.competitors.through(deal_id=p.deal.pk, competitor_id=competitor.pk)
            for p in deals
            for competitor in p.competitors
        ],
    )


def _bulk(model: type[models.Model], rows: list) -> None:
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


@contextmanager
def _historical_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Keep the created_at/updated_at the generator chose (two years of history, not today).

    auto_now/auto_now_add would stamp every bulk-created row with the load time; they are
    switched off for the duration of the load only.
    """
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]  # type: ignore[attr-defined]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _summary(
    cast: Cast,
    companies: list[Company],
    deals: list[DealPlan],
    lead_book: LeadBook,
    activities: list[Activity],
) -> str:
    return _(
        "Loaded %(org)s: %(people)s people in %(teams)s teams, %(accounts)s accounts, "
        "%(contacts)s contacts, %(deals)s deals, %(leads)s leads, %(activities)s activities. "
        "Sign in at %(url)s as li.rep / %(password)s (every demo login has that password; "
        "the demo is not for production)."
    ) % {
        "org": cast.org.name,
        "people": len(cast.users),
        "teams": len(cast.teams),
        "accounts": f"{len(companies):,}",
        "contacts": f"{sum(len(c.contacts) for c in companies):,}",
        "deals": f"{len(deals):,}",
        "leads": f"{len(lead_book.leads):,}",
        "activities": f"{len(activities):,}",
        "url": SIGN_IN_URL,
        "password": PASSWORD,
    }
