"""Accounts and their contacts, planned in memory: unique names, phones and emails.

Names are unique after `normalize_name` (the duplicate check of the account service would
refuse them otherwise); phones and emails are unique across the whole organisation.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dealbook.activities.models import Activity
from dealbook.activities.services import INTERACTION_KINDS
from dealbook.core.text import normalize_email, normalize_name, normalize_phone
from dealbook.customers.enums import LifecycleStage
from dealbook.customers.models import Account, Contact
from dealbook.demo import names
from dealbook.demo.clock import Clock
from dealbook.demo.people import NAMED_REPS, Cast
from dealbook.pipeline.enums import StageKind
from dealbook.pipeline.models import Deal

if TYPE_CHECKING:
    from dealbook.demo.deals import DealPlan

BIG_SIZES = frozenset({"large", "enterprise"})
UNOWNED_SHARE = 0.08  # accounts sitting in the pool
ENGLISH_SHARE = 0.2
PUBLIC_SHARE = 0.03
KEY_ACCOUNTS_SHARE_OF_BIG = 0.85
VIP_WON_MINOR = 1_000_000 * 100  # CNY 1M won in total
DAY = 86400
# size → (weight of getting contacts, weight of getting deals)
SIZE_WEIGHTS: dict[str, tuple[float, float]] = {
    "micro": (0.4, 1.0),
    "small": (1.0, 1.6),
    "medium": (2.0, 2.8),
    "large": (3.5, 4.0),
    "enterprise": (5.0, 6.0),
}


@dataclass
class Company:
    """An account being planned, with what the rest of the generator needs to know about it."""

    account: Account
    city: str
    short: str  # what people call it: "上海云帆", "Northwind"
    domain: str
    team: str  # the sales team that covers it
    contacts: list[Contact] = field(default_factory=list)
    deals: list[DealPlan] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def is_big(self) -> bool:
        return self.account.size in BIG_SIZES


@dataclass
class Uniques:
    """Keys already used in the organisation (normalised), so nothing collides."""

    account_names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    def claim_name(self, name: str) -> bool:
        key = normalize_name(name)
        if key in self.account_names:
            return False
        self.account_names.add(key)
        return True

    def mobile(self, rng: random.Random) -> str:
        """A fresh mobile number, written the ways people write them."""
        while True:
            digits = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if digits not in self.phones:
                self.phones.add(digits)
                break
        style = rng.random()
        if style < 0.8:
            return digits
        if style < 0.95:
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"

    def landline(self, rng: random.Random, area: str) -> str:
        while True:
            length = 8 if len(area) == 3 or rng.random() < 0.6 else 7
            number = f"{rng.randint(2, 8)}{rng.randrange(10 ** (length - 1)):0{length - 1}d}"
            phone = f"{area}-{number}"
            if normalize_phone(phone) not in self.phones:
                self.phones.add(normalize_phone(phone))
                return phone

    def email(self, local: str, domain: str) -> str:
        candidate, n = f"{local}@{domain}", 1
        while normalize_email(candidate) in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(normalize_email(candidate))
        return candidate


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...] | dict[str, int]) -> str:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]


def person_name(rng: random.Random, english: bool = False) -> tuple[str, str, str]:
    """(display name, given-name pinyin, surname pinyin)."""
    surname, surname_py = rng.choice(names.SURNAMES)
    if english:
        given = rng.choice(names.ENGLISH_GIVEN_NAMES)
        return f"{given} {surname_py}", given, surname_py
    given, given_py = rng.choice(names.GIVEN_NAMES)
    return f"{surname}{given}", given_py, surname_py


def plan_companies(
    *, rng: random.Random, cast: Cast, uniques: Uniques, accounts: int, contacts: int
) -> list[Company]:
    companies = [_company(rng, cast, uniques) for _ in range(accounts)]
    _guarantee_books(companies, cast, accounts)
    _plan_contacts(rng, companies, uniques, contacts)
    return companies


def _company(rng: random.Random, cast: Cast, uniques: Uniques) -> Company:
    region = weighted(rng, names.REGION_WEIGHTS)
    city, city_py, area = rng.choice(names.CITIES[region])
    size = weighted(rng, names.SIZES)
    roll = rng.random()
    if roll < PUBLIC_SHARE:
        name, short, domain, industry = _public_name(rng, uniques, city, city_py)
        size = rng.choice(("medium", "large"))
    elif roll < PUBLIC_SHARE + ENGLISH_SHARE:
        industry = weighted(rng, names.INDUSTRY_WEIGHTS)
        name, short, domain = _english_name(rng, uniques, industry)
    else:
        industry = weighted(rng, names.INDUSTRY_WEIGHTS)
        name, short, domain = _chinese_name(rng, uniques, city, industry, big=size in BIG_SIZES)
    big = size in BIG_SIZES
    team = (
        "Key Accounts"
        if big and rng.random() < KEY_ACCOUNTS_SHARE_OF_BIG
        else names.REGION_TEAM[region]
    )
    owner = None
    if rng.random() >= UNOWNED_SHARE:
        sellers = cast.sellers[team]
        owner = rng.choices(sellers, weights=[cast.weight[u.pk] for u in sellers])[0]
    phone = uniques.landline(rng, area)
    account = Account(
        org=cast.org,
        owner=owner,
        name=name,
        name_normalized=normalize_name(name),
        industry=industry,
        region=region,
        size=size,
        source=weighted(rng, names.SOURCES),
        phone=phone,
        phone_normalized=normalize_phone(phone),
        website=f"www.{domain}",
        address=f"{city}市{rng.choice(names.ROADS)}{rng.randint(1, 999)}号",
        description=_description(rng, city, size) if big else "",
    )
    return Company(account=account, city=city, short=short, domain=domain, team=team)


def _chinese_name(
    rng: random.Random, uniques: Uniques, city: str, industry: str, *, big: bool
) -> tuple[str, str, str]:
    for _attempt in range(200):
        word, word_py = rng.choice(names.TRADE_WORDS)
        trade, web = rng.choice(names.INDUSTRY_WORDS[industry])
        suffix = weighted(rng, names.BIG_SUFFIXES if big else names.SMALL_SUFFIXES)
        name = f"{city}{word}{trade}{suffix}"
        if uniques.claim_name(name):
            return name, f"{city}{word}", f"{word_py}-{web}.com.cn"
    raise RuntimeError("Ran out of distinct Chinese company names; lower the scale.")


def _english_name(rng: random.Random, uniques: Uniques, industry: str) -> tuple[str, str, str]:
    for _attempt in range(200):
        word = rng.choice(names.ENGLISH_WORDS)
        business = rng.choice(names.ENGLISH_BUSINESSES[industry])
        name = f"{word} {business} {weighted(rng, names.ENGLISH_SUFFIXES)}"
        if uniques.claim_name(name):
            slug = (word + business).lower().replace(" ", "")
            return name, word, f"{slug}.com"
    # Every word/business pair is taken: distinguish by city, as branches are named.
    return _chinese_name(rng, uniques, rng.choice(names.CITIES["华东"])[0], industry, big=False)


def _public_name(
    rng: random.Random, uniques: Uniques, city: str, city_py: str
) -> tuple[str, str, str, str]:
    for body, industry in rng.sample(names.PUBLIC_BODIES, len(names.PUBLIC_BODIES)):
        name = f"{city}{body}"
        if uniques.claim_name(name):
            return name, name, f"{city_py}.gov.cn", industry
    name, short, domain = _chinese_name(rng, uniques, city, "other", big=False)
    return name, short, domain, "other"


def _description(rng: random.Random, city: str, size: str) -> str:
    staff = {
        "large": rng.randrange(1000, 9000, 100),
        "enterprise": rng.randrange(10000, 60000, 1000),
    }[size]
    return f"总部位于{city}，员工约 {staff} 人，在全国设有 {rng.randint(3, 40)} 个分支机构。"


def _guarantee_books(companies: list[Company], cast: Cast, accounts: int) -> None:
    """The named reps hold a book worth showing, whatever the scale (li.rep ≥ 20 at full size)."""
    minimums = {"li.rep": min(20, max(3, accounts // 10))}
    minimums |= {login: min(8, max(2, accounts // 25)) for login in NAMED_REPS if login != "li.rep"}
    protected = {cast[login].pk for login in minimums}
    for login, minimum in minimums.items():
        user = cast[login]
        team = cast.team_of[user.pk]
        held = [c for c in companies if c.account.owner_id == user.pk]
        candidates = [c for c in companies if c.account.owner_id not in protected]
        # Prefer the team's own accounts, then accounts other sellers hold, then the pool.
        candidates.sort(key=lambda c: (c.team != team, c.account.owner_id is None))
        for company in candidates[: max(0, minimum - len(held))]:
            company.account.owner = user
            company.team = team


def _plan_contacts(
    rng: random.Random, companies: list[Company], uniques: Uniques, total: int
) -> None:
    """At least one contact per account; the rest where the companies are bigger."""
    counts = [1] * len(companies)
    weights = [SIZE_WEIGHTS[c.account.size][0] for c in companies]
    for index in rng.choices(
        range(len(companies)), weights=weights, k=max(0, total - len(companies))
    ):
        counts[index] += 1
    for company, count in zip(companies, counts, strict=True):
        english = not any("\u4e00" <= ch <= "\u9fff" for ch in company.short)
        for position in range(count):
            company.contacts.append(
                _contact(rng, company, uniques, primary=position == 0, english=english)
            )


def _contact(
    rng: random.Random, company: Company, uniques: Uniques, *, primary: bool, english: bool
) -> Contact:
    name, given_py, surname_py = person_name(rng, english=english and rng.random() < 0.5)
    local = f"{given_py}.{surname_py}" if rng.random() < 0.6 else f"{surname_py}{given_py}"
    email = uniques.email(local.lower(), company.domain)
    phone = uniques.mobile(rng)
    title = rng.choice(names.DECISION_TITLES if primary else names.JOB_TITLES)
    return Contact(
        org=company.account.org,
        account=company.account,
        name=name,
        name_normalized=normalize_name(name),
        title=title,
        phone=phone,
        phone_normalized=normalize_phone(phone),
        email=email,
        email_normalized=normalize_email(email),
        wechat=f"{local.lower().replace('.', '_')}{rng.randint(10, 999)}"
        if rng.random() < 0.5
        else "",
        is_primary=primary,
    )


def date_companies(rng: random.Random, clock: Clock, companies: list[Company]) -> None:
    """An account exists a little before its first deal; one without deals, any time."""
    for company in companies:
        if company.deals:
            first = min(p.deal.created_at for p in company.deals)
            created = first - dt.timedelta(seconds=int(rng.uniform(3, 60) * DAY))
        else:
            created = clock.days_ago(rng.uniform(20, 900))
        created = clock.office_time(created).replace(microsecond=0)
        company.account.created_at = company.account.updated_at = created
        for position, contact in enumerate(company.contacts):
            contact.created_at = contact.updated_at = created + dt.timedelta(hours=position)


def finish_companies(
    rng: random.Random, clock: Clock, companies: list[Company], activities: list[Activity]
) -> None:
    """Lifecycle stage, tags, last activity and pool dates, from what happened to each account."""
    latest: dict[int, dt.datetime] = {}
    for activity in activities:
        moment = last_touch(activity, clock)
        if activity.account is not None and moment is not None:
            key = id(activity.account)
            latest[key] = max(latest.get(key, moment), moment)
    for company in companies:
        account = company.account
        account.last_activity_at = latest.get(id(account))
        account.updated_at = max(account.created_at, account.last_activity_at or account.created_at)
        company.tags = _tags(rng, company)
        account.lifecycle_stage = _lifecycle(company)
        if account.owner is None and account.last_activity_at is not None:
            released = account.last_activity_at + dt.timedelta(days=rng.uniform(30, 40))
            account.released_at = min(released, clock.now).replace(microsecond=0)
        elif (
            account.owner is not None
            and account.source in {"cold_call", "website"}
            and rng.random() < 0.3
        ):
            claimed = account.created_at + dt.timedelta(days=rng.uniform(1, 10))
            account.claimed_at = min(claimed, clock.now).replace(microsecond=0)


def last_touch(activity: Activity, clock: Clock) -> dt.datetime | None:
    """When `activity` last touched its parents, as the activity service counts it:
    a completed interaction (not a note or a task), at the time it happened."""
    if activity.kind not in INTERACTION_KINDS or activity.completed_at is None:
        return None
    moment = activity.occurred_at or activity.completed_at
    return moment if moment <= clock.now else None


def _won(company: Company) -> list[Deal]:
    return [p.deal for p in company.deals if p.deal.status == StageKind.WON]


def _tags(rng: random.Random, company: Company) -> list[str]:
    account, won = company.account, _won(company)
    tags = []
    key_chance, listed_chance = {"enterprise": (0.8, 0.4), "large": (0.4, 0.15)}.get(
        account.size, (0, 0)
    )
    if rng.random() < key_chance:
        tags.append("重点客户")
    if rng.random() < listed_chance:
        tags.append("上市公司")
    if sum(d.amount_minor for d in won) >= VIP_WON_MINOR:
        tags.append("VIP")
    if account.source == "partner" and rng.random() < 0.6:
        tags.append("Partner")
    if len(won) >= 2 and rng.random() < 0.6:
        tags.append("老客户")
    if account.industry == "government":
        tags.append("政府项目")
    return tags


def _lifecycle(company: Company) -> str:
    closed = sorted(
        (p for p in company.deals if p.deal.closed_at is not None),
        key=lambda p: p.deal.closed_at or 0,
    )
    if closed and closed[-1].is_renewal and closed[-1].deal.status == StageKind.LOST:
        return LifecycleStage.CHURNED
    if any(p.deal.status == StageKind.WON for p in closed):
        return LifecycleStage.CUSTOMER
    if any(p.is_open for p in company.deals):
        return LifecycleStage.OPPORTUNITY
    if "Partner" in company.tags:
        return LifecycleStage.PARTNER
    return LifecycleStage.PROSPECT
