"""Planned leave: who reads and who records it (policies), the scoped reads (selectors), and
the validated, audited writes (services) — for the person, their manager, a manager of
another team, a colleague, the director, admin, finance, service and another organisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q

from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.core.models import AuditEvent
from dealbook.targets import policies, selectors, services
from dealbook.targets.capacity import members_of
from dealbook.targets.models import PlannedLeave
from dealbook.targets.periods import Period, PeriodKind

pytestmark = pytest.mark.django_db

JULY_1 = dt.date(2026, 7, 1)  # a Wednesday


def _leave(world, login, start, end, note=""):
    return PlannedLeave.objects.create(
        org=world.org, user=world[login], start_date=start, end_date=end, note=note
    )


@pytest.fixture
def leave(world):
    """One entry each for li.rep and wang.rep (East), liu.rep (South) and zhang.manager."""
    return {
        "li.rep": _leave(world, "li.rep", dt.date(2026, 7, 6), dt.date(2026, 7, 10), "Holiday"),
        "wang.rep": _leave(world, "wang.rep", dt.date(2026, 8, 3), dt.date(2026, 8, 4)),
        "liu.rep": _leave(world, "liu.rep", dt.date(2026, 6, 29), dt.date(2026, 7, 3)),
        "zhang.manager": _leave(world, "zhang.manager", dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
    }


# --- who reads --------------------------------------------------------------------------------

READS = {
    "li.rep": {"li.rep"},
    "wang.rep": {"wang.rep"},
    "zhang.manager": {"li.rep", "wang.rep", "zhang.manager"},
    "zhao.manager": {"liu.rep"},
    "chen.director": {"li.rep", "wang.rep", "liu.rep", "zhang.manager"},
    "admin": {"li.rep", "wang.rep", "liu.rep", "zhang.manager"},
    "wu.finance": {"li.rep", "wang.rep", "liu.rep", "zhang.manager"},
    "zheng.service": set(),
    "feng.marketing": set(),
    "he.product": set(),
    "acme.admin": set(),
}


@pytest.mark.parametrize("persona", list(READS))
def test_each_role_reads_the_leave_of_whose_targets_it_reads(persona, world, leave):
    actor = world[persona]
    listed = list(selectors.planned_leave_list(actor=actor))
    assert {entry.pk for entry in listed} == {leave[login].pk for login in READS[persona]}
    for login, entry in leave.items():
        if login in READS[persona]:
            assert selectors.planned_leave_get(actor=actor, leave_id=entry.pk) == entry
        else:
            with pytest.raises(NotFound):
                selectors.planned_leave_get(actor=actor, leave_id=entry.pk)


def test_the_list_is_earliest_first_and_filters_by_person_and_window(world, leave):
    director = world["chen.director"]
    assert [e.pk for e in selectors.planned_leave_list(actor=director)] == [
        leave[login].pk for login in ("liu.rep", "li.rep", "wang.rep", "zhang.manager")
    ]
    li = world["li.rep"]
    assert list(selectors.planned_leave_list(actor=director, user_id=li.pk)) == [leave["li.rep"]]
    # The window takes leave that shares a day with it, both ends included.
    window = selectors.planned_leave_list(
        actor=director, from_date=dt.date(2026, 7, 3), to_date=dt.date(2026, 7, 6)
    )
    assert list(window) == [leave["liu.rep"], leave["li.rep"]]
    after = selectors.planned_leave_list(actor=director, from_date=dt.date(2026, 8, 4))
    assert list(after) == [leave["wang.rep"], leave["zhang.manager"]]
    before = selectors.planned_leave_list(actor=director, to_date=dt.date(2026, 6, 29))
    assert list(before) == [leave["liu.rep"]]
    # A person the actor may not read: nothing, whatever the filter.
    assert list(selectors.planned_leave_list(actor=li, user_id=world["wang.rep"].pk)) == []


# --- who records --------------------------------------------------------------------------------

# persona → the people whose leave they may record (and remove)
WRITES = {
    "li.rep": set(),
    "wang.rep": set(),
    "zhang.manager": {"li.rep", "wang.rep"},  # his team, not himself
    "zhao.manager": {"liu.rep"},
    "chen.director": {"li.rep", "wang.rep", "liu.rep", "zhang.manager", "chen.director"},
    "admin": {"li.rep", "wang.rep", "liu.rep", "zhang.manager", "chen.director"},
    "wu.finance": set(),
    "zheng.service": set(),
}
PEOPLE = ("li.rep", "wang.rep", "liu.rep", "zhang.manager", "chen.director")


@pytest.mark.parametrize("persona", list(WRITES))
def test_who_may_record_whose_leave(persona, world):
    for login in PEOPLE:
        allowed = login in WRITES[persona]
        assert selectors.can_set_leave(actor=world[persona], user_id=world[login].pk) is allowed
        if not allowed:
            with pytest.raises(PermissionDenied):
                policies.check_can_set_leave(world[persona], world[login].pk)


@pytest.mark.parametrize(
    ("persona", "login"),
    [("zhang.manager", "li.rep"), ("chen.director", "zhang.manager"), ("admin", "liu.rep")],
)
def test_recording_leave_is_audited(persona, login, world):
    actor, person = world[persona], world[login]
    made = services.planned_leave_create(
        actor=actor,
        user_id=person.pk,
        start_date=dt.date(2026, 7, 6),
        end_date=dt.date(2026, 7, 17),
        note="  Annual leave ",
    )
    stored = PlannedLeave.objects.get()
    assert (stored.pk, stored.org_id, stored.user_id, stored.note) == (
        made.pk,
        world.org.pk,
        person.pk,
        "Annual leave",
    )
    assert stored.working_days == 10
    event = AuditEvent.objects.get(object_type="plannedleave", object_id=made.pk)
    assert (event.verb, event.actor_id, event.org_id) == ("create", actor.pk, world.org.pk)
    assert event.changes == {
        "user_id": [None, person.pk],
        "start_date": [None, "2026-07-06"],
        "end_date": [None, "2026-07-17"],
        "note": [None, "Annual leave"],
    }


@pytest.mark.parametrize(
    ("persona", "login"),
    [
        ("li.rep", "li.rep"),  # the person themself
        ("wang.rep", "li.rep"),  # a colleague
        ("zhao.manager", "li.rep"),  # a manager of another team
        ("zhang.manager", "zhang.manager"),  # a manager's own leave: the manager above records it
        ("wu.finance", "li.rep"),
        ("zheng.service", "li.rep"),
    ],
)
def test_refused_recording_changes_nothing(persona, login, world):
    audited = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.planned_leave_create(
            actor=world[persona],
            user_id=world[login].pk,
            start_date=JULY_1,
            end_date=JULY_1,
        )
    assert PlannedLeave.objects.count() == 0
    assert AuditEvent.objects.count() == audited


def test_another_organisations_person_is_an_unknown_user(world):
    with pytest.raises(DomainError) as refused:
        services.planned_leave_create(
            actor=world["acme.admin"],
            user_id=world["li.rep"].pk,
            start_date=JULY_1,
            end_date=JULY_1,
        )
    assert (refused.value.status, refused.value.field) == (422, "user_id")
    assert PlannedLeave.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "note", "field", "code"),
    [
        (dt.date(2026, 7, 10), dt.date(2026, 7, 9), "", "end_date", "ends_before_start"),
        (dt.date(2026, 1, 1), dt.date(2027, 1, 2), "", "end_date", "too_long"),  # 367 days
        (dt.date(1999, 12, 31), dt.date(2000, 1, 3), "", "start_date", "out_of_range"),
        (dt.date(2199, 12, 30), dt.date(2200, 1, 1), "", "end_date", "out_of_range"),
        (JULY_1, JULY_1, "x" * 201, "note", "too_long"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, start, end, note, field, code):
    audited = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.planned_leave_create(
            actor=world["zhang.manager"],
            user_id=world["li.rep"].pk,
            start_date=start,
            end_date=end,
            note=note,
        )
    assert (refused.value.status, refused.value.field, refused.value.code) == (422, field, code)
    assert PlannedLeave.objects.count() == 0
    assert AuditEvent.objects.count() == audited


def test_a_year_of_leave_and_a_single_day_are_accepted(world):
    zhang, li = world["zhang.manager"], world["li.rep"]
    year = services.planned_leave_create(
        actor=zhang, user_id=li.pk, start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31)
    )
    day = services.planned_leave_create(
        actor=zhang, user_id=li.pk, start_date=dt.date(2028, 2, 29), end_date=dt.date(2028, 2, 29)
    )
    assert (year.working_days, day.working_days) == (261, 1)


def test_overlapping_leave_of_the_same_person_is_refused(world, leave):
    zhang, li = world["zhang.manager"], world["li.rep"]
    audited = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.planned_leave_create(  # shares 10 July with 6–10 July
            actor=zhang,
            user_id=li.pk,
            start_date=dt.date(2026, 7, 10),
            end_date=dt.date(2026, 7, 14),
        )
    assert (refused.value.status, refused.value.field, refused.value.code) == (
        409,
        "start_date",
        "overlap",
    )
    assert "from 2026-07-06 to 2026-07-10" in refused.value.message
    assert PlannedLeave.objects.filter(user=li).count() == 1
    assert AuditEvent.objects.count() == audited
    # The day after, and the same days for a colleague, are fine.
    services.planned_leave_create(
        actor=zhang, user_id=li.pk, start_date=dt.date(2026, 7, 11), end_date=dt.date(2026, 7, 12)
    )
    services.planned_leave_create(
        actor=zhang,
        user_id=world["wang.rep"].pk,
        start_date=dt.date(2026, 7, 6),
        end_date=dt.date(2026, 7, 10),
    )
    assert PlannedLeave.objects.count() == 6


def test_removing_leave_is_audited(world, leave):
    entry = leave["li.rep"]
    services.planned_leave_delete(actor=world["zhang.manager"], leave_id=entry.pk)
    assert not PlannedLeave.objects.filter(pk=entry.pk).exists()
    event = AuditEvent.objects.get(object_type="plannedleave", object_id=entry.pk)
    assert (event.verb, event.actor_id) == ("delete", world["zhang.manager"].pk)
    assert event.changes == {
        "user_id": [world["li.rep"].pk, None],
        "start_date": ["2026-07-06", None],
        "end_date": ["2026-07-10", None],
    }


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("li.rep", PermissionDenied),  # sees her leave, may not remove it
        ("wu.finance", PermissionDenied),  # reads everyone's, changes nothing
        ("wang.rep", NotFound),  # may not see it
        ("zhao.manager", NotFound),
        ("zheng.service", NotFound),
        ("acme.admin", NotFound),
    ],
)
def test_refused_removal_changes_nothing(persona, error, world, leave):
    audited = AuditEvent.objects.count()
    with pytest.raises(error):
        services.planned_leave_delete(actor=world[persona], leave_id=leave["li.rep"].pk)
    assert PlannedLeave.objects.count() == 4
    assert AuditEvent.objects.count() == audited


def test_recorded_leave_takes_working_days_from_capacity(world):
    """What the recommendation and the cascade by capacity read: two weeks away across the
    end of a quarter are the working days inside it for the person, none for a colleague.
    (Next year's quarter: the personas' accounts, created today, count from today.)"""
    li, wang = world["li.rep"], world["wang.rep"]
    year = dt.date.today().year + 1  # noqa: DTZ011 - a year ahead of any time zone's today
    quarter = Period(
        kind=PeriodKind.QUARTER,
        fiscal_year=year,
        index=3,
        start=dt.date(year, 7, 1),
        end=dt.date(year, 10, 1),
    )
    first, last = dt.date(year, 9, 24), dt.date(year, 10, 7)
    services.planned_leave_create(
        actor=world["zhang.manager"], user_id=li.pk, start_date=first, end_date=last
    )
    inside = [first + dt.timedelta(days=n) for n in range(7)]  # 24 to 30 September
    expected = sum(1 for day in inside if day.weekday() < 5)
    members = members_of(world.org, Q(pk__in=[li.pk, wang.pk]), quarter)
    assert members[li.pk].leave_days == Decimal(expected) > 0
    assert members[wang.pk].leave_days == Decimal(0)
