"""Planned leave on a person's target page (/targets/people/<id>/): listed to whoever reads the
person's targets; recorded and removed by the managers above them, the director and admins,
with and without htmx; refused (and nothing changed) for everyone else."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from dealbook.core.models import AuditEvent
from dealbook.targets.models import PlannedLeave
from dealbook.targets.periods import local_today
from tests.web.conftest import assert_strict, csrf_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# Session and user, org settings, the person, the viewer, the history (the person, the actuals,
# the targets), the leave (with whether it may be changed: no query), and the shell's bell.
PERSON_PAGE_QUERIES = 10


def _page(world, login="li.rep") -> str:
    return f"/targets/people/{world[login].pk}/"


def _add(world, login="li.rep") -> str:
    return f"/targets/people/{world[login].pk}/leave/"


def _delete(world, entry, login="li.rep") -> str:
    return f"/targets/people/{world[login].pk}/leave/{entry.pk}/delete/"


@pytest.fixture
def today(world):
    return local_today(ZoneInfo(world.org.time_zone))


def _leave(world, login, start, end, note=""):
    return PlannedLeave.objects.create(
        org=world.org, user=world[login], start_date=start, end_date=end, note=note
    )


def _rows(html: str) -> list[tuple[str, str]]:
    """The leave rows shown: (first day, last day) as ISO dates, in order."""
    return re.findall(
        r'class="leave-row[^"]*" data-leave="\d+" data-start="([\d-]+)" '
        r'data-end="([\d-]+)"',
        html,
    )


def _field_errors(html: str) -> dict[str, list[str]]:
    """The leave form's fields shown as invalid, each with its messages."""
    form = html[html.index('id="leave-form"') :]
    found = {}
    starts = list(
        re.finditer(r'<div class="mb-3 field( field-invalid)?" data-field="(\w+)">', form)
    )
    for n, start in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(form)
        messages = re.findall(r'field-error">([^<]*)<', form[start.end() : end])
        if start.group(1) or messages:
            found[start.group(2)] = messages
    return found


def _add_data(today, **changes) -> dict:
    first = today + dt.timedelta(days=30)
    return {
        "start_date": first.isoformat(),
        "end_date": (first + dt.timedelta(days=4)).isoformat(),
        "note": "Training",
        **changes,
    }


def test_the_page_lists_upcoming_current_and_recent_leave(world, client_as, today):
    days = dt.timedelta
    upcoming = _leave(world, "li.rep", today + days(20), today + days(24), "Holiday")
    _leave(world, "li.rep", today - days(2), today + days(2), "Training")  # now
    _leave(world, "li.rep", today - days(60), today - days(50))  # recent
    _leave(world, "li.rep", today - days(200), today - days(95))  # ended long ago: not shown
    _leave(world, "wang.rep", today + days(20), today + days(21))  # a colleague's
    response = client_as(world["zhang.manager"]).get(_page(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert_strict(html)
    assert _rows(html) == [
        ((today - days(60)).isoformat(), (today - days(50)).isoformat()),
        ((today - days(2)).isoformat(), (today + days(2)).isoformat()),
        ((today + days(20)).isoformat(), (today + days(24)).isoformat()),
    ]
    row = html[html.index(f'data-leave="{upcoming.pk}"') :]
    row = row[: row.index("</tr>")]
    working = sum(1 for n in range(20, 25) if (today + days(n)).weekday() < 5)
    assert f'<td class="text-end">{working}</td>' in row and "Holiday" in row
    assert 'id="leave-form"' in html
    assert html.count('class="btn btn-outline-danger btn-sm leave-delete"') == 3


def test_the_person_sees_her_leave_but_no_form(world, client_as, today):
    _leave(world, "li.rep", today + dt.timedelta(days=3), today + dt.timedelta(days=4))
    html = client_as(world["li.rep"]).get(_page(world)).content.decode()
    assert len(_rows(html)) == 1
    assert 'id="leave-form"' not in html
    assert "leave-delete" not in html
    finance = client_as(world["wu.finance"]).get(_page(world)).content.decode()
    assert len(_rows(finance)) == 1 and 'id="leave-form"' not in finance


def test_without_leave_the_section_says_so(world, client_as):
    html = client_as(world["zhang.manager"]).get(_page(world)).content.decode()
    assert 'id="planned-leave"' in html and "No planned leave." in html


def test_the_page_costs_the_same_queries_for_one_entry_and_many(
    world, client_as, today, django_assert_num_queries
):
    client = client_as(world["zhang.manager"])
    _leave(world, "li.rep", today + dt.timedelta(days=1), today + dt.timedelta(days=1))
    client.get(_page(world))  # warm the session
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        assert len(_rows(client.get(_page(world)).content.decode())) == 1
    for n in range(2, 12):
        day = today + dt.timedelta(days=n)
        _leave(world, "li.rep", day, day)
    with django_assert_num_queries(PERSON_PAGE_QUERIES):
        assert len(_rows(client.get(_page(world)).content.decode())) == 11


def test_a_manager_adds_leave_and_returns_to_the_page(world, client_as, today):
    response = client_as(world["zhang.manager"]).post(_add(world), _add_data(today))
    assert response.status_code == 302
    assert response["Location"] == _page(world) + "#planned-leave"
    entry = PlannedLeave.objects.get()
    first = today + dt.timedelta(days=30)
    assert (entry.user_id, entry.start_date, entry.end_date, entry.note) == (
        world["li.rep"].pk,
        first,
        first + dt.timedelta(days=4),
        "Training",
    )
    event = AuditEvent.objects.get(object_type="plannedleave", object_id=entry.pk)
    assert (event.verb, event.actor_id) == ("create", world["zhang.manager"].pk)


def test_with_htmx_the_section_comes_back_with_the_new_row(world, client_as, today):
    response = client_as(world["chen.director"]).post(_add(world), _add_data(today), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card shadow-sm mt-3" id="planned-leave"')
    assert "Planned leave recorded." in html
    entry = PlannedLeave.objects.get()
    assert _rows(html) == [(entry.start_date.isoformat(), entry.end_date.isoformat())]
    assert re.search(r'name="start_date"[^>]*value=', html) is None  # a fresh, empty form
    assert 'hx-post="' + _add(world) + '"' in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_date": "2026-01-05", "end_date": "2026-01-01"},
            "end_date",
            "The last day cannot be before the first day.",
        ),
        (
            {"start_date": "2026-01-01", "end_date": "2027-01-02"},
            "end_date",
            "One entry of leave covers at most 366 days: enter a longer absence as several.",
        ),
        ({"start_date": "not a day"}, "start_date", "Enter a valid date."),
        ({"end_date": ""}, "end_date", "This field is required."),
        (
            {"note": "x" * 201},
            "note",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(
    world, client_as, today, changes, field, message
):
    client = client_as(world["zhang.manager"])
    for extra in ({}, HTMX):  # the whole page, or the section
        response = client.post(_add(world), _add_data(today, **changes), **extra)
        assert response.status_code == 422
        assert _field_errors(response.content.decode()) == {field: [message]}
    assert PlannedLeave.objects.count() == 0


def test_overlapping_leave_is_refused_on_the_first_day(world, client_as, today):
    first = today + dt.timedelta(days=30)
    _leave(world, "li.rep", first, first + dt.timedelta(days=2))
    response = client_as(world["zhang.manager"]).post(
        _add(world),
        _add_data(
            today,
            start_date=(first + dt.timedelta(days=2)).isoformat(),
            end_date=(first + dt.timedelta(days=6)).isoformat(),
        ),
        **HTMX,
    )
    assert response.status_code == 422
    message = (
        f"李娜 Li Na already has planned leave from {first.isoformat()} to "
        f"{(first + dt.timedelta(days=2)).isoformat()}: it overlaps these days."
    )
    assert _field_errors(response.content.decode()) == {"start_date": [message]}
    assert PlannedLeave.objects.count() == 1


def test_a_manager_deletes_leave(world, client_as, today):
    entry = _leave(world, "li.rep", today + dt.timedelta(days=5), today + dt.timedelta(days=6))
    client = client_as(world["zhang.manager"])
    response = client.post(_delete(world, entry))
    assert response.status_code == 302
    assert response["Location"] == _page(world) + "#planned-leave"
    assert PlannedLeave.objects.count() == 0
    event = AuditEvent.objects.get(object_type="plannedleave", object_id=entry.pk)
    assert (event.verb, event.actor_id) == ("delete", world["zhang.manager"].pk)
    again = _leave(world, "li.rep", today, today)
    response = client.post(_delete(world, again), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Planned leave removed." in html and "No planned leave." in html
    assert client.get(_delete(world, again)).status_code == 405


@pytest.mark.parametrize(
    ("login", "status"),
    [
        ("li.rep", 403),  # the person: reads her leave, may not change it
        ("wu.finance", 403),
        ("wang.rep", 404),  # a colleague: may not see her page
        ("zhao.manager", 404),  # another team's manager
        ("zheng.service", 404),
    ],
)
def test_others_cannot_add_or_delete_and_nothing_changes(world, client_as, today, login, status):
    entry = _leave(world, "li.rep", today + dt.timedelta(days=5), today + dt.timedelta(days=6))
    audited = AuditEvent.objects.count()
    client = client_as(world[login])
    assert client.post(_add(world), _add_data(today)).status_code == status
    assert client.post(_add(world), _add_data(today), **HTMX).status_code == status
    assert client.post(_delete(world, entry)).status_code == status
    assert list(PlannedLeave.objects.values_list("pk", flat=True)) == [entry.pk]
    assert AuditEvent.objects.count() == audited


def test_a_manager_cannot_record_his_own_leave(world, client_as, today):
    client = client_as(world["zhang.manager"])
    html = client.get(_page(world, "zhang.manager")).content.decode()
    assert 'id="planned-leave"' in html and 'id="leave-form"' not in html
    assert client.post(_add(world, "zhang.manager"), _add_data(today)).status_code == 403
    assert PlannedLeave.objects.count() == 0


def test_leave_of_another_person_is_not_deleted_through_this_page(world, client_as, today):
    wangs = _leave(world, "wang.rep", today, today)
    client = client_as(world["zhang.manager"])
    assert client.post(_delete(world, wangs, "li.rep")).status_code == 404
    assert PlannedLeave.objects.filter(pk=wangs.pk).exists()


def test_adding_and_deleting_need_the_csrf_token(world, today):
    entry = _leave(world, "li.rep", today, today)
    client = csrf_client(world["zhang.manager"])
    assert client.post(_add(world), _add_data(today)).status_code == 403
    assert client.post(_delete(world, entry)).status_code == 403
    assert list(PlannedLeave.objects.values_list("pk", flat=True)) == [entry.pk]


def test_anonymous_visitors_are_sent_to_sign_in(world, client_as, today):
    entry = _leave(world, "li.rep", today, today)
    response = client_as().post(_add(world), _add_data(today))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_as().post(_delete(world, entry)).status_code == 302
    assert PlannedLeave.objects.count() == 1
