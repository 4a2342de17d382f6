"""The rulebook as data: tiers, ticket types, SLA targets, the working calendar, the report period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from erpops.model import Source
from erpops.ticket import HOLD_REASONS
from erpops.yamlio import Document

TIERS = ("key-user", "business-admin", "erp-admin", "vendor")
PRIORITIES = ("P1", "P2", "P3", "P4")
# pr-check: what only the ops office may change (gitignore-like), and the logins that are bots.
PROTECTED_PATHS = ("roster/", "policy.yaml", "tools/", ".github/", ".ci/", "tests/", "pyproject.toml",
                   "requirements*.txt", "mkdocs*.yml", "Makefile", "docs/rules/", "CODEOWNERS",
                   ".gitlab/", ".gitlab-ci.yml", ".gitea/")
BOTS = ("github-actions[bot]",)
# The forge the repository is hosted on: the default of `--forge` (CODEOWNERS, issue form).
FORGES = ("github", "gitlab", "gitea")


@dataclass(frozen=True)
class TicketType:
    id: str
    name: str
    min_tier: str
    name_en: str | None = None

    def display(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class SlaTarget:
    respond_hours: float
    resolve_hours: float


@lru_cache(maxsize=None)
def _zone(name: str) -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: China keeps +08:00 all year
        return dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Calendar:
    """When the clock of an SLA runs: working periods on working days, in one time zone."""

    time_zone: str = "Asia/Shanghai"
    working_hours: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
    working_weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[dt.date] = frozenset()
    make_up_days: frozenset[dt.date] = frozenset()
    # The years whose official holiday notice has been entered (`calendar.years`). Coverage is
    # declared, not guessed from the holidays present: a year with one holiday entered early
    # (or a stray date) is not a year whose whole notice has been copied.
    years: frozenset[int] = frozenset()
    # From this (month, day) on, warn while next year is not covered (`calendar.warn_next_year_from`).
    warn_next_year_from: tuple[int, int] = (11, 1)

    def covers(self, day: dt.date) -> bool:
        """Whether `day` lies in a year the calendar declares entered."""
        return day.year in self.years

    @property
    def tz(self) -> dt.tzinfo:
        return _zone(self.time_zone)  # asked for ~190,000 times by a check of 20,000 tickets

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.make_up_days:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() in self.working_weekdays


@dataclass(frozen=True)
class EmergencySkip:
    priority: str = "P1"
    runbook_kind: str = "contingency"
    from_tier: str = "key-user"
    to_tier: str = "erp-admin"


@dataclass(frozen=True)
class Confirmation:
    """How long a resolved ticket waits for its reporter to close or reopen it, and what then:
    `warn` (a warning to the holder) or `close` (the office closes it as unanswered)."""

    wait_working_days: int = 5
    then: str = "warn"


CONFIRMATION_THEN = ("warn", "close")


@dataclass(frozen=True)
class Policy:
    src: Source | None = field(default=None, compare=False, repr=False)
    tiers: tuple[str, ...] = TIERS
    ticket_types: Mapping[str, TicketType] = field(default_factory=dict)
    ticket_prefixes: Mapping[str, str] = field(default_factory=dict)
    sla: Mapping[str, SlaTarget] = field(default_factory=dict)
    warn_at: float = 0.8
    calendar: Calendar = Calendar()
    emergency_skip: EmergencySkip = EmergencySkip()
    report_period: str = "month"
    report_due_day: int = 28
    report_close_day: int = 25
    # pr-check: how much earlier than the pull request's opening a new event may be dated.
    time_tolerance_hours: float = 48.0
    # The hold reasons that stop the resolve clock while the ticket waits (sla.pause_on).
    pause_on: tuple[str, ...] = HOLD_REASONS
    confirmation: Confirmation = Confirmation()
    protected_paths: tuple[str, ...] = PROTECTED_PATHS
    bots: tuple[str, ...] = BOTS
    # The forge the repository is hosted on (`forge:`), and whether pr-check itself asks the code
    # owners' approval (pr_gate.owner_approval) where the forge does not enforce CODEOWNERS.
    forge: str | None = None
    owner_approval: bool = False

    def rank(self, tier: str | None) -> int:
        """0 for the first tier …; -1 for an unknown one."""
        return self.tiers.index(tier) if tier in self.tiers else -1


def build(doc: Document | None) -> Policy | None:
    """The Policy in `doc`, leniently: fields of the wrong type were reported by the schema."""
    d = doc.data if doc is not None and isinstance(doc.data, dict) else None
    if d is None:
        return None
    tiers = tuple(t for t in _list(d.get("tiers")) if isinstance(t, str)) or TIERS
    types = {}
    for tid, t in _dict(d.get("ticket_types")).items():
        if isinstance(t, dict) and isinstance(t.get("min_tier"), str):
            types[str(tid)] = TicketType(str(tid), str(t.get("name") or tid), t["min_tier"],
                                         t.get("name_en") if isinstance(t.get("name_en"), str) else None)
    prefixes = {str(k): v for k, v in _dict(d.get("ticket_prefixes")).items() if isinstance(v, str)}
    sla_d = _dict(d.get("sla"))
    sla = {}
    for pri, t in _dict(sla_d.get("targets")).items():
        t = _dict(t)
        r, s = t.get("respond_hours"), t.get("resolve_hours")
        if _number(r) and _number(s):
            sla[str(pri)] = SlaTarget(float(r), float(s))
    warn_at = sla_d.get("warn_at")
    skip = _dict(d.get("emergency_skip"))
    report = _dict(d.get("report"))
    due = report.get("due_day")
    close = report.get("close_day")
    pause_on = sla_d.get("pause_on")
    conf = _dict(d.get("confirmation"))
    wait = conf.get("wait_working_days")
    gate = _dict(d.get("pr_gate"))
    tolerance = gate.get("time_tolerance_hours")
    protected = gate.get("protected_paths")
    bots = gate.get("bots")
    return Policy(
        src=Source(doc), tiers=tiers, ticket_types=types, ticket_prefixes=prefixes, sla=sla,
        warn_at=float(warn_at) if _number(warn_at) and 0 < warn_at < 1 else 0.8,
        calendar=_calendar(_dict(d.get("calendar"))),
        emergency_skip=EmergencySkip(
            priority=str(skip.get("priority", "P1")), runbook_kind=str(skip.get("runbook_kind", "contingency")),
            from_tier=str(skip.get("from", "key-user")), to_tier=str(skip.get("to", "erp-admin")),
        ),
        report_period=str(report.get("period", "month")),
        report_due_day=due if isinstance(due, int) and not isinstance(due, bool) else 28,
        report_close_day=close if isinstance(close, int) and not isinstance(close, bool) else 25,
        time_tolerance_hours=float(tolerance) if _number(tolerance) and tolerance > 0 else 48.0,
        pause_on=tuple(r for r in pause_on if r in HOLD_REASONS) if isinstance(pause_on, list) else HOLD_REASONS,
        confirmation=Confirmation(
            wait_working_days=wait if isinstance(wait, int) and not isinstance(wait, bool) and wait > 0 else 5,
            then=conf["then"] if conf.get("then") in CONFIRMATION_THEN else "warn",
        ),
        protected_paths=tuple(p for p in protected if isinstance(p, str) and p.strip())
        if isinstance(protected, list) else PROTECTED_PATHS,
        bots=tuple(b for b in bots if isinstance(b, str)) if isinstance(bots, list) else BOTS,
        forge=d["forge"] if d.get("forge") in FORGES else None,
        owner_approval=gate.get("owner_approval") is True,
    )


def _calendar(c: dict) -> Calendar:
    periods = []
    for p in _list(c.get("working_hours")):
        start, end = _clock(_dict(p).get("from")), _clock(_dict(p).get("until"))
        if start and end and start < end:
            periods.append((start, end))
    holidays: set[dt.date] = set()
    for h in _list(c.get("holidays")):
        first, last = _date(_dict(h).get("from")), _date(_dict(h).get("until"))
        while first and last and first <= last:
            holidays.add(first)
            first += dt.timedelta(days=1)
    make_up = {d for d in (_date(_dict(m).get("date")) for m in _list(c.get("make_up_days"))) if d}
    weekdays = c.get("working_weekdays")
    default = Calendar()
    return Calendar(
        time_zone=c["time_zone"] if isinstance(c.get("time_zone"), str) else default.time_zone,
        working_hours=tuple(sorted(periods)) if periods else default.working_hours,
        working_weekdays=frozenset(w for w in _list(weekdays) if isinstance(w, int))
        if isinstance(weekdays, list) else default.working_weekdays,
        holidays=frozenset(holidays), make_up_days=frozenset(make_up),
        years=frozenset(y for y in _list(c.get("years")) if isinstance(y, int) and not isinstance(y, bool)),
        warn_next_year_from=_month_day(c.get("warn_next_year_from")) or default.warn_next_year_from,
    )


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _clock(v: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def _month_day(v: Any) -> tuple[int, int] | None:
    """"MM-DD" as (month, day), None when absent or not a day of a leap year."""
    if not isinstance(v, str) or len(v) != 5 or v[2] != "-":
        return None
    try:
        d = dt.date(2024, int(v[:2]), int(v[3:]))
    except ValueError:
        return None
    return d.month, d.day


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None
