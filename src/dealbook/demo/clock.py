"""Time for the demo: everything is placed relative to one `now`, in the organisation's zone."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WORKDAY_START_HOUR = 9
WORKDAY_HOURS = 10  # 09:00–18:59


@dataclass(frozen=True)
class Clock:
    now: dt.datetime  # aware, whole seconds, in `zone`
    zone: ZoneInfo

    @classmethod
    def at(cls, now: dt.datetime, zone: str) -> Clock:
        tz = ZoneInfo(zone)
        return cls(now=now.astimezone(tz).replace(microsecond=0), zone=tz)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def month_end(self) -> dt.date:
        first_of_next = (self.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return first_of_next - dt.timedelta(days=1)

    def days_ago(self, days: float) -> dt.datetime:
        return self.now - dt.timedelta(seconds=int(days * 86400))

    def on(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time of `day` in the organisation's zone."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def next_workday(self, day: dt.date) -> dt.date:
        """The same day, or the Monday after when it falls on a weekend (for planned work)."""
        return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)

    def office_time(self, moment: dt.datetime) -> dt.datetime:
        """A past `moment` moved into office hours of a working day (sales happen on weekdays).

        A weekend moment moves back into the week before it, spread over its five days by
        the minute, so no weekday collects the weekends.
        """
        local = moment.astimezone(self.zone)
        day = local.date()
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4 + local.minute % 5)
        hour = (
            local.hour
            if WORKDAY_START_HOUR <= local.hour < 19
            else WORKDAY_START_HOUR + local.hour % WORKDAY_HOURS
        )
        return self.on(day, hour, local.minute).replace(second=local.second)

    def random_office_time(self, rng: random.Random, day: dt.date) -> dt.datetime:
        return self.on(
            self.next_workday(day),
            rng.randrange(WORKDAY_START_HOUR, 18),
            rng.choice((0, 15, 30, 45)),
        )


def timeline(clock: Clock, raw: list[dt.datetime]) -> list[dt.datetime]:
    """Strictly increasing moments in office hours, none later than the clock's `now`.

    `raw` must already be strictly increasing and in the past; when moving a moment into
    office hours would break either rule, the raw moments are kept as they are.
    """
    moved = [clock.office_time(moment) for moment in raw]
    in_order = all(a < b for a, b in itertools.pairwise(moved))
    if in_order and (not moved or moved[-1] <= clock.now):
        return moved
    return raw
