"""One account at a time: its contacts, deals, activities and (if it came from one) its lead,
then the account row itself, with what its history says (last activity, lifecycle, tags).

Only the account being made is held in memory; its rows wait in the writer's buffers.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from dealbook.core.text import normalize_name
from dealbook.customers.enums import LifecycleStage
from dealbook.demo import names
from dealbook.demo.companies import BIG_SIZES, VIP_WON_MINOR, person_name
from dealbook.demo.leads import INQUIRIES
from dealbook.demo.scale.activities import ActivityMaker
from dealbook.demo.scale.catalog import CatalogRefs
from dealbook.demo.scale.clock import DAY, HOUR, ScaleClock
from dealbook.demo.scale.deals import Account, DealMaker, DealStory
from dealbook.demo.scale.draw import Draw
from dealbook.demo.scale.naming import CompanyName, landline, mobile, unique_email
from dealbook.demo.scale.people import SalesOrg
from dealbook.demo.scale.plan import SLOW_REDRAW_CHANCE, AccountPlan
from dealbook.demo.scale.writer import ScratchWriter
from dealbook.leads.enums import LeadStatus
from dealbook.pipeline.enums import StageKind

FIRST_DEAL_AFTER_DAYS = 7  # an account is entered a while before its first deal starts
LEAD_BEFORE_DAYS = (2, 25)  # a converted lead came in this long before its conversion


class Person(NamedTuple):
    """The first contact of an account, as the lead it came from knew them."""

    name: str
    title: str
    phone: str
    phone_key: str
    email: str
    email_key: str


class AccountMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        clock: ScaleClock,
        sales_org: SalesOrg,
        catalog: CatalogRefs,
        writer: ScratchWriter,
        full_line_items: bool,
    ) -> None:
        self.rng, self.clock, self.sales_org, self.catalog = rng, clock, sales_org, catalog
        self.draw = Draw(rng)
        self.org_id = sales_org.org.pk
        self.accounts, self.contacts = writer["account"], writer["contact"]
        self.tags, self.leads = writer["account_tags"], writer["lead"]
        self.deal_maker = DealMaker(
            rng=rng,
            clock=clock,
            catalog=catalog,
            writer=writer,
            org_id=self.org_id,
            full_line_items=full_line_items,
        )
        self.activity_maker = ActivityMaker(
            rng=rng, clock=clock, table=writer["activity"], org_id=self.org_id
        )
        self.former_owners = {
            team: [s.id for s in sales_org.reps(team)] for team in sales_org.sellers
        }

    def make(self, plan: AccountPlan) -> None:
        """Every row of the account; its ids were settled by plan.number_records."""
        rng, clock = self.rng, self.clock
        account_id, company = plan.id, plan.company
        assert company is not None
        activities_before = len(self.activity_maker.table.rows)
        self.deal_maker.deals.next_id = plan.first_deal_id
        city, _city_py, area = plan.city
        draw = self.draw
        address = f"{city}市{draw.one(names.ROADS)}{draw.between(1, 999)}号"
        first_contact, first_person = self._contacts(plan, account_id, company)
        stories: list[DealStory] = []
        if plan.deals:
            assert plan.owner_id is not None
            account = Account(
                id=account_id,
                owner=plan.owner_id,
                skill=self.sales_org.by_id[plan.owner_id].skill,
                short=company.short,
                size=plan.size,
                big=plan.size in BIG_SIZES,
                source=plan.source,
                first_contact=first_contact,
                contacts=plan.contacts,
            )
            stories = self.deal_maker.make(account, self._starts(plan))
        if plan.lead_activities >= 0:
            self._converted_lead(plan, account_id, company, first_contact, first_person, stories)
        last = self.activity_maker.account(
            account=account_id,
            owner=plan.owner_id,
            former_owners=self.former_owners[plan.team],
            created=plan.created,
            first_contact=first_contact,
            contacts=plan.contacts,
            address=address,
            stories=stories,
            budget=plan.activities,
        )
        tags = self._tags(plan, company, stories)
        for tag in tags:
            self.tags.rows.append((None, account_id, self.catalog.tags[tag]))
        claimed = released = None
        if plan.owner_id is None and last is not None:
            released = min(last + int(rng.uniform(30, 40) * DAY), clock.now)
        elif (
            plan.owner_id is not None
            and plan.source in {"cold_call", "website"}
            and rng.random() < 0.3
        ):
            claimed = min(plan.created + int(rng.uniform(1, 10) * DAY), clock.now)
        phone, phone_key = landline(area, plan.number)
        self.accounts.rows.append(
            (
                account_id, self.org_id, 1, plan.created,
                max(plan.created, last or plan.created), plan.owner_id, company.name,
                normalize_name(company.name), company.industry, plan.region, plan.size,
                plan.source, _lifecycle(stories, tags), phone, phone_key,
                f"www.{company.domain}", address, self._description(city, plan.size),
                last, claimed, released,
            )
        )  # fmt: skip
        made = len(self.activity_maker.table.rows) - activities_before
        assert made == plan.activities + max(0, plan.lead_activities), (plan, made)
        assert self.deal_maker.deals.next_id == plan.first_deal_id + plan.deals, plan

    # -- parts ----------------------------------------------------------------------------------

    def _contacts(
        self, plan: AccountPlan, account_id: int, company: CompanyName
    ) -> tuple[int, Person]:
        """The account's people; returns the first contact's id and who they are."""
        rng, clock, table, draw = self.rng, self.clock, self.contacts, self.draw
        first_id, emails = plan.first_contact_id, set[str]()
        english = plan.style == "english"
        first = Person("", "", "", "", "", "")
        for position in range(plan.contacts):
            name, given, surname = person_name(rng, english=english and rng.random() < 0.5)
            local = f"{given}.{surname}" if rng.random() < 0.6 else f"{surname}{given}"
            email, email_key = unique_email(emails, local.lower(), company.domain)
            phone, phone_key = mobile(
                rng.random(), rng.random(), plan.first_contact_number + position
            )
            title = draw.one(names.DECISION_TITLES if position == 0 else names.JOB_TITLES)
            wechat = (
                f"{local.lower().replace('.', '_')}{draw.between(10, 999)}"
                if rng.random() < 0.5
                else ""
            )
            created = min(plan.created + position * HOUR, clock.now)
            table.rows.append(
                (
                    first_id + position, self.org_id, 1, created, created, account_id, name,
                    normalize_name(name), title, phone, phone_key, email, email_key, wechat,
                    position == 0, "",
                )
            )  # fmt: skip
            if position == 0:
                first = Person(name, title, phone, phone_key, email, email_key)
        return first_id, first

    def _starts(self, plan: AccountPlan) -> list[int]:
        """When each deal starts: any time after the account was entered. An
        account that came from a lead starts its first deal at the conversion."""
        rng, clock = self.rng, self.clock
        converted = plan.lead_activities >= 0
        low = plan.created + FIRST_DEAL_AFTER_DAYS * DAY
        high = max(low, clock.now - 2 * HOUR)
        starts = []
        for _ in range(plan.deals - (1 if converted else 0)):
            for _attempt in range(2):
                moment = clock.office(low + int((high - low) * rng.random()))
                if not clock.is_slow(moment) or rng.random() >= SLOW_REDRAW_CHANCE:
                    break
            starts.append(min(max(moment, plan.created + HOUR), high))
        starts.sort()
        if converted:
            starts.insert(0, plan.created)
        return starts

    def _converted_lead(
        self,
        plan: AccountPlan,
        account_id: int,
        company: CompanyName,
        first_contact: int,
        person: Person,
        stories: list[DealStory],
    ) -> None:
        """The lead this account came from: converted into it, its first contact and deal."""
        rng, _clock, table = self.rng, self.clock, self.leads
        assert plan.owner_id is not None and stories
        first_deal = stories[0]
        converted_at = first_deal.created
        created = converted_at - int(rng.uniform(*LEAD_BEFORE_DAYS) * DAY)
        lead_id = plan.lead_id
        assert lead_id is not None
        last = self.activity_maker.lead(
            lead=lead_id,
            owner=plan.owner_id,
            created=created,
            end=converted_at,
            count=plan.lead_activities,
        )
        rule = next((r for r in self.catalog.rules if r[1] == plan.region), None)
        owner_team = self.sales_org.by_id[plan.owner_id].team
        name, title, phone, phone_key, email, email_key = person
        table.rows.append(
            (
                lead_id, self.org_id, 1, created, converted_at, plan.owner_id,
                name, company.name, title, phone, phone_key, email, email_key, plan.source,
                plan.region, company.industry, LeadStatus.CONVERTED, rng.choice(INQUIRIES), "",
                rule[0] if rule and rule[2] == owner_team else None, converted_at,
                account_id, first_contact, first_deal.id, last,
                None, None,
            )
        )  # fmt: skip

    def _tags(self, plan: AccountPlan, company: CompanyName, stories: list[DealStory]) -> list[str]:
        rng = self.rng
        won = [s for s in stories if s.status == StageKind.WON]
        tags = []
        key_chance, listed_chance = {"enterprise": (0.8, 0.4), "large": (0.4, 0.15)}.get(
            plan.size, (0, 0)
        )
        if rng.random() < key_chance:
            tags.append("重点客户")
        if rng.random() < listed_chance:
            tags.append("上市公司")
        if sum(s.amount_minor for s in won) >= VIP_WON_MINOR:
            tags.append("VIP")
        if plan.source == "partner" and rng.random() < 0.6:
            tags.append("Partner")
        if len(won) >= 2 and rng.random() < 0.6:
            tags.append("老客户")
        if company.industry == "government":
            tags.append("政府项目")
        return tags

    def _description(self, city: str, size: str) -> str:
        rng = self.rng
        if size == "large":
            staff = rng.randrange(1000, 9000, 100)
        elif size == "enterprise":
            staff = rng.randrange(10000, 60000, 1000)
        else:
            return ""
        return f"总部位于{city}，员工约 {staff} 人，在全国设有 {rng.randint(3, 40)} 个分支机构。"


def _lifecycle(stories: list[DealStory], tags: list[str]) -> str:
    """As demo.companies does: churned after a lost renewal, a customer once won, an
    opportunity while a deal is open."""
    closed = sorted((s for s in stories if s.closed is not None), key=lambda s: s.closed or 0)
    if closed and closed[-1].is_renewal and closed[-1].status == StageKind.LOST:
        return LifecycleStage.CHURNED
    if any(s.status == StageKind.WON for s in closed):
        return LifecycleStage.CUSTOMER
    if any(s.closed is None for s in stories):
        return LifecycleStage.OPPORTUNITY
    if "Partner" in tags:
        return LifecycleStage.PARTNER
    return LifecycleStage.PROSPECT
