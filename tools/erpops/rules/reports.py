"""Rules of the record form's policy: a period must end before its form is due."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from erpops.diagnostics import Diagnostic
from erpops.rules import at

if TYPE_CHECKING:
    from erpops.repository import Repository


def close_before_due(repo: Repository) -> Iterator[Diagnostic]:
    """The period closes (report.close_day) before the form is due (report.due_day) in the same month;
    otherwise a form would be due before the days it covers have ended."""
    p = repo.policy
    if p is None or p.src is None or p.report_close_day < p.report_due_day:
        return
    yield at(p.src, ("report", "close_day"), "report-close-before-due",
             close=p.report_close_day, due=p.report_due_day)


def check(repo: Repository) -> list[Diagnostic]:
    return list(close_before_due(repo))
