"""Handing in: a form committed under reports/<YYYY-MM>/<subsystem>.* is handed in, on time when
the commit that first added it is dated on or before the due day."""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from erpops.errors import FatalError
from erpops.i18n import t
from erpops.reports.period import Period, latest_closed, period

if TYPE_CHECKING:
    from erpops.repository import Repository

ON_TIME, LATE, MISSING, PENDING = "on-time", "late", "missing", "pending"


@dataclass(frozen=True)
class HandIn:
    subsystem: str
    state: str  # on-time | late | missing | pending
    committed: dt.datetime | None = None
    commit: str | None = None


def first_commits(root: Path, month: str) -> dict[str, tuple[dt.datetime, str]]:
    """For each subsystem, when its form for `month` first reached the current branch."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=False)
        if not repo.head.is_valid():
            return {}
        if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
            sys.stderr.write(t("report.shallow") + "\n")
        # --no-renames: a form moved into place counts as added by that commit.
        # --first-parent: a form drafted on a branch is handed in when it reaches this branch
        # (the merge), not when the draft was written.
        log = repo.git.log("--first-parent", "--diff-merges=first-parent", "--diff-filter=A",
                           "--no-renames", "--name-only", "--format=%x00%H %cI",
                           "--reverse", "--", f"reports/{month}/")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FatalError(t("report.not-git", root=root)) from None
    found: dict[str, tuple[dt.datetime, str]] = {}
    for block in log.split("\x00"):
        lines = [x for x in block.strip().splitlines() if x.strip()]
        if not lines:
            continue
        sha, when = lines[0].split(" ", 1)
        for path in lines[1:]:
            parts = path.strip().split("/")
            if len(parts) != 3 or parts[0] != "reports" or parts[1] != month:
                continue
            code = parts[2].split(".", 1)[0]
            found.setdefault(code, (dt.datetime.fromisoformat(when), sha[:8]))
    return found


def status(root: Path, codes: list[str], p: Period, today: dt.date) -> list[HandIn]:
    """Each subsystem's form for period `p`: handed in on time or late, missing, or not yet due."""
    commits = first_commits(root, p.month)
    out = []
    for code in codes:
        if code in commits:
            when, sha = commits[code]
            out.append(HandIn(code, ON_TIME if when < p.due_end else LATE, when.astimezone(p.tz), sha))
        else:
            out.append(HandIn(code, MISSING if today > p.due else PENDING))
    return out


@dataclass(frozen=True)
class Standing:
    """Where the forms of one period stand: each subsystem's hand-in, and whom to chase for the
    ones not handed in (the subsystem's business-system admins, who write the form)."""

    period: Period
    states: tuple[HandIn, ...]
    chase: dict[str, tuple[str, ...]]

    def count(self, state: str) -> int:
        return sum(1 for h in self.states if h.state == state)


def current(repo: Repository, today: dt.date) -> Period:
    """The period whose forms are due next or overdue: the latest that has ended by `today`."""
    return latest_closed(repo.policy, today)


def standing(repo: Repository, today: dt.date, month: str | None = None) -> Standing:
    """The hand-in state of `month`'s forms (default: the current period), for `erpops report
    status` and the site alike."""
    p = period(repo.policy, month) if month else current(repo, today)
    subs = list(dict.fromkeys(s.code for s in repo.roster.subsystem_list))
    states = tuple(status(repo.root, subs, p, today))
    chase = {h.subsystem: tuple(repo.roster.subsystems[h.subsystem].business_admins)
             for h in states if h.state in (MISSING, PENDING)}
    return Standing(p, states, chase)
