from __future__ import annotations

import datetime as dt

import pytest

from dealbook.activities import services
from dealbook.activities.models import Activity
from tests.activities.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _task(owner, subject, due, **kwargs):
    values = {"occurred_at": None, "completed_at": None, **kwargs}
    return ActivityFactory(owner=owner, kind="task", subject=subject, due_at=due, **values)


def test_agenda_lists_my_open_tasks_due_today_or_overdue(world, api_as):
    li, wang = world["li.rep"], world["wang.rep"]
    _task(li, "overdue", dt.datetime(2026, 3, 9, 9, tzinfo=SHANGHAI))
    _task(li, "late today", dt.datetime(2026, 3, 10, 23, 30, tzinfo=SHANGHAI))
    # 00:30 tomorrow in Shanghai is still 10 March in UTC: the organisation's day counts.
    _task(li, "tomorrow", dt.datetime(2026, 3, 11, 0, 30, tzinfo=SHANGHAI))
    _task(
        li,
        "done",
        dt.datetime(2026, 3, 9, 9, tzinfo=SHANGHAI),
        completed_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
    )
    _task(li, "no due date", None)
    _task(wang, "not mine", dt.datetime(2026, 3, 10, 9, tzinfo=SHANGHAI))
    response = api_as(li).get("activities/agenda", {"today": "2026-03-10"})
    assert response.status_code == 200, response.content
    assert [item["subject"] for item in response.json()["items"]] == ["overdue", "late today"]


def test_agenda_of_a_manager_holds_only_his_own(world, api_as):
    _task(world["li.rep"], "li's", dt.datetime(2026, 3, 9, 9, tzinfo=SHANGHAI))
    response = api_as(world["zhang.manager"]).get("activities/agenda", {"today": "2026-03-10"})
    assert response.json()["items"] == []


def test_agenda_rejects_a_bad_date(world, api_as):
    response = api_as(world["li.rep"]).get("activities/agenda", {"today": "10/03/2026"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "today"


def test_reminders_due(world, api_as):
    li = world["li.rep"]
    past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    future = dt.datetime(2199, 1, 1, tzinfo=dt.UTC)
    _task(li, "remind me", None, remind_at=past)
    _task(li, "later", None, remind_at=future)
    _task(li, "reminded", None, remind_at=past, reminded_at=past)
    _task(li, "done", None, remind_at=past, completed_at=past)
    _task(world["wang.rep"], "wang's", None, remind_at=past)
    response = api_as(li).get("activities/reminders")
    assert response.status_code == 200, response.content
    assert [item["subject"] for item in response.json()["items"]] == ["remind me"]


def test_changing_remind_at_rearms_the_reminder(world, api_as):
    li = world["li.rep"]
    past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    task = _task(li, "reminded", None, remind_at=past, reminded_at=past)
    response = api_as(li).patch(
        f"activities/{task.pk}", {"version": 1, "remind_at": "2026-02-01T09:00:00+08:00"}
    )
    assert response.status_code == 200, response.content
    assert Activity.objects.get(pk=task.pk).reminded_at is None
    assert [i["subject"] for i in api_as(li).get("activities/reminders").json()["items"]] == [
        "reminded"
    ]


@pytest.mark.parametrize("login", ["wu.finance", "he.product"])
def test_roles_without_activities_have_empty_agenda(world, api_as, login):
    for path in ("activities/agenda", "activities/reminders"):
        response = api_as(world[login]).get(path)
        assert response.status_code == 200
        assert response.json()["items"] == []


def test_reminders_marked_sent_leave_the_list(world, api_as):
    li = world["li.rep"]
    past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    task = _task(li, "remind me", None, remind_at=past)
    assert services.reminders_mark_sent(activity_ids=[task.pk], at=past) == 1
    assert services.reminders_mark_sent(activity_ids=[task.pk], at=past) == 0
    assert api_as(li).get("activities/reminders").json()["items"] == []
