"""Cascading targets through the service and the API, and the mismatch check on the stored
tree (acceptance 2): the parts in the database sum exactly to the parent by every method,
re-running replaces drafts, approved parts refuse, every write is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dealbook.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from dealbook.core.models import AuditEvent
from dealbook.targets import selectors, services
from dealbook.targets.models import PlannedLeave, Target
from tests.targets.sales_history import Sales

pytestmark = pytest.mark.django_db
D = Decimal
Q3 = dt.date(2026, 7, 1)


@pytest.fixture
def sales(world) -> Sales:
    return Sales(world)


def _target(world, *, scope, amount, team=None, user=None, metric="revenue_won", actor=None):
    return services.target_create(
        actor=world[actor or "chen.director"],
        metric=metric,
        scope=scope,
        team_id=world.teams[team].pk if team else None,
        user_id=world[user].pk if user else None,
        period_kind="quarter",
        start_date=Q3,
        amount=D(amount),
    )


def _children(parent: Target) -> dict[str, Decimal]:
    rows = Target.objects.filter(parent=parent).select_related("user", "team")
    return {(t.team.name if t.team else t.user.username): t.amount for t in rows}


def _sum_in_db(parent: Target) -> Decimal:
    return sum(Target.objects.filter(parent=parent).values_list("amount", flat=True), D(0))


def test_company_to_top_teams_to_sales_teams_evenly(world):
    company = _target(world, scope="company", amount="100000.01")
    made = services.target_cascade(
        actor=world["chen.director"], parent_id=company.pk, method="even"
    )
    assert [(t.scope, t.team_id, t.amount, t.status) for t in made] == [
        ("team", world.teams["Sales"].pk, D("100000.01"), "draft")
    ]
    services.target_cascade(actor=world["chen.director"], parent_id=made[0].pk, method="even")
    # 100,000.01 in thirds: 33,333.337 each; the cent left over goes to the lowest id.
    assert _children(made[0]) == {
        "East": D("33333.34"),
        "South": D("33333.34"),
        "Key Accounts": D("33333.33"),
    }
    assert _sum_in_db(made[0]) == D("100000.01")


def test_by_share_of_last_years_same_period(world, sales):
    sales.won(world["li.rep"], dt.date(2025, 7, 10), 50_000)  # East
    sales.won(world["liu.rep"], dt.date(2025, 8, 10), 30_000)  # South
    sales.won(world["zhou.rep"], dt.date(2025, 9, 10), 20_000)  # Key Accounts
    sales.won(world["zhou.rep"], dt.date(2025, 10, 1), 99_000)  # Q4: not last year's Q3
    sales_team = _target(world, scope="team", team="Sales", amount="100000.01")
    services.target_cascade(
        actor=world["chen.director"], parent_id=sales_team.pk, method="by_share"
    )
    assert _children(sales_team) == {
        "East": D("50000.01"),
        "South": D("30000.00"),
        "Key Accounts": D("20000.00"),
    }
    assert _sum_in_db(sales_team) == D("100000.01")


def test_by_capacity_counts_leave_and_ramp(world, sales):
    # East's people: zhang and wang a full quarter each (3 full-time months), li on leave for
    # half of Q3's 66 working days (1.5): 75,000 splits 30,000 / 15,000 / 30,000.
    PlannedLeave.objects.create(
        org=world.org,
        user=world["li.rep"],
        start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 8, 14),  # 33 working days
    )
    east = _target(world, scope="team", team="East", amount="75000")
    made = services.target_cascade(
        actor=world["zhang.manager"], parent_id=east.pk, method="by_capacity"
    )
    assert [t.user_id for t in made] == sorted(
        world[login].pk for login in ("zhang.manager", "li.rep", "wang.rep")
    )
    assert _children(east) == {
        "zhang.manager": D("30000.00"),
        "li.rep": D("15000.00"),
        "wang.rep": D("30000.00"),
    }


def test_counts_split_in_whole_deals(world):
    east = _target(world, scope="team", team="East", amount="10", metric="deals_won")
    services.target_cascade(actor=world["zhang.manager"], parent_id=east.pk, method="even")
    # 10 deals over 3 people: 3 each and the one left to the lowest id (zhang).
    assert _children(east) == {"zhang.manager": D(4), "li.rep": D(3), "wang.rep": D(3)}


def test_rerunning_replaces_drafts_without_duplicates(world, sales):
    east = _target(world, scope="team", team="East", amount="90000")
    first = services.target_cascade(actor=world["zhang.manager"], parent_id=east.pk, method="even")
    services.target_update(
        actor=world["zhang.manager"], target_id=east.pk, version=None, values={"amount": "60000"}
    )
    again = services.target_cascade(actor=world["zhang.manager"], parent_id=east.pk, method="even")
    assert [t.pk for t in again] == [t.pk for t in first]
    assert Target.objects.filter(parent=east).count() == 3
    assert set(_children(east).values()) == {D("20000.00")}
    # A person's own draft (set before, without a parent) is taken in, not duplicated.
    _target(world, scope="team", team="South", amount="500")
    liu = _target(world, scope="person", user="liu.rep", amount="100", actor="zhao.manager")
    south = Target.objects.get(team=world.teams["South"])
    made = services.target_cascade(actor=world["zhao.manager"], parent_id=south.pk, method="even")
    liu.refresh_from_db()
    assert liu.pk in {t.pk for t in made}
    assert (liu.parent_id, liu.amount) == (south.pk, D("250.00"))  # zhao and liu


def test_approved_parts_refuse_the_cascade_and_nothing_changes(world):
    east = _target(world, scope="team", team="East", amount="90000")
    made = services.target_cascade(actor=world["zhang.manager"], parent_id=east.pk, method="even")
    li = next(t for t in made if t.user_id == world["li.rep"].pk)
    services.target_approve(actor=world["zhang.manager"], target_id=li.pk)
    before = _children(east)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.target_cascade(
            actor=world["zhang.manager"], parent_id=east.pk, method="by_capacity"
        )
    assert refused.value.code == "children_not_draft"
    assert refused.value.status == 409
    assert "李娜 Li Na" in refused.value.message
    assert _children(east) == before
    assert AuditEvent.objects.count() == events


def test_refusals(world):
    east = _target(world, scope="team", team="East", amount="90000")
    person = _target(world, scope="person", user="li.rep", amount="10")
    cases = [
        ("wu.finance", east.pk, "even", PermissionDenied),  # reads every target, sets none
        ("zhao.manager", east.pk, "even", NotFound),  # South's manager does not see East's
        ("li.rep", east.pk, "even", NotFound),
        ("acme.admin", east.pk, "even", NotFound),
    ]
    for actor, parent_id, method, error in cases:
        with pytest.raises(error):
            services.target_cascade(actor=world[actor], parent_id=parent_id, method=method)
    for parent_id, method, code, field in [
        (person.pk, "even", "not_splittable", "target_id"),
        (east.pk, "by_mood", "invalid_choice", "method"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.target_cascade(
                actor=world["chen.director"], parent_id=parent_id, method=method
            )
        assert (refused.value.code, refused.value.field) == (code, field)
    with pytest.raises(StaleVersion):
        services.target_cascade(
            actor=world["chen.director"], parent_id=east.pk, method="even", version=7
        )
    assert not Target.objects.filter(parent=east).exists()


def test_every_write_is_audited(world):
    east = _target(world, scope="team", team="East", amount="90000")
    li = _target(world, scope="person", user="li.rep", amount="1", actor="zhang.manager")
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    made = services.target_cascade(
        actor=world["zhang.manager"], parent_id=east.pk, method="even", version=east.version
    )
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    assert [(e.verb, e.object_id) for e in events] == [
        ("create", made[0].pk),  # zhang
        ("update", li.pk),
        ("create", made[2].pk),  # wang
        ("cascade", east.pk),
    ]
    assert {e.actor_id for e in events} == {world["zhang.manager"].pk}
    assert events[1].changes["amount"] == ["1.00", "30000.00"]
    assert events[1].changes["parent_id"] == [None, east.pk]
    assert events[0].changes["achievability"][1]["verdict"] == "unrealistic"  # no history
    assert events[-1].changes == {
        "method": [None, "even"],
        "children": [None, [t.pk for t in made]],
    }


# --- mismatches ---------------------------------------------------------------------------------


def _mismatches(world, actor="chen.director", metric="revenue_won"):
    return selectors.target_mismatches(
        actor=world[actor], metric=metric, period_kind="quarter", start_date=Q3
    )


def test_a_cascaded_tree_adds_up_until_a_part_is_edited(world):
    company = _target(world, scope="company", amount="90000")
    (sales_team,) = services.target_cascade(
        actor=world["chen.director"], parent_id=company.pk, method="even"
    )
    teams = services.target_cascade(
        actor=world["chen.director"], parent_id=sales_team.pk, method="even"
    )
    for team in teams:
        services.target_cascade(actor=world["chen.director"], parent_id=team.pk, method="even")
    assert _mismatches(world) == []
    li = Target.objects.get(user=world["li.rep"])
    services.target_update(
        actor=world["zhang.manager"], target_id=li.pk, version=None, values={"amount": "12000"}
    )
    east = next(t for t in teams if t.team_id == world.teams["East"].pk)
    found = _mismatches(world)
    assert [(m.key, m.subject_name, m.amount, m.children_sum, m.difference) for m in found] == [
        (f"team:{east.team_id}", "East", D("30000.00"), D("32000.00"), D("-2000.00"))
    ]
    assert found[0].target_id == east.pk
    assert found[0].path == ("The company", "Sales", "East")
    assert found[0].child_names == ("张伟 Zhang Wei", "李娜 Li Na", "王强 Wang Qiang")
    assert found[0].missing_names == ()
    # The company's own figure changes too: both inconsistent nodes, top down.
    services.target_update(
        actor=world["chen.director"], target_id=company.pk, version=None, values={"amount": "1"}
    )
    assert [m.subject_name for m in _mismatches(world)] == ["The company", "East"]
    # A manager sees the nodes of the teams he manages only.
    assert [m.subject_name for m in _mismatches(world, "zhang.manager")] == ["East"]
    assert _mismatches(world, "zhao.manager") == []
    assert _mismatches(world, "li.rep") == []


def test_parts_without_a_target_are_named_as_missing(world):
    # Company split straight into the sales teams (as the demo does): "Sales", which holds
    # no target, stands aside; South has none at all.
    company = _target(world, scope="company", amount="100")
    for name in ("East", "Key Accounts"):
        team = _target(world, scope="team", team=name, amount="40")
        Target.objects.filter(pk=team.pk).update(parent=company)
    found = _mismatches(world)
    assert [(m.subject_name, m.children_sum, m.difference) for m in found] == [
        ("The company", D("80.00"), D("20.00")),
        ("East", D("0"), D("40.00")),
        ("Key Accounts", D("0"), D("40.00")),
    ]
    assert found[0].child_names == ("East", "South", "Key Accounts")
    assert found[0].missing_names == ("South",)
    assert found[1].missing_names == ("张伟 Zhang Wei", "李娜 Li Na", "王强 Wang Qiang")
    assert found[2].missing_names == ("孙磊 Sun Lei", "周婷 Zhou Ting")


def test_ratio_metrics_neither_cascade_nor_mismatch(world):
    east = _target(world, scope="team", team="East", amount="5000", metric="average_deal_size")
    _target(world, scope="person", user="li.rep", amount="9000", metric="average_deal_size")
    with pytest.raises(DomainError) as refused:
        services.target_cascade(actor=world["chen.director"], parent_id=east.pk, method="even")
    assert (refused.value.code, refused.value.field) == ("not_additive", "target_id")
    assert _mismatches(world, metric="average_deal_size") == []


def test_mismatch_input_is_checked(world):
    with pytest.raises(DomainError) as refused:
        selectors.target_mismatches(
            actor=world["chen.director"],
            metric="revenue_won",
            period_kind="quarter",
            start_date=dt.date(2026, 7, 2),
        )
    assert refused.value.field == "start_date"


# --- the API ------------------------------------------------------------------------------------


def test_api_cascade_and_mismatches(world, api_as):
    east = _target(world, scope="team", team="East", amount="90000")
    client = api_as(world["zhang.manager"])
    response = client.post(
        f"targets/{east.pk}/cascade", {"method": "by_share", "version": east.version}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["amount"] for item in body] == ["30000.00", "30000.00", "30000.00"]
    assert {item["parent_id"] for item in body} == {east.pk}
    assert all(item["status"] == "draft" for item in body)
    assert (
        api_as(world["wu.finance"])
        .post(f"targets/{east.pk}/cascade", {"method": "even"})
        .status_code
        == 403
    )
    assert (
        api_as(world["zhao.manager"])
        .post(f"targets/{east.pk}/cascade", {"method": "even"})
        .status_code
        == 404
    )
    stale = client.post(f"targets/{east.pk}/cascade", {"method": "even", "version": 99})
    assert stale.status_code == 412
    bad = client.post(f"targets/{east.pk}/cascade", {"method": "sideways"})
    assert bad.status_code == 422
    li = Target.objects.get(user=world["li.rep"])
    Target.objects.filter(pk=li.pk).update(amount=D("1"))
    params = {"metric": "revenue_won", "period_kind": "quarter", "start_date": "2026-07-01"}
    found = client.get("targets/mismatches", params)
    assert found.status_code == 200
    assert [(m["subject_name"], m["difference"]) for m in found.json()] == [("East", "29999.00")]
    assert api_as(world["li.rep"]).get("targets/mismatches", params).json() == []
    assert api_as().get("targets/mismatches", params).status_code == 401
