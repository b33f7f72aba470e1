"""The sales organisation of a scale build: the demo's people, more teams and more reps.

The demo's personas come first (same logins, teams and password), so benchmarks sign in
as `li.rep` or `zhang.manager`; regional teams and numbered reps fill the preset. Everyone
goes through the org services, as in the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from dealbook.demo.companies import person_name
from dealbook.demo.people import TEAM_MANAGERS, create_cast
from dealbook.demo.scale.presets import REP_PREFIX, Preset
from dealbook.org import services as org_services
from dealbook.org.enums import Role
from dealbook.org.models import Department, Organization, Team, User

MANAGER_WEIGHT = 0.25  # a manager carries a small book of their own
SKILL_RANGE = (0.6, 1.4)  # win-rate multiplier of a seller
WEIGHT_RANGE = (0.6, 1.4)  # share of the team's book


@dataclass
class Seller:
    id: int
    login: str
    team: str
    is_manager: bool
    skill: float
    weight: float


@dataclass
class SalesOrg:
    """Who sells where: ids only, so the generator never touches a model instance."""

    org: Organization
    teams: dict[str, Team]
    users: dict[str, User]
    sellers: dict[str, list[Seller]] = field(default_factory=dict)  # team → reps, then manager
    by_id: dict[int, Seller] = field(default_factory=dict)

    def reps(self, team: str) -> list[Seller]:
        return [s for s in self.sellers[team] if not s.is_manager]


def create_sales_org(*, rng: random.Random, preset: Preset) -> SalesOrg:
    cast = create_cast(rng=rng)
    org, teams, users = cast.org, dict(cast.teams), dict(cast.users)
    sales = Department.objects.get(org=org, name="Sales")
    managers = dict(TEAM_MANAGERS)
    for name, region, login, display, _prefix in preset.extra_teams:
        team = org_services.team_create(
            actor=None, org=org, name=name, parent=teams["Sales"], region=region
        )
        users[login] = _user(org, login, display, Role.SALES_MANAGER, team, sales)
        org_services.team_set_manager(actor=None, team=team, manager=users[login])
        teams[name], managers[name] = team, login
    prefixes = REP_PREFIX | {team[0]: team[4] for team in preset.extra_teams}
    for team_name, total in preset.team_reps:
        team = teams[team_name]
        present = sum(
            1 for u in users.values() if u.role == Role.SALES_REP and u.team_id == team.pk
        )
        for number in range(1, total - present + 1):
            chinese, given, surname = person_name(rng)
            login = f"{prefixes[team_name]}.rep{number:02d}"
            users[login] = _user(
                org, login, f"{chinese} {surname} {given}", Role.SALES_REP, team, sales
            )
    # Hashing is deliberately slow; every login shares the demo password the demo's people
    # already carry (hashed once there).
    hashed = User.objects.values_list("password", flat=True).get(pk=users["li.rep"].pk)
    User.objects.filter(org=org).update(password=hashed)
    sales_org = SalesOrg(org=org, teams=teams, users=users)
    _rate_sellers(sales_org, rng, preset, managers)
    return sales_org


def _user(
    org: Organization, login: str, display: str, role: str, team: Team, department: Department
) -> User:
    return org_services.user_create(
        actor=None,
        org=org,
        username=login,
        password=None,
        role=role,
        display_name=display,
        email=f"{login}@huaxin.example.com",
        team=team,
        department=department,
    )


def _rate_sellers(
    sales_org: SalesOrg, rng: random.Random, preset: Preset, managers: dict[str, str]
) -> None:
    """How much of its team's book each seller holds and how well each one closes."""
    for team_name, _count in preset.team_reps:
        team = sales_org.teams[team_name]
        reps = sorted(
            (
                u
                for u in sales_org.users.values()
                if u.role == Role.SALES_REP and u.team_id == team.pk
            ),
            key=lambda u: u.pk,
        )
        sellers = [
            Seller(
                id=user.pk,
                login=user.username,
                team=team_name,
                is_manager=False,
                skill=round(rng.uniform(*SKILL_RANGE), 3),
                weight=round(rng.uniform(*WEIGHT_RANGE), 3),
            )
            for user in reps
        ]
        manager = sales_org.users[managers[team_name]]
        sellers.append(
            Seller(
                id=manager.pk,
                login=manager.username,
                team=team_name,
                is_manager=True,
                skill=round(rng.uniform(*SKILL_RANGE), 3),
                weight=MANAGER_WEIGHT,
            )
        )
        sales_org.sellers[team_name] = sellers
        sales_org.by_id |= {seller.id: seller for seller in sellers}
    # The heroine of the docs: a strong rep with a full book (as in the demo).
    li = sales_org.by_id[sales_org.users["li.rep"].pk]
    li.skill, li.weight = 1.15, 1.6
