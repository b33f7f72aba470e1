"""The recommendation read end to end on deal histories built in the database (acceptance 3),
its visibility, and the achievability stored (and audited) on every write of a target.

Tolerance: each expected figure is worked out by hand from the formula in the docstring of
`targets.recommend`; the recommendation must come within 1 % of it (the engine's own
arithmetic is exact; the 1 % covers the least-squares line and the seasonal index, which are
estimated from the history, not given).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealbook.core.errors import DomainError, NotFound
from dealbook.core.models import AuditEvent
from dealbook.org import services as org_services
from dealbook.org.models import User
from dealbook.targets import selectors, services
from dealbook.targets.models import PlannedLeave, Target
from tests.targets.sales_history import Sales, joined

pytestmark = pytest.mark.django_db
D = Decimal
Q3 = dt.date(2026, 7, 1)  # the persona organisation's fiscal year starts in January
Q4 = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 7, 1)  # history up to June 2026
TOLERANCE = D("0.01")


def _near(value: Decimal, expected: Decimal) -> bool:
    return abs(value - expected) <= expected * TOLERANCE


def _recommend(world, actor="chen.director", *, subject="li.rep", scope="person", **kwargs):
    if scope == "person":
        subject_id = world[subject].pk
    elif scope == "team":
        subject_id = world.teams[subject].pk
    else:
        subject_id = None
    return selectors.target_recommendation(
        actor=world[actor],
        metric=kwargs.pop("metric", "revenue_won"),
        scope=scope,
        subject_id=subject_id,
        period_kind=kwargs.pop("period_kind", "quarter"),
        start_date=kwargs.pop("start_date", Q3),
        today=kwargs.pop("today", TODAY),
    )


def _codes(view) -> list[str]:
    return [reason.code for reason in view.reasons]


@pytest.fixture
def sales(world) -> Sales:
    return Sales(world)


def test_flat_history(world, sales):
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    view = _recommend(world)
    assert view.amount == D("30000.00")
    assert view.history_months == 36
    assert view.low <= view.amount <= view.high
    assert _codes(view) == [
        "last_year",
        "trend",
        "run_rate",
        "seasonality",
        "blend",
        "capacity",
        "no_pipeline",
        "range",
    ]
    last_year = next(r for r in view.reasons if r.code == "last_year")
    assert last_year.numbers["actual"] == D("30000.00")
    assert last_year.text == "Same period last year: 30,000.00, or 30,000.00 per full-time person."


def test_growing_history(world, sales):
    # 10,000 a month growing by 500 a month: last year's Q3 is 67,500 and the line says
    # +26.7 %: 85,500; the run rate (the last 3 months, 27,000 a month) says 81,000; half each.
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000 + 500 * k)
    view = _recommend(world)
    assert _near(view.amount, D("83250"))
    trend = next(r for r in view.reasons if r.code == "trend")
    assert _near(trend.numbers["growth_percent"], D("26.7"))
    assert view.amount > D("81000")  # more than the run rate alone: the growth counts


def test_seasonal_history(world, sales):
    # 10,000 a month, twice that in October to December: Q4 is 60,000, not 30,000.
    sales.monthly(
        world["li.rep"], dt.date(2023, 10, 1), 36, lambda k, m: 20_000 if m.month >= 10 else 10_000
    )
    q4 = _recommend(world, start_date=Q4, today=Q4)
    assert _near(q4.amount, D("60000"))
    season = next(r for r in q4.reasons if r.code == "seasonality")
    assert season.numbers["index"] == D("1.60")
    q3 = _recommend(world, start_date=Q3, today=Q4)  # a quarter already started
    assert _near(q3.amount, D("30000"))


def test_new_rep_in_ramp(world, sales):
    # A rep who started on 1 May 2026 sold at full speed for her ramp (25 %, 50 %: 2,500 and
    # 5,000); her colleagues make 10,000 a month each. July counts 75 %, August and September
    # 100 %: 2.75 full-time months at 10,000.
    newcomer = org_services.user_create(
        actor=None,
        org=world.org,
        username="new.rep",
        password="x",
        role="sales_rep",
        display_name="New Rep",
        team=world.teams["East"],
    )
    world.users["new.rep"] = joined(newcomer, dt.datetime(2026, 5, 1, 4, 0, tzinfo=dt.UTC))
    for colleague in ("li.rep", "wang.rep", "zhang.manager"):
        sales.monthly(world[colleague], dt.date(2025, 1, 1), 18, lambda k, m: 10_000)
    sales.won(newcomer, dt.date(2026, 5, 20), 2_500)
    sales.won(newcomer, dt.date(2026, 6, 20), 5_000)
    view = _recommend(world, subject="new.rep")
    assert _near(view.amount, D("27500"))
    assert view.amount == D("27500.00")
    codes = _codes(view)
    assert {"no_last_year", "run_rate", "peer_rate", "capacity", "ramp"} <= set(codes)
    ramp = next(r for r in view.reasons if r.code == "ramp")
    assert ramp.numbers["months"] == D("0.25")
    peer = next(r for r in view.reasons if r.code == "peer_rate")
    assert peer.numbers == {"months": 2, "peer_share": D("83.3"), "peer_rate": D("10000.00")}


def test_planned_leave_takes_days_away(world, sales):
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    PlannedLeave.objects.create(
        org=world.org,
        user=world["li.rep"],
        start_date=dt.date(2026, 8, 3),  # Monday to Friday two weeks later: 10 working days
        end_date=dt.date(2026, 8, 14),
    )
    view = _recommend(world)
    # Q3 2026 has 66 working days: 3 × (1 − 10/66) full-time months at 10,000.
    assert view.amount == D("25454.55")
    leave = next(r for r in view.reasons if r.code == "leave")
    assert leave.numbers == {"days": D(10), "months": D("0.45")}


def test_team_counts_its_headcount_and_a_joiner(world, sales):
    # East: li and wang sell 10,000 a month, zhang (the manager) nothing: 20,000 a month over
    # three people. A fourth joins on 1 August (ramp 25 %, 50 %: 0.75 full-time months more).
    for rep in ("li.rep", "wang.rep"):
        sales.monthly(world[rep], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    assert _near(_recommend(world, scope="team", subject="East").amount, D("60000"))
    joiner = org_services.user_create(
        actor=None,
        org=world.org,
        username="joiner.rep",
        password="x",
        role="sales_rep",
        team=world.teams["East"],
    )
    joined(joiner, dt.datetime(2026, 8, 1, 4, 0, tzinfo=dt.UTC))
    view = _recommend(world, scope="team", subject="East")
    assert _near(view.amount, D("65000"))
    headcount = next(r for r in view.reasons if r.code == "headcount")
    assert headcount.numbers == {"start": 3, "end": 4}


def test_company_sums_everyone(world, sales):
    for rep in ("li.rep", "liu.rep"):
        sales.monthly(world[rep], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    view = _recommend(world, scope="company")
    assert view.subject_name == "The company"
    assert _near(view.amount, D("60000"))


def test_weighted_pipeline_sets_a_floor(world, sales):
    # No history for anyone; an open deal of 100,000 at 50 % closes in August: 80 % of the
    # weighted 50,000 is already on its way. Deals outside the period do not count.
    sales.open(world["wang.rep"], dt.date(2026, 8, 10), 100_000, 50)
    sales.open(world["wang.rep"], dt.date(2026, 10, 1), 900_000, 90)
    view = _recommend(world, subject="wang.rep")
    assert view.weighted_pipeline == D("50000.00")
    assert view.amount == D("40000.00")
    assert {"pipeline", "pipeline_floor"} <= set(_codes(view))
    deals = _recommend(world, subject="wang.rep", metric="deals_won")
    assert deals.weighted_pipeline == D("0.5")
    assert deals.amount == D(0)  # 80 % of half a deal rounds to no whole deal


def test_counts_are_whole(world, sales):
    # One deal a month, two every other month: July 1, August 2, September 1 every year.
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 1)
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 1 if k % 2 else 0)
    view = _recommend(world, metric="deals_won")
    assert (view.amount, view.low, view.high) == (D(4), D(4), D(4))
    assert view.reasons[0].text == "Same period last year: 4, or 4 per full-time person."


@pytest.mark.parametrize("months", [3, 36])
def test_queries_do_not_grow_with_history_or_people(
    world, sales, months, django_assert_num_queries
):
    for rep in ("li.rep", "wang.rep", "liu.rep", "zhou.rep")[: 1 + months // 12]:
        sales.monthly(
            world[rep],
            dt.date(2026, 7 - months, 1) if months < 7 else dt.date(2023, 7, 1),
            months,
            lambda k, m: 1_000,
        )
    director = User.objects.get(pk=world["chen.director"].pk)
    # organisation settings, people, their first and last wins, leave, history, pipeline
    with django_assert_num_queries(6):
        selectors.target_recommendation(
            actor=director,
            metric="revenue_won",
            scope="company",
            subject_id=None,
            period_kind="quarter",
            start_date=Q3,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("actor", "scope", "subject", "allowed"),
    [
        ("li.rep", "person", "li.rep", True),
        ("li.rep", "person", "wang.rep", False),
        ("zhang.manager", "person", "li.rep", True),
        ("zhang.manager", "team", "East", True),
        ("zhang.manager", "team", "South", False),
        ("zhao.manager", "person", "li.rep", False),
        ("chen.director", "team", "South", True),
        ("wu.finance", "company", None, True),
        ("li.rep", "company", None, False),
        ("zhang.manager", "company", None, False),
        ("zheng.service", "person", "li.rep", False),
        ("acme.admin", "person", "li.rep", False),
    ],
)
def test_visibility(world, actor, scope, subject, allowed):
    if allowed:
        view = _recommend(world, actor, scope=scope, subject=subject)
        assert view.scope == scope
    else:
        with pytest.raises(NotFound):
            _recommend(world, actor, scope=scope, subject=subject)


def test_bad_input_names_the_field(world):
    cases = [
        ({"metric": "average_deal_size"}, "metric"),
        ({"metric": "payment_collected"}, "metric"),
        ({"start_date": dt.date(2026, 8, 1)}, "start_date"),
        ({"period_kind": "week"}, "period_kind"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as refused:
            _recommend(world, **kwargs)
        assert (refused.value.field, refused.value.status) == (field, 422)
    with pytest.raises(DomainError) as refused:
        selectors.target_recommendation(
            actor=world["chen.director"],
            metric="revenue_won",
            scope="team",
            subject_id=None,
            period_kind="quarter",
            start_date=Q3,
        )
    assert refused.value.field == "subject_id"


# --- the API ------------------------------------------------------------------------------------


def test_api_answers_with_reasons(world, sales, api_as):
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    client = api_as(world["zhang.manager"])
    params = {
        "metric": "revenue_won",
        "scope": "person",
        "subject_id": world["li.rep"].pk,
        "period_kind": "quarter",
        "start_date": "2026-07-01",
    }
    response = client.get("targets/recommendation", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount"] == "30000.00"
    assert body["subject_name"] == "李娜 Li Na"
    assert body["period"]["label"] == "FY2026 Q3"
    assert body["reasons"][0]["code"] == "last_year"
    assert body["reasons"][0]["numbers"]["actual"] == "30000.00"
    assert api_as(world["wang.rep"]).get("targets/recommendation", params).status_code == 404
    assert api_as().get("targets/recommendation", params).status_code == 401
    bad = client.get("targets/recommendation", {**params, "start_date": "2026-07-02"})
    assert bad.status_code == 422
    assert "start_date" in bad.content.decode()


# --- achievability on write ---------------------------------------------------------------------


def _create(world, amount: str, actor="zhang.manager") -> Target:
    return services.target_create(
        actor=world[actor],
        metric="revenue_won",
        scope="person",
        user_id=world["li.rep"].pk,
        period_kind="quarter",
        start_date=Q3,  # before today: its history ends in June 2026 whatever the date now
        amount=D(amount),
    )


@pytest.mark.parametrize(
    ("amount", "verdict", "code", "is_flagged"),
    [
        ("20000", "ok", "below_range", False),
        ("30000", "ok", "within_range", False),
        ("36000", "stretch", "stretch", False),
        ("90000", "unrealistic", "unrealistic", True),
    ],
)
def test_achievability_is_stored_and_audited(world, sales, amount, verdict, code, is_flagged):
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    target = _create(world, amount)
    target.refresh_from_db()
    check = target.achievability
    assert (check["verdict"], check["is_flagged"]) == (verdict, is_flagged)
    assert check["recommended"] == "30000.00"
    assert check["stretch_above"] == "1" and check["unrealistic_above"] == "1.3"
    assert [reason["code"] for reason in check["reasons"]] == [code]
    assert check["ratio"] == str((D(amount) / D(check["high"])).quantize(D("0.01")))
    event = AuditEvent.objects.get(object_type="target", object_id=target.pk, verb="create")
    assert event.changes["achievability"][1]["verdict"] == verdict
    rendered = selectors.achievability_reasons(check)
    assert [r.code for r in rendered] == [code]


def test_an_amount_change_rechecks_achievability(world, sales, api_as):
    sales.monthly(world["li.rep"], dt.date(2023, 7, 1), 36, lambda k, m: 10_000)
    target = _create(world, "30000")
    response = api_as(world["zhang.manager"]).patch(
        f"targets/{target.pk}", {"version": target.version, "amount": "90000"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["achievability"]["verdict"] == "unrealistic"
    event = AuditEvent.objects.get(object_type="target", object_id=target.pk, verb="update")
    assert event.changes["achievability"][0]["verdict"] == "ok"
    assert event.changes["achievability"][1]["verdict"] == "unrealistic"
    # A note alone does not re-judge (nor change) the check.
    services.target_update(
        actor=world["zhang.manager"],
        target_id=target.pk,
        version=None,
        values={"relevant_note": "Stretch on purpose"},
    )
    event = AuditEvent.objects.filter(object_id=target.pk, verb="update").order_by("-id").first()
    assert set(event.changes) == {"relevant_note"}


def test_ratio_metrics_have_no_check(world, sales):
    target = services.target_create(
        actor=world["zhang.manager"],
        metric="average_deal_size",
        scope="person",
        user_id=world["li.rep"].pk,
        period_kind="quarter",
        start_date=Q3,
        amount=D("5000"),
    )
    assert target.achievability == {}


def test_the_demo_recommends_from_its_two_years(db):
    from dealbook.demo.build import build_demo
    from dealbook.targets.periods import period_containing

    build_demo(seed=7, scale=0.05, now=dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC))
    director = User.objects.get(username="chen.director")
    first_month = selectors.organization_of(director).fiscal_year_start_month
    quarter = period_containing("quarter", dt.date(2026, 11, 27), first_month)
    view = selectors.target_recommendation(
        actor=director,
        metric="revenue_won",
        scope="company",
        subject_id=None,
        period_kind="quarter",
        start_date=quarter.start,
        today=dt.date(2026, 11, 27),
    )
    # Everyone joined when the demo's history begins: no ramp-up, no headcount change now.
    codes = _codes(view)
    assert "last_year" in codes and "trend" in codes
    assert not {"ramp", "headcount", "no_history"} & set(codes)
    assert view.low <= view.amount <= view.high
    assert view.amount > 0
    # The current quarter's targets carry their check, as if set by hand; past ones none.
    current = Target.objects.filter(org=director.org, start_date=quarter.start)
    assert current.count() == 44  # 2 metrics × (company + 3 teams + 18 sellers)
    verdicts = {t.achievability["verdict"] for t in current}
    assert verdicts <= {"ok", "stretch", "unrealistic"}
    past = Target.objects.filter(org=director.org, start_date__lt=quarter.start)
    assert past.exists()
    assert not past.exclude(achievability={}).exists()
