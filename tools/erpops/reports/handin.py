"""Handing in: a form committed under reports/<YYYY-MM>/<subsystem>.* is handed in, on time when
the commit that first added it is dated on or before the due day."""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import t
from erpops.reports.period import Period

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
