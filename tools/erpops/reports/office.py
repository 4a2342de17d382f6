"""The ops office's monthly summary: every subsystem side by side, and figures for its 考核评价
of each key-user group and each person."""
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

if TYPE_CHECKING:
    from erpops.load import Repository

HANDLING = ("open", "assign", "escalate", "comment", "resolve")


@dataclass(frozen=True)
class GroupRow:
    subsystem: str
    leader: str
    tickets: int
    resolved: int
    tier1: int  # resolved at the key-user tier in the period
    tier1_share: float
    escalations: int  # escalations out of the key-user tier in the period
    resolve_kept: tuple[int, int]


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    handled: int
    resolved: int
    resolved_in_time: int
    escalations: int
    forms_on_time: int
    forms_due: int


@dataclass(frozen=True)
class OfficeData:
    month: str
    period: Period
    forms: tuple[ReportData, ...]
    handin: dict[str, HandIn]
    groups: tuple[GroupRow, ...]
    people: tuple[PersonRow, ...]
    improvements: improvement_summary.ImprovementSummary | None = None


def _group(repo: Repository, d: ReportData, p: Period, lang: str) -> GroupRow:
    sub = repo.roster.subsystems[d.subsystem]
    first = repo.policy.tiers[0]
    out_of_first = 0
    for tk in form.tickets_in(repo, d.subsystem, p):
        tier = tk.history[0].tier
        for e in tk.history:
            if e.kind == "escalate" and form.in_period(e.at, p) and tier == first:
                out_of_first += 1
            tier = e.tier or tier
    tier1 = d.tiers[0] if d.tiers else None
    return GroupRow(d.subsystem_name, form.person(repo, sub.key_user_group.leader, lang), len(d.rows),
                    d.resolved, tier1.count if tier1 else 0, tier1.share if tier1 else 0.0, out_of_first,
                    d.kept("resolve"))


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
    forms_due: dict[str, int] = defaultdict(int)
    forms_ok: dict[str, int] = defaultdict(int)
    for code in form.codes(repo):
        for admin in repo.roster.subsystems[code].business_admins:
            forms_due[admin] += 1
            forms_ok[admin] += handin.get(code) is not None and handin[code].state == ON_TIME
    ids = sorted(set(handled) | set(resolved) | set(forms_due),
                 key=lambda pid: (-len(handled.get(pid, ())), pid))
    return tuple(PersonRow(pid, form.person(repo, pid, lang), len(handled.get(pid, ())), resolved.get(pid, 0),
                           in_time.get(pid, 0), escalations.get(pid, 0), forms_ok.get(pid, 0),
                           forms_due.get(pid, 0)) for pid in ids)


def build(repo: Repository, p: Period, handin: list[HandIn], lang: str) -> OfficeData:
    forms = tuple(form.build(repo, code, p, lang) for code in form.codes(repo))
    by_code = {h.subsystem: h for h in handin}
    return OfficeData(p.month, p, forms, by_code, tuple(_group(repo, d, p, lang) for d in forms),
                      _people(repo, p, by_code, lang), improvement_summary.summary(repo, p, lang))
