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
    """For each subsystem, when its form for `month` first reached the current branch.

    The answer depends only on the commits behind HEAD, which never change: outside CI it is kept
    in .erpops-cache/handin.marshal under HEAD's id (a shallow clone's history can still grow, so
    its answers are not kept). `git log` over a long history costs about a CPU second per month,
    and every site build asks for the months it shows."""
    from erpops import gittree

    try:
        repo, prefix = gittree.open_repo(root)
    except FatalError:
        raise FatalError(t("report.not-git", root=root)) from None
    try:
        head = repo.run("rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1)).stdout.decode().strip()
        if not head:
            return {}  # no commit yet
        shallow = repo.text("rev-parse", "--is-shallow-repository").strip() == "true"
        if shallow:
            sys.stderr.write(t("report.shallow") + "\n")
        key = f"{head} {prefix} {month}"
        kept = None if shallow else _kept(root)
        if kept is not None and isinstance(kept.get(key), list):
            return {code: (dt.datetime.fromisoformat(when), sha) for code, when, sha in kept[key]}
        where = f"{prefix}/reports/{month}/" if prefix else f"reports/{month}/"
        # --no-renames: a form moved into place counts as added by that commit.
        # --first-parent: a form drafted on a branch is handed in when it reaches this branch
        # (the merge), not when the draft was written.
        log = gittree.log_names(repo, ["%H", "%cI"], "--first-parent", "--diff-merges=first-parent",
                                "--diff-filter=A", "--no-renames", "--reverse", "--", where)
    except gittree.GitError:
        raise FatalError(t("report.not-git", root=root)) from None
    finally:
        repo.close()
    found: dict[str, tuple[dt.datetime, str]] = {}
    for (sha, when), paths in log:
        for path in paths:
            parts = path.removeprefix(f"{prefix}/" if prefix else "").split("/")
            if len(parts) != 3 or parts[0] != "reports" or parts[1] != month:
                continue
            code = parts[2].split(".", 1)[0]
            found.setdefault(code, (dt.datetime.fromisoformat(when), sha[:8]))
    if kept is not None:
        fresh = {k: v for k, v in kept.items() if k.startswith(head + " ")}  # another HEAD's: dropped
        fresh[key] = [(code, when.isoformat(), sha) for code, (when, sha) in sorted(found.items())]
        _keep(root, fresh)
    return found


KEPT = "handin.marshal"


def _kept(root: Path) -> dict | None:
    """The kept answers, {} when there are none yet (or none to trust: unreadable, or the cache
    folder is a link, which `_keep` then refuses to write through); None where nothing is kept (CI,
    ERPOPS_CACHE=0)."""
    from erpops import doccache

    if not doccache.enabled():
        return None
    found = doccache.read_cache(root / doccache.FOLDER, KEPT)
    return found if isinstance(found, dict) else {}


def _keep(root: Path, answers: dict) -> None:
    from erpops import doccache

    doccache.write_cache(root / doccache.FOLDER, KEPT, answers)  # not kept: the next run asks Git again


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
