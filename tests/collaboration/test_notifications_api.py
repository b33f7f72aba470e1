"""The notifications API: a person reads and marks their own notifications, nobody else's;
marking is audited; the list costs a fixed number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dealbook.core.models import AuditEvent
from dealbook.org.models import User
from tests.collaboration.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(world):
    li = world["li.rep"]
    made = [NotificationFactory(recipient=li, url=f"/targets/{n}/") for n in range(3)]  # li's
    made[0].read_at = timezone.now()
    made[0].save()
    made.append(NotificationFactory(recipient=world["zhang.manager"]))
    return made


def test_i_list_my_notifications_newest_first(world, inbox, api_as):
    response = api_as(world["li.rep"]).get("notifications")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [n.pk for n in reversed(inbox[:3])]
    assert body["count"] == 3 and body["count_is_exact"] is True
    assert body["items"][0]["text"] == "You have a notification."
    assert body["items"][0]["url"] == "/targets/2/"
    assert body["items"][-1]["read_at"] is not None
    unread = api_as(world["li.rep"]).get("notifications", {"unread": "true"}).json()
    assert [item["id"] for item in unread["items"]] == [inbox[2].pk, inbox[1].pk]


def test_the_list_costs_the_same_queries_for_one_or_many(world, api_as, django_assert_num_queries):
    li = world["li.rep"]
    client = api_as(li)
    NotificationFactory(recipient=li)
    with django_assert_num_queries(4):  # session, user, page of rows, capped count
        assert len(client.get("notifications").json()["items"]) == 1
    for _ in range(30):
        NotificationFactory(recipient=li)
    with django_assert_num_queries(4):
        assert len(client.get("notifications").json()["items"]) == 25


def test_nobody_reads_or_marks_someone_elses(world, inbox, api_as):
    zhang = api_as(world["zhang.manager"])  # li's manager: sees her deals, not her inbox
    assert [item["id"] for item in zhang.get("notifications").json()["items"]] == [inbox[3].pk]
    response = zhang.post(f"notifications/{inbox[1].pk}/read")
    assert response.status_code == 404
    inbox[1].refresh_from_db()
    assert inbox[1].read_at is None
    assert api_as().get("notifications").status_code == 401
    assert api_as().post(f"notifications/{inbox[1].pk}/read").status_code == 401


def test_i_mark_one_then_all_read_and_each_write_is_audited(world, inbox, api_as):
    li = world["li.rep"]
    client = api_as(li)
    response = client.post(f"notifications/{inbox[1].pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    first_read = response.json()["read_at"]
    assert client.post(f"notifications/{inbox[1].pk}/read").json()["read_at"] == first_read
    assert AuditEvent.objects.filter(verb="read", object_id=inbox[1].pk).count() == 1
    assert client.post("notifications/read-all").json() == {"marked": 1}
    assert client.post("notifications/read-all").json() == {"marked": 0}
    event = AuditEvent.objects.get(verb="read_notifications")
    assert (event.actor_id, event.object_type, event.object_id) == (li.pk, "user", li.pk)
    assert event.changes == {"unread_notifications": [1, 0]}
    assert world["zhang.manager"].notifications.filter(read_at__isnull=True).count() == 1
    assert User.objects.get(pk=li.pk).notifications.filter(read_at__isnull=True).count() == 0


def test_an_id_out_of_range_is_a_clear_error(world, api_as):
    response = api_as(world["li.rep"]).post("notifications/0/read")
    assert response.status_code == 422
