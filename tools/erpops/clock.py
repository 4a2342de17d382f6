"""Today's date, injectable: ERPOPS_TODAY=YYYY-MM-DD pins it for tests and reproducible runs."""
from __future__ import annotations

import datetime as dt
import os

from erpops.errors import FatalError
from erpops.i18n import t


# The years a date in the repository, `--at` or `--month` may name. Dates of year 1 or 9999 cannot
# be moved to another time zone (OverflowError) nor have a month added; nothing in ERP operations
# happens before 1900 or after 2999, so such a date is a typing error to report, not to compute with.
MIN_YEAR, MAX_YEAR = 1900, 2999


def in_range(value: dt.date) -> bool:
    """Whether the date or instant `value` lies within MIN_YEAR..MAX_YEAR (an instant: in UTC too)."""
    if MIN_YEAR < value.year < MAX_YEAR:
        return True  # a UTC offset (under a day) cannot move it out of range
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return False
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return MIN_YEAR <= value.astimezone(dt.timezone.utc).year <= MAX_YEAR
    return True


def today() -> dt.date:
    """The date rules compare against: $ERPOPS_TODAY if set, else the local calendar date."""
    pinned = os.environ.get("ERPOPS_TODAY", "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise FatalError(t("clock.bad-today", value=pinned)) from None


def parse_date(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD date, or None when absent or malformed (the schema reports malformed)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def now(tz: dt.tzinfo) -> dt.datetime:
    """The instant SLA clocks run to: $ERPOPS_NOW (ISO date-time with offset) if set, else now in `tz`."""
    pinned = os.environ.get("ERPOPS_NOW", "").strip()
    if not pinned:
        return dt.datetime.now(tz)
    try:
        value = dt.datetime.fromisoformat(pinned)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise FatalError(t("clock.bad-now", value=pinned))
    return value.astimezone(tz)
