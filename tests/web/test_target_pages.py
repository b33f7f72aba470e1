"""The targets pages: the grouped list with attainment, setting a target and its
recommendation, editing (reason after approval, stale version), approve / lock / delete,
cascade, a target's pacing and a person's history; who may open each, who gets a 404."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dealbook.targets import selectors
from dealbook.targets.enums import MetricKey
from dealbook.targets.models import Target
from dealbook.targets.periods import local_today, period_containing, period_of
from tests.targets.conftest import history  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
# Session and user, org settings, the viewer, the targets, team membership, the actuals (one
# grouped query), the mismatch check, the teams, and the shell (navigation, notifications).
TARGET_LIST_QUERIES = 11


def _target(world, *, scope, metric, period, amount, user=None, team=None, status="approved"):
    return Target.objects.create(
        org=world.org,
        metric=metric,
        scope=scope,
        user=user,
        team=team,
        period_kind=period.kind,
        start_date=period.start,
        end_date=period.end,
        amount=Decimal(amount),
        status=status,
    )


# --- the list's attainment equals the target page's ------------------------------------------


@pytest.mark.parametrize("metric", [m.value for m in MetricKey if m != "payment_collected"])
def test_the_lists_attainment_equals_each_targets_own(history, metric):  # noqa: F811
    world = history.world
    period = period_of("quarter", 2026, 1, 4)
    targets = [
        _target(
            world, scope="person", user=world["li.rep"], metric=metric, period=period, amount="1000"
        ),
        _target(
            world, scope="person", user=world["liu.rep"], metric=metric, period=period, amount="7"
        ),
        _target(
            world,
            scope="team",
            team=world.teams["East"],
            metric=metric,
            period=period,
            amount="3000",
        ),
        _target(
            world,
            scope="team",
            team=world.teams["Sales"],
            metric=metric,
            period=period,
            amount="9000",
        ),
        _target(world, scope="company", metric=metric, period=period, amount="12000"),
    ]
    today = dt.date(2026, 5, 17)
    targets = list(Target.objects.filter(pk__in=[t.pk for t in targets]).select_related("team"))
    reached = selectors.targets_reached(actor=world["chen.director"], targets=targets, today=today)
    for target in targets:
        own = selectors.attainment_of(target, org=world.org, today=today)
        assert (reached[target.pk].actual, reached[target.pk].percent) == (
            own.actual,
            own.percent,
        ), (metric, target.scope)
    if metric != MetricKey.NEW_CUSTOMERS_WON:  # the first wins were before this quarter
        assert any(hit.actual > 0 for hit in reached.values())


# --- fixtures ------------------------------------------------------------------------------


def _current_quarter(world):
    org = selectors.organization_of(world["chen.director"])
    today = local_today(ZoneInfo(org.time_zone))
    return period_containing("quarter", today, org.fiscal_year_start_month)


def _period_value(period) -> str:
    return f"{period.kind}:{period.start.isoformat()}"


@pytest.fixture
def quarter(world):
    return _current_quarter(world)


@pytest.fixture
def set_targets(world, quarter):
    """This quarter's revenue targets: the company, Sales, East and South, and four people."""

    teams = (("Sales", "5000000"), ("East", "2000000"), ("South", "1000000"))
    people = (
        ("li.rep", "800000"),
        ("wang.rep", "700000"),
        ("zhang.manager", "500000"),
        ("liu.rep", "1000000"),
    )

    def make(status="approved"):
        def revenue(amount, **subject):
            return _target(
                world, metric="revenue_won", period=quarter, amount=amount, status=status, **subject
            )

        made = {"company": revenue("5000000", scope="company")}
        for name, amount in teams:
            made[name] = revenue(amount, scope="team", team=world.teams[name])
        for login, amount in people:
            made[login] = revenue(amount, scope="person", user=world[login])
        return made

    return make


def _won(world, owner, amount, *, days_ago=0):
    from dealbook.customers.models import Account
    from dealbook.pipeline.models import Deal, Pipeline, Stage

    org = world.org
    pipeline = Pipeline.objects.filter(org=org).first() or Pipeline.objects.create(
        org=org, name="Sales", is_default=True
    )
    stage = Stage.objects.filter(pipeline=pipeline, kind="won").first() or Stage.objects.create(
        org=org, pipeline=pipeline, name="Won", order=9, kind="won", probability=100
    )
    name = f"{owner.username} {amount}"
    account = Account.objects.create(org=org, owner=owner, name=name, name_normalized=name)
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Deal.objects.create(
        org=org,
        owner=owner,
        account=account,
        pipeline=pipeline,
        stage=stage,
        name="won",
        status="won",
        amount_minor=int(Decimal(amount) * 100),
        currency="CNY",
        stage_entered_at=at,
        closed_at=at,
    )


def _rows(html: str) -> list[tuple[str, str]]:
    """(scope, subject) of each target row of the list, in order."""
    return [
        (scope, subject.strip())
        for scope, subject in re.findall(
            r'<tr class="target-row[^"]*"[^>]*data-scope="(\w+)">\s*'
            r'<th scope="row"[^>]*>\s*<a href="[^"]*">([^<]*)</a>',
            html,
        )
    ]


# --- /targets/ ------------------------------------------------------------------------------


def test_the_director_sees_company_then_teams_then_people(world, client_as, set_targets):
    set_targets()
    response = client_as(world["chen.director"]).get("/targets/")
    assert response.status_code == 200
    assert _rows(response.content.decode()) == [
        ("company", "The company"),
        ("team", "Sales"),
        ("team", "East"),
        ("person", "张伟 Zhang Wei"),
        ("person", "李娜 Li Na"),
        ("person", "王强 Wang Qiang"),
        ("team", "South"),
        ("person", "刘洋 Liu Yang"),
    ]


def test_a_rep_sees_her_own_target_and_a_manager_his_teams(world, client_as, set_targets):
    set_targets()
    li = client_as(world["li.rep"]).get("/targets/").content.decode()
    assert _rows(li) == [("person", "李娜 Li Na")]
    zhang = client_as(world["zhang.manager"]).get("/targets/").content.decode()
    assert _rows(zhang) == [
        ("team", "East"),
        ("person", "张伟 Zhang Wei"),
        ("person", "李娜 Li Na"),
        ("person", "王强 Wang Qiang"),
    ]
    assert len(_rows(client_as(world["wu.finance"]).get("/targets/").content.decode())) == 8


def test_the_list_shows_amount_actual_and_per_cent(world, client_as, set_targets):
    made = set_targets()
    _won(world, world["li.rep"], "200000.00")
    _won(world, world["li.rep"], "100000.50")
    html = client_as(world["li.rep"]).get("/targets/").content.decode()
    row = html[html.index(f'data-target="{made["li.rep"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert "CNY 800,000.00" in row
    assert "CNY 300,000.50" in row
    assert '<progress class="target-progress" max="100" value="37"' in row
    assert "37.5 %" in row
    person_page = f'href="/targets/people/{world["li.rep"].pk}/">History and leave</a>'
    assert person_page in row


@pytest.mark.parametrize("login", ["zheng.service", "feng.marketing", "he.product"])
def test_roles_without_targets_get_404_and_no_navigation_entry(
    world, client_as, login, set_targets
):
    made = set_targets()
    client = client_as(world[login])
    assert client.get("/targets/").status_code == 404
    assert client.get(f"/targets/{made['li.rep'].pk}/").status_code == 404
    assert client.get(f"/targets/people/{world['li.rep'].pk}/").status_code == 404
    assert client.get("/targets/new/").status_code == 404
    assert 'data-nav="targets"' not in client.get("/").content.decode()


def test_the_navigation_shows_targets_to_those_who_read_them(world, client_as):
    html = client_as(world["li.rep"]).get("/").content.decode()
    assert '<a class="nav-link' in html and 'data-nav="targets"' in html
    assert 'href="/targets/"' in html


def test_the_list_sends_visitors_to_sign_in_and_refuses_post(world, client_as):
    response = client_as().get("/targets/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/targets/")
    assert client_as(world["li.rep"]).post("/targets/").status_code == 405


def test_the_list_filters_by_period_and_metric(world, client_as, set_targets, quarter):
    set_targets()
    previous = quarter.previous()
    _target(
        world,
        scope="person",
        user=world["li.rep"],
        metric="deals_won",
        period=previous,
        amount="12",
    )
    client = client_as(world["li.rep"])
    html = client.get("/targets/", {"period": _period_value(previous), "metric": "deals_won"})
    rows = _rows(html.content.decode())
    assert rows == [("person", "李娜 Li Na")]
    assert "12" in html.content.decode()
    empty = client.get("/targets/", {"period": _period_value(previous)}).content.decode()
    assert _rows(empty) == []
    assert "No targets you can see for this period and metric." in empty


@pytest.mark.parametrize("how_many", [1, 12])
def test_the_list_costs_the_same_queries_for_one_target_and_for_many(
    world, client_as, quarter, django_assert_num_queries, how_many
):
    from dealbook.org import services as org_services

    director = world["chen.director"]
    people = [world["li.rep"], world["wang.rep"], world["liu.rep"], world["zhou.rep"]]
    for n in range(max(0, how_many - len(people))):
        people.append(
            org_services.user_create(
                actor=None,
                org=world.org,
                username=f"rep{n}",
                password="x" * 12,
                role="sales_rep",
                display_name=f"Rep {n}",
                team=world.teams["East"],
            )
        )
    for person in people[:how_many]:
        _target(
            world, scope="person", user=person, metric="revenue_won", period=quarter, amount="100"
        )
        _won(world, person, "10")
    if how_many > 1:
        _target(
            world,
            scope="team",
            team=world.teams["East"],
            metric="revenue_won",
            period=quarter,
            amount="1000",
        )
        _target(world, scope="company", metric="revenue_won", period=quarter, amount="5000")
    client = client_as(director)
    client.get("/targets/")  # warm the per-process caches (the viewer, org settings)
    with django_assert_num_queries(TARGET_LIST_QUERIES):
        html = client.get("/targets/").content.decode()
    assert len(_rows(html)) == (1 if how_many == 1 else how_many + 2)


# --- /targets/new/ and the recommendation ----------------------------------------------------


def _new_data(world, quarter, **changes) -> dict:
    data = {
        "metric": "revenue_won",
        "scope": "person",
        "user": world["li.rep"].pk,
        "team": "",
        "period": _period_value(quarter),
        "amount": "600000",
        "relevant_note": "华东 expansion",
    }
    data.update(changes)
    return data


def test_a_manager_sets_a_draft_and_sees_its_achievability(world, client_as, quarter):
    from dealbook.core.models import AuditEvent

    client = client_as(world["zhang.manager"])
    form = client.get("/targets/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'data-metric-definition="revenue_won"' in html
    assert "The sum of the amounts of deals won in the period" in html
    assert 'hx-get="/targets/recommend/"' in html
    response = client.post("/targets/new/", _new_data(world, quarter))
    target = Target.objects.get(user=world["li.rep"], metric="revenue_won")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/targets/{target.pk}/?saved=1",
    )
    assert (target.status, target.amount, target.relevant_note) == (
        "draft",
        Decimal("600000.00"),
        "华东 expansion",
    )
    assert AuditEvent.objects.filter(object_type="target", object_id=target.pk).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "The target is saved." in page
    assert 'id="achievability-verdict"' in page
    verdict = target.achievability["verdict"]
    label = {"ok": "Achievable", "stretch": "A stretch", "unrealistic": "Unrealistic"}[verdict]
    assert f'id="achievability-verdict">{label}</span>' in page


def test_bad_input_names_the_field_and_saves_nothing(world, client_as, quarter):
    client = client_as(world["zhang.manager"])
    for changes, field, message in (
        ({"amount": "-5"}, "amount", "Ensure this value is greater than or equal to 0."),
        ({"amount": "abc"}, "amount", "Enter a number."),
        ({"user": ""}, "user", "Choose the person the target is for."),
        ({"scope": "team", "team": ""}, "team", "Choose the team the target is for."),
        ({"period": "quarter:2026-02-03"}, "period", "Select a valid choice."),
        ({"user": world["liu.rep"].pk}, "user", "Select a valid choice."),  # not his
    ):
        response = client.post("/targets/new/", _new_data(world, quarter, **changes))
        assert response.status_code == 422, changes
        html = response.content.decode()
        block = html[html.index(f'data-field="{field}"') :]
        assert message in block[: block.index("</div>\n</div>") + 20], (changes, field)
    assert Target.objects.count() == 0


def test_a_duplicate_target_is_refused_on_the_period(world, client_as, quarter):
    client = client_as(world["zhang.manager"])
    assert client.post("/targets/new/", _new_data(world, quarter)).status_code == 302
    response = client.post("/targets/new/", _new_data(world, quarter, amount="1"))
    assert response.status_code == 422
    assert "There is already a target for this metric, subject and period." in (
        response.content.decode()
    )
    assert Target.objects.get().amount == Decimal("600000.00")


def test_a_rep_cannot_set_targets(world, client_as, quarter):
    client = client_as(world["li.rep"])
    assert client.get("/targets/new/").status_code == 403
    assert client.post("/targets/new/", _new_data(world, quarter)).status_code == 403
    assert client.get("/targets/recommend/", _new_data(world, quarter)).status_code == 404
    assert Target.objects.count() == 0


def test_setting_a_target_needs_the_csrf_token(world, quarter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["zhang.manager"])
    assert client.post("/targets/new/", _new_data(world, quarter)).status_code == 403
    assert Target.objects.count() == 0


def test_the_recommendation_shows_figure_range_and_reasons(world, client_as, quarter):
    for days in (30, 60, 100, 200, 300, 400):
        _won(world, world["li.rep"], "120000", days_ago=days)
    data = _new_data(world, quarter)
    response = client_as(world["zhang.manager"]).get(
        "/targets/recommend/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    expected = selectors.target_recommendation(
        actor=world["zhang.manager"],
        metric="revenue_won",
        scope="person",
        subject_id=world["li.rep"].pk,
        period_kind="quarter",
        start_date=quarter.start,
    )
    from dealbook.web.templatetags.dealbook_targets import figure

    assert f'id="recommendation-amount">{figure(expected.amount, "money:CNY")}<' in html
    assert (
        f"Likely range: {figure(expected.low, 'money:CNY')} – {figure(expected.high, 'money:CNY')}"
        in html
    )
    assert f'id="use-recommendation" data-amount="{expected.amount}"' in html
    reasons = re.findall(r'<li class="recommendation-reason">([^<]*)</li>', html)
    assert reasons and len(reasons) == len(expected.reasons)
    assert reasons[0] == expected.reasons[0].text.replace("'", "&#x27;")
    assert Target.objects.count() == 0  # asking changes nothing


def test_the_recommendation_says_what_is_missing(world, client_as, quarter):
    response = client_as(world["zhang.manager"]).get(
        "/targets/recommend/", _new_data(world, quarter, user="")
    )
    assert response.status_code == 200
    assert "<strong>Person</strong>: Choose the person the target is for." in (
        response.content.decode()
    )


# --- /targets/<id>/ ----------------------------------------------------------------------------


def test_the_target_page_shows_pacing_and_the_chart_data(world, client_as, set_targets):
    made = set_targets()
    _won(world, world["li.rep"], "200000.00")
    target = made["li.rep"]
    response = client_as(world["li.rep"]).get(f"/targets/{target.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    own = selectors.target_attainment(actor=world["li.rep"], target_id=target.pk)
    from dealbook.web.templatetags.dealbook_targets import figure

    for name in ("amount", "actual", "expected", "projected", "gap"):
        value = figure(getattr(own, name), "money:CNY")
        assert f'data-figure="{name}">{value}</dd>' in html, name
    assert 'data-figure="percent">25.0 %</dd>' in html
    chart = re.search(r'data-chart="([^"]*)"', html).group(1)
    import html as html_lib
    import json

    spec = json.loads(html_lib.unescape(chart))
    assert len(spec["days"]) == own.days_total
    assert spec["expected"][-1] == "800000.00"
    assert spec["actual"][own.days_elapsed - 1] == "200000.00"
    assert spec["actual"][own.days_elapsed :] == [None] * (own.days_total - own.days_elapsed)
    assert 'src="/static/web/js/targets.js"' in html


def test_a_target_the_user_may_not_see_is_404(world, client_as, set_targets):
    made = set_targets()
    li = client_as(world["li.rep"])
    assert li.get(f"/targets/{made['wang.rep'].pk}/").status_code == 404
    assert li.get(f"/targets/{made['East'].pk}/").status_code == 404
    zhang = client_as(world["zhang.manager"])
    assert zhang.get(f"/targets/{made['liu.rep'].pk}/").status_code == 404
    assert zhang.get(f"/targets/{made['company'].pk}/").status_code == 404
    assert client_as(world["acme.admin"]).get(f"/targets/{made['li.rep'].pk}/").status_code == 404
    response = client_as().get(f"/targets/{made['li.rep'].pk}/")
    assert response["Location"] == f"/login/?next=/targets/{made['li.rep'].pk}/"


# --- approve, lock, delete ---------------------------------------------------------------------


def test_the_manager_above_approves_then_locks(world, client_as, set_targets):
    made = set_targets(status="draft")
    target = made["li.rep"]
    zhang = client_as(world["zhang.manager"])
    page = zhang.get(f"/targets/{target.pk}/").content.decode()
    assert 'id="approve-target"' in page and 'id="delete-target"' in page
    assert zhang.get(f"/targets/{target.pk}/approve/").status_code == 405  # no change on GET
    response = zhang.post(f"/targets/{target.pk}/approve/", {"version": target.version})
    assert (response.status_code, response["Location"]) == (302, f"/targets/{target.pk}/")
    target.refresh_from_db()
    assert (target.status, target.approved_by_id) == ("approved", world["zhang.manager"].pk)
    page = zhang.get(f"/targets/{target.pk}/").content.decode()
    assert 'id="lock-target"' in page and 'id="approve-target"' not in page
    assert 'id="delete-target"' not in page
    zhang.post(f"/targets/{target.pk}/lock/", {"version": target.version})
    target.refresh_from_db()
    assert target.status == "locked"
    page = zhang.get(f"/targets/{target.pk}/").content.decode()
    assert 'id="edit-target"' not in page and 'id="lock-target"' not in page


def test_a_rep_cannot_approve_her_own_target(world, client_as, set_targets):
    target = set_targets(status="draft")["li.rep"]
    li = client_as(world["li.rep"])
    assert 'id="approve-target"' not in li.get(f"/targets/{target.pk}/").content.decode()
    assert li.post(f"/targets/{target.pk}/approve/", {"version": target.version}).status_code == 403
    assert li.post(f"/targets/{target.pk}/delete/").status_code == 403
    target.refresh_from_db()
    assert target.status == "draft"


def test_approving_an_invisible_target_is_404(world, client_as, set_targets):
    made = set_targets(status="draft")
    response = client_as(world["zhao.manager"]).post(f"/targets/{made['li.rep'].pk}/approve/")
    assert response.status_code == 404
    assert Target.objects.get(pk=made["li.rep"].pk).status == "draft"


def test_a_stale_approval_changes_nothing(world, client_as, set_targets):
    target = set_targets(status="draft")["li.rep"]
    response = client_as(world["zhang.manager"]).post(
        f"/targets/{target.pk}/approve/", {"version": target.version - 1 if target.version else 99}
    )
    assert response.status_code == 412
    assert Target.objects.get(pk=target.pk).status == "draft"


def test_deleting_a_draft(world, client_as, set_targets, quarter):
    target = set_targets(status="draft")["li.rep"]
    response = client_as(world["zhang.manager"]).post(f"/targets/{target.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/targets/?period=quarter:{quarter.start.isoformat()}&metric=revenue_won"
    )
    assert not Target.objects.filter(pk=target.pk).exists()


def test_an_approved_target_is_not_deleted(world, client_as, set_targets):
    target = set_targets()["li.rep"]
    response = client_as(world["zhang.manager"]).post(f"/targets/{target.pk}/delete/")
    assert response.status_code == 409
    assert "Only a draft target can be deleted." in response.content.decode()
    assert Target.objects.filter(pk=target.pk).exists()


# --- /targets/<id>/edit/ -------------------------------------------------------------------------


def test_an_approved_target_changes_only_with_a_reason(world, client_as, set_targets):
    from dealbook.core.models import AuditEvent

    target = set_targets()["li.rep"]
    client = client_as(world["zhang.manager"])
    form = client.get(f"/targets/{target.pk}/edit/").content.decode()
    assert 'id="reason-note"' in form and 'name="reason"' in form
    data = {"amount": "900000", "relevant_note": "", "reason": "", "version": target.version}
    response = client.post(f"/targets/{target.pk}/edit/", data)
    assert response.status_code == 422
    html = response.content.decode()
    block = html[html.index('data-field="reason"') :]
    assert "Say why an approved target changes" in block[:800]
    assert Target.objects.get(pk=target.pk).amount == Decimal("800000.00")
    data["reason"] = "新客户签约提前"
    response = client.post(f"/targets/{target.pk}/edit/", data)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/targets/{target.pk}/?saved=1",
    )
    assert Target.objects.get(pk=target.pk).amount == Decimal("900000.00")
    event = AuditEvent.objects.get(object_type="target", object_id=target.pk, verb="update")
    assert event.changes["reason"] == [None, "新客户签约提前"]
    assert event.changes["amount"] == ["800000.00", "900000.00"]


def test_a_stale_edit_shows_the_other_change_and_overwrites_nothing(world, client_as, set_targets):
    from dealbook.targets import services

    target = set_targets(status="draft")["li.rep"]
    data = {"amount": "650000", "relevant_note": "", "reason": "", "version": target.version}
    services.target_update(
        actor=world["chen.director"],
        target_id=target.pk,
        version=target.version,
        values={"amount": Decimal("750000")},
    )
    response = client_as(world["zhang.manager"]).post(f"/targets/{target.pk}/edit/", data)
    assert response.status_code == 412
    html = response.content.decode()
    assert "Someone else changed this target while you were editing it." in html
    assert 'data-edit-by="陈静 Chen Jing"' in html
    assert f'name="version" value="{target.version + 1}"' in html
    assert 'value="650000"' in html
    assert Target.objects.get(pk=target.pk).amount == Decimal("750000.00")


def test_a_rep_cannot_edit_and_a_stranger_gets_404(world, client_as, set_targets):
    made = set_targets(status="draft")
    assert client_as(world["li.rep"]).get(f"/targets/{made['li.rep'].pk}/edit/").status_code == 403
    assert (
        client_as(world["zhao.manager"]).get(f"/targets/{made['li.rep'].pk}/edit/").status_code
        == 404
    )
    assert (
        client_as(world["li.rep"]).post(f"/targets/{made['li.rep'].pk}/edit/", {}).status_code
        == 403
    )


# --- cascade -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["even", "by_share", "by_capacity"])
def test_cascading_a_team_target_creates_parts_that_sum_exactly(world, client_as, quarter, method):
    east = _target(
        world,
        scope="team",
        team=world.teams["East"],
        metric="revenue_won",
        period=quarter,
        amount="1000000.01",
        status="draft",
    )
    _won(world, world["li.rep"], "300", days_ago=365)
    client = client_as(world["zhang.manager"])
    page = client.get(f"/targets/{east.pk}/").content.decode()
    assert 'id="cascade-form"' in page
    response = client.post(
        f"/targets/{east.pk}/cascade/", {"method": method, "version": east.version}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/targets/{east.pk}/?cascaded=1#children",
    )
    children = Target.objects.filter(parent=east)
    assert children.count() == 3  # zhang, li, wang
    assert sum(child.amount for child in children) == Decimal("1000000.01")
    page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r'class="child-target"', page)) == 3
    assert 'id="children-sum">CNY 1,000,000.01</td>' in page
    assert 'id="children-match"' in page


def test_cascade_refused_to_a_rep_and_404_to_strangers(world, client_as, quarter):
    east = _target(
        world,
        scope="team",
        team=world.teams["East"],
        metric="revenue_won",
        period=quarter,
        amount="1000",
        status="draft",
    )
    assert (
        client_as(world["li.rep"])
        .post(f"/targets/{east.pk}/cascade/", {"method": "even", "version": east.version})
        .status_code
        == 404
    )
    assert (
        client_as(world["zhao.manager"])
        .post(f"/targets/{east.pk}/cascade/", {"method": "even", "version": east.version})
        .status_code
        == 404
    )
    assert client_as(world["zhang.manager"]).get(f"/targets/{east.pk}/cascade/").status_code == 405
    assert not Target.objects.filter(parent=east).exists()


def test_the_list_marks_a_target_whose_parts_do_not_add_up(world, client_as, set_targets):
    made = set_targets()
    html = client_as(world["chen.director"]).get("/targets/").content.decode()
    marked = re.findall(r'<tr class="target-row[^"]*has-mismatch[^"]*" data-target="(\d+)"', html)
    expected = {
        m.target_id
        for m in selectors.target_mismatches(
            actor=world["chen.director"],
            metric="revenue_won",
            period_kind="quarter",
            start_date=made["company"].start_date,
        )
    }
    assert {int(pk) for pk in marked} == expected
    assert made["Sales"].pk in expected  # East 2,000,000 + South 1,000,000, Key Accounts none
    assert made["South"].pk in expected  # liu's 1,000,000, but zhao has none
    assert made["East"].pk not in expected  # 800,000 + 700,000 + 500,000
    assert made["company"].pk not in expected  # Sales 5,000,000


# --- /targets/people/<id>/ ---------------------------------------------------------------------


def test_a_persons_history_page(world, client_as, set_targets, quarter):
    set_targets()
    _won(world, world["li.rep"], "400000")
    response = client_as(world["zhang.manager"]).get(f"/targets/people/{world['li.rep'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr class="history-row" data-period="([\d-]+)">', html)
    assert len(rows) == 8 and rows[0] == quarter.start.isoformat()
    first = html[html.index('class="history-row"') :]
    first = first[: first.index("</tr>")]
    assert "CNY 800,000.00" in first and "CNY 400,000.00" in first and "50.0 %" in first
    assert 'id="history-chart"' in html


def test_a_persons_history_is_404_to_who_may_not_see_it(world, client_as):
    assert (
        client_as(world["li.rep"]).get(f"/targets/people/{world['wang.rep'].pk}/").status_code
        == 404
    )
    assert (
        client_as(world["zhao.manager"]).get(f"/targets/people/{world['li.rep'].pk}/").status_code
        == 404
    )
    assert (
        client_as(world["li.rep"]).get(f"/targets/people/{world['li.rep'].pk}/").status_code == 200
    )
    assert client_as(world["li.rep"]).get("/targets/people/999999/").status_code == 404
    response = client_as().get(f"/targets/people/{world['li.rep'].pk}/")
    assert response.status_code == 302


def test_approving_needs_the_csrf_token(world, set_targets):
    from django.test import Client

    target = set_targets(status="draft")["li.rep"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["zhang.manager"])
    assert client.post(f"/targets/{target.pk}/approve/").status_code == 403
    assert client.post(f"/targets/{target.pk}/cascade/", {"method": "even"}).status_code == 403
    assert Target.objects.get(pk=target.pk).status == "draft"


def test_the_parent_is_linked_only_for_who_may_open_it(world, client_as, set_targets):
    made = set_targets(status="draft")
    Target.objects.filter(pk=made["li.rep"].pk).update(parent=made["East"])
    link = f'<a href="/targets/{made["East"].pk}/">Cascaded from</a>'
    assert (
        link
        in client_as(world["zhang.manager"]).get(f"/targets/{made['li.rep'].pk}/").content.decode()
    )
    assert (
        link
        not in client_as(world["li.rep"]).get(f"/targets/{made['li.rep'].pk}/").content.decode()
    )
