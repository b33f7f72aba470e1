"""How big each scale is: record counts, the sales teams and how many reps sit in each."""

from __future__ import annotations

from dataclasses import dataclass

from dealbook.demo import names

# The demo's three teams hold fifteen reps (tests/personas.py, demo/people.py).
DEMO_TEAM_REPS: tuple[tuple[str, int], ...] = (("East", 6), ("South", 5), ("Key Accounts", 4))
# name, region, manager login, manager's display name, login prefix of its reps
EXTRA_TEAMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("North", "华北", "team.north.manager", "钱勇 Qian Yong", "north"),
    ("West", "西南", "team.west.manager", "严飞 Yan Fei", "west"),
    ("Central", "华中", "team.central.manager", "邵峰 Shao Feng", "central"),
)
REP_PREFIX = {"East": "east", "South": "south", "Key Accounts": "ka"}
# With the regional teams, each region is covered by the team nearest to it.
REGIONAL_COVERAGE: dict[str, str] = {
    "华东": "East",
    "华南": "South",
    "华北": "North",
    "东北": "North",
    "西南": "West",
    "西北": "West",
    "华中": "Central",
}


@dataclass(frozen=True)
class Preset:
    """Exact row counts of the big tables, and the sales organisation that owns them."""

    name: str
    accounts: int
    contacts: int
    deals: int
    activities: int
    leads: int
    # sales team → how many reps it has in all (the demo's named reps included)
    team_reps: tuple[tuple[str, int], ...] = DEMO_TEAM_REPS
    # every product line of a deal, or only the licence line that makes its amount
    full_line_items: bool = True
    years: int = 3

    def __post_init__(self) -> None:
        if self.contacts < self.accounts:
            raise ValueError("Every account needs a contact: contacts must be ≥ accounts.")
        known = {team for team, _count in DEMO_TEAM_REPS} | {t[0] for t in EXTRA_TEAMS}
        if not {team for team, _count in self.team_reps} <= known:
            raise ValueError("Unknown sales team in team_reps.")

    @property
    def extra_teams(self) -> tuple[tuple[str, str, str, str, str], ...]:
        wanted = {team for team, _count in self.team_reps}
        return tuple(team for team in EXTRA_TEAMS if team[0] in wanted)

    @property
    def region_team(self) -> dict[str, str]:
        """Which sales team covers each region (regions without a team of their own go to
        the demo's nearest team)."""
        teams = {team for team, _count in self.team_reps}
        return {
            region: team if team in teams else names.REGION_TEAM[region]
            for region, team in REGIONAL_COVERAGE.items()
        }

    @property
    def reps(self) -> int:
        return sum(count for _team, count in self.team_reps)


TINY = Preset(name="tiny", accounts=50, contacts=150, deals=200, activities=1_000, leads=8)
SMALL = Preset(name="small", accounts=500, contacts=1_500, deals=2_000, activities=10_000, leads=75)
LARGE = Preset(
    name="large",
    accounts=200_000,
    contacts=500_000,
    deals=1_000_000,
    activities=5_000_000,
    leads=30_000,
    # 200 reps; East is the benchmark's "manager of 40 reps" (zhang.manager).
    team_reps=(
        ("East", 40),
        ("South", 45),
        ("Key Accounts", 30),
        ("North", 35),
        ("West", 25),
        ("Central", 25),
    ),
    full_line_items=False,
)
PRESETS: dict[str, Preset] = {preset.name: preset for preset in (TINY, SMALL, LARGE)}
