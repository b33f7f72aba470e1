from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from dealbook.activities.models import Activity
from dealbook.cli import main
from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account, Contact
from dealbook.demo.build import DemoRefused, build_demo, database_is_empty
from dealbook.leads.models import AssignmentRule, Lead
from dealbook.org import services as org_services
from dealbook.org.models import Department, Organization, Team, User
from dealbook.pipeline.models import Competitor, Deal, LostReason, Pipeline, Product, StageHistory
from tests.demo import checks
from tests.personas import PERSONAS, TEAM_MANAGERS, TEAM_REGIONS

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SMALL = 0.05
FIXED_NOW = dt.datetime(2026, 3, 18, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def small_demo() -> str:
    return build_demo(seed=7, scale=SMALL)


class _Rollback(Exception):
    pass


def _digest_of_build(seed: int) -> str:
    """Build inside a savepoint, fingerprint it, and roll it back: the next build starts empty."""
    try:
        with transaction.atomic():
            build_demo(seed=seed, scale=SMALL, now=FIXED_NOW)
            fingerprint = checks.digest()
            raise _Rollback
    except _Rollback:
        pass
    assert database_is_empty()
    return fingerprint


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def test_personas_have_their_roles_teams_and_password(small_demo):
    org = Organization.objects.get()
    assert (org.name, org.slug, org.currency, org.time_zone) == (
        "华信科技 Huaxin Technology",
        "huaxin",
        "CNY",
        "Asia/Shanghai",
    )
    for login, display, role, team in PERSONAS:
        user = User.objects.select_related("team").get(username=login)
        assert (user.display_name, user.role, user.org_id) == (display, role, org.pk)
        assert (user.team.name if user.team else None) == team
        assert authenticate(username=login, password="dealbook-demo") == user
    teams = {t.name: t for t in Team.objects.select_related("manager", "parent")}
    assert set(teams) == {"Sales", "East", "South", "Key Accounts"}
    for name, login in TEAM_MANAGERS.items():
        assert teams[name].manager.username == login
    for name, region in TEAM_REGIONS.items():
        assert (teams[name].parent, teams[name].region) == (teams["Sales"], region)
        assert teams[name].path == f"{teams['Sales'].path}{teams[name].pk}/"
    assert not User.objects.filter(username__startswith="acme").exists()
    assert set(Department.objects.values_list("name", flat=True)) == {
        "Sales",
        "Marketing",
        "Customer Service",
        "Finance",
        "Product",
    }
    assert User.objects.get(username="wu.finance").department.name == "Finance"


def test_fifteen_reps_fill_the_three_teams_with_pinyin_logins(small_demo):
    reps = User.objects.filter(role="sales_rep").select_related("team")
    assert reps.count() == 15
    assert {r.team.name for r in reps} == {"East", "South", "Key Accounts"}
    for rep in reps:
        assert rep.username.endswith(".rep")
        chinese, pinyin = rep.display_name.split(" ", 1)
        assert all("\u4e00" <= ch <= "\u9fff" for ch in chinese) and pinyin.isascii()
        assert authenticate(username=rep.username, password="dealbook-demo") == rep
    # People and teams went through the audited org services.
    assert (
        AuditEvent.objects.filter(object_type="user", verb="create").count()
        == User.objects.count()
        == 24
    )


def test_counts_follow_the_scale(small_demo):
    assert (
        Account.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        Lead.objects.count(),
    ) == (25, 75, 100, 15)
    assert Activity.objects.count() >= 500
    assert small_demo.startswith(
        "Loaded 华信科技 Huaxin Technology: 24 people in 4 teams, 25 accounts, 75 contacts, "
        "100 deals, 15 leads, "
    )
    assert "li.rep / dealbook-demo" in small_demo
    assert (Product.objects.count(), Competitor.objects.count(), LostReason.objects.count()) == (
        12,
        8,
        7,
    )
    assert list(AssignmentRule.objects.values_list("region", "team__name")) == [
        ("华东", "East"),
        ("华南", "South"),
    ]


def test_pipelines_and_stages_are_exactly_as_designed(small_demo):
    sales = Pipeline.objects.get(name="Sales")
    assert sales.is_default
    assert list(
        sales.stages.order_by("order").values_list(
            "name", "order", "kind", "probability", "required_fields"
        )
    ) == [
        ("Qualification", 1, "open", 10, []),
        ("Needs analysis", 2, "open", 20, ["expected_close_date"]),
        ("Proposal", 3, "open", 50, ["amount", "contacts"]),
        ("Negotiation", 4, "open", 75, ["amount", "expected_close_date"]),
        ("Won", 5, "won", 100, []),
        ("Lost", 6, "lost", 0, ["lost_reason"]),
    ]
    renewals = Pipeline.objects.get(name="Renewals")
    assert not renewals.is_default
    assert list(renewals.stages.order_by("order").values_list("name", "kind", "probability")) == [
        ("Renewal due", "open", 40),
        ("Quoted", "open", 70),
        ("Renewed", "won", 100),
        ("Churned", "lost", 0),
    ]


def test_generated_records_are_consistent(small_demo):
    checks.check_all()


def test_history_is_in_the_past_and_in_two_years():
    build_demo(seed=3, scale=SMALL, now=FIXED_NOW)
    earliest = FIXED_NOW - dt.timedelta(days=731)
    assert not StageHistory.objects.filter(entered_at__gt=FIXED_NOW).exists()
    assert not StageHistory.objects.filter(entered_at__lt=earliest).exists()
    assert not Deal.objects.filter(closed_at__gt=FIXED_NOW).exists()
    assert not Activity.objects.filter(occurred_at__gt=FIXED_NOW).exists()
    # Bulk loading kept the generated timestamps instead of the load time.
    assert Deal.objects.filter(created_at__lt=FIXED_NOW - dt.timedelta(days=180)).exists()
    assert not Deal.objects.filter(
        status="open", expected_close_date__lt=dt.date(2026, 1, 1)
    ).exists()


def test_same_seed_builds_the_same_organisation_and_another_seed_does_not():
    first = _digest_of_build(11)
    second = _digest_of_build(11)
    other = _digest_of_build(12)
    assert first == second
    assert other != first


def test_li_has_deals_closing_this_month_and_a_morning_of_tasks(small_demo):
    today = _today()
    li = User.objects.get(username="li.rep")
    closing = Deal.objects.filter(
        owner=li,
        status="open",
        expected_close_date__gte=today,
        expected_close_date__lte=(today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        - dt.timedelta(days=1),
    )
    assert closing.count() >= 4
    for login in ("li.rep", "wang.rep", "liu.rep", "zhou.rep"):
        user = User.objects.get(username=login)
        assert Account.objects.filter(owner=user).count() >= 2
        assert Deal.objects.filter(owner=user, status="open").count() >= 2
        due_today = [
            a
            for a in Activity.objects.filter(owner=user, kind="task", completed_at=None)
            if a.due_at.astimezone(SHANGHAI).date() == today
        ]
        assert len(due_today) >= (3 if login == "li.rep" else 2)
        assert Activity.objects.filter(
            owner=user,
            kind="task",
            completed_at=None,
            # Overdue: due before today began in Shanghai (whatever the hour of the run).
            due_at__lt=dt.datetime.combine(today, dt.time.min, SHANGHAI),
        ).exists()


def test_li_sees_her_demo_book_through_the_api(small_demo, api_as):
    li = User.objects.get(username="li.rep")
    response = api_as(li).get("accounts", {"limit": 200})
    assert response.status_code == 200, response.content
    assert {row["id"] for row in response.json()["items"]} == set(
        Account.objects.filter(owner=li).values_list("id", flat=True)
    )


def test_refuses_a_database_that_holds_an_organisation():
    org_services.organization_create(name="Real Customer Ltd", slug="real")
    assert not database_is_empty()
    with pytest.raises(DemoRefused, match="already holds an organisation or users"):
        build_demo(seed=1, scale=SMALL)
    assert (Organization.objects.count(), User.objects.count(), Account.objects.count()) == (
        1,
        0,
        0,
    )


def test_scale_out_of_range_is_refused():
    with pytest.raises(ValueError, match="scale"):
        build_demo(scale=0)
    assert database_is_empty()


def test_command_loads_then_skips_with_if_empty_and_refuses_without(capsys):
    assert database_is_empty()
    assert main(["demo", "--scale", "0.05", "--seed", "5"]) == 0
    assert "Loaded 华信科技 Huaxin Technology" in capsys.readouterr().out
    assert main(["demo", "--if-empty"]) == 0
    assert "not loaded" in capsys.readouterr().out
    assert main(["demo", "--scale", "0.05"]) == 2
    assert "already holds an organisation or users" in capsys.readouterr().err
    assert Organization.objects.count() == 1 and Deal.objects.count() == 100


def test_full_size_demo(capsys):
    started = time.monotonic()
    summary = build_demo()
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nfull demo built in {elapsed:.1f} s")
    assert "500 accounts, 1,500 contacts, 2,000 deals, 300 leads, 10,000 activities" in summary
    assert (
        Account.objects.count(),
        Contact.objects.count(),
        Deal.objects.count(),
        Lead.objects.count(),
        Activity.objects.count(),
    ) == (500, 1500, 2000, 300, 10000)
    li = User.objects.get(username="li.rep")
    assert Account.objects.filter(owner=li).count() >= 20
    assert Deal.objects.filter(owner=li).count() >= 40
    # About 30 % of closed sales deals are won; about 8 % of accounts sit in the pool.
    closed = Deal.objects.filter(pipeline__name="Sales").exclude(status="open")
    assert 0.24 <= closed.filter(status="won").count() / closed.count() <= 0.36
    assert 25 <= Account.objects.filter(owner=None).count() <= 60
    english = sum(1 for name in Account.objects.values_list("name", flat=True) if name.isascii())
    assert 70 <= english <= 130
    assert 120 <= Deal.objects.filter(pipeline__name="Renewals").count() <= 160
    assert Deal.objects.filter(status="open").count() >= 150
    assert Lead.objects.filter(owner=None).exists()
    assert Lead.objects.filter(status="converted").count() == 75
    amounts = sorted(
        Deal.objects.filter(pipeline__name="Sales").values_list("amount_minor", flat=True)
    )
    median = amounts[len(amounts) // 2]
    assert 80_000_00 <= median <= 300_000_00
    assert Account.objects.filter(lifecycle_stage="customer").count() == (
        Account.objects.filter(deals__status="won")
        .distinct()
        .exclude(lifecycle_stage="churned")
        .count()
    )
    checks.check_all()
