"""Working time by the policy's calendar: how much lies between two instants, and adding some."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from erpops.policy import Calendar

MAX_DAYS = 3700  # about ten years: a calendar with no working day at all must not loop forever


@lru_cache(maxsize=1 << 16)
def _periods(cal: Calendar, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The working periods of `day` (memoised: a check asks for the same days ~160,000 times)."""
    if not cal.is_working_day(day):
        return ()
    tz = cal.tz
    return tuple((dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz)) for a, b in cal.working_hours)


def _local(cal: Calendar, instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place on the calendar")
    return instant.astimezone(cal.tz)


def working_seconds(cal: Calendar, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of working time in [start, end); 0 when end is not after start."""
    start, end = _local(cal, start), _local(cal, end)
    if end <= start:
        return 0.0
    total = 0.0
    day = start.date()
    while day <= end.date():
        for a, b in _periods(cal, day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total


def working_hours(cal: Calendar, start: dt.datetime, end: dt.datetime) -> float:
    return working_seconds(cal, start, end) / 3600


def add_working_hours(cal: Calendar, start: dt.datetime, hours: float) -> dt.datetime:
    """The instant when `hours` of working time have passed since `start` (in the calendar's zone)."""
    left = dt.timedelta(hours=hours)
    at = _local(cal, start)
    if left <= dt.timedelta(0):
        return at
    day = at.date()
    for _ in range(MAX_DAYS):
        for a, b in _periods(cal, day):
            lo = max(a, at)
            if b <= lo:
                continue
            if b - lo >= left:
                return lo + left
            left -= b - lo
        day += dt.timedelta(days=1)
    raise ValueError("the calendar has no working time")


def uncovered_years(cal: Calendar, start: dt.datetime, end: dt.datetime) -> tuple[int, ...]:
    """The years of [start, end] (local dates) whose holidays the calendar does not declare
    entered: working time counted there treats every holiday as an ordinary working day."""
    first, last = _local(cal, start).date().year, _local(cal, end).date().year
    return tuple(y for y in range(first, last + 1) if y not in cal.years)
