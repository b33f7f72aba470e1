"""The people of 华信科技 Huaxin Technology: departments, the sales team tree and every login.

Created through the org services (so each is audited); the same personas are the
fixtures of the permission tests (tests/personas.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from dealbook.org import services as org_services
from dealbook.org.enums import Role
from dealbook.org.models import Department, Organization, Team, User

PASSWORD = "dealbook-demo"  # noqa: S105 - the published password of the demo logins
ORG_NAME = "华信科技 Huaxin Technology"
ORG_SLUG = "huaxin"
DEPARTMENTS = ("Sales", "Marketing", "Customer Service", "Finance", "Product")

# login, display name, role, team, department
PERSONAS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("admin", "管理员 Admin", Role.ADMIN, None, None),
    ("chen.director", "陈静 Chen Jing", Role.EXECUTIVE, "Sales", "Sales"),
    ("zhang.manager", "张伟 Zhang Wei", Role.SALES_MANAGER, "East", "Sales"),
    ("li.rep", "李娜 Li Na", Role.SALES_REP, "East", "Sales"),
    ("wang.rep", "王强 Wang Qiang", Role.SALES_REP, "East", "Sales"),
    ("zhao.manager", "赵敏 Zhao Min", Role.SALES_MANAGER, "South", "Sales"),
    ("liu.rep", "刘洋 Liu Yang", Role.SALES_REP, "South", "Sales"),
    ("sun.manager", "孙磊 Sun Lei", Role.SALES_MANAGER, "Key Accounts", "Sales"),
    ("zhou.rep", "周婷 Zhou Ting", Role.SALES_REP, "Key Accounts", "Sales"),
    ("wu.finance", "吴芳 Wu Fang", Role.FINANCE, None, "Finance"),
    ("zheng.service", "郑浩 Zheng Hao", Role.CUSTOMER_SERVICE, None, "Customer Service"),
    ("feng.marketing", "冯雪 Feng Xue", Role.MARKETING, None, "Marketing"),
    ("he.product", "何军 He Jun", Role.PRODUCT, None, "Product"),
)
# The other reps who fill the three teams (fifteen reps in all).
MORE_REPS: tuple[tuple[str, str, str], ...] = (
    ("xu.rep", "徐明 Xu Ming", "East"),
    ("ma.rep", "马丽 Ma Li", "East"),
    ("hu.rep", "胡斌 Hu Bin", "East"),
    ("guo.rep", "郭静怡 Guo Jingyi", "East"),
    ("lin.rep", "林晓 Lin Xiao", "South"),
    ("huang.rep", "黄海 Huang Hai", "South"),
    ("luo.rep", "罗佳 Luo Jia", "South"),
    ("liang.rep", "梁志强 Liang Zhiqiang", "South"),
    ("gao.rep", "高远 Gao Yuan", "Key Accounts"),
    ("song.rep", "宋雅 Song Ya", "Key Accounts"),
    ("tang.rep", "唐宁 Tang Ning", "Key Accounts"),
)
# name, parent, region
TEAMS: tuple[tuple[str, str | None, str], ...] = (
    ("Sales", None, ""),
    ("East", "Sales", "华东"),
    ("South", "Sales", "华南"),
    ("Key Accounts", "Sales", ""),
)
TEAM_MANAGERS = {
    "Sales": "chen.director",
    "East": "zhang.manager",
    "South": "zhao.manager",
    "Key Accounts": "sun.manager",
}
SALES_TEAMS = ("East", "South", "Key Accounts")
NAMED_REPS = ("li.rep", "wang.rep", "liu.rep", "zhou.rep")


@dataclass
class Cast:
    """Everyone in the demo organisation, and how good each seller is."""

    org: Organization
    teams: dict[str, Team]
    users: dict[str, User]
    # team name → the people who carry a quota there (reps, then the team's manager)
    sellers: dict[str, list[User]] = field(default_factory=dict)
    team_of: dict[int, str] = field(default_factory=dict)  # user id → sales team name
    skill: dict[int, float] = field(default_factory=dict)  # user id → win-rate multiplier
    weight: dict[int, float] = field(default_factory=dict)  # user id → share of the team's book

    def __getitem__(self, login: str) -> User:
        return self.users[login]

    @property
    def reps(self) -> list[User]:
        return [u for u in self.users.values() if u.role == Role.SALES_REP]


def create_cast(*, rng: random.Random) -> Cast:
    """The organisation, its departments, teams and people, all with the demo password."""
    org = org_services.organization_create(name=ORG_NAME, slug=ORG_SLUG)
    departments = {
        name: org_services.department_create(actor=None, org=org, name=name) for name in DEPARTMENTS
    }
    teams: dict[str, Team] = {}
    for name, parent, region in TEAMS:
        teams[name] = org_services.team_create(
            actor=None, org=org, name=name, parent=teams[parent] if parent else None, region=region
        )
    rows = [
        *PERSONAS,
        *((login, name, Role.SALES_REP, team, "Sales") for login, name, team in MORE_REPS),
    ]
    users: dict[str, User] = {}
    for login, display, role, team, department in rows:
        users[login] = org_services.user_create(
            actor=None,
            org=org,
            username=login,
            password=None,
            role=role,
            display_name=display,
            email=f"{login}@huaxin.example.com",
            team=teams[team] if team else None,
            department=_department(departments, department),
        )
    for team_name, login in TEAM_MANAGERS.items():
        org_services.team_set_manager(actor=None, team=teams[team_name], manager=users[login])
    # Hashing is deliberately slow; every demo login shares one password, so hash it once.
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(
        password=make_password(PASSWORD)
    )
    cast = Cast(org=org, teams=teams, users=users)
    _rate_sellers(cast, rng)
    return cast


def _department(departments: dict[str, Department], name: str | None) -> Department | None:
    return departments[name] if name else None


def _rate_sellers(cast: Cast, rng: random.Random) -> None:
    """Who sells in which team, how much of the book each holds and how well each closes."""
    for team_name in SALES_TEAMS:
        reps = [
            u
            for u in cast.users.values()
            if u.role == Role.SALES_REP and u.team_id == cast.teams[team_name].pk
        ]
        manager = cast.users[TEAM_MANAGERS[team_name]]
        cast.sellers[team_name] = [*reps, manager]
        for user in cast.sellers[team_name]:
            cast.team_of[user.pk] = team_name
            cast.skill[user.pk] = round(rng.uniform(0.75, 1.3), 3)
            cast.weight[user.pk] = 0.25 if user is manager else round(rng.uniform(0.8, 1.2), 3)
    # The heroine of the docs and screenshots: a strong rep with a full book.
    li = cast.users["li.rep"]
    cast.skill[li.pk], cast.weight[li.pk] = 1.15, 1.6
