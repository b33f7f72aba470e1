"""The demo organisation's personas (../shared/design/DEMO.md), built for tests.

Everyone — tests, docs, screenshots — talks about the same people: li.rep sees her own
records, zhang.manager sees team East's, chen.director sees all, acme.admin sees nothing
of Huaxin's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dealbook.org import services as org_services
from dealbook.org.models import Organization, Team, User


@dataclass
class World:
    org: Organization
    acme: Organization
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, login: str) -> User:
        return self.users[login]


PERSONAS = [
    # login, display name, role, team
    ("admin", "管理员 Admin", "admin", None),
    ("chen.director", "陈静 Chen Jing", "executive", "Sales"),
    ("zhang.manager", "张伟 Zhang Wei", "sales_manager", "East"),
    ("li.rep", "李娜 Li Na", "sales_rep", "East"),
    ("wang.rep", "王强 Wang Qiang", "sales_rep", "East"),
    ("zhao.manager", "赵敏 Zhao Min", "sales_manager", "South"),
    ("liu.rep", "刘洋 Liu Yang", "sales_rep", "South"),
    ("sun.manager", "孙磊 Sun Lei", "sales_manager", "Key Accounts"),
    ("zhou.rep", "周婷 Zhou Ting", "sales_rep", "Key Accounts"),
    ("wu.finance", "吴芳 Wu Fang", "finance", None),
    ("zheng.service", "郑浩 Zheng Hao", "customer_service", None),
    ("feng.marketing", "冯雪 Feng Xue", "marketing", None),
    ("he.product", "何军 He Jun", "product", None),
]
TEAM_MANAGERS = {
    "Sales": "chen.director",
    "East": "zhang.manager",
    "South": "zhao.manager",
    "Key Accounts": "sun.manager",
}
TEAM_REGIONS = {"East": "华东", "South": "华南", "Key Accounts": ""}


def build_world(password: str = "dealbook-demo") -> World:
    org = org_services.organization_create(name="华信科技 Huaxin Technology", slug="huaxin")
    acme = org_services.organization_create(name="Acme Trading", slug="acme", currency="USD")
    world = World(org=org, acme=acme)
    sales = org_services.team_create(actor=None, org=org, name="Sales")
    world.teams["Sales"] = sales
    for name in ("East", "South", "Key Accounts"):
        world.teams[name] = org_services.team_create(
            actor=None, org=org, name=name, parent=sales, region=TEAM_REGIONS[name]
        )
    for login, display, role, team in PERSONAS:
        world.users[login] = org_services.user_create(
            actor=None,
            org=org,
            username=login,
            password=password,
            role=role,
            display_name=display,
            team=world.teams.get(team) if team else None,
        )
    for team_name, login in TEAM_MANAGERS.items():
        org_services.team_set_manager(
            actor=None, team=world.teams[team_name], manager=world.users[login]
        )
    acme_team = org_services.team_create(actor=None, org=acme, name="Sales")
    world.teams["Acme Sales"] = acme_team
    world.users["acme.admin"] = org_services.user_create(
        actor=None,
        org=acme,
        username="acme.admin",
        password=password,
        role="admin",
        display_name="Acme Admin",
    )
    world.users["acme.rep"] = org_services.user_create(
        actor=None,
        org=acme,
        username="acme.rep",
        password=password,
        role="sales_rep",
        display_name="Acme Rep",
        team=acme_team,
    )
    return world
