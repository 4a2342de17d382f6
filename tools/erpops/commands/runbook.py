"""erpops runbook new | due: scaffold a runbook that passes the rules; list the reviews coming due."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from erpops import atomic, clock, load, resolve
from erpops.errors import FatalError
from erpops.i18n import language, t
from erpops.load import RUNBOOKS
from erpops.repository import Repository
from erpops.model import Runbook, Source
from erpops.rules.runbooks import (
    COMMON, REQUIRED_SECTIONS, SECTION_HINTS, TODO_MARKER, due_date, fitting_owners,
)
from erpops.yamlio import Document

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# How often a new runbook is reviewed: emergencies twice a year, the rest yearly.
DEFAULT_REVIEW_DAYS = {"contingency": 180, "procedure": 365, "maintenance": 365}


def folder_for(subsystems: list[str]) -> str:
    """One subsystem: its own folder; none or several: runbooks/common/."""
    return subsystems[0] if len(subsystems) == 1 else COMMON


def _validate(repo: Repository, kind: str, rid: str, title: str, owner: str,
              subsystems: list[str], lang: str) -> Path:
    roster = repo.roster
    if not _ID.match(rid):
        raise FatalError(t("runbook.bad-id", lang, id=rid))
    if not title.strip() or any(c in title for c in "\r\n"):
        raise FatalError(t("runbook.bad-title", lang))
    for code in subsystems:
        if code not in roster.subsystems:
            raise FatalError(t("runbook.unknown-subsystem", lang, code=code,
                               known=", ".join(sorted(roster.subsystems))))
    rel = f"{RUNBOOKS}/{folder_for(subsystems)}/{rid}.md"
    path = repo.root / rel
    if path.exists():
        raise FatalError(t("runbook.exists", lang, path=rel))
    if rid in repo.runbooks:
        raise FatalError(t("runbook.id-taken", lang, id=rid, path=repo.runbooks[rid].src.path))
    person = roster.people.get(owner)
    if person is None:
        raise FatalError(t("runbook.unknown-owner", lang, person=owner))
    probe = Runbook(id=rid, title=title, kind=kind, subsystems=tuple(subsystems or [COMMON]),
                    owner=owner, src=Source(Document(rel, {}, "")))
    fitting = fitting_owners(probe, roster)
    if owner not in fitting:
        names = "、".join(f"{roster.people[p].name}（{p}）" for p in fitting) or "—"
        raise FatalError(t("runbook.unfit-owner", lang, person=person.name, fitting=names))
    return path


def render(kind: str, rid: str, title: str, owner: str, subsystems: list[str],
           today: dt.date, lang: str) -> str:
    """The scaffold: valid front matter and every required section holding a TODO hint."""
    lines = [
        "---",
        f"id: {rid}",
        f"title: {json.dumps(title.strip(), ensure_ascii=False)}",
        f"kind: {kind}",
        f"subsystems: [{', '.join(subsystems or [COMMON])}]",
        f"owner: {owner}",
        "severity: []",
        "symptoms: []",
        "keywords: []",
        f"last_reviewed: {today.isoformat()}",
        f"review_interval_days: {DEFAULT_REVIEW_DAYS[kind]}",
        "---",
        "",
        f"# {title.strip()}",
    ]
    for heading in REQUIRED_SECTIONS[kind]:
        hint = t(f"runbook.hint.{SECTION_HINTS[heading]}", lang)
        lines += ["", f"## {heading}", "", f"> {TODO_MARKER}：{hint}"]
    return "\n".join(lines) + "\n"


def new(root: Path, kind: str, rid: str, title: str, owner: str, subsystems: list[str],
        lang: str | None = None) -> int:
    lang = language(lang)
    subsystems = list(dict.fromkeys(subsystems))
    if COMMON in subsystems:
        if len(subsystems) > 1:
            raise FatalError(t("rule.runbook-common-alone", lang))
        subsystems = []
    repo = load.load(root)
    # an id or a name, a code or a name, like every other command; a miss is refused by _validate
    owner = resolve.canonical(owner, resolve.person_options(repo.roster), partial=False)
    subsystems = [resolve.canonical(s, resolve.subsystem_options(repo.roster)) for s in subsystems]
    path = _validate(repo, kind, rid, title, owner, subsystems, lang)
    atomic.write_text(path, render(kind, rid, title, owner, subsystems, clock.today(), lang))
    rel = path.relative_to(root).as_posix()
    sys.stdout.write(t("runbook.created", lang, path=rel, kind=t(f"kind.{kind}", lang)) + "\n")
    return 0


def _state(days_left: int, lang: str) -> str:
    if days_left < 0:
        return t("runbook.state-overdue", lang, days=-days_left)
    if days_left == 0:
        return t("runbook.state-today", lang)
    return t("runbook.state-due", lang, days=days_left)


def due(root: Path, within: int = 30, fmt: str = "text", lang: str | None = None) -> int:
    """Runbooks whose review falls due within `within` days of today (overdue ones first)."""
    lang = language(lang)
    if within < 0:
        raise FatalError(t("runbook.bad-within", lang))
    today = clock.today()
    repo = load.load(root)
    rows = []
    for rb in repo.runbook_list:
        when = due_date(rb)
        if when is not None and (when - today).days <= within:
            rows.append((when, rb))
    rows.sort(key=lambda row: (row[0], row[1].id))
    people = repo.roster.people
    if fmt == "json":
        payload = {
            "today": today.isoformat(), "within": within,
            "runbooks": [
                {"id": rb.id, "title": rb.title, "kind": rb.kind, "owner": rb.owner,
                 "path": rb.src.path, "last_reviewed": rb.last_reviewed,
                 "due": when.isoformat(), "days_left": (when - today).days}
                for when, rb in rows
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        sys.stdout.write(t("runbook.due-none", lang, days=within, today=today.isoformat()) + "\n")
        return 0
    out = [t("runbook.due-header", lang, days=within, today=today.isoformat())]
    for when, rb in rows:
        owner = people[rb.owner].display(lang) if rb.owner in people else rb.owner
        out.append("  " + t("runbook.due-line", lang, due=when.isoformat(),
                            state=_state((when - today).days, lang), id=rb.id, title=rb.title,
                            owner=owner, path=rb.src.path))
    sys.stdout.write("\n".join(out) + "\n")
    return 0
