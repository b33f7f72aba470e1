"""The targets API: who sees which targets, who sets, approves and locks them, and every write
audited (acceptance 4), through the real URL stack."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from dealbook.core.models import AuditEvent
from dealbook.targets.models import Target, TargetMilestone
from dealbook.targets.services import target_milestones_record

pytestmark = pytest.mark.django_db
Q1 = "2026-01-01"  # fiscal year from January (the persona organisation's default)


def _make(world, *, scope="person", user=None, team=None, status="draft", metric="deals_won"):
    return Target.objects.create(
        org=world.org,
        metric=metric,
        scope=scope,
        user=world[user] if user else None,
        team=world.teams[team] if team else None,
        period_kind="quarter",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 4, 1),
        amount=Decimal(10),
        status=status,
    )


@pytest.fixture
def targets(world):
    made = {
        login: _make(world, user=login)
        for login in ("li.rep", "wang.rep", "liu.rep", "zhang.manager")
    }
    made["East"] = _make(world, scope="team", team="East")
    made["South"] = _make(world, scope="team", team="South")
    made["company"] = _make(world, scope="company")
    return made


VISIBLE = {
    "li.rep": {"li.rep"},
    "wang.rep": {"wang.rep"},
    "zhang.manager": {"li.rep", "wang.rep", "zhang.manager", "East"},
    "zhao.manager": {"liu.rep", "South"},
    "chen.director": {"li.rep", "wang.rep", "liu.rep", "zhang.manager", "East", "South", "company"},
    "admin": {"li.rep", "wang.rep", "liu.rep", "zhang.manager", "East", "South", "company"},
    "wu.finance": {"li.rep", "wang.rep", "liu.rep", "zhang.manager", "East", "South", "company"},
    "zheng.service": set(),
    "feng.marketing": set(),
    "he.product": set(),
    "acme.admin": set(),
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_visibility(persona, world, targets, api_as):
    client = api_as(world[persona])
    response = client.get("targets", {"limit": 200})
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {targets[name].pk for name in VISIBLE[persona]}
    for name, target in targets.items():
        status = client.get(f"targets/{target.pk}").status_code
        assert status == (200 if name in VISIBLE[persona] else 404), name
        attainment = client.get(f"targets/{target.pk}/attainment").status_code
        assert attainment == (200 if name in VISIBLE[persona] else 404), name


def test_anonymous_is_refused(targets, api_as):
    assert api_as().get("targets").status_code == 401
    assert api_as().get(f"targets/{targets['li.rep'].pk}").status_code == 401


def _body(world, **overrides):
    return {
        "metric": "revenue_won",
        "scope": "person",
        "user_id": world["li.rep"].pk,
        "period_kind": "quarter",
        "start_date": "2026-04-01",
        "amount": "500000.00",
        "relevant_note": "Grow East's share in Shanghai",
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "overrides", "status"),
    [
        ("zhang.manager", {}, 201),
        ("zhang.manager", {"scope": "team", "user_id": None, "team_id": "East"}, 201),
        ("chen.director", {"scope": "company", "user_id": None}, 201),
        ("admin", {"user_id": "liu.rep"}, 201),
        ("li.rep", {}, 403),
        ("wu.finance", {}, 403),
        ("zhang.manager", {"user_id": "liu.rep"}, 403),
        ("zhang.manager", {"scope": "team", "user_id": None, "team_id": "South"}, 403),
        ("zhang.manager", {"scope": "company", "user_id": None}, 403),
        ("zheng.service", {}, 403),
    ],
)
def test_who_sets_targets(persona, overrides, status, world, api_as):
    resolved = dict(overrides)
    if isinstance(resolved.get("user_id"), str):
        resolved["user_id"] = world[resolved["user_id"]].pk
    if isinstance(resolved.get("team_id"), str):
        resolved["team_id"] = world.teams[resolved["team_id"]].pk
    before = AuditEvent.objects.count()
    response = api_as(world[persona]).post("targets", _body(world, **resolved))
    assert response.status_code == status, response.content
    if status == 201:
        made = Target.objects.get(pk=response.json()["id"])
        assert (made.status, made.amount, made.end_date) == (
            "draft",
            Decimal("500000.00"),
            dt.date(2026, 7, 1),
        )
        event = AuditEvent.objects.get(object_type="target", object_id=made.pk)
        assert (event.verb, event.actor_id) == ("create", world[persona].pk)
        assert event.changes["amount"] == [None, "500000.00"]
    else:
        assert Target.objects.count() == 0
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start_date": "2026-05-01"}, "start_date"),
        ({"metric": "deals_won", "amount": "2.5"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"metric": "payment_collected"}, "metric"),
        ({"scope": "team"}, "team_id"),
        ({"user_id": 999_999}, "user_id"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(overrides, field, world, api_as):
    response = api_as(world["zhang.manager"]).post("targets", _body(world, **overrides))
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Target.objects.count() == 0


def test_duplicate_is_a_conflict(world, api_as):
    client = api_as(world["zhang.manager"])
    assert client.post("targets", _body(world)).status_code == 201
    response = client.post("targets", _body(world))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert Target.objects.count() == 1


def test_approval_by_the_manager_above(world, targets, api_as):
    li_target, east, company = targets["li.rep"], targets["East"], targets["company"]
    zhang, chen = api_as(world["zhang.manager"]), api_as(world["chen.director"])
    # Zhang may not approve his own team's target, nor his own; Chen (above him) may.
    assert zhang.post(f"targets/{east.pk}/approve", {}).status_code == 403
    assert zhang.post(f"targets/{targets['zhang.manager'].pk}/approve", {}).status_code == 403
    assert (
        api_as(world["zhao.manager"]).post(f"targets/{li_target.pk}/approve", {}).status_code == 404
    )
    assert api_as(world["li.rep"]).post(f"targets/{li_target.pk}/approve", {}).status_code == 403
    east.refresh_from_db()
    assert east.status == "draft"
    response = zhang.post(f"targets/{li_target.pk}/approve", {"version": 1})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["approved_by_id"]) == (
        "approved",
        world["zhang.manager"].pk,
    )
    assert chen.post(f"targets/{east.pk}/approve", {}).status_code == 200
    assert chen.post(f"targets/{targets['zhang.manager'].pk}/approve", {}).status_code == 200
    assert chen.post(f"targets/{company.pk}/approve", {}).status_code == 200
    assert chen.post(f"targets/{company.pk}/approve", {}).status_code == 409  # already approved
    verbs = list(
        AuditEvent.objects.filter(object_type="target", verb="approve").values_list(
            "object_id", "actor_id"
        )
    )
    assert sorted(verbs) == sorted(
        [
            (li_target.pk, world["zhang.manager"].pk),
            (east.pk, world["chen.director"].pk),
            (targets["zhang.manager"].pk, world["chen.director"].pk),
            (company.pk, world["chen.director"].pk),
        ]
    )


def test_change_after_approval_needs_a_reason_and_is_audited_with_it(world, targets, api_as):
    target = targets["li.rep"]
    zhang = api_as(world["zhang.manager"])
    assert zhang.patch(f"targets/{target.pk}", {"version": 1, "amount": "12"}).status_code == 200
    assert zhang.post(f"targets/{target.pk}/approve", {"version": 2}).status_code == 200
    refused = zhang.patch(f"targets/{target.pk}", {"version": 3, "amount": "15"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    stale = zhang.patch(f"targets/{target.pk}", {"version": 1, "amount": "15", "reason": "x"})
    assert stale.status_code == 412
    target.refresh_from_db()
    assert (target.amount, target.version) == (Decimal("12.00"), 3)
    done = zhang.patch(
        f"targets/{target.pk}", {"version": 3, "amount": "15", "reason": "New key account"}
    )
    assert done.status_code == 200, done.content
    event = AuditEvent.objects.filter(object_type="target", object_id=target.pk).last()
    assert event.verb == "update"
    assert event.changes == {"amount": ["12.00", "15.00"], "reason": [None, "New key account"]}
    assert (
        api_as(world["li.rep"])
        .patch(f"targets/{target.pk}", {"version": 4, "amount": "1", "reason": "mine"})
        .status_code
        == 403
    )


def test_locked_targets_refuse_edits_and_drafts_alone_are_deleted(world, targets, api_as):
    target = targets["li.rep"]
    zhang = api_as(world["zhang.manager"])
    assert zhang.delete(f"targets/{targets['wang.rep'].pk}").status_code == 204
    assert AuditEvent.objects.filter(verb="delete", object_type="target").count() == 1
    assert zhang.post(f"targets/{target.pk}/lock", {}).status_code == 409  # a draft
    assert zhang.post(f"targets/{target.pk}/approve", {}).status_code == 200
    assert zhang.delete(f"targets/{target.pk}").status_code == 409
    assert zhang.post(f"targets/{target.pk}/lock", {}).status_code == 200
    response = zhang.patch(f"targets/{target.pk}", {"version": 3, "amount": "1", "reason": "r"})
    assert response.status_code == 409
    assert response.json()["code"] == "locked"
    target.refresh_from_db()
    assert (target.status, target.amount) == ("locked", Decimal("10.00"))
    assert api_as(world["li.rep"]).delete(f"targets/{targets['li.rep'].pk}").status_code == 403


def test_list_costs_a_fixed_number_of_queries(world, api_as, django_assert_num_queries):
    client = api_as(world["zhang.manager"])
    _make(world, user="li.rep")
    client.get("targets")  # warm the session
    with django_assert_num_queries(5) as one:
        assert len(client.get("targets").json()["items"]) == 1
    for login in ("wang.rep", "zhang.manager"):
        _make(world, user=login)
    _make(world, scope="team", team="East")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get("targets").json()["items"]) == 4


def test_history_and_metrics_and_periods(world, targets, api_as):
    li = world["li.rep"]
    zhang = api_as(world["zhang.manager"])
    response = zhang.get(
        f"targets/history/{li.pk}", {"metric": "deals_won", "count": 2, "today": "2026-02-01"}
    )
    assert response.status_code == 200
    rows = response.json()
    assert [row["period"]["label"] for row in rows] == ["FY2025 Q4", "FY2026 Q1"]
    assert rows[1]["target_id"] == targets["li.rep"].pk and rows[1]["amount"] == "10.00"
    assert api_as(world["zhao.manager"]).get(f"targets/history/{li.pk}").status_code == 404
    assert api_as(world["feng.marketing"]).get(f"targets/history/{li.pk}").status_code == 404
    metrics = {m["key"]: m for m in zhang.get("targets/metrics").json()}
    assert metrics["payment_collected"]["is_available"] is False
    assert metrics["revenue_won"]["unit"] == "money"
    periods = zhang.get("targets/periods", {"kind": "quarter", "fiscal_year": 2026}).json()
    assert len(periods) == 4
    assert (periods[0]["label"], periods[0]["start"], periods[0]["end"]) == (
        "FY2026 Q1",
        Q1,
        "2026-04-01",
    )


def test_milestones_are_recorded_once(world, api_as):
    target = _make(world, scope="company", status="approved", metric="activities_calls")
    target.amount = Decimal(2)
    target.save()
    from dealbook.activities.models import Activity

    at = dt.datetime(2026, 2, 1, 2, tzinfo=dt.UTC)
    Activity.objects.create(
        org=world.org,
        owner=world["li.rep"],
        kind="call",
        subject="c",
        occurred_at=at,
        completed_at=at,
    )
    assert target_milestones_record(org=world.org, today=dt.date(2026, 2, 2)) == 1
    assert target_milestones_record(org=world.org, today=dt.date(2026, 2, 2)) == 0
    Activity.objects.create(
        org=world.org,
        owner=world["li.rep"],
        kind="call",
        subject="d",
        occurred_at=at,
        completed_at=at,
    )
    call_command("target_milestones", "--today", "2026-02-03")
    call_command("target_milestones", "--today", "2026-02-03")
    assert list(TargetMilestone.objects.values_list("threshold", "actual")) == [
        (50, Decimal("1.00")),
        (90, Decimal("2.00")),
        (100, Decimal("2.00")),
    ]
    response = api_as(world["chen.director"]).get(f"targets/{target.pk}/milestones")
    assert [m["threshold"] for m in response.json()] == [50, 90, 100]
    assert AuditEvent.objects.filter(verb="milestone", object_id=target.pk).count() == 3
