"""Time in whole epoch seconds: office hours, quarter ends, the 春节 weeks, and the text a
database stores for a moment.

Millions of moments are made, so they are integers, not datetimes: the organisation's zone
is taken as a fixed offset from UTC (Asia/Shanghai has had no daylight saving since 1991).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DAY = 86_400
HOUR = 3_600
MINUTE = 60
WORKDAY_START_HOUR = 9
WORKDAY_HOURS = 10  # 09:00–18:59
# 春节, Chinese New Year's day (lunar calendar).
# fmt: off
SPRING_FESTIVAL: dict[int, tuple[int, int]] = {
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}
# fmt: on
# Business slows from a week before the festival to ten days after it.
SLOW_BEFORE_DAYS, SLOW_AFTER_DAYS = 7, 10
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ScaleClock:
    """Everything relative to one `now`, `years` of history back, in the organisation's zone."""

    def __init__(self, *, now: dt.datetime, zone: str, years: int, sqlite: bool) -> None:
        tz = ZoneInfo(zone)
        local_now = now.astimezone(tz).replace(microsecond=0)
        offset = local_now.utcoffset()
        assert offset is not None
        self.zone = tz
        self.offset = int(offset.total_seconds())
        self.now = int(local_now.timestamp())
        self.start = self.now - years * 365 * DAY
        self.today = self.local_day(self.now)
        # Local days the tables below cover: the history, and more than a year ahead.
        self._first_day = self.local_day(self.start) - 400
        last_day = self.today + 500
        self._quarter_end = [0] * (last_day - self._first_day + 1)
        self._slow = bytearray(last_day - self._first_day + 1)
        for day in range(self._first_day, last_day + 1):
            date = _date(day)
            quarter_last_month = (date.month - 1) // 3 * 3 + 3
            first_of_next = dt.date(
                date.year + quarter_last_month // 12, quarter_last_month % 12 + 1, 1
            )
            self._quarter_end[day - self._first_day] = _day_number(first_of_next) - 1
        for year, (month, mday) in SPRING_FESTIVAL.items():
            festival = _day_number(dt.date(year, month, mday))
            for day in range(festival - SLOW_BEFORE_DAYS, festival + SLOW_AFTER_DAYS + 1):
                if self._first_day <= day <= last_day:
                    self._slow[day - self._first_day] = 1
        # Text of a moment as the database stores it: UTC, whole seconds (see `text`).
        suffix = "" if sqlite else "+00"
        self._time_text = [
            f"{s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}{suffix}" for s in range(DAY)
        ]
        first_utc_day = self._first_day - 1
        self._first_utc_day = first_utc_day
        self._day_text = [
            f"{_date(day).isoformat()} " for day in range(first_utc_day, last_day + 2)
        ]
        self._date_text = [_date(day).isoformat() for day in range(self._first_day, last_day + 1)]

    # -- days ---------------------------------------------------------------------------

    def local_day(self, moment: int) -> int:
        """Days since 1970-01-01 of the local calendar date of `moment`."""
        return (moment + self.offset) // DAY

    def at(self, day: int, hour: int, minute: int = 0) -> int:
        """A wall-clock time of the local `day`."""
        return day * DAY + hour * HOUR + minute * MINUTE - self.offset

    def is_slow(self, moment: int) -> bool:
        """In the 春节 weeks, when little is bought or sold."""
        return self._slow[self.local_day(moment) - self._first_day] == 1

    def quarter_end(self, moment: int) -> int:
        """The local day number of the last day of `moment`'s quarter."""
        return self._quarter_end[self.local_day(moment) - self._first_day]

    def office(self, moment: int) -> int:
        """`moment` moved into the office hours of a working day (as demo.clock does): a
        weekend moves back into the week before it, spread by the minute."""
        local = moment + self.offset
        day, second = divmod(local, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            day -= weekday - 4 + (second // MINUTE) % 5
        hour = second // HOUR
        if not WORKDAY_START_HOUR <= hour < WORKDAY_START_HOUR + WORKDAY_HOURS:
            hour = WORKDAY_START_HOUR + hour % WORKDAY_HOURS
        return day * DAY + hour * HOUR + second % HOUR - self.offset

    def next_workday(self, day: int) -> int:
        weekday = (day + 3) % 7
        return day + (7 - weekday if weekday >= 5 else 0)

    # -- text for the database ------------------------------------------------------------

    def text(self, moment: int) -> str:
        """What Django writes for an aware datetime: UTC, 'YYYY-MM-DD HH:MM:SS' on SQLite
        (str() of the naive UTC value, whole seconds) and with '+00' for PostgreSQL."""
        day, second = divmod(moment, DAY)
        return self._day_text[day - self._first_utc_day] + self._time_text[second]

    def date_text(self, day: int) -> str:
        """A local date, 'YYYY-MM-DD'."""
        return self._date_text[day - self._first_day]

    def aware(self, moment: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(moment, tz=self.zone)


def _date(day: int) -> dt.date:
    return (_EPOCH + dt.timedelta(days=day)).date()


def _day_number(date: dt.date) -> int:
    return (date - _EPOCH.date()).days
