from __future__ import annotations

import datetime as dt

import pytest

from dealbook.activities.models import Activity
from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account
from tests.activities.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _events_since(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


@pytest.fixture
def task(world, scene) -> Activity:
    return ActivityFactory(
        owner=world["li.rep"],
        kind="task",
        subject="Send quote",
        account=scene.acc_li,
        occurred_at=None,
        completed_at=None,
        due_at=dt.datetime(2026, 3, 5, 1, tzinfo=dt.UTC),
    )


def test_owner_updates_subject_audited_once(world, api_as, scene, task):
    before = AuditEvent.objects.count()
    response = api_as(world["li.rep"]).patch(
        f"activities/{task.pk}", {"version": 1, "subject": "Send revised quote", "location": "上海"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["subject"], response.json()["version"]) == ("Send revised quote", 2)
    events = _events_since(before)
    assert [(e.verb, e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("update", "activity", task.pk, world["li.rep"].pk)
    ]
    assert events[0].changes == {
        "subject": ["Send quote", "Send revised quote"],
        "location": ["", "上海"],
    }


def test_stale_version_gets_412_and_changes_nothing(world, api_as, scene, task):
    client = api_as(world["li.rep"])
    assert (
        client.patch(f"activities/{task.pk}", {"version": 1, "subject": "First"}).status_code == 200
    )
    before = AuditEvent.objects.count()
    stale = client.patch(f"activities/{task.pk}", {"version": 1, "subject": "Second"})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "version"
    task.refresh_from_db()
    assert (task.subject, task.version) == ("First", 2)
    assert AuditEvent.objects.count() == before
    stale_complete = client.post(f"activities/{task.pk}/complete", {"version": 1})
    assert stale_complete.status_code == 412
    assert Activity.objects.get(pk=task.pk).completed_at is None


def test_manager_above_the_owner_may_change_it(world, api_as, scene, task):
    response = api_as(world["zhang.manager"]).patch(
        f"activities/{task.pk}", {"version": 1, "body": "Include discount"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"] == "Include discount"


@pytest.mark.parametrize(
    ("login", "attr", "status"),
    [
        ("li.rep", "a_wang_on_li_deal", 403),  # visible through her deal, not hers
        ("zheng.service", "a_li_call", 403),  # visible through the account, not his
        ("wang.rep", "a_li_call", 404),  # not visible at all
        ("zhao.manager", "a_li_call", 404),
        ("wu.finance", "a_li_call", 404),
        ("acme.admin", "a_li_call", 404),
    ],
)
def test_others_cannot_change(world, api_as, scene, login, attr, status):
    activity = getattr(scene, attr)
    before = AuditEvent.objects.count()
    response = api_as(world[login]).patch(
        f"activities/{activity.pk}", {"version": 1, "subject": "Hacked"}
    )
    assert response.status_code == status
    assert Activity.objects.get(pk=activity.pk).subject == activity.subject
    assert AuditEvent.objects.count() == before


def test_relinking_to_a_deal_moves_the_account_along(world, api_as, scene):
    activity = ActivityFactory(
        owner=world["li.rep"], account=None, subject="Loose note", kind="note"
    )
    response = api_as(world["li.rep"]).patch(
        f"activities/{activity.pk}", {"version": 1, "deal_id": scene.deal_li.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["account"]["id"] == scene.acc_li.pk
    event = AuditEvent.objects.get(object_type="activity", object_id=activity.pk, verb="update")
    assert event.changes == {
        "deal_id": [None, scene.deal_li.pk],
        "account_id": [None, scene.acc_li.pk],
    }


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"version": 1, "deal_id": "zhou"}, "deal_id", 422),
        ({"version": 1, "subject": None}, "subject", 422),
        ({"version": 1, "kind": "fax"}, "kind", 422),
        ({"version": 1, "colour": "red"}, "colour", 422),
        ({"subject": "No version"}, "version", 422),
        ({"version": 1, "duration_minutes": 99_999}, "duration_minutes", 422),
    ],
)
def test_invalid_patch_is_refused(world, api_as, scene, task, body, field, status):
    response = api_as(world["li.rep"]).patch(f"activities/{task.pk}", body)
    assert response.status_code == status, response.content
    assert response.json()["errors"][0]["field"] == field
    task.refresh_from_db()
    assert (task.subject, task.version) == ("Send quote", 1)


def test_relinking_to_an_invisible_deal_is_422(world, api_as, scene, task):
    response = api_as(world["li.rep"]).patch(
        f"activities/{task.pk}", {"version": 1, "deal_id": scene.deal_zhou.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deal_id"
    task.refresh_from_db()
    assert (task.deal_id, task.version) == (None, 1)


def test_complete_then_reopen(world, api_as, scene, task):
    li = world["li.rep"]
    client = api_as(li)
    before = AuditEvent.objects.count()
    done = client.post(f"activities/{task.pk}/complete", {"version": 1, "outcome": "Sent"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["is_done"], body["outcome"], body["version"]) == (True, "Sent", 2)
    task.refresh_from_db()
    events = _events_since(before)
    assert [(e.verb, e.actor_id) for e in events] == [("complete", li.pk)]
    assert events[0].changes == {
        "completed_at": [None, task.completed_at.isoformat()],
        "outcome": ["", "Sent"],
    }
    # A task is internal work: it does not keep the account out of the pool.
    assert Account.objects.get(pk=scene.acc_li.pk).last_activity_at is None

    again = client.post(f"activities/{task.pk}/complete", {})
    assert again.status_code == 409

    reopened = client.post(f"activities/{task.pk}/reopen", {"version": 2})
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["is_done"], reopened.json()["version"]) == (False, 3)
    events = _events_since(before)
    assert [(e.verb, e.actor_id) for e in events] == [("complete", li.pk), ("reopen", li.pk)]
    assert events[1].changes == {"completed_at": [task.completed_at.isoformat(), None]}
    assert client.post(f"activities/{task.pk}/reopen", {}).status_code == 409


def test_completing_a_planned_meeting_touches_the_account(world, api_as, scene):
    held = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    meeting = ActivityFactory(
        owner=world["li.rep"],
        kind="meeting",
        account=scene.acc_li,
        occurred_at=held,
        completed_at=None,
    )
    response = api_as(world["li.rep"]).post(f"activities/{meeting.pk}/complete", {})
    assert response.status_code == 200, response.content
    assert Account.objects.get(pk=scene.acc_li.pk).last_activity_at == held


def test_others_cannot_complete_or_reopen(world, api_as, scene, task):
    assert api_as(world["wang.rep"]).post(f"activities/{task.pk}/complete", {}).status_code == 404
    assert (
        api_as(world["zheng.service"]).post(f"activities/{task.pk}/complete", {}).status_code == 403
    )
    call = scene.a_li_call
    assert (
        api_as(world["zheng.service"]).post(f"activities/{call.pk}/reopen", {}).status_code == 403
    )
    task.refresh_from_db()
    call.refresh_from_db()
    assert (task.completed_at, task.version) == (None, 1)
    assert call.completed_at is not None


@pytest.mark.parametrize(
    ("login", "attr"),
    [
        ("li.rep", "a_li_call"),  # her own
        ("zheng.service", "a_zheng_note"),  # his own
        ("zhang.manager", "a_li_call"),  # his team's
        ("chen.director", "a_liu_call"),
        ("admin", "a_zhou_deal"),
    ],
)
def test_delete_allowed(world, api_as, scene, login, attr):
    activity = getattr(scene, attr)
    before = AuditEvent.objects.count()
    response = api_as(world[login]).delete(f"activities/{activity.pk}")
    assert response.status_code == 204, response.content
    assert not Activity.objects.filter(pk=activity.pk).exists()
    events = _events_since(before)
    assert [(e.verb, e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("delete", "activity", activity.pk, world[login].pk)
    ]
    assert events[0].changes == {"subject": [activity.subject, None], "kind": [activity.kind, None]}


@pytest.mark.parametrize(
    ("login", "attr", "status"),
    [
        ("li.rep", "a_wang_on_li_deal", 403),  # visible, not hers
        ("li.rep", "a_zheng_note", 403),
        ("zheng.service", "a_li_call", 403),
        ("zhao.manager", "a_li_call", 404),
        ("wu.finance", "a_li_call", 404),
        ("he.product", "a_li_call", 404),
        ("acme.admin", "a_li_call", 404),
    ],
)
def test_delete_denied(world, api_as, scene, login, attr, status):
    activity = getattr(scene, attr)
    before = AuditEvent.objects.count()
    response = api_as(world[login]).delete(f"activities/{activity.pk}")
    assert response.status_code == status
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert AuditEvent.objects.count() == before
