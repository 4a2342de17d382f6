"""ReportData: every figure of one subsystem's record form, computed, labelled, ready to render."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the form's ticket table (the 15 columns of the 运维记录表)."""

    no: int
    id: str
    date: dt.date
    reporter: str
    type: str
    symptom: str
    cause: str
    tier: str
    handler: str
    measures: str
    status: str
    resolved_at: dt.datetime | None
    hours: float  # working hours from opened to resolved, or to the end of the period
    overdue: bool
    suggestions: str
    paused: str = ""  # "已暂停 3.5 小时（等待供应商）": resolve time not counted while on hold


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class TierShare:
    tier: str
    label: str
    count: int
    share: float  # 0..1 of the tickets resolved in the period


@dataclass(frozen=True)
class SlaRow:
    """Clocks of one priority that stopped in the period (met/breached), or still run at its end."""

    priority: str
    respond_target: float
    respond_met: int
    respond_breached: int
    respond_running: int
    respond_avg: float | None
    resolve_target: float
    resolve_met: int
    resolve_breached: int
    resolve_running: int
    resolve_avg: float | None


@dataclass(frozen=True)
class BacklogRow:
    id: str
    title: str
    priority: str
    tier: str
    handler: str
    opened: dt.date
    age_days: int
    age_hours: float  # working hours open at the end of the period


@dataclass(frozen=True)
class FeedbackRow:
    id: str
    kind: str
    text: str


@dataclass(frozen=True)
class RunbookUse:
    id: str
    title: str
    tickets: tuple[str, ...]


@dataclass(frozen=True)
class Recurrence:
    kind: str  # runbook | reopened
    label: str
    tickets: tuple[str, ...]


@dataclass(frozen=True)
class ReportData:
    subsystem: str
    subsystem_name: str
    month: str
    first: dt.date
    last: dt.date
    due: dt.date
    business_admin: str
    erp_admin: str
    rows: tuple[Row, ...]
    by_type: tuple[Count, ...]
    by_priority: tuple[Count, ...]
    by_status: tuple[Count, ...]
    opened: int  # tickets opened in the period
    resolved: int  # tickets resolved in the period
    escalations: int  # escalate events in the period
    tiers: tuple[TierShare, ...]
    sla: tuple[SlaRow, ...]
    backlog: tuple[BacklogRow, ...]
    feedback: tuple[FeedbackRow, ...]
    runbooks: tuple[RunbookUse, ...]
    recurring: tuple[Recurrence, ...]
    # Years the working hours of this form run through that the calendar does not cover:
    # their holidays were counted as working days (the form says so).
    uncovered_years: tuple[int, ...] = ()

    def kept(self, what: str) -> tuple[int, int]:
        """(met, met + breached) of the `respond` or `resolve` clocks over all priorities."""
        met = sum(getattr(r, f"{what}_met") for r in self.sla)
        return met, met + sum(getattr(r, f"{what}_breached") for r in self.sla)

    @property
    def backlog_oldest_days(self) -> int:
        return max((b.age_days for b in self.backlog), default=0)

    @property
    def backlog_avg_hours(self) -> float:
        return sum(b.age_hours for b in self.backlog) / len(self.backlog) if self.backlog else 0.0
