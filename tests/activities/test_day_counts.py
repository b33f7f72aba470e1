"""The completed-activities roll-ups (ActivityDayCount, ActivityWeekCount) equal a live count
per owner, local day or week (Asia/Shanghai, weeks from Monday) and kind after every kind of
write."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from django.db import connection

from dealbook.activities import rollup, services
from dealbook.activities.models import Activity, ActivityDayCount, ActivityWeekCount
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def live_counts() -> dict[tuple, int]:
    counts: Counter = Counter()
    for org_id, owner_id, kind, done in Activity.objects.exclude(completed_at=None).values_list(
        "org_id", "owner_id", "kind", "completed_at"
    ):
        counts[(org_id, owner_id, done.astimezone(SHANGHAI).date(), kind)] += 1
    return dict(counts)


def rolled_up() -> dict[tuple, int]:
    return {
        (row.org_id, row.owner_id, row.day, row.kind): row.activity_count
        for row in ActivityDayCount.objects.exclude(activity_count=0)
    }


def live_week_counts() -> dict[tuple, int]:
    counts: Counter = Counter()
    for (org_id, owner_id, day, kind), count in live_counts().items():
        counts[(org_id, owner_id, day - dt.timedelta(days=day.weekday()), kind)] += count
    return dict(counts)


def rolled_up_weeks() -> dict[tuple, int]:
    return {
        (row.org_id, row.owner_id, row.week, row.kind): row.activity_count
        for row in ActivityWeekCount.objects.exclude(activity_count=0)
    }


def assert_rolled_up() -> None:
    assert rolled_up() == live_counts()
    assert rolled_up_weeks() == live_week_counts()


def test_the_day_is_the_organisations_local_day(world):
    li = world["li.rep"]
    # 23:30 on Sunday 22 November in Shanghai is 15:30 UTC; 00:30 on Monday is Sunday 16:30 UTC.
    late_sunday = dt.datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    early_monday = dt.datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI)
    account = AccountFactory(owner=li)
    for moment in (late_sunday, early_monday, early_monday):
        ActivityFactory(owner=li, account=account, occurred_at=moment, completed_at=moment)
    assert rolled_up() == {
        (li.org_id, li.pk, dt.date(2026, 11, 22), "call"): 1,
        (li.org_id, li.pk, dt.date(2026, 11, 23), "call"): 2,
    }
    # Sunday closes the week of Monday 16 November; Monday opens the next.
    assert rolled_up_weeks() == {
        (li.org_id, li.pk, dt.date(2026, 11, 16), "call"): 1,
        (li.org_id, li.pk, dt.date(2026, 11, 23), "call"): 2,
    }


def test_every_day_of_a_week_counts_in_that_week(world):
    """Monday 00:00 to Sunday 23:59 in Shanghai, across a month's and a year's end."""
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    monday = dt.date(2026, 12, 28)  # the week runs into 2027
    for offset in range(7):
        for hour, minute in ((0, 0), (23, 59)):
            day = monday + dt.timedelta(days=offset)
            moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
            ActivityFactory(owner=li, account=account, occurred_at=moment, completed_at=moment)
    assert rolled_up_weeks() == {(li.org_id, li.pk, monday, "call"): 14}
    assert_rolled_up()


def test_roll_up_follows_every_write(world):
    li, wang = world["li.rep"], world["wang.rep"]
    account = AccountFactory(owner=li)
    logged = [
        services.activity_log(actor=li, kind=kind, subject=f"{kind} {n}", account_id=account.pk)
        for n, kind in enumerate(("call", "visit", "meeting", "call"))
    ]
    task = services.activity_log(
        actor=li,
        kind="task",
        subject="Send the quote",
        account_id=account.pk,
        due_at=dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI),
    )
    assert_rolled_up()
    assert sum(rolled_up().values()) == sum(1 for a in logged if a.completed_at) > 0

    services.activity_complete(actor=li, activity_id=task.pk)
    assert_rolled_up()
    task.refresh_from_db()
    services.activity_reopen(actor=li, activity_id=task.pk, version=task.version)
    assert_rolled_up()

    first = Activity.objects.get(pk=logged[0].pk)
    services.activity_update(
        actor=li, activity_id=first.pk, version=first.version, values={"kind": "meeting"}
    )
    assert_rolled_up()

    # Paths that skip the services: a bulk update of owner and completion time, a delete.
    Activity.objects.filter(pk=logged[1].pk).update(
        owner=wang, completed_at=dt.datetime(2025, 1, 1, 20, tzinfo=dt.UTC)
    )
    assert_rolled_up()
    Activity.objects.filter(pk=logged[2].pk).update(subject="Only the subject")
    assert_rolled_up()
    services.activity_delete(actor=li, activity_id=logged[3].pk)
    Activity.objects.filter(pk=logged[2].pk).delete()
    assert_rolled_up()


def test_install_rebuilds_what_drifted(world):
    li = world["li.rep"]
    account = AccountFactory(owner=li)
    for _ in range(3):
        ActivityFactory(owner=li, account=account)
    ActivityDayCount.objects.update(activity_count=99)
    ActivityWeekCount.objects.update(activity_count=99)
    assert rolled_up() != live_counts()
    assert rolled_up_weeks() != live_week_counts()
    rollup.install(connection)
    assert_rolled_up()
