"""The shape of the data before any row is made: which accounts exist, who owns them, and
how many contacts, deals and activities each one gets.

Sizes are Pareto-like: a few big accounts carry hundreds of deals and contacts, most carry
a handful or none. Every count is drawn so that the totals are exactly the preset's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from dealbook.demo import names
from dealbook.demo.companies import BIG_SIZES, KEY_ACCOUNTS_SHARE_OF_BIG, SIZE_WEIGHTS
from dealbook.demo.leads import CONVERTED_SHARE, OPEN_STATUSES, POOL_SHARE_OF_NEW, RULES
from dealbook.demo.people import NAMED_REPS
from dealbook.demo.scale.clock import DAY, ScaleClock
from dealbook.demo.scale.draw import Weighted
from dealbook.demo.scale.naming import CompanyName, Namer
from dealbook.demo.scale.people import SalesOrg, Seller
from dealbook.demo.scale.presets import Preset
from dealbook.leads.enums import LeadStatus

UNOWNED_SHARE = 0.08  # accounts in the pool
ENGLISH_SHARE = 0.2
PUBLIC_SHARE = 0.03
PARETO_ALPHA = 1.3
PARETO_CAP = 150.0  # the biggest account is about this many times a typical one
FIRST_DEAL_ROOM_DAYS = 10  # an account with deals is entered at least this long ago
OLD_ACCOUNT_WEIGHT = 40.0  # the biggest accounts (~1 %) have been customers from the start
IMPORTED_SHARE = 0.4  # accounts brought in when the CRM was set up, in its first weeks
IMPORT_DAYS = 45
GROWTH_SHARE = 0.25  # of the rest, those entered at a growing rate (the others evenly)
ACTIVITIES_PER_DEAL_WEIGHT = 5.0
SLOW_REDRAW_CHANCE = 0.6  # little starts in the 春节 weeks
REGION: Weighted[str] = Weighted.of(names.REGION_WEIGHTS)
SIZE: Weighted[str] = Weighted.of(names.SIZES)
INDUSTRY: Weighted[str] = Weighted.of(names.INDUSTRY_WEIGHTS)
SOURCE: Weighted[str] = Weighted.of(names.SOURCES)
# status → activities on a worked lead (as demo.activities does)
LEAD_ACTIVITIES: dict[str, tuple[int, int]] = {
    LeadStatus.CONTACTED: (1, 2),
    LeadStatus.QUALIFIED: (2, 3),
    LeadStatus.UNQUALIFIED: (1, 2),
    LeadStatus.CONVERTED: (2, 3),
}


@dataclass(slots=True)
class AccountPlan:
    region: str
    city: tuple[str, str, str]  # (城市, pinyin, area code)
    size: str
    style: str  # chinese / english / public
    industry: str
    team: str
    owner_id: int | None
    source: str
    weight: float  # its Pareto size
    created: int = 0
    contacts: int = 1
    deals: int = 0
    activities: int = 0  # on the account and its deals
    lead_activities: int = -1  # ≥ 0: it came from a lead, worked this many times
    # Settled once every account is planned (name_companies, number_records):
    company: CompanyName | None = None
    number: int = 0  # position among all accounts, oldest first
    id: int = 0
    first_contact_id: int = 0
    first_contact_number: int = 0  # position among all contacts (numbers their phones)
    first_deal_id: int = 0
    lead_id: int | None = None


@dataclass(slots=True)
class LeadPlan:
    status: str
    created: int
    region: str
    city: tuple[str, str, str]
    industry: str
    owner_id: int | None = None
    rule: int | None = None  # index into demo.leads.RULES
    activities: int = 0
    company: CompanyName | None = None
    id: int = 0
    phone_number: int = 0  # numbers its mobile after every contact's


def plan_accounts(
    *, rng: random.Random, sales_org: SalesOrg, preset: Preset, clock: ScaleClock
) -> list[AccountPlan]:
    """Every account, oldest first, with its counts; the same seed plans the same accounts."""
    pickers = {
        team: Weighted(sellers, [s.weight for s in sellers])
        for team, sellers in sales_org.sellers.items()
    }
    region_team = preset.region_team
    accounts = [_account(rng, pickers, region_team) for _ in range(preset.accounts)]
    _guarantee_books(accounts, sales_org, preset.accounts)
    for account in accounts:
        account.created = _created(rng, clock, old=account.weight >= OLD_ACCOUNT_WEIGHT)
    # Business grows with the book: an account does business for as long as it has existed
    # (one entered last week has had no time to start a deal).
    owned = [a for a in accounts if a.owner_id is not None]
    span, latest = clock.now - clock.start, clock.now - FIRST_DEAL_ROOM_DAYS * DAY
    deal_weights = [
        a.weight * SIZE_WEIGHTS[a.size][1] * (clock.now - a.created) / span
        if a.created <= latest
        else 0.0
        for a in owned
    ]
    for account, count in zip(owned, _multinomial(rng, deal_weights, preset.deals), strict=True):
        account.deals = count
    extra = _multinomial(
        rng,
        [SIZE_WEIGHTS[a.size][0] * a.weight**0.6 for a in accounts],
        preset.contacts - preset.accounts,
    )
    for account, count in zip(accounts, extra, strict=True):
        account.contacts += count
    return accounts


def plan_leads(
    *,
    rng: random.Random,
    sales_org: SalesOrg,
    preset: Preset,
    clock: ScaleClock,
    accounts: list[AccountPlan],
) -> list[LeadPlan]:
    """Marks the accounts that came from a lead; returns the leads still open (or lost)."""
    eligible = [a for a in accounts if a.deals and a.owner_id is not None]
    converted = min(round(preset.leads * CONVERTED_SHARE), len(eligible))
    for account in rng.sample(eligible, converted):
        account.lead_activities = rng.randint(*LEAD_ACTIVITIES[LeadStatus.CONVERTED])
    leads = [_open_lead(rng, clock) for _ in range(preset.leads - converted)]
    _assign(rng, sales_org, preset, leads)
    for lead in leads:
        if lead.owner_id is not None and lead.status in LEAD_ACTIVITIES:
            lead.activities = rng.randint(*LEAD_ACTIVITIES[lead.status])
    return leads


def allocate_activities(
    *, rng: random.Random, accounts: list[AccountPlan], leads: list[LeadPlan], total: int
) -> None:
    """Share what leads leave of `total` over the accounts: one recent touch for each owned
    account, the rest by how much business it does."""
    on_leads = sum(lead.activities for lead in leads) + sum(
        max(0, a.lead_activities) for a in accounts
    )
    budget = total - on_leads
    if budget < 0:
        raise ValueError("The preset has fewer activities than its leads need.")
    owned = [a for a in accounts if a.owner_id is not None]
    base = 1 if budget >= len(owned) else 0
    weights = [
        a.deals * ACTIVITIES_PER_DEAL_WEIGHT + 1 if a.owner_id is not None else 0.5
        for a in accounts
    ]
    counts = _multinomial(rng, weights, budget - base * len(owned))
    for account, count in zip(accounts, counts, strict=True):
        account.activities = count + (base if account.owner_id is not None else 0)


def name_companies(
    *, rng: random.Random, namer: Namer, accounts: list[AccountPlan], leads: list[LeadPlan]
) -> None:
    """Every company its unique name and domain, accounts (oldest first) before leads."""
    for plan in accounts:
        city, city_py, _area = plan.city
        company = None
        if plan.style == "public":
            company = namer.public(rng, city, city_py)
        elif plan.style == "english":
            company = namer.english(rng, city_py, plan.industry)
        if company is None:
            industry = "other" if plan.style == "public" else plan.industry
            company = namer.chinese(rng, city, industry, big=plan.size in BIG_SIZES)
        plan.company = company
    for lead in leads:
        lead.company = namer.chinese(rng, lead.city[0], lead.industry, big=False, legal=False)


def number_records(
    *, accounts: list[AccountPlan], leads: list[LeadPlan], first_ids: dict[str, int]
) -> None:
    """Ids of the accounts, contacts, deals and leads, given out in order before any row
    exists, so the processes that make them never need to ask each other."""
    account_id, contact_id, deal_id, lead_id = (
        first_ids[key] for key in ("account", "contact", "deal", "lead")
    )
    contact_number = 0
    for number, plan in enumerate(accounts):
        plan.number, plan.id = number, account_id + number
        plan.first_contact_id, plan.first_contact_number = contact_id, contact_number
        plan.first_deal_id = deal_id
        contact_id += plan.contacts
        contact_number += plan.contacts
        deal_id += plan.deals
        if plan.lead_activities >= 0:
            plan.lead_id, lead_id = lead_id, lead_id + 1
    for lead in leads:
        lead.id, lead_id = lead_id, lead_id + 1
        lead.phone_number, contact_number = contact_number, contact_number + 1


def split(accounts: list[AccountPlan], parts: int) -> list[list[AccountPlan]]:
    """Consecutive runs of accounts with about the same work in each."""
    work = [8 * a.deals + a.activities + 2 * a.contacts + 3 for a in accounts]
    share, done = sum(work) / max(1, parts), 0.0
    runs: list[list[AccountPlan]] = []
    run: list[AccountPlan] = []
    for plan, amount in zip(accounts, work, strict=True):
        run.append(plan)
        done += amount
        if done >= share * (len(runs) + 1) and len(runs) < parts - 1:
            runs.append(run)
            run = []
    runs.append(run)
    return [r for r in runs if r]


# -- one account ------------------------------------------------------------------------------


def _account(
    rng: random.Random, pickers: dict[str, Weighted[Seller]], region_team: dict[str, str]
) -> AccountPlan:
    region = REGION.pick(rng.random())
    city = rng.choice(names.CITIES[region])
    size = SIZE.pick(rng.random())
    roll = rng.random()
    style = (
        "public"
        if roll < PUBLIC_SHARE
        else "english"
        if roll < PUBLIC_SHARE + ENGLISH_SHARE
        else "chinese"
    )
    if style == "public":
        size = rng.choice(("medium", "large"))
    big = size in BIG_SIZES
    team = (
        "Key Accounts"
        if big and "Key Accounts" in pickers and rng.random() < KEY_ACCOUNTS_SHARE_OF_BIG
        else region_team[region]
    )
    owner = pickers[team].pick(rng.random()).id if rng.random() >= UNOWNED_SHARE else None
    return AccountPlan(
        region=region,
        city=city,
        size=size,
        style=style,
        industry=INDUSTRY.pick(rng.random()),
        team=team,
        owner_id=owner,
        source=SOURCE.pick(rng.random()),
        weight=min(PARETO_CAP, rng.paretovariate(PARETO_ALPHA)),
    )


def _guarantee_books(accounts: list[AccountPlan], sales_org: SalesOrg, total: int) -> None:
    """The named reps hold a book worth showing at every scale (li.rep ≥ 20 at full size)."""
    minimums = {"li.rep": min(20, max(3, total // 10))}
    minimums |= {login: min(8, max(2, total // 25)) for login in NAMED_REPS if login != "li.rep"}
    named = {sales_org.users[login].pk: login for login in minimums}
    for login, minimum in minimums.items():
        seller = sales_org.by_id[sales_org.users[login].pk]
        held = sum(1 for a in accounts if a.owner_id == seller.id)
        for account in accounts:
            if held >= minimum:
                break
            if account.team == seller.team and account.owner_id not in named:
                account.owner_id = seller.id
                held += 1


def _created(rng: random.Random, clock: ScaleClock, *, old: bool) -> int:
    """When the account was entered: the biggest customers and the import when the CRM was
    set up at the start, the rest evenly or at a growing rate; seldom in the 春节 weeks."""
    span = clock.now - clock.start
    for _attempt in range(2):
        if old:
            share = rng.uniform(0, 0.2)
        elif rng.random() < IMPORTED_SHARE:
            share = rng.uniform(0, IMPORT_DAYS * DAY / span)
        else:
            u = rng.random()
            share = math.sqrt(u) if rng.random() < GROWTH_SHARE else u
        moment = clock.office(clock.start + int(span * share))
        if not clock.is_slow(moment) or rng.random() >= SLOW_REDRAW_CHANCE:
            break
    return max(clock.start, min(moment, clock.now - DAY))


# -- leads ----------------------------------------------------------------------------------


def _open_lead(rng: random.Random, clock: ScaleClock) -> LeadPlan:
    statuses = list(OPEN_STATUSES)
    status = rng.choices(statuses, weights=[OPEN_STATUSES[s][0] for s in statuses])[0]
    _weight, newest, oldest = OPEN_STATUSES[status]
    region = _weighted(rng, names.REGION_WEIGHTS)
    created = clock.office(clock.now - int((rng.uniform(newest, oldest) + 0.05) * DAY))
    return LeadPlan(
        status=status,
        created=min(created, clock.now),
        region=region,
        city=rng.choice(names.CITIES[region]),
        industry=_weighted(rng, names.INDUSTRY_WEIGHTS),
    )


def _assign(rng: random.Random, sales_org: SalesOrg, preset: Preset, leads: list[LeadPlan]) -> None:
    """Territory leads go round-robin to the team's reps (as the assignment service does),
    the rest to a rep of the covering team; a quarter of the new ones wait in the pool."""
    turn = [0] * len(RULES)
    region_team = preset.region_team
    for lead in sorted(leads, key=lambda item: item.created):
        if lead.status == LeadStatus.NEW and rng.random() < POOL_SHARE_OF_NEW:
            continue
        rule = next((i for i, (_n, region, _t) in enumerate(RULES) if region == lead.region), None)
        if rule is not None:
            reps = sales_org.reps(RULES[rule][2])
            lead.owner_id, lead.rule = reps[turn[rule] % len(reps)].id, rule
            turn[rule] += 1
        else:
            lead.owner_id = rng.choice(sales_org.reps(region_team[lead.region])).id


# -- drawing ---------------------------------------------------------------------------------


def _multinomial(rng: random.Random, weights: list[float], total: int) -> list[int]:
    """`total` items dropped into buckets by weight, by one binomial draw per bucket (what
    is left, over what weight is left): the counts always sum to `total`."""
    counts = [0] * len(weights)
    remaining, remaining_weight = total, math.fsum(weights)
    if total > 0 and remaining_weight <= 0:
        raise ValueError("Nothing can hold the items to share out: all weights are zero.")
    binomial, last = rng.binomialvariate, len(weights) - 1
    for bucket, weight in enumerate(weights):
        if remaining <= 0:
            break
        if weight <= 0:
            continue
        share = weight / max(remaining_weight, weight)
        count = remaining if share >= 1.0 or bucket == last else binomial(remaining, share)
        counts[bucket] = count
        remaining -= count
        remaining_weight -= weight
    if remaining:  # rounding left some over: the last bucket that can hold them
        counts[max(i for i, weight in enumerate(weights) if weight > 0)] += remaining
    return counts


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...] | dict[str, int]) -> str:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]
