"""Every rule set that `erpops check`, the site and the PR gate run over a loaded repository."""
from __future__ import annotations

from datetime import datetime

from erpops.diagnostics import Diagnostic
from erpops.repository import Repository, paused_gc
from erpops.rules import calendar, improvements, recurrence, reports, roster, runbooks, secrets, tickets


def run_rules(repo: Repository, now: datetime | None = None) -> list[Diagnostic]:
    """Each rule set takes the whole repository and returns its findings; `now` sets the SLA clock."""
    found: list[Diagnostic] = []
    with paused_gc():
        found += roster.check(repo.roster)
        found += runbooks.check(repo)
        found += tickets.check(repo, now)
        found += recurrence.check(repo, now)
        found += reports.check(repo)
        found += calendar.check(repo, now)
        found += improvements.check(repo, now)
        found += secrets.check(repo)
    return found


def diagnostics(repo: Repository, now: datetime | None = None) -> list[Diagnostic]:
    """Everything wrong with a loaded repository: what loading found plus every rule.

    Cross-file rules run only when every file could be read: on a partial model they would
    report the unreadable file's absence as a dozen unrelated problems.
    """
    if any(d.is_input and d.is_error for d in repo.diagnostics):
        return list(repo.diagnostics)
    return repo.diagnostics + run_rules(repo, now)


def roster_policy_diagnostics(repo: Repository, now: datetime | None = None) -> list[Diagnostic]:
    """What reading the roster and the policy found plus the rules over them alone: for a
    repository from `load.load_roster_policy` (codeowners, issue-form), which has no tickets."""
    if any(d.is_input and d.is_error for d in repo.diagnostics):
        return list(repo.diagnostics)
    found = list(repo.diagnostics)
    with paused_gc():
        found += roster.check(repo.roster)
        found += reports.check(repo)
        found += calendar.check(repo, now)
        found += secrets.check(repo)
    return found
