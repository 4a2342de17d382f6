"""The office summary's 改进事项 section: the improvement items as they stood at the period's end
(by their histories, so that a summary generated again later reads the same), counted by state,
and the overdue ones."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from erpops.improvement import CLOSED, STATUSES, plan
from erpops.reports import form
from erpops.reports.period import Period

if TYPE_CHECKING:
    from erpops.repository import Repository


@dataclass(frozen=True)
class OverdueItem:
    id: str
    title: str
    owner: str
    due: dt.date
    days: int  # overdue by, on the first day after the period
    status: str


@dataclass(frozen=True)
class ImprovementSummary:
    counts: tuple[tuple[str, int], ...]  # (status, items) in STATUSES order
    overdue: tuple[OverdueItem, ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def summary(repo: Repository, p: Period, lang: str) -> ImprovementSummary:
    """Each item proposed by the period's end, in the state its events up to then give."""
    day = p.last + dt.timedelta(days=1)  # as of the first instant after the period
    counts = dict.fromkeys(STATUSES, 0)
    late = []
    for i in sorted(repo.improvements, key=lambda i: i.id):
        events = [e for e in i.history if e.at is not None and e.at.tzinfo is not None and e.at < p.end]
        status, owner, due = plan(events)
        if status not in counts:
            continue
        counts[status] += 1
        if due is not None and due < day and status not in CLOSED:
            late.append(OverdueItem(i.id, i.title, form.person(repo, owner, lang) or "-", due, (day - due).days, status))
    return ImprovementSummary(tuple(counts.items()), tuple(late))
