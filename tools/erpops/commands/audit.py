"""erpops audit ID: a ticket's Git history, and the events whose record disagrees with their commit.

For every commit that touched the ticket's file (renames followed), oldest first: who committed
when, the fields it changed and the events it added. An added event is flagged when the person it
records is not the commit's author (matched through the roster's email, emails and github), or
when its time is further than the policy's tolerance from the commit's author date.
"""
from __future__ import annotations

import datetime as dt
import json
import posixpath
import sys
from pathlib import Path
from typing import Any

from erpops import gittree, load, ticket
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.model import Roster
from erpops.yamlio import load_bytes

_NOREPLY = "@users.noreply.github.com"
_FLAGS = {"person": "audit.flag-person", "unknown": "audit.flag-unknown", "time": "audit.flag-time"}


def _person_of(roster: Roster, email: str) -> str | None:
    """The roster person a commit email belongs to: email, emails, or GitHub's noreply address."""
    email = email.lower()
    for p in roster.people_list:
        if email in {e.lower() for e in (p.email, *p.emails) if e}:
            return p.id
    if email.endswith(_NOREPLY):
        login = email[: -len(_NOREPLY)].split("+")[-1]
        return next((p.id for p in roster.people_list if p.github and p.github.lower() == login), None)
    return None


def _history(repo, path: str) -> list[dict[str, str]]:
    """The commits that touched `path` (following renames), oldest first, with the path at each."""
    commits = []
    for (sha, name, email, date, subject), files in gittree.log_names(
            repo, ["%H", "%an", "%ae", "%aI", "%s"], "--follow", "--", path):
        commits.append({"sha": sha, "author": name, "email": email, "date": date, "subject": subject,
                        "path": files[-1] if files else path})
    return commits[::-1]


def _ticket(repo, sha: str, path: str) -> tuple[ticket.Ticket | None, dict]:
    try:
        raw = gittree.TreeFiles(gittree.tree(repo, gittree.commit(repo, sha), "")).read_bytes(path)
    except FileNotFoundError:
        return None, {}
    doc, _ = load_bytes(raw, path)
    if doc is None or not isinstance(doc.data, dict):
        return None, {}
    return ticket.build(doc), doc.data


def _show(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def trail(root: Path, tid: str) -> tuple[list[dict], int, float]:
    """One record per commit (see the module docstring), the number of flags, the tolerance in hours."""
    repo, prefix = gittree.open_repo(root)
    head = gittree.commit(repo, "HEAD")
    head_tree = gittree.tree(repo, head, prefix)
    rel = gittree.ticket_paths(repo, head_tree).get(tid)
    if rel is None:
        raise FatalError(t("audit.not-found", id=tid))
    model = load.load_files(gittree.TreeFiles(head_tree), root, [])
    hours = model.policy.time_tolerance_hours if model.policy else 48.0
    tolerance = dt.timedelta(hours=hours)
    records, flags = [], 0
    before: ticket.Ticket | None = None
    before_data: dict = {}
    before_path = None
    for c in _history(repo, posixpath.join(prefix, rel) if prefix else rel):
        now, data = _ticket(repo, c["sha"], c["path"])
        when = dt.datetime.fromisoformat(c["date"])
        record = dict(c, created=before_path is None, renamed_from=before_path
                      if before_path not in (None, c["path"]) else None, fields=[], events=[],
                      rewritten=None, unreadable=now is None)
        if now is not None:
            keys = [k for k in dict.fromkeys([*before_data, *data]) if k != "history"]
            record["fields"] = [{"field": k, "was": _show(before_data.get(k)), "now": _show(data.get(k))}
                                for k in keys if before_path is not None and before_data.get(k) != data.get(k)]
            old = before.history if before is not None else ()
            start = len(old)
            diverged = next((i for i, (a, b) in enumerate(zip(old, now.history)) if a != b), None)
            if diverged is not None or len(now.history) < len(old):
                record["rewritten"] = (diverged if diverged is not None else len(now.history)) + 1
            author = _person_of(model.roster, c["email"])
            for e in now.history[start:] if record["rewritten"] is None else ():
                found = []
                if author is None:
                    found.append("unknown")
                elif e.by != author:
                    found.append("person")
                if e.at is not None and e.at.tzinfo is not None and abs(e.at - when) > tolerance:
                    found.append("time")
                flags += len(found)
                record["events"].append({"event": e.kind, "at": _show(e.at), "by": e.by, "flags": found,
                                         "author": author})
            flags += record["rewritten"] is not None
            before, before_data = now, data
        before_path = c["path"]
        records.append(record)
    return records, flags, hours


def audit(root: Path, tid: str, fmt: str = "text") -> int:
    records, flags, hours = trail(root, tid)
    if fmt == "json":
        sys.stdout.write(json.dumps({"id": tid, "commits": records, "flags": flags}, ensure_ascii=False,
                                    indent=2) + "\n")
        return 1 if flags else 0
    lines = [t("audit.header", id=tid, count=len(records))]
    for r in records:
        lines.append(t("audit.commit", sha=r["sha"][:10], date=r["date"], author=r["author"], email=r["email"],
                       subject=r["subject"]))
        if r["created"]:
            lines.append(t("audit.created", path=r["path"]))
        if r["renamed_from"]:
            lines.append(t("audit.renamed", old=r["renamed_from"], new=r["path"]))
        if r["unreadable"]:
            lines.append(t("audit.unreadable"))
        for f in r["fields"]:
            lines.append(t("audit.field", **f))
        if r["rewritten"]:
            lines.append(t("audit.rewritten", index=r["rewritten"]))
        for e in r["events"]:
            lines.append(t("audit.event", kind=t("ticket.event." + e["event"]), at=e["at"], by=e["by"]))
            for flag in e["flags"]:
                lines.append(t(_FLAGS[flag], by=e["by"], author=e["author"], email=r["email"],
                               date=r["date"], hours=f"{hours:g}"))
    lines.append(t("audit.flags", count=flags) if flags else t("audit.clean"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if flags else 0
