"""Company names, phones and emails that stay unique at hundreds of thousands of records.

Names are unique after `normalize_name` (what the account service's duplicate check
compares): the demo's trade words give tens of thousands of names, a district or an
English qualifier and city make hundreds of thousands, and a number settles the rest.
Every company gets a web domain of its own, so its people's emails only need to differ
from each other's. Phone numbers are unique by construction (a permutation of the record's
running number), so no set of millions of strings is kept, and worker processes can number
them without asking each other.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from dealbook.core.text import normalize_email, normalize_name
from dealbook.demo import names
from dealbook.demo.scale.draw import Weighted

# Districts that make a branch name: 上海浦东云帆信息科技有限公司.
# fmt: off
DISTRICTS: tuple[str, ...] = (
    "高新", "经开", "科创", "滨江", "城东", "城西", "城南", "城北", "新区", "临港", "江北",
    "河西", "开发区", "自贸区", "科学城", "金融城",
)
QUALIFIERS: tuple[str, ...] = (
    "Global", "International", "Asia", "China", "Pacific", "United", "Advanced", "Smart",
)
# fmt: on
MOBILE_PREFIXES = "3456789"
MOBILE_SPACE = 10**9
LANDLINE_FIRST, LANDLINE_SPACE = 20_000_000, 60_000_000  # 8 digits, not starting 0 or 1
# Multipliers coprime with their spaces, so `number * multiplier % space` never repeats.
MOBILE_MULTIPLIER, LANDLINE_MULTIPLIER = 618_033_989, 31_415_927
assert math.gcd(MOBILE_MULTIPLIER, MOBILE_SPACE) == 1
assert math.gcd(LANDLINE_MULTIPLIER, LANDLINE_SPACE) == 1
BIG_SUFFIX, SMALL_SUFFIX = Weighted.of(names.BIG_SUFFIXES), Weighted.of(names.SMALL_SUFFIXES)
ENGLISH_SUFFIX = Weighted.of(names.ENGLISH_SUFFIXES)


@dataclass(frozen=True)
class CompanyName:
    name: str
    short: str  # what people call it: "上海云帆", "Northwind"
    domain: str
    industry: str


@dataclass
class Namer:
    """Hands out company names and domains (and the emails of leads) nobody else has."""

    taken: set[str] = field(default_factory=set)  # normalised names in use
    domains: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)  # normalised emails in use
    _numbers: dict[str, int] = field(default_factory=dict)  # name stem → next number to try

    def claim(self, name: str) -> bool:
        key = normalize_name(name)
        if key in self.taken:
            return False
        self.taken.add(key)
        return True

    # -- companies ------------------------------------------------------------------------

    def chinese(
        self, rng: random.Random, city: str, industry: str, *, big: bool, legal: bool = True
    ) -> CompanyName:
        word, word_py = rng.choice(names.TRADE_WORDS)
        trade, web = rng.choice(names.INDUSTRY_WORDS[industry])
        suffix = (BIG_SUFFIX if big else SMALL_SUFFIX).pick(rng.random()) if legal else "有限公司"
        short = f"{city}{word}"
        domain = f"{word_py}-{web}"
        tld = ".com.cn" if legal else ".cn"
        if self.claim(name := f"{city}{word}{trade}{suffix}"):
            return CompanyName(name, short, self.domain(domain, tld), industry)
        start = rng.randrange(len(DISTRICTS))
        for step in range(len(DISTRICTS)):
            district = DISTRICTS[(start + step) % len(DISTRICTS)]
            if self.claim(name := f"{city}{district}{word}{trade}{suffix}"):
                short = f"{city}{district}{word}"
                return CompanyName(name, short, self.domain(domain, tld), industry)
        name = self._numbered(f"{city}{word}{trade}（", f"）{suffix}")
        return CompanyName(name, short, self.domain(domain, tld), industry)

    def english(self, rng: random.Random, city_py: str, industry: str) -> CompanyName:
        word = rng.choice(names.ENGLISH_WORDS)
        business = rng.choice(names.ENGLISH_BUSINESSES[industry])
        suffix = ENGLISH_SUFFIX.pick(rng.random())
        qualifier = rng.choice(QUALIFIERS)
        city = city_py.title()
        domain = self.domain((word + business).lower().replace(" ", ""), ".com")
        for candidate in (
            f"{word} {business} {suffix}",
            f"{word} {qualifier} {business} {suffix}",
            f"{word} {business} ({city}) {suffix}",
            f"{word} {qualifier} {business} ({city}) {suffix}",
        ):
            if self.claim(candidate):
                return CompanyName(candidate, word, domain, industry)
        name = self._numbered(f"{word} {business} ({city}) No. ", f" {suffix}")
        return CompanyName(name, word, domain, industry)

    def _numbered(self, stem: str, end: str) -> str:
        """stem + a number + end, the first number not taken (numbers of a stem count up)."""
        number = self._numbers.get(stem, 2)
        while not self.claim(name := f"{stem}{number}{end}"):
            number += 1
        self._numbers[stem] = number + 1
        return name

    def public(self, rng: random.Random, city: str, city_py: str) -> CompanyName | None:
        """A public-sector buyer of `city`, or None when the city has none left."""
        for body, industry in rng.sample(names.PUBLIC_BODIES, len(names.PUBLIC_BODIES)):
            if self.claim(name := f"{city}{body}"):
                return CompanyName(name, name, self.domain(city_py, ".gov.cn"), industry)
        return None

    def domain(self, stem: str, tld: str) -> str:
        """`stem` + `tld`, or with a number when another company has that domain."""
        domain, number = f"{stem}{tld}", self._numbers.get(tld + stem, 1)
        while domain in self.domains:
            number += 1
            domain = f"{stem}{number}{tld}"
        self.domains.add(domain)
        self._numbers[tld + stem] = number
        return domain

    def email(self, local: str, domain: str) -> tuple[str, str]:
        """(as written, normalised): an email nobody else was given here."""
        return unique_email(self.emails, local, domain)


def unique_email(taken: set[str], local: str, domain: str) -> tuple[str, str]:
    """(as written, normalised): local@domain, with a number when `taken` holds it."""
    candidate, number = f"{local}@{domain}", 1
    key = normalize_email(candidate)
    while key in taken:
        number += 1
        candidate = f"{local}{number}@{domain}"
        key = normalize_email(candidate)
    taken.add(key)
    return candidate, key


def mobile(unit: float, style: float, number: int) -> tuple[str, str]:
    """(as written, normalised): the mobile of the `number`-th person; `unit` picks the
    network prefix and `style` how it is written (draws in [0, 1))."""
    digits = f"1{MOBILE_PREFIXES[int(unit * len(MOBILE_PREFIXES))]}"
    digits += f"{number * MOBILE_MULTIPLIER % MOBILE_SPACE:09d}"
    if style < 0.8:
        return digits, digits
    if style < 0.95:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}", digits
    return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}", digits


def landline(area: str, number: int) -> tuple[str, str]:
    """(as written, normalised): area code and eight digits for the `number`-th company. The
    area codes of the demo's cities are prefix-free, so different numbers never meet."""
    local = LANDLINE_FIRST + number * LANDLINE_MULTIPLIER % LANDLINE_SPACE
    return f"{area}-{local}", f"{area}{local}"
