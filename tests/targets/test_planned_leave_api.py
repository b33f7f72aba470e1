"""The planned-leave API (/api/v1/targets/planned-leave) through the real URL stack: who lists,
records and removes whose leave, bad input named, and a list of a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from dealbook.core.models import AuditEvent
from dealbook.targets.models import PlannedLeave

pytestmark = pytest.mark.django_db
PATH = "targets/planned-leave"


def _leave(world, login, start, end, note=""):
    return PlannedLeave.objects.create(
        org=world.org,
        user=world[login],
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end),
        note=note,
    )


@pytest.fixture
def leave(world):
    return {
        "li.rep": _leave(world, "li.rep", "2026-07-06", "2026-07-10", "Holiday"),
        "wang.rep": _leave(world, "wang.rep", "2026-08-03", "2026-08-04"),
        "liu.rep": _leave(world, "liu.rep", "2026-06-29", "2026-07-03"),
    }


VISIBLE = {
    "li.rep": {"li.rep"},
    "wang.rep": {"wang.rep"},
    "zhang.manager": {"li.rep", "wang.rep"},
    "zhao.manager": {"liu.rep"},
    "chen.director": {"li.rep", "wang.rep", "liu.rep"},
    "admin": {"li.rep", "wang.rep", "liu.rep"},
    "wu.finance": {"li.rep", "wang.rep", "liu.rep"},
    "zheng.service": set(),
    "feng.marketing": set(),
    "acme.admin": set(),
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_who_lists_whose_leave(persona, world, leave, api_as):
    response = api_as(world[persona]).get(PATH, {"limit": 200})
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {
        leave[login].pk for login in VISIBLE[persona]
    }


def test_an_entry_as_listed(world, leave, api_as):
    li = world["li.rep"]
    response = api_as(world["zhang.manager"]).get(PATH, {"user_id": li.pk})
    body = response.json()
    assert (body["count"], body["count_is_exact"], body["has_more"]) == (1, True, False)
    item = body["items"][0]
    assert {key: item[key] for key in item if key not in {"created_at", "updated_at"}} == {
        "id": leave["li.rep"].pk,
        "version": 1,
        "user": {"id": li.pk, "username": "li.rep", "display_name": "李娜 Li Na"},
        "start_date": "2026-07-06",
        "end_date": "2026-07-10",
        "note": "Holiday",
        "working_days": 5,
    }


def test_the_list_filters_by_person_and_window_and_pages(world, leave, api_as):
    client = api_as(world["chen.director"])

    def ids(**params):
        return [item["id"] for item in client.get(PATH, params).json()["items"]]

    assert ids(user_id=world["wang.rep"].pk) == [leave["wang.rep"].pk]
    assert ids(from_date="2026-07-03", to_date="2026-07-06") == [
        leave["liu.rep"].pk,
        leave["li.rep"].pk,
    ]
    assert ids(from_date="2026-07-11") == [leave["wang.rep"].pk]
    page = client.get(PATH, {"limit": 2, "offset": 1}).json()
    assert ([item["id"] for item in page["items"]], page["has_more"], page["count"]) == (
        [leave["li.rep"].pk, leave["wang.rep"].pk],
        False,
        3,
    )
    refused = client.get(PATH, {"from_date": "1999-12-31"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["from_date"]


def test_the_list_costs_a_fixed_number_of_queries(world, api_as, django_assert_num_queries):
    client = api_as(world["zhang.manager"])
    _leave(world, "li.rep", "2026-07-06", "2026-07-10")
    client.get(PATH)  # warm the session
    # session, user, the manager's scope, the rows (with their people), the capped count
    with django_assert_num_queries(5):
        assert len(client.get(PATH).json()["items"]) == 1
    for n in range(10):
        day = dt.date(2026, 9, 1) + dt.timedelta(days=n)
        _leave(world, "wang.rep", day.isoformat(), day.isoformat())
    with django_assert_num_queries(5):
        assert len(client.get(PATH).json()["items"]) == 11


def test_anonymous_is_refused(leave, api_as):
    assert api_as().get(PATH).status_code == 401
    assert api_as().post(PATH, {}).status_code == 401
    assert api_as().delete(f"{PATH}/{leave['li.rep'].pk}").status_code == 401
    assert PlannedLeave.objects.count() == 3


def _body(world, login="li.rep", **overrides):
    return {
        "user_id": world[login].pk,
        "start_date": "2026-10-05",
        "end_date": "2026-10-09",
        "note": "Training in Hangzhou",
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "login", "status"),
    [
        ("zhang.manager", "li.rep", 201),
        ("zhao.manager", "liu.rep", 201),
        ("chen.director", "zhang.manager", 201),
        ("chen.director", "chen.director", 201),
        ("admin", "wang.rep", 201),
        ("li.rep", "li.rep", 403),  # the person
        ("wang.rep", "li.rep", 403),  # a colleague
        ("zhao.manager", "li.rep", 403),  # a manager of another team
        ("zhang.manager", "zhang.manager", 403),  # his own: the director records it
        ("wu.finance", "li.rep", 403),
        ("zheng.service", "li.rep", 403),
        ("acme.admin", "li.rep", 422),  # not a person of their organisation
    ],
)
def test_who_records_whose_leave(persona, login, status, world, api_as):
    before = AuditEvent.objects.count()
    response = api_as(world[persona]).post(PATH, _body(world, login))
    assert response.status_code == status, response.content
    if status == 201:
        made = PlannedLeave.objects.get()
        assert response.json()["id"] == made.pk
        assert (made.user_id, made.start_date, made.end_date, made.note) == (
            world[login].pk,
            dt.date(2026, 10, 5),
            dt.date(2026, 10, 9),
            "Training in Hangzhou",
        )
        assert response.json()["working_days"] == 5
        event = AuditEvent.objects.get(object_type="plannedleave", object_id=made.pk)
        assert (event.verb, event.actor_id) == ("create", world[persona].pk)
        assert event.request_id != ""
    else:
        assert PlannedLeave.objects.count() == 0
        assert AuditEvent.objects.count() == before
    if status == 422:
        assert [e["field"] for e in response.json()["errors"]] == ["user_id"]


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"end_date": "2026-10-04"}, "end_date", 422),
        ({"end_date": "2027-10-06"}, "end_date", 422),  # 367 days
        ({"start_date": "1999-12-31"}, "start_date", 422),
        ({"end_date": "2200-01-01"}, "end_date", 422),
        ({"start_date": "5 October"}, "start_date", 422),
        ({"note": "x" * 201}, "note", 422),
        ({"user_id": 999_999}, "user_id", 422),
        ({"user_id": "4"}, "user_id", 422),
        ({"colour": "red"}, "colour", 422),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(overrides, field, status, world, api_as):
    before = AuditEvent.objects.count()
    response = api_as(world["zhang.manager"]).post(PATH, _body(world, **overrides))
    assert response.status_code == status, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert PlannedLeave.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_overlapping_leave_is_a_conflict_naming_the_first_day(world, leave, api_as):
    client = api_as(world["zhang.manager"])
    response = client.post(
        PATH, _body(world, start_date="2026-07-10", end_date="2026-07-20", note="")
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], [e["field"] for e in body["errors"]]) == ("overlap", ["start_date"])
    assert PlannedLeave.objects.filter(user=world["li.rep"]).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("zhang.manager", 204),
        ("chen.director", 204),
        ("admin", 204),
        ("li.rep", 403),  # her own: she reads it, her manager removes it
        ("wu.finance", 403),
        ("wang.rep", 404),
        ("zhao.manager", 404),
        ("zheng.service", 404),
        ("acme.admin", 404),
    ],
)
def test_who_removes_leave(persona, status, world, leave, api_as):
    before = AuditEvent.objects.count()
    entry = leave["li.rep"]
    response = api_as(world[persona]).delete(f"{PATH}/{entry.pk}")
    assert response.status_code == status, response.content
    if status == 204:
        assert not PlannedLeave.objects.filter(pk=entry.pk).exists()
        event = AuditEvent.objects.get(object_type="plannedleave", object_id=entry.pk)
        assert (event.verb, event.actor_id) == ("delete", world[persona].pk)
    else:
        assert PlannedLeave.objects.count() == 3
        assert AuditEvent.objects.count() == before
    assert api_as(world["zhang.manager"]).delete(f"{PATH}/999999").status_code == 404


def test_the_leave_routes_are_not_taken_for_a_target(world, api_as):
    """/planned-leave is matched before /{target_id}: a GET lists, a DELETE of a number
    reaches planned leave (404 here), not a target."""
    client = api_as(world["zhang.manager"])
    assert client.get(PATH).json()["items"] == []
    response = client.delete(f"{PATH}/1")
    assert (response.status_code, response.json()["detail"]) == (404, "Planned leave not found.")
