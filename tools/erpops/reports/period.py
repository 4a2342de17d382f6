"""Which days a month's record form covers, and when it is due, from the policy.

The form of month M covers the day after the previous month's close day up to M's close day
(default: the 26th of M-1 to the 25th of M), so that it can be handed in by M's due day (the 28th),
as the rulebook asks: "handed to the ops office by the 28th of the month".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from erpops import clock
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.policy import Policy

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    month: str  # YYYY-MM
    first: dt.date  # first day covered
    last: dt.date  # last day covered
    due: dt.date  # handed in on time up to the end of this day
    tz: dt.tzinfo

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period."""
        return dt.datetime.combine(self.first, dt.time(0), self.tz)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (exclusive)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), self.tz)

    @property
    def due_end(self) -> dt.datetime:
        """The first instant after the due day: a form committed before it is on time."""
        return dt.datetime.combine(self.due + dt.timedelta(days=1), dt.time(0), self.tz)

    def closed(self, today: dt.date) -> bool:
        return today > self.last

    def previous(self, policy: Policy) -> Period:
        year, month = _shift(self.last.year, self.last.month, -1)
        return period(policy, f"{year:04d}-{month:02d}")


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def period(policy: Policy, month: str) -> Period:
    """The Period of `month` (YYYY-MM) under `policy`."""
    found = _MONTH.match(month.strip()) if isinstance(month, str) else None
    if not found:
        raise FatalError(t("report.bad-month", value=month))
    year, mon = int(found.group(1)), int(found.group(2))
    if not clock.MIN_YEAR <= year <= clock.MAX_YEAR:
        raise FatalError(t("report.month-range", value=month, min=clock.MIN_YEAR, max=clock.MAX_YEAR))
    close, due = policy.report_close_day, policy.report_due_day
    py, pm = _shift(year, mon, -1)
    return Period(
        month=f"{year:04d}-{mon:02d}",
        first=dt.date(py, pm, close) + dt.timedelta(days=1),
        last=dt.date(year, mon, close),
        due=dt.date(year, mon, due),
        tz=policy.calendar.tz,
    )


def latest_closed(policy: Policy, today: dt.date) -> Period:
    """The most recent period that has ended by `today`: the one to hand in next."""
    year, mon = today.year, today.month
    if today.day <= policy.report_close_day:
        year, mon = _shift(year, mon, -1)
    return period(policy, f"{year:04d}-{mon:02d}")
