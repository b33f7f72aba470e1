"""The home page: my tasks, my deals closing this month, my idle customers, and for those
who see a team its pipeline, activity and slipped deals — exact numbers, in Shanghai's
calendar, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealbook.analytics.schemas import HomeOut, home_answer
from dealbook.analytics.selectors import home_summary, org_clock
from dealbook.core.api import OrjsonRenderer
from dealbook.core.money import from_minor
from dealbook.customers.models import Account
from dealbook.org import services as org_services
from dealbook.pipeline.models import Deal
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, PipelineFactory, stage

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EAST = ("li.rep", "wang.rep", "zhang.manager")


def _local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(today.year, today.month, 1)
    following = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _home(client, **params) -> dict:
    response = client.get("home", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate(timezone=SHANGHAI)


@pytest.fixture
def scene(world, today) -> SimpleNamespace:
    li, wang, zhang, liu = (
        world["li.rep"],
        world["wang.rep"],
        world["zhang.manager"],
        world["liu.rep"],
    )
    sales = PipelineFactory(org=world.org, name="Sales")
    first, last = _month(today)
    s = SimpleNamespace(sales=sales)
    s.acc_li = AccountFactory(owner=li, name="上海云帆信息科技有限公司")

    def deal(owner, name, stage_name, amount_minor, currency="CNY", close=None, **extra):
        return DealFactory(
            owner=owner,
            account=s.acc_li if owner == li else AccountFactory(owner=owner),
            stage=stage(sales, stage_name),
            name=name,
            amount_minor=amount_minor,
            currency=currency,
            expected_close_date=close,
            **extra,
        )

    s.li_first = deal(li, "li first day", "Qualification", 100_00, close=first)
    s.li_last = deal(li, "li last day", "Proposal", 250_50, close=last)
    s.li_usd = deal(li, "li usd", "Negotiation", 99_99, "USD", close=first)
    s.li_next_month = deal(li, "li next month", "Proposal", 1_00, close=last + dt.timedelta(1))
    s.li_last_month = deal(li, "li slipped", "Proposal", 7_00, close=first - dt.timedelta(days=1))
    s.li_no_date = deal(li, "li undated", "Qualification", 3_00)
    s.li_won = deal(li, "li won", "Won", 5_000_00, close=first, closed_at=timezone.now())
    s.wang_open = deal(wang, "wang open", "Proposal", 800_00, "USD", close=first)
    s.wang_slipped = deal(
        wang, "wang slipped", "Qualification", 60_00, close=today - dt.timedelta(days=40)
    )
    s.zhang_open = deal(zhang, "zhang open", "Negotiation", 12_345_67, close=last)
    s.liu_open = deal(liu, "liu open", "Qualification", 4_00, close=today - dt.timedelta(days=3))
    org_services.share_create(actor=liu, object_type="deal", object_id=s.liu_open.pk, user=zhang)
    return s


# --- my day ------------------------------------------------------------------------------------


def test_rep_sees_her_own_day_and_no_team(world, api_as, scene, today):
    li = world["li.rep"]
    now = timezone.now()
    start_of_today = _local(today)
    overdue_old = ActivityFactory(
        owner=li,
        kind="task",
        subject="Send the contract",
        deal=scene.li_first,
        due_at=start_of_today - dt.timedelta(days=3),
        occurred_at=None,
        completed_at=None,
    )
    overdue_late = ActivityFactory(
        owner=li,
        kind="task",
        subject="Call back",
        account=scene.acc_li,
        due_at=start_of_today - dt.timedelta(minutes=1),
        occurred_at=None,
        completed_at=None,
    )
    due_today = ActivityFactory(
        owner=li,
        kind="task",
        subject="Prepare demo",
        due_at=start_of_today + dt.timedelta(hours=23, minutes=59),
        occurred_at=None,
        completed_at=None,
    )
    ActivityFactory(  # tomorrow
        owner=li,
        kind="task",
        subject="Later",
        due_at=start_of_today + dt.timedelta(days=1),
        occurred_at=None,
        completed_at=None,
    )
    ActivityFactory(  # done
        owner=li,
        kind="task",
        subject="Done",
        due_at=start_of_today - dt.timedelta(days=1),
        occurred_at=None,
        completed_at=now,
    )
    ActivityFactory(  # someone else's
        owner=world["wang.rep"],
        kind="task",
        subject="Wang's",
        occurred_at=None,
        due_at=start_of_today - dt.timedelta(days=1),
        completed_at=None,
    )
    body = _home(api_as(li))
    first, last = _month(today)
    assert (body["today"], body["time_zone"]) == (today.isoformat(), "Asia/Shanghai")
    assert (body["month_start"], body["month_end"]) == (first.isoformat(), last.isoformat())
    assert body["team"] is None
    agenda = body["agenda"]
    assert (agenda["overdue_count"], agenda["due_today_count"]) == (2, 1)
    assert [item["id"] for item in agenda["items"]] == [
        overdue_old.pk,
        overdue_late.pk,
        due_today.pk,
    ]
    assert agenda["items"][0] | {"due_at": None} == {
        "id": overdue_old.pk,
        "kind": "task",
        "subject": "Send the contract",
        "due_at": None,
        "regarding": "li first day",
    }
    assert [item["regarding"] for item in agenda["items"][1:]] == ["上海云帆信息科技有限公司", ""]


def test_deals_closing_this_month_are_mine_open_and_in_the_shanghai_month(world, api_as, scene):
    body = _home(api_as(world["li.rep"]))
    closing = body["closing_this_month"]
    mine = [scene.li_first, scene.li_last, scene.li_usd]
    assert closing["count"] == 3
    expected: dict[str, list[Deal]] = defaultdict(list)
    for deal in mine:
        expected[deal.currency].append(deal)
    assert closing["totals"] == [
        {
            "currency": currency,
            "count": len(deals),
            "amount": str(from_minor(sum(d.amount_minor for d in deals), currency)),
        }
        for currency, deals in sorted(expected.items())
    ]
    assert closing["totals"] == [
        {"currency": "CNY", "count": 2, "amount": "350.50"},
        {"currency": "USD", "count": 1, "amount": "99.99"},
    ]
    # soonest first, then the biggest
    assert [item["id"] for item in closing["items"]] == [
        scene.li_first.pk,
        scene.li_usd.pk,
        scene.li_last.pk,
    ]
    assert closing["items"][0] == {
        "id": scene.li_first.pk,
        "name": "li first day",
        "account_name": "上海云帆信息科技有限公司",
        "owner_name": "李娜 Li Na",
        "stage_name": "Qualification",
        "amount": "100.00",
        "currency": "CNY",
        "expected_close_date": scene.li_first.expected_close_date.isoformat(),
    }


def test_the_month_is_shanghais_not_utcs(world, scene):
    """At 00:30 on April 1st in Shanghai it is still March 31st in UTC."""
    li = world["li.rep"]
    Deal.objects.all().delete()
    march = DealFactory(owner=li, account=scene.acc_li, expected_close_date=dt.date(2026, 3, 31))
    april = DealFactory(owner=li, account=scene.acc_li, expected_close_date=dt.date(2026, 4, 1))
    now = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
    summary = home_summary(actor=li, now=now)
    assert (summary.today, summary.month_start, summary.month_end) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    assert [deal["id"] for deal in summary.closing_this_month.items] == [april.pk]
    assert march.pk not in {deal["id"] for deal in summary.closing_this_month.items}
    clock = org_clock(actor=li, now=dt.datetime(2026, 3, 29, 16, 0, tzinfo=dt.UTC))
    assert clock.week == (dt.date(2026, 3, 30), dt.date(2026, 4, 5))  # Monday 00:00 Shanghai


def _set_last_activity(account: Account, at: dt.datetime | None) -> None:
    Account.objects.filter(pk=account.pk).update(last_activity_at=at)


def test_idle_customers_are_mine_without_recent_activity(world, api_as, scene):
    li, now = world["li.rep"], timezone.now()
    never = scene.acc_li  # no activity yet
    idle_40 = AccountFactory(owner=li, name="Idle 40")
    idle_31 = AccountFactory(owner=li, name="Idle 31")
    recent = AccountFactory(owner=li, name="Recent")
    _set_last_activity(idle_40, now - dt.timedelta(days=40))
    _set_last_activity(idle_31, now - dt.timedelta(days=31))
    _set_last_activity(recent, now - dt.timedelta(days=10))
    _set_last_activity(AccountFactory(owner=world["wang.rep"]), None)
    body = _home(api_as(li))
    idle = body["idle_customers"]
    assert (idle["idle_days"], idle["count"], idle["count_is_exact"]) == (30, 3, True)
    assert [item["id"] for item in idle["items"]] == [never.pk, idle_40.pk, idle_31.pk]
    assert idle["items"][0] == {"id": never.pk, "name": never.name, "last_activity_at": None}
    body = _home(api_as(li), idle_days=35)
    assert [item["id"] for item in body["idle_customers"]["items"]] == [never.pk, idle_40.pk]
    body = _home(api_as(li), idle_days=5)
    assert body["idle_customers"]["count"] == 4


def test_idle_count_is_capped_at_1000(world, api_as, scene):
    li = world["li.rep"]
    Account.objects.bulk_create(
        Account(org=world.org, owner=li, name=f"Bulk {n}", name_normalized=f"bulk{n}")
        for n in range(1001)
    )
    idle = _home(api_as(li))["idle_customers"]
    assert (idle["count"], idle["count_is_exact"], len(idle["items"])) == (1000, False, 10)


# --- the team ----------------------------------------------------------------------------------


def _team_deals(world, owners) -> list[Deal]:
    ids = [world[login].pk for login in owners]
    return list(
        Deal.objects.filter(org=world.org, owner_id__in=ids, status="open").select_related(
            "stage", "pipeline", "owner"
        )
    )


def _by_stage(deals: list[Deal]) -> list[dict]:
    """Open deals per stage computed independently, in stage order."""
    groups: dict[int, list[Deal]] = defaultdict(list)
    for deal in sorted(deals, key=lambda d: (d.stage.order, d.currency)):
        groups[deal.stage_id].append(deal)
    return [
        {
            "pipeline_id": group[0].pipeline_id,
            "pipeline_name": group[0].pipeline.name,
            "stage_id": stage_id,
            "stage_name": group[0].stage.name,
            "count": len(group),
            "totals": _totals(group),
        }
        for stage_id, group in groups.items()
    ]


def _totals(deals: list[Deal]) -> list[dict]:
    by_currency: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for deal in deals:
        by_currency[deal.currency] += deal.amount_minor
        counts[deal.currency] += 1
    return [
        {
            "currency": currency,
            "count": counts[currency],
            "amount": str(from_minor(by_currency[currency], currency)),
        }
        for currency in sorted(by_currency)
    ]


def _by_owner(deals: list[Deal]) -> list[dict]:
    groups: dict[int, list[Deal]] = defaultdict(list)
    for deal in deals:
        groups[deal.owner_id].append(deal)
    rows = [
        {
            "owner_id": owner_id,
            "owner_name": str(group[0].owner),
            "count": len(group),
            "totals": _totals(group),
        }
        for owner_id, group in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["owner_name"], row["owner_id"]))


@pytest.mark.parametrize(
    ("login", "owners"),
    [
        ("zhang.manager", EAST),
        ("zhao.manager", ("liu.rep",)),
        ("chen.director", (*EAST, "liu.rep")),
        ("wu.finance", (*EAST, "liu.rep")),
    ],
)
def test_team_pipeline_by_stage_and_owner(world, api_as, scene, login, owners):
    team = _home(api_as(world[login]))["team"]
    deals = _team_deals(world, owners)
    assert team["pipeline_by_stage"] == _by_stage(deals)
    assert team["pipeline_by_owner"] == {"owners": _by_owner(deals), "has_more": False}


def test_managers_team_pipeline_numbers(world, api_as, scene):
    """zhang.manager: East's open deals; liu's deal shared with him is not his team's."""
    team = _home(api_as(world["zhang.manager"]))["team"]
    by_stage = {row["stage_name"]: row for row in team["pipeline_by_stage"]}
    assert list(by_stage) == ["Qualification", "Proposal", "Negotiation"]
    assert by_stage["Qualification"]["totals"] == [
        {"currency": "CNY", "count": 3, "amount": "163.00"}
    ]
    assert by_stage["Proposal"]["totals"] == [
        {"currency": "CNY", "count": 3, "amount": "258.50"},
        {"currency": "USD", "count": 1, "amount": "800.00"},
    ]
    assert by_stage["Negotiation"]["count"] == 2
    owners = team["pipeline_by_owner"]["owners"]
    assert [(row["owner_name"], row["count"]) for row in owners] == [
        ("李娜 Li Na", 6),
        ("王强 Wang Qiang", 2),
        ("张伟 Zhang Wei", 1),
    ]


def test_slipped_deals_are_the_teams_open_deals_past_their_date(world, api_as, scene, today):
    team = _home(api_as(world["zhang.manager"]))["team"]
    slipped = [
        deal
        for deal in _team_deals(world, EAST)
        if deal.expected_close_date is not None and deal.expected_close_date < today
    ]
    slipped.sort(key=lambda d: (d.expected_close_date, -d.amount_minor, d.pk))
    assert team["slipped"]["count"] == len(slipped)
    assert team["slipped"]["count_is_exact"] is True
    assert [item["id"] for item in team["slipped"]["items"]] == [d.pk for d in slipped]
    assert scene.wang_slipped.pk in [d.pk for d in slipped]
    assert scene.liu_open.pk not in [item["id"] for item in team["slipped"]["items"]]
    director = _home(api_as(world["chen.director"]))["team"]
    assert scene.liu_open.pk in [item["id"] for item in director["slipped"]["items"]]


def test_activities_this_week_per_owner_and_kind(world, api_as, scene, today):
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    monday = today - dt.timedelta(days=today.weekday())
    start, end = _local(monday), _local(monday + dt.timedelta(days=7))

    def done(owner, kind, at):
        return ActivityFactory(owner=owner, kind=kind, occurred_at=at, completed_at=at)

    done(li, "call", start)
    done(li, "call", end - dt.timedelta(minutes=1))
    done(li, "meeting", start + dt.timedelta(days=2))
    done(li, "call", start - dt.timedelta(minutes=1))  # last week
    done(wang, "task", start + dt.timedelta(hours=1))
    done(liu, "visit", start + dt.timedelta(hours=1))  # South
    ActivityFactory(owner=wang, kind="task", occurred_at=None, completed_at=None)  # open
    week = _home(api_as(world["zhang.manager"]))["team"]["activities_this_week"]
    assert (week["start"], week["end"]) == (
        monday.isoformat(),
        (monday + dt.timedelta(days=6)).isoformat(),
    )
    assert week["owners"] == [
        {
            "owner_id": li.pk,
            "owner_name": "李娜 Li Na",
            "total": 3,
            "by_kind": [{"kind": "call", "count": 2}, {"kind": "meeting", "count": 1}],
        },
        {
            "owner_id": wang.pk,
            "owner_name": "王强 Wang Qiang",
            "total": 1,
            "by_kind": [{"kind": "task", "count": 1}],
        },
    ]
    assert week["has_more"] is False
    director = _home(api_as(world["chen.director"]))["team"]["activities_this_week"]
    assert [row["owner_id"] for row in director["owners"]] == [li.pk, liu.pk, wang.pk]
    finance = _home(api_as(world["wu.finance"]))["team"]["activities_this_week"]
    assert finance["owners"] == []


@pytest.mark.parametrize(
    "login", ["li.rep", "wang.rep", "zheng.service", "feng.marketing", "he.product"]
)
def test_no_team_section_without_other_owners_in_sight(world, api_as, scene, login):
    assert _home(api_as(world[login]))["team"] is None


def test_roles_without_deals_get_empty_sections_not_errors(world, api_as, scene):
    body = _home(api_as(world["he.product"]))
    assert body["agenda"] == {"overdue_count": 0, "due_today_count": 0, "items": []}
    assert body["closing_this_month"] == {"count": 0, "totals": [], "items": []}
    assert body["idle_customers"]["count"] == 0


def test_other_organisation_sees_nothing_of_huaxin(world, api_as, scene):
    body = _home(api_as(world["acme.admin"]))
    assert body["team"]["pipeline_by_stage"] == []
    assert body["team"]["pipeline_by_owner"]["owners"] == []
    assert body["team"]["slipped"]["count"] == 0
    assert body["closing_this_month"]["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"idle_days": 0}, "idle_days"),
        ({"idle_days": 3651}, "idle_days"),
        ({"idle_days": "month"}, "idle_days"),
    ],
)
def test_bad_parameters_are_named(world, api_as, params, field):
    response = api_as(world["li.rep"]).get("home", params)
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_answer_is_the_document_its_schema_makes_for_every_persona(world, api_as, scene):
    """The home answer is built straight from the summary (analytics.schemas.home_answer),
    not validated per request: it must be, byte for byte, what HomeOut makes of the same
    summary — for every persona, with a team section or without, several teams or one."""
    renderer = OrjsonRenderer()
    now = timezone.now()
    with_team = 0
    for login, user in world.users.items():
        summary = home_summary(actor=user, now=now)
        with_team += summary.team is not None
        by_schema = HomeOut.model_validate(summary).model_dump()
        built = home_answer(summary)
        assert built == by_schema, login
        assert renderer.render(None, built, response_status=200) == renderer.render(
            None, by_schema, response_status=200
        ), login
    assert with_team >= 3
    assert home_answer(home_summary(actor=world["chen.director"], now=now))["team"]["by_team"]
    response = api_as(world["zhang.manager"]).client.get("/api/v1/home")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["team"]["pipeline_by_owner"]["owners"]


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/home").status_code == 401


# --- fixed query counts ----------------------------------------------------------------------


def _grow(world, scene, today, copies: int) -> None:
    """`copies` more of every kind of row each section reads, for li, wang and liu."""
    now = timezone.now()
    first, _last = _month(today)
    for login in ("li.rep", "wang.rep", "liu.rep"):
        owner = world[login]
        for n in range(copies):
            account = AccountFactory(owner=owner, name=f"{login} grow {n}")
            for close in (first, today - dt.timedelta(days=5)):
                DealFactory(
                    owner=owner,
                    account=account,
                    stage=stage(scene.sales, ("Qualification", "Proposal")[n % 2]),
                    amount_minor=100 + n,
                    currency=("CNY", "USD")[n % 2],
                    expected_close_date=close,
                )
            ActivityFactory(
                owner=owner,
                kind="task",
                due_at=now - dt.timedelta(days=1),
                completed_at=None,
                occurred_at=None,
                account=account,
            )
            ActivityFactory(owner=owner, kind=("call", "email")[n % 2], account=account)


@pytest.mark.parametrize(("login", "has_team"), [("li.rep", False), ("zhang.manager", True)])
def test_query_count_does_not_grow_with_rows(world, api_as, scene, today, login, has_team):
    client = api_as(world[login])
    counts = []
    for copies in (1, 15):
        _grow(world, scene, today, copies)
        with CaptureQueriesContext(connection) as ctx:
            body = _home(client)
        counts.append(len(ctx.captured_queries))
        assert (body["team"] is not None) == has_team
    assert counts[0] == counts[1]
    # session + user 2, org settings 1, visibility scope 1, and one statement for every
    # section (core.prepared.read_together): agenda, closing, idle and, for the manager, the
    # team's pipeline, the owners' names, the stages, the week and the slipped deals.
    assert counts[0] == 5
    if login == "li.rep":
        assert len(body["agenda"]["items"]) == 10
        assert body["agenda"]["overdue_count"] == 16
        first, last = _month(today)
        assert (
            body["closing_this_month"]["count"]
            == Deal.objects.filter(
                owner=world["li.rep"],
                status="open",
                expected_close_date__gte=first,
                expected_close_date__lte=last,
            ).count()
        )
        assert len(body["closing_this_month"]["items"]) == 10
    if has_team:
        assert len(body["team"]["slipped"]["items"]) == 10
        assert sum(row["count"] for row in body["team"]["pipeline_by_owner"]["owners"]) == len(
            _team_deals(world, EAST)
        )


def test_the_page_read_together_is_the_page_read_part_by_part(world, scene, monkeypatch):
    """The home page's reads run as one statement (read_together); read one by one, as
    separate prepared reads, they make the same page for every persona — the team's sums,
    names, week and slipped deals, my agenda, closing deals and idle customers."""
    from dealbook.analytics import selectors

    now = timezone.now()
    account = Account.objects.filter(owner=world["li.rep"]).order_by("id").first()
    ActivityFactory(
        owner=world["li.rep"],
        kind="task",
        due_at=now - dt.timedelta(days=1),
        completed_at=None,
        occurred_at=None,
        account=account,
    )
    together = {
        login: home_answer(home_summary(actor=user, now=now)) for login, user in world.users.items()
    }

    def part_by_part(reads, parts):
        for part in parts:
            if part in selectors._COUNTED:
                reads.loaded[part] = selectors._home_read.count((part,), **reads.values)
            else:
                reads.loaded[part] = selectors._home_read.tuples((part,), **reads.values)

    monkeypatch.setattr(selectors._HomeReads, "load", part_by_part)
    with CaptureQueriesContext(connection) as ctx:
        apart = home_answer(home_summary(actor=world["zhang.manager"], now=now))
    assert len(ctx.captured_queries) >= 12  # the parts were read apart
    assert apart == together["zhang.manager"]
    assert apart["team"]["slipped"]["items"] and apart["team"]["pipeline_by_owner"]["owners"]
    assert any(page["agenda"]["items"] for page in together.values())
    assert any(page["closing_this_month"]["items"] for page in together.values())
    for login, user in world.users.items():
        assert home_answer(home_summary(actor=user, now=now)) == together[login], login
