"""Rules of the working calendar: it must cover the year it is used in, and say so in time.

A year counts as covered only when `calendar.years` lists it: the person who copies the State
Council's notice into policy.yaml declares it done. Guessing from the holidays present would
call a year covered after its first holiday was typed in, or because of one stray date.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator

from erpops import clock
from erpops.diagnostics import WARNING, Diagnostic
from erpops.i18n import t
from erpops.policy import Policy
from erpops.rules import at
from erpops.rules.ticket_sla import clocks
from erpops.ticket import DONE, Ticket
from erpops.worktime import uncovered_years

if TYPE_CHECKING:
    from erpops.repository import Repository


# The line of `calendar.years`; where the list is still missing, the line of `calendar:`.
WHERE = ("calendar", "years")


def _covered(p: Policy) -> str:
    years = sorted(p.calendar.years)
    return t("list.sep").join(map(str, years)) if years else t("calendar.none")


def not_covered(p: Policy, today: dt.date) -> Iterator[Diagnostic]:
    """Today lies in a year the calendar does not cover: every holiday of it counts as working time."""
    if p.src is None or p.calendar.covers(today):
        return
    yield at(p.src, WHERE, "calendar-not-covered", year=today.year, today=today.isoformat(),
             covered=_covered(p))


def next_year(p: Policy, today: dt.date) -> Iterator[Diagnostic]:
    """From `calendar.warn_next_year_from` (default 1 November), warn while next year is missing."""
    cal = p.calendar
    if p.src is None or not cal.covers(today) or today.year + 1 in cal.years:
        return
    month, day = cal.warn_next_year_from
    if (today.month, today.day) < (month, day):
        return
    yield at(p.src, WHERE, "calendar-next-year", WARNING, year=today.year + 1,
             since=f"{month:02d}-{day:02d}", covered=_covered(p))


def dates_in_years(p: Policy) -> Iterator[Diagnostic]:
    """Holidays and make-up days of a year that `calendar.years` does not list: the year was
    entered but not declared, or a date has a typo in its year."""
    if p.src is None or not isinstance(p.src.doc.data, dict):
        return
    cal = p.src.doc.data.get("calendar")
    cal = cal if isinstance(cal, dict) else {}
    seen: set[int] = set()
    for name, field in (("holidays", "from"), ("make_up_days", "date")):
        items = cal.get(name)
        for i, item in enumerate(items if isinstance(items, list) else []):
            value = item.get(field) if isinstance(item, dict) else None
            year = _year(value)
            if year is not None and year not in p.calendar.years and year not in seen:
                seen.add(year)
                yield at(p.src, ("calendar", name, i, field), "calendar-year-undeclared", WARNING,
                         year=year, date=str(value))


def _year(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text[:4]) if len(text) >= 10 and text[:4].isdigit() and text[4] == "-" else None


# Where the SLA warnings of rules/ticket_sla.py stand, so that the note sits next to them.
SLA_FIELDS = {"respond": ("opened",), "resolve": ("status",)}


def sla_uncovered(repo: Repository, now: dt.datetime) -> Iterator[Diagnostic]:
    """An SLA finding (breach or at risk) whose clock runs through a year the calendar does not
    cover says so: the working hours it reports count that year's holidays as working days."""
    p = repo.policy
    opened = [tk.opened for tk in repo.tickets if tk.opened is not None and tk.opened.tzinfo is not None]
    if not any_uncovered(p, opened, now):
        return  # every clock runs inside covered years: nothing to recompute
    for tk in repo.tickets:
        yield from sla_uncovered_one(p, tk, now)


def any_uncovered(p: Policy, opened: list[dt.datetime], now: dt.datetime) -> bool:
    """Whether any clock can run through an uncovered year: from the first ticket opened (aware
    times `opened`) to `now`."""
    return bool(opened) and bool(uncovered_years(p.calendar, min(opened), now))


def sla_uncovered_one(p: Policy, tk: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """sla_uncovered for one ticket, once any_uncovered said some clock may run in such a year."""
    if tk.opened is None or tk.opened.tzinfo is None:
        return
    last = max((e.at for e in tk.history if e.at is not None and e.at.tzinfo is not None), default=now)
    if not uncovered_years(p.calendar, tk.opened, now if tk.status not in DONE else last):
        return  # its clocks run inside covered years
    years: set[int] = set()
    line = None
    for c in clocks(p, tk, now):
        if c.breached or (c.running and not getattr(c, "held", False) and c.used >= p.warn_at * c.limit):
            found = uncovered_years(p.calendar, tk.opened, c.end)
            years.update(found)
            line = line or (found and SLA_FIELDS[c.what])
    if years:
        yield at(tk.src, line, "ticket-sla-uncovered", WARNING, years=tuple(sorted(years)))


def check(repo: Repository, now: dt.datetime | None = None) -> list[Diagnostic]:
    """The calendar's coverage as of `now` (default $ERPOPS_NOW or the present, in the calendar's zone)."""
    p = repo.policy
    if p is None or p.src is None:
        return []
    now = now or clock.now(p.calendar.tz)
    return check_policy(repo, now) + list(sla_uncovered(repo, now))


def check_policy(repo: Repository, now: dt.datetime) -> list[Diagnostic]:
    """The calendar rules that look at the policy alone (check without sla_uncovered)."""
    p = repo.policy
    if p is None or p.src is None:
        return []
    today = now.astimezone(p.calendar.tz).date()
    return list(not_covered(p, today)) + list(next_year(p, today)) + list(dates_in_years(p))
