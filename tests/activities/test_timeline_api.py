from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealbook.activities import selectors, services
from dealbook.core import audit
from dealbook.customers import services as customer_services
from tests.activities.factories import ActivityFactory, StageHistoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(world, scene, stages):
    """Li Account's story: the deal entered Qualify 3 days ago, a call 2 days ago, the deal
    moved to Proposal yesterday, then (now) the account's region and a new contact."""
    li = world["li.rep"]
    now = timezone.now()
    StageHistoryFactory(
        deal=scene.deal_li,
        stage=stages.qualify,
        entered_at=now - dt.timedelta(days=3),
        left_at=now - dt.timedelta(days=1),
        changed_by=li,
    )
    StageHistoryFactory(
        deal=scene.deal_li,
        stage=stages.proposal,
        from_stage=stages.qualify,
        entered_at=now - dt.timedelta(days=1),
        changed_by=li,
    )
    services.activity_log(
        actor=li,
        kind="call",
        subject="Pricing call",
        body="Asked for 10% off",
        occurred_at=now - dt.timedelta(days=2),
        account_id=scene.acc_li.pk,
    )
    customer_services.account_update(
        actor=li, account_id=scene.acc_li.pk, version=1, values={"region": "华东"}
    )
    customer_services.contact_create(actor=li, account_id=scene.acc_li.pk, name="王经理")
    return now


def _rows(response):
    assert response.status_code == 200, response.content
    return [(e["kind"], e["title"], e["detail"], e["actor_name"]) for e in response.json()]


def test_account_timeline_merges_all_three_kinds_newest_first(world, api_as, scene, history):
    response = api_as(world["li.rep"]).get(f"activities/timeline/account/{scene.acc_li.pk}")
    assert _rows(response) == [
        (
            "audit",
            "Created contact 王经理",
            f"account_id: — → {scene.acc_li.pk}; name: — → 王经理",
            "李娜 Li Na",
        ),
        ("audit", "Updated account Li Account", "region: — → 华东", "李娜 Li Na"),
        ("stage_change", "Deal Li moved from Qualify to Proposal", "", "李娜 Li Na"),
        ("activity", "Call: Pricing call", "Asked for 10% off", "李娜 Li Na"),
        ("stage_change", "Deal Li entered Qualify", "", "李娜 Li Na"),
        ("activity", "Meeting: wang on li deal", "", "王强 Wang Qiang"),
        ("activity", "Note: zheng note", "", "郑浩 Zheng Hao"),
        ("activity", "Note: li deal note", "", "李娜 Li Na"),
        ("activity", "Call: li call", "", "李娜 Li Na"),
    ]
    ats = [entry["at"] for entry in response.json()]
    assert ats == sorted(ats, reverse=True)


def test_timeline_limit_bounds_the_merged_list(world, api_as, scene, history):
    response = api_as(world["li.rep"]).get(
        f"activities/timeline/account/{scene.acc_li.pk}", {"limit": 3}
    )
    assert [e["title"] for e in response.json()] == [
        "Created contact 王经理",
        "Updated account Li Account",
        "Deal Li moved from Qualify to Proposal",
    ]


def test_service_sees_the_account_history_without_the_pipeline(world, api_as, scene, history):
    response = api_as(world["zheng.service"]).get(f"activities/timeline/account/{scene.acc_li.pk}")
    assert [(e["kind"], e["title"]) for e in response.json()] == [
        ("audit", "Created contact 王经理"),
        ("audit", "Updated account Li Account"),
        ("activity", "Call: Pricing call"),
        ("activity", "Note: zheng note"),
        ("activity", "Call: li call"),
    ]


def test_finance_sees_deals_but_no_activities(world, api_as, scene, history):
    response = api_as(world["wu.finance"]).get(f"activities/timeline/account/{scene.acc_li.pk}")
    assert {e["kind"] for e in response.json()} == {"audit", "stage_change"}


@pytest.mark.parametrize(
    "login", ["wang.rep", "zhao.manager", "he.product", "feng.marketing", "acme.admin"]
)
def test_account_timeline_of_an_invisible_account_is_404(world, api_as, scene, login):
    response = api_as(world[login]).get(f"activities/timeline/account/{scene.acc_li.pk}")
    assert response.status_code == 404


def test_audit_of_activities_shows_completion(world, api_as, scene):
    li = world["li.rep"]
    task = services.activity_log(
        actor=li, kind="task", subject="Send quote", account_id=scene.acc_li.pk
    )
    services.activity_complete(actor=li, activity_id=task.pk)
    entries = selectors.account_timeline(actor=li, account_id=scene.acc_li.pk, limit=2)
    assert [(e.kind, e.title, e.object_type, e.object_id) for e in entries] == [
        ("audit", "Completed activity Send quote", "activity", task.pk),
        ("activity", "Task: Send quote", "activity", task.pk),
    ]
    assert entries[1].activity_kind == "task"


def test_deal_timeline(world, api_as, scene, history):
    li = world["li.rep"]
    audit.record(actor=li, verb="update", target=scene.deal_li, changes={"next_step": ["", "Demo"]})
    response = api_as(li).get(f"activities/timeline/deal/{scene.deal_li.pk}")
    assert _rows(response) == [
        ("audit", "Updated deal Deal Li", "next_step: — → Demo", "李娜 Li Na"),
        ("stage_change", "Deal Li moved from Qualify to Proposal", "", "李娜 Li Na"),
        ("stage_change", "Deal Li entered Qualify", "", "李娜 Li Na"),
        ("activity", "Meeting: wang on li deal", "", "王强 Wang Qiang"),
        ("activity", "Note: li deal note", "", "李娜 Li Na"),
    ]


@pytest.mark.parametrize("login", ["wang.rep", "zheng.service", "he.product", "acme.admin"])
def test_deal_timeline_of_an_invisible_deal_is_404(world, api_as, scene, login):
    response = api_as(world[login]).get(f"activities/timeline/deal/{scene.deal_li.pk}")
    assert response.status_code == 404


def test_timeline_query_count_does_not_grow_with_rows(world, api_as, scene, stages):
    li = world["li.rep"]
    client = api_as(li)
    counts = []
    for total in (5, 30):
        while scene.deal_li.activities.count() < total:
            activity = services.activity_log(
                actor=li, kind="note", subject="n", deal_id=scene.deal_li.pk
            )
            services.activity_update(
                actor=li, activity_id=activity.pk, version=1, values={"subject": "note"}
            )
            StageHistoryFactory(
                deal=scene.deal_li, stage=stages.proposal, from_stage=stages.qualify
            )
        for path in (
            f"activities/timeline/account/{scene.acc_li.pk}",
            f"activities/timeline/deal/{scene.deal_li.pk}",
        ):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, {"limit": 200})
            assert response.status_code == 200
            assert len(response.json()) >= total
            counts.append(len(ctx.captured_queries))
    assert counts[:2] == counts[2:]


def test_timeline_selector_runs_a_fixed_number_of_queries(world, scene, django_assert_num_queries):
    li = world["li.rep"]
    for _ in range(10):
        ActivityFactory(owner=li, account=scene.acc_li)
    selectors.account_timeline(actor=li, account_id=scene.acc_li.pk)  # warms the viewer cache
    # the account's visibility, activities, stage history, audit events.
    with django_assert_num_queries(4):
        selectors.account_timeline(actor=li, account_id=scene.acc_li.pk)
