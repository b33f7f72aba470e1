"""Capacity inputs of a recommendation or a cascade: who sells for a subject, since when,
until when, and how many working days of planned leave they have in the period.

A person belongs from the day their account was created (`date_joined`) — or from the day
of their first won deal when that is earlier (records imported from before the account
existed) — and, once deactivated, until the day of their last won deal. There is no hire
date or leaving date field: these are the closest facts the database holds. The ramp-up
starts on the same day. Three queries, whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Max, Min, Q

from dealbook.org.models import Organization, User
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.enums import DealStatus
from dealbook.targets.models import PlannedLeave
from dealbook.targets.recommend import Member, PeriodLike, working_days
from dealbook.targets.subjects import SELLING_ROLES


def _leave_days(
    spans: Iterable[tuple[dt.date, dt.date]], period: PeriodLike, member: Member
) -> Decimal:
    """Working days of leave inside the period and inside the member's time in the subject."""
    first_day = max(period.start, member.start)
    last_day = period.end - dt.timedelta(days=1)
    if member.end is not None:
        last_day = min(last_day, member.end)
    days = 0
    for start, end in spans:
        days += working_days(max(start, first_day), min(end, last_day))
    return Decimal(days)


def members_of(
    org: Organization,
    people: Q,
    period: PeriodLike,
    *,
    always: Iterable[int] = (),
) -> dict[int, Member]:
    """The sellers among the organisation's users matching `people`, as recommendation
    members for `period`, by user id. A user counts when their role sells or they have won
    deals; the ids in `always` count regardless (a person's own target)."""
    zone = ZoneInfo(org.time_zone)
    rows = list(
        User.objects.filter(people, org_id=org.pk).values_list(
            "pk", "date_joined", "is_active", "role"
        )
    )
    if not rows:
        return {}
    ids = frozenset(pk for pk, *_rest in rows)
    wins = {
        owner_id: (first.astimezone(zone).date(), last.astimezone(zone).date())
        for owner_id, first, last in pipeline_selectors.deals_of(org_id=org.pk or 0, owners=ids)
        .filter(status=DealStatus.WON, closed_at__isnull=False)
        .order_by()
        .values("owner_id")
        .annotate(first=Min("closed_at"), last=Max("closed_at"))
        .values_list("owner_id", "first", "last")
    }
    leave: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for user_id, leave_start, leave_end in PlannedLeave.objects.filter(
        org_id=org.pk,
        user_id__in=sorted(ids),
        start_date__lt=period.end,
        end_date__gte=period.start,
    ).values_list("user_id", "start_date", "end_date"):
        leave.setdefault(user_id, []).append((leave_start, leave_end))
    forced = set(always)
    members: dict[int, Member] = {}
    for pk, joined_at, is_active, role in rows:
        joined = joined_at.astimezone(zone).date()
        first_win, last_win = wins.get(pk, (None, None))
        if pk not in forced and role not in SELLING_ROLES and first_win is None:
            continue
        start = min(joined, first_win) if first_win else joined
        end = None if is_active else max(last_win or start, start)
        if not is_active and last_win is None and pk not in forced:
            continue  # left without ever selling: no capacity to count
        member = Member(key=pk, start=start, end=end, ramp_from=start)
        if leave.get(pk):
            member = Member(
                key=pk,
                start=start,
                end=end,
                ramp_from=start,
                leave_days=_leave_days(leave[pk], period, member),
            )
        members[pk] = member
    return members
