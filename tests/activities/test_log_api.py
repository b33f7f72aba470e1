from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.activities import services
from dealbook.activities.models import Activity
from dealbook.core.errors import DomainError, PermissionDenied
from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account
from dealbook.leads.models import Lead
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

TWO_DAYS_AGO = "2026-03-02T10:00:00+08:00"


def test_rep_logs_a_call_on_her_account(world, api_as, scene):
    li = world["li.rep"]
    response = api_as(li).post(
        "activities",
        {
            "kind": "call",
            "subject": "Pricing call",
            "occurred_at": TWO_DAYS_AGO,
            "duration_minutes": 25,
            "outcome": "Wants a quote",
            "account_id": scene.acc_li.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["username"] == "li.rep"
    assert (body["kind"], body["subject"], body["duration_minutes"]) == ("call", "Pricing call", 25)
    assert body["is_done"] is True
    assert body["version"] == 1
    activity = Activity.objects.get(pk=body["id"])
    occurred = dt.datetime.fromisoformat(TWO_DAYS_AGO)
    assert activity.occurred_at == occurred
    assert activity.completed_at == occurred
    assert (activity.org_id, activity.account_id) == (world.org.pk, scene.acc_li.pk)
    scene.acc_li.refresh_from_db()
    assert scene.acc_li.last_activity_at == occurred

    event = AuditEvent.objects.get(object_type="activity", object_id=activity.pk)
    assert (event.verb, event.actor_id) == ("create", li.pk)
    assert event.changes == {
        "kind": [None, "call"],
        "subject": [None, "Pricing call"],
        "outcome": [None, "Wants a quote"],
        "duration_minutes": [None, 25],
        "occurred_at": [None, TWO_DAYS_AGO],
        "completed_at": [None, TWO_DAYS_AGO],
        "account_id": [None, scene.acc_li.pk],
        "owner_id": [None, li.pk],
    }


def test_logged_call_appears_in_the_account_timeline(world, api_as, scene):
    client = api_as(world["li.rep"])
    created = client.post(
        "activities", {"kind": "call", "subject": "Intro", "account_id": scene.acc_li.pk}
    )
    assert created.status_code == 201, created.content
    timeline = client.get(f"activities/timeline/account/{scene.acc_li.pk}").json()
    first = timeline[0]
    assert (first["kind"], first["title"], first["object_id"], first["activity_kind"]) == (
        "activity",
        "Call: Intro",
        created.json()["id"],
        "call",
    )
    assert first["actor_name"] == "李娜 Li Na"


def test_task_starts_open_and_does_not_touch_the_account(world, scene):
    task = services.activity_log(
        actor=world["li.rep"],
        kind="task",
        subject="Send quote",
        account_id=scene.acc_li.pk,
        due_at=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC),
    )
    assert (task.completed_at, task.occurred_at) == (None, None)
    assert Account.objects.get(pk=scene.acc_li.pk).last_activity_at is None


def test_future_meeting_can_be_logged_open(world, scene):
    meeting = services.activity_log(
        actor=world["li.rep"],
        kind="meeting",
        subject="Demo",
        account_id=scene.acc_li.pk,
        occurred_at=dt.datetime(2030, 1, 5, 9, tzinfo=dt.UTC),
        completed=False,
    )
    assert meeting.completed_at is None
    assert Account.objects.get(pk=scene.acc_li.pk).last_activity_at is None


def test_contact_and_deal_fill_in_their_account(world, scene):
    li = world["li.rep"]
    contact = ContactFactory(account=scene.acc_li, name="王经理")
    on_contact = services.activity_log(actor=li, kind="email", subject="Hi", contact_id=contact.pk)
    assert (on_contact.account_id, on_contact.contact_id) == (scene.acc_li.pk, contact.pk)
    on_deal = services.activity_log(
        actor=li, kind="visit", subject="Site", deal_id=scene.deal_li.pk
    )
    assert (on_deal.account_id, on_deal.deal_id) == (scene.acc_li.pk, scene.deal_li.pk)


def test_lead_activity_touches_the_lead(world, scene):
    liu = world["liu.rep"]
    activity = services.activity_log(
        actor=liu, kind="call", subject="Cold", lead_id=scene.lead_liu.pk
    )
    assert activity.account_id is None
    assert Lead.objects.get(pk=scene.lead_liu.pk).last_activity_at == activity.occurred_at


def test_invisible_deal_is_422_naming_deal_id_and_creates_nothing(world, api_as, scene):
    before = (Activity.objects.count(), AuditEvent.objects.count())
    response = api_as(world["li.rep"]).post(
        "activities", {"kind": "call", "subject": "Sneaky", "deal_id": scene.deal_zhou.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deal_id"
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "attr"),
    [("account_id", "acc_liu"), ("lead_id", "lead_liu"), ("account_id", "acc_acme")],
)
def test_invisible_or_foreign_parents_are_422(world, api_as, scene, field, attr):
    before = Activity.objects.count()
    response = api_as(world["li.rep"]).post(
        "activities", {"kind": "call", "subject": "X", field: getattr(scene, attr).pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert Activity.objects.count() == before


def test_unknown_contact_id_is_422(world, api_as, scene):
    response = api_as(world["li.rep"]).post(
        "activities", {"kind": "call", "subject": "X", "contact_id": 999_999}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_id"


def test_contact_or_deal_of_another_account_is_422(world, api_as, scene):
    other = AccountFactory(owner=world["li.rep"], name="Other")
    contact = ContactFactory(account=other)
    client = api_as(world["li.rep"])
    before = Activity.objects.count()
    wrong_contact = client.post(
        "activities",
        {"kind": "call", "subject": "X", "account_id": scene.acc_li.pk, "contact_id": contact.pk},
    )
    assert wrong_contact.status_code == 422
    assert wrong_contact.json()["errors"][0]["field"] == "contact_id"
    wrong_deal = client.post(
        "activities",
        {"kind": "call", "subject": "X", "account_id": other.pk, "deal_id": scene.deal_li.pk},
    )
    assert wrong_deal.status_code == 422
    assert wrong_deal.json()["errors"][0]["field"] == "deal_id"
    deal_and_contact = client.post(
        "activities",
        {"kind": "call", "subject": "X", "deal_id": scene.deal_li.pk, "contact_id": contact.pk},
    )
    assert deal_and_contact.status_code == 422
    assert deal_and_contact.json()["errors"][0]["field"] == "contact_id"
    assert Activity.objects.count() == before


@pytest.mark.parametrize("login", ["wu.finance", "feng.marketing", "he.product"])
def test_roles_without_activity_write_get_403(world, api_as, scene, login):
    before = (Activity.objects.count(), AuditEvent.objects.count())
    response = api_as(world[login]).post("activities", {"kind": "note", "subject": "X"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before


def test_service_logs_on_any_account_but_not_on_deals(world, api_as, scene):
    client = api_as(world["zheng.service"])
    ok = client.post(
        "activities", {"kind": "call", "subject": "Callback", "account_id": scene.acc_liu.pk}
    )
    assert ok.status_code == 201, ok.content
    denied = client.post(
        "activities", {"kind": "call", "subject": "X", "deal_id": scene.deal_li.pk}
    )
    assert denied.status_code == 422
    assert denied.json()["errors"][0]["field"] == "deal_id"


def test_owner_can_be_someone_in_scope_only(world, api_as, scene):
    manager = api_as(world["zhang.manager"])
    ok = manager.post(
        "activities",
        {
            "kind": "task",
            "subject": "Follow up",
            "owner_id": world["li.rep"].pk,
            "account_id": scene.acc_li.pk,
        },
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["owner"]["username"] == "li.rep"
    before = Activity.objects.count()
    denied = api_as(world["li.rep"]).post(
        "activities", {"kind": "task", "subject": "Yours", "owner_id": world["wang.rep"].pk}
    )
    assert denied.status_code == 403
    assert Activity.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "call", "subject": "X", "colour": "red"}, "colour"),
        ({"kind": "call", "subject": "X", "duration_minutes": "long"}, "duration_minutes"),
        ({"kind": "call", "subject": "X", "duration_minutes": 1441}, "duration_minutes"),
        ({"kind": "call", "subject": "X", "duration_minutes": -1}, "duration_minutes"),
        ({"kind": "call"}, "subject"),
        ({"kind": "call", "subject": ""}, "subject"),
        ({"kind": "call", "subject": "x" * 201}, "subject"),
        ({"kind": "fax", "subject": "X"}, "kind"),
        ({"subject": "X"}, "kind"),
        ({"kind": "call", "subject": "X", "occurred_at": "2026-03-02T10:00:00"}, "occurred_at"),
        ({"kind": "call", "subject": "X", "due_at": "9999-12-31T23:59:59-05:00"}, "due_at"),
        ({"kind": "call", "subject": "X", "occurred_at": 1_700_000_000}, "occurred_at"),
        ({"kind": "call", "subject": "X", "account_id": 0}, "account_id"),
        ({"kind": "call", "subject": "X", "account_id": 999_999}, "account_id"),
        ({"kind": "call", "subject": "X", "completed": "maybe"}, "completed"),
    ],
)
def test_invalid_input_is_422_naming_the_field(world, api_as, scene, body, field):
    before = (Activity.objects.count(), AuditEvent.objects.count())
    response = api_as(world["li.rep"]).post("activities", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before


def test_service_validates_what_the_schema_validates(world):
    li = world["li.rep"]
    with pytest.raises(DomainError) as blank:
        services.activity_log(actor=li, kind="call", subject="   ")
    assert (blank.value.field, blank.value.status) == ("subject", 422)
    with pytest.raises(DomainError) as kind:
        services.activity_log(actor=li, kind="fax", subject="X")
    assert kind.value.field == "kind"
    with pytest.raises(DomainError) as duration:
        services.activity_log(actor=li, kind="call", subject="X", duration_minutes=5000)
    assert duration.value.field == "duration_minutes"
    with pytest.raises(PermissionDenied):
        services.activity_log(actor=world["wu.finance"], kind="call", subject="X")
    assert not Activity.objects.exists()


def test_list_query_count_does_not_grow_with_rows(world, api_as, scene):
    li = world["li.rep"]
    client = api_as(li)
    counts = []
    for total in (5, 30):
        while Activity.objects.filter(owner=li).count() < total:
            ActivityFactory(owner=li, deal=scene.deal_li, lead=None)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("activities", {"limit": 200})
        assert response.status_code == 200
        assert len(response.json()["items"]) >= total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
