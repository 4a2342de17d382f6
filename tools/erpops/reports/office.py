"""The ops office's monthly summary: every subsystem side by side, and figures for its 考核评价
of each key-user group and each person.

Fair by construction: a person is shown with what they hold at the period's end (open tickets,
overdue, at risk) beside what they did in it, and a figure that cannot be computed (no ticket
resolved, no form due) is None, shown as "no data", never as 0.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from erpops.reports import form
from erpops.reports import improvements as improvement_summary
from erpops.reports.asof import resolver
from erpops.reports.data import ReportData
from erpops.reports.handin import ON_TIME, HandIn
from erpops.reports.period import Period
from erpops.ticket import ACTIVE

if TYPE_CHECKING:
    from erpops.repository import Repository

HANDLING = ("open", "assign", "escalate", "comment", "resolve")
TREND_PERIODS = 6  # the trend shows this period and the ones before it


def share(part: int, whole: int) -> float | None:
    """part / whole, or None (no data) when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class GroupRow:
    code: str
    subsystem: str
    leader: str
    tickets: int
    resolved: int
    tier1: int  # resolved at the key-user tier in the period
    tier1_share: float | None  # tier1 / resolved; None when nothing was resolved
    escalations: int  # escalations out of the key-user tier in the period
    resolve_kept: tuple[int, int]  # (met, counted) resolve clocks that stopped in the period
    form_state: str | None  # the hand-in state of the subsystem's form (handin.ON_TIME, …), None if unknown

    @property
    def kept_share(self) -> float | None:
        return share(*self.resolve_kept)


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    held: int  # open tickets assigned to the person at the period's end
    overdue: int  # of those, with an SLA clock past its target
    at_risk: int  # of those, not overdue, with a running clock past the policy's warn_at share
    handled: int
    resolved: int
    resolved_in_time: int
    escalations: int  # escalate events the person recorded in the period
    forms_on_time: int | None  # None: the person writes no form (no data)
    forms_due: int


@dataclass(frozen=True)
class TrendCell:
    month: str
    tickets: int
    tier1_share: float | None
    kept_share: float | None


@dataclass(frozen=True)
class TrendRow:
    subsystem: str
    cells: tuple[TrendCell, ...]


@dataclass(frozen=True)
class OfficeData:
    month: str
    period: Period
    forms: tuple[ReportData, ...]
    handin: dict[str, HandIn]
    groups: tuple[GroupRow, ...]
    people: tuple[PersonRow, ...]
    trend_months: tuple[str, ...] = ()
    trend: tuple[TrendRow, ...] = ()
    improvements: improvement_summary.ImprovementSummary | None = None


def _group(repo: Repository, d: ReportData, p: Period, handin: dict[str, HandIn], lang: str) -> GroupRow:
    sub = repo.roster.subsystems[d.subsystem]
    first = repo.policy.tiers[0]
    out_of_first = 0
    for tk in form.tickets_in(repo, d.subsystem, p):
        tier = tk.history[0].tier
        for e in tk.history:
            if e.kind == "escalate" and form.in_period(e.at, p) and tier == first:
                out_of_first += 1
            tier = e.tier or tier
    tier1 = d.tiers[0].count if d.tiers else 0
    h = handin.get(d.subsystem)
    return GroupRow(d.subsystem, d.subsystem_name, form.person(repo, sub.key_user_group.leader, lang), len(d.rows),
                    d.resolved, tier1, share(tier1, d.resolved), out_of_first, d.kept("resolve"),
                    h.state if h else None)


def _holding(repo: Repository, p: Period) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Per person: open tickets held at the end of `p`, how many of them overdue, how many at risk."""
    held: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    at_risk: dict[str, int] = defaultdict(int)
    for code in form.codes(repo):
        for tk in form.tickets_in(repo, code, p):
            if tk.status not in ACTIVE or not tk.assignee:
                continue
            held[tk.assignee] += 1
            running = [c for c in form.ticket_clocks(repo, tk, p) if c.running]
            if any(c.breached for c in running):
                overdue[tk.assignee] += 1
            elif any(not c.held and c.used >= repo.policy.warn_at * c.limit for c in running):
                at_risk[tk.assignee] += 1
    return held, overdue, at_risk


def _people(repo: Repository, p: Period, handin: dict[str, HandIn], lang: str) -> tuple[PersonRow, ...]:
    handled: dict[str, set[str]] = defaultdict(set)
    resolved: dict[str, int] = defaultdict(int)
    in_time: dict[str, int] = defaultdict(int)
    escalations: dict[str, int] = defaultdict(int)
    for code in form.codes(repo):
        for tk in form.tickets_in(repo, code, p):
            for e in tk.history:
                if form.in_period(e.at, p) and e.kind in HANDLING:
                    handled[e.by].add(tk.id)
                    if e.kind == "escalate":
                        escalations[e.by] += 1
            if form.resolved_in(tk, p):
                who = resolver(tk)[0]
                resolved[who] += 1
                if not any(c.breached for c in form.ticket_clocks(repo, tk, p) if c.what == "resolve"):
                    in_time[who] += 1
    held, overdue, at_risk = _holding(repo, p)
    forms_due: dict[str, int] = defaultdict(int)
    forms_ok: dict[str, int] = defaultdict(int)
    for code in form.codes(repo):
        for admin in repo.roster.subsystems[code].business_admins:
            forms_due[admin] += 1
            forms_ok[admin] += handin.get(code) is not None and handin[code].state == ON_TIME
    ids = sorted(set(handled) | set(resolved) | set(forms_due) | set(held),
                 key=lambda pid: (-overdue.get(pid, 0), -held.get(pid, 0), -len(handled.get(pid, ())), pid))
    return tuple(PersonRow(pid, form.person(repo, pid, lang), held.get(pid, 0), overdue.get(pid, 0),
                           at_risk.get(pid, 0), len(handled.get(pid, ())), resolved.get(pid, 0),
                           in_time.get(pid, 0), escalations.get(pid, 0),
                           forms_ok.get(pid, 0) if forms_due.get(pid) else None, forms_due.get(pid, 0))
                 for pid in ids)


def _trend(repo: Repository, p: Period, current: tuple[ReportData, ...], lang: str,
           n: int) -> tuple[tuple[str, ...], tuple[TrendRow, ...]]:
    """Each group's tickets, key-user share and resolve SLA kept over the last `n` periods, oldest first."""
    periods = [p]
    for _ in range(n - 1):
        periods.insert(0, periods[0].previous(repo.policy))
    cells: dict[str, list[TrendCell]] = {d.subsystem: [] for d in current}
    for q in periods:
        forms = current if q == p else tuple(form.build(repo, code, q, lang) for code in form.codes(repo))
        for d in forms:
            tier1 = d.tiers[0].count if d.tiers else 0
            cells[d.subsystem].append(TrendCell(q.month, len(d.rows), share(tier1, d.resolved),
                                                share(*d.kept("resolve"))))
    return (tuple(q.month for q in periods),
            tuple(TrendRow(d.subsystem_name, tuple(cells[d.subsystem])) for d in current))


def build(repo: Repository, p: Period, handin: list[HandIn], lang: str, trend: int = TREND_PERIODS) -> OfficeData:
    forms = tuple(form.build(repo, code, p, lang) for code in form.codes(repo))
    by_code = {h.subsystem: h for h in handin}
    months, rows = _trend(repo, p, forms, lang, trend)
    return OfficeData(p.month, p, forms, by_code, tuple(_group(repo, d, p, by_code, lang) for d in forms),
                      _people(repo, p, by_code, lang), months, rows, improvement_summary.summary(repo, p, lang))
