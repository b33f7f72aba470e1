"""Leads: fresh ones in the inbox and the pool, worked ones, and those converted into deals.

Two territory rules (华东 → East, 华南 → South) assign new leads round-robin, the way the
assignment service does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dealbook.core.text import normalize_email, normalize_phone
from dealbook.demo import names
from dealbook.demo.clock import Clock
from dealbook.demo.companies import Company, Uniques, person_name, weighted
from dealbook.demo.deals import DealPlan
from dealbook.demo.people import Cast
from dealbook.leads.enums import LeadStatus
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.org.enums import Role

CONVERTED_SHARE = 0.25
POOL_SHARE_OF_NEW = 0.25  # new leads nobody has picked up yet
# status → (weight, created between N and M days ago)
OPEN_STATUSES: dict[str, tuple[int, int, int]] = {
    LeadStatus.NEW: (30, 0, 14),
    LeadStatus.CONTACTED: (32, 3, 60),
    LeadStatus.QUALIFIED: (18, 7, 75),
    LeadStatus.UNQUALIFIED: (20, 10, 180),
}
LEAD_SOURCES = (
    ("website", 35),
    ("event", 20),
    ("advertising", 15),
    ("social", 15),
    ("referral", 10),
    ("other", 5),
)
RULES = (("华东 → East", "华东", "East"), ("华南 → South", "华南", "South"))
INQUIRIES = (
    "官网留言：希望了解 CRM 专业版的价格和试用。",
    "展会咨询：关注移动外勤和拜访管理。",
    "广告落地页注册，想替换现有的 Excel 客户表。",
    "朋友推荐，销售团队约 30 人，需要管理商机和回款。",
    "",
)


@dataclass
class LeadBook:
    rules: list[AssignmentRule]
    leads: list[Lead]


def plan_leads(
    *,
    rng: random.Random,
    clock: Clock,
    cast: Cast,
    uniques: Uniques,
    companies: list[Company],
    total: int,
) -> LeadBook:
    rules = [
        AssignmentRule(org=cast.org, name=name, order=order, region=region, team=cast.teams[team])
        for order, (name, region, team) in enumerate(RULES, start=1)
    ]
    converted = _converted(rng, cast, rules, companies, round(total * CONVERTED_SHARE))
    fresh = [_open_lead(rng, clock, cast, uniques) for _ in range(max(0, total - len(converted)))]
    _assign(rng, cast, rules, fresh)
    leads = sorted(converted + fresh, key=lambda lead: lead.created_at)
    return LeadBook(rules=rules, leads=leads)


def _converted(
    rng: random.Random,
    cast: Cast,
    rules: list[AssignmentRule],
    companies: list[Company],
    count: int,
) -> list[Lead]:
    """Leads that became an account, a contact and a deal: the account starts at conversion."""
    candidates = [c for c in companies if any(not p.is_renewal for p in c.deals)]
    leads = []
    for company in rng.sample(candidates, min(count, len(candidates))):
        first: DealPlan = min(
            (p for p in company.deals if not p.is_renewal), key=lambda p: p.deal.created_at
        )
        contact = company.contacts[0]
        converted_at = first.deal.created_at
        account = company.account
        account.created_at = converted_at
        contact.created_at = contact.updated_at = converted_at
        rule = next((r for r in rules if r.region == account.region), None)
        created = converted_at - dt.timedelta(seconds=int(rng.uniform(2, 25) * 86400))
        leads.append(
            Lead(
                org=cast.org,
                owner=first.deal.owner,
                name=contact.name,
                company=account.name,
                title=contact.title,
                phone=contact.phone,
                phone_normalized=contact.phone_normalized,
                email=contact.email,
                email_normalized=contact.email_normalized,
                source=first.deal.source or account.source,
                region=account.region,
                industry=account.industry,
                status=LeadStatus.CONVERTED,
                description=rng.choice(INQUIRIES),
                assigned_by_rule=rule
                if rule and rule.team_id == first.deal.owner.team_id
                else None,
                converted_at=converted_at,
                converted_account=account,
                converted_contact=contact,
                converted_deal=first.deal,
                created_at=created,
                updated_at=converted_at,
            )
        )
    return leads


def _open_lead(rng: random.Random, clock: Clock, cast: Cast, uniques: Uniques) -> Lead:
    status = rng.choices(list(OPEN_STATUSES), weights=[w for w, _a, _b in OPEN_STATUSES.values()])[
        0
    ]
    _weight, newest, oldest = OPEN_STATUSES[status]
    region = weighted(rng, names.REGION_WEIGHTS)
    city, _city_py, _area = rng.choice(names.CITIES[region])
    industry = weighted(rng, names.INDUSTRY_WEIGHTS)
    company, domain = _lead_company(rng, uniques, city, industry)
    person, given_py, surname_py = person_name(rng)
    phone = uniques.mobile(rng)
    email = uniques.email(f"{given_py}.{surname_py}".lower(), domain) if rng.random() < 0.8 else ""
    created = clock.office_time(clock.days_ago(rng.uniform(newest, oldest) + 0.05))
    return Lead(
        org=cast.org,
        name=person,
        company=company,
        title=rng.choice(names.JOB_TITLES),
        phone=phone,
        phone_normalized=normalize_phone(phone),
        email=email,
        email_normalized=normalize_email(email),
        source=weighted(rng, LEAD_SOURCES),
        region=region,
        industry=industry,
        status=status,
        description=rng.choice(INQUIRIES),
        unqualified_reason=rng.choice(names.UNQUALIFIED_REASONS)
        if status == LeadStatus.UNQUALIFIED
        else "",
        created_at=min(created, clock.now),
        updated_at=min(created, clock.now),
    )


def _lead_company(
    rng: random.Random, uniques: Uniques, city: str, industry: str
) -> tuple[str, str]:
    for _attempt in range(200):
        word, word_py = rng.choice(names.TRADE_WORDS)
        trade, web = rng.choice(names.INDUSTRY_WORDS[industry])
        name = f"{city}{word}{trade}有限公司"
        if uniques.claim_name(name):
            return name, f"{word_py}-{web}.cn"
    raise RuntimeError("Ran out of distinct company names for leads; lower the scale.")


def _assign(rng: random.Random, cast: Cast, rules: list[AssignmentRule], leads: list[Lead]) -> None:
    """Territory leads go round-robin to the team's reps; the rest to a rep of the covering team."""
    turn = {rule.region: 0 for rule in rules}
    for lead in sorted(leads, key=lambda item: item.created_at):
        if lead.status == LeadStatus.NEW and rng.random() < POOL_SHARE_OF_NEW:
            continue  # still in the pool
        rule = next((r for r in rules if r.region == lead.region), None)
        team = rule.team.name if rule else names.REGION_TEAM[lead.region]
        reps = [u for u in cast.sellers[team] if u.role == Role.SALES_REP]
        if rule:
            lead.owner = reps[turn[rule.region] % len(reps)]
            lead.assigned_by_rule = rule
            rule.last_assigned = lead.owner
            turn[rule.region] += 1
        else:
            lead.owner = rng.choice(reps)
