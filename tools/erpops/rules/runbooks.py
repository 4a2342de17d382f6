"""Rules for runbooks: where they live, who owns them, what they contain, when they are reviewed.

Decisions (the rulebook leaves them open):
- A contingency plan, and any runbook under `runbooks/common/`, is owned by the ops office
  (its lead or a member) or by an ERP subsystem admin: the office coordinates emergencies and
  backup, network security and the platform are reserved to the ERP admin.
- A procedure or maintenance runbook under `runbooks/<code>/` is owned by the business-system
  admin or the ERP subsystem admin of a subsystem it lists.
- Past its review date (last_reviewed + review_interval_days) is a warning; more than
  OVERDUE_FACTOR intervals after the last review it is an error, so a forgotten plan stops CI.
- Every subsystem should have a contingency plan that applies to it (one listing `common`
  applies to all). A gap is a warning, and only once the repository keeps runbooks at all,
  so that a freshly adopted repository is not red from day one.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Iterator

from erpops import clock
from erpops.diagnostics import WARNING, Diagnostic
from erpops.repository import Repository
from erpops.model import Roster, Runbook
from erpops.rules import at, repeats

COMMON = "common"
KINDS = ("contingency", "procedure", "maintenance")

# The `## ` headings each kind of runbook must have, in the order the scaffold writes them.
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    "contingency": ("触发条件与发现", "对生产的影响", "应急措施", "恢复步骤", "回退方案", "通知对象", "演练记录"),
    "procedure": ("适用范围", "前置条件", "操作步骤", "检查与确认"),
    "maintenance": ("周期", "操作步骤", "检查与确认"),
}

# The catalogue entry (runbook.hint.<slug>) the scaffold writes under each heading.
SECTION_HINTS: dict[str, str] = {
    "触发条件与发现": "trigger", "对生产的影响": "impact", "应急措施": "measures",
    "恢复步骤": "recovery", "回退方案": "fallback", "通知对象": "notify", "演练记录": "drill",
    "适用范围": "scope", "前置条件": "prerequisites", "操作步骤": "steps",
    "检查与确认": "verify", "周期": "period",
}

# A review this many intervals late is an error, not just a warning.
OVERDUE_FACTOR = 2

# What the scaffold writes into each section; left in place it is a warning, not an error.
TODO_MARKER = "TODO（待补充）"


def _stem(rb: Runbook) -> str:
    return rb.src.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def id_is_file_name(repo: Repository) -> Iterator[Diagnostic]:
    """runbooks/<folder>/<id>.md: the file is named after the id it holds."""
    for rb in repo.runbook_list:
        if _stem(rb) != rb.id:
            yield at(rb.src, ("id",), "runbook-id-file", id=rb.id, stem=_stem(rb))


def unique_ids(repo: Repository) -> Iterator[Diagnostic]:
    """Runbook ids are unique across all folders: tickets link a runbook by its id alone."""
    for rb, first in repeats(repo.runbook_list, lambda rb: rb.id):
        yield at(rb.src, ("id",), "runbook-unique-id", id=rb.id, first=first.src.path)


def known_subsystems(repo: Repository) -> Iterator[Diagnostic]:
    """Every listed subsystem exists; `common` stands alone (it already means all of them)."""
    known = repo.roster.subsystems
    for rb in repo.runbook_list:
        for i, code in enumerate(rb.subsystems):
            if code == COMMON:
                if len(rb.subsystems) > 1:
                    yield at(rb.src, ("subsystems", i), "runbook-common-alone")
            elif code not in known:
                yield at(rb.src, ("subsystems", i), "runbook-unknown-subsystem",
                         code=code, known=", ".join(sorted(known)))


def folder_matches(repo: Repository) -> Iterator[Diagnostic]:
    """The folder is `common` or a subsystem code that the runbook lists."""
    for rb in repo.runbook_list:
        if rb.folder != COMMON and rb.folder not in rb.subsystems:
            yield at(rb.src, ("subsystems",), "runbook-folder", folder=rb.folder)


def applies_to(rb: Runbook, roster: Roster) -> list[str]:
    """The codes of the existing subsystems a runbook covers."""
    if COMMON in rb.subsystems:
        return [s.code for s in roster.subsystem_list]
    return [c for c in rb.subsystems if c in roster.subsystems]


def fitting_owners(rb: Runbook, roster: Roster) -> list[str]:
    """The person ids who may own this runbook (see the module's decisions)."""
    listed = [roster.subsystems[c] for c in applies_to(rb, roster)]
    erp = [p for s in listed for p in s.erp_admins]
    if rb.kind == "contingency" or rb.folder == COMMON:
        office = list(roster.office.staff) if roster.office else []
        candidates = office + erp
    else:
        candidates = [p for s in listed for p in s.business_admins] + erp
    return list(dict.fromkeys(p for p in candidates if p in roster.people))


def owner_exists(repo: Repository) -> Iterator[Diagnostic]:
    """The owner is a person in roster/people.yaml."""
    for rb in repo.runbook_list:
        if rb.owner and rb.owner not in repo.roster.people:
            yield at(rb.src, ("owner",), "runbook-unknown-owner", person=rb.owner)


def owner_role(repo: Repository) -> Iterator[Diagnostic]:
    """The owner holds a role that fits the runbook: office / ERP admin, or a listed subsystem's admin."""
    roster = repo.roster
    for rb in repo.runbook_list:
        if rb.owner not in roster.people or not rb.kind:
            continue
        fitting = fitting_owners(rb, roster)
        if rb.owner not in fitting:
            names = "、".join(roster.people[p].name for p in fitting) or "—"
            office_owned = rb.kind == "contingency" or rb.folder == COMMON
            yield at(rb.src, ("owner",), "runbook-owner-role",
                     key="rule.runbook-owner-role" if office_owned else "rule.runbook-owner-role-subsystem",
                     person=roster.people[rb.owner].name, fitting=names)


def required_sections(repo: Repository) -> Iterator[Diagnostic]:
    """A runbook has every `## ` section its kind requires (REQUIRED_SECTIONS)."""
    for rb in repo.runbook_list:
        present = {s.title for s in rb.sections}
        for title in REQUIRED_SECTIONS.get(rb.kind, ()):
            if title not in present:
                yield at(rb.src, ("kind",), "runbook-missing-section",
                         kind=rb.kind, section=title)


def _section_text(rb: Runbook) -> dict[str, tuple[int, str]]:
    """Each `## ` section's heading line and the text under it, up to the next `## `."""
    lines = rb.body.split("\n")
    out: dict[str, tuple[int, str]] = {}
    for i, s in enumerate(rb.sections):
        start = s.line - rb.body_line + 1
        end = rb.sections[i + 1].line - rb.body_line if i + 1 < len(rb.sections) else len(lines)
        out.setdefault(s.title, (s.line, "\n".join(lines[start:end])))
    return out


def sections_not_empty(repo: Repository) -> Iterator[Diagnostic]:
    """A required section says something: a heading with nothing under it is an error."""
    for rb in repo.runbook_list:
        texts = _section_text(rb)
        for title in REQUIRED_SECTIONS.get(rb.kind, ()):
            if title in texts and not texts[title][1].strip():
                yield Diagnostic.make(rb.src.path, texts[title][0], "runbook-empty-section",
                                      section=title)


def todo_left(repo: Repository) -> Iterator[Diagnostic]:
    """Warn about scaffold placeholders still in the text: the runbook is not finished."""
    for rb in repo.runbook_list:
        hits = [i for i, line in enumerate(rb.body.split("\n")) if TODO_MARKER in line]
        if hits:
            yield Diagnostic.make(rb.src.path, rb.body_line + hits[0], "runbook-todo", WARNING,
                                  count=len(hits))


def due_date(rb: Runbook) -> dt.date | None:
    """When the next review is due: last_reviewed + review_interval_days."""
    last = clock.parse_date(rb.last_reviewed)
    if last is None or not rb.review_interval_days:
        return None
    return last + dt.timedelta(days=rb.review_interval_days)


def review_current(repo: Repository, today: dt.date) -> Iterator[Diagnostic]:
    """Reviewed on time: late is a warning, more than OVERDUE_FACTOR intervals late an error."""
    for rb in repo.runbook_list:
        due, last = due_date(rb), clock.parse_date(rb.last_reviewed)
        if due is None or last is None:
            continue
        if last > today:
            yield at(rb.src, ("last_reviewed",), "runbook-review-future", date=rb.last_reviewed)
        elif today > last + dt.timedelta(days=OVERDUE_FACTOR * rb.review_interval_days):
            yield at(rb.src, ("last_reviewed",), "runbook-review-overdue",
                     due=due.isoformat(), days=(today - due).days, factor=OVERDUE_FACTOR)
        elif today > due:
            yield at(rb.src, ("last_reviewed",), "runbook-review-due", WARNING,
                     due=due.isoformat(), days=(today - due).days)


def contingency_coverage(repo: Repository) -> Iterator[Diagnostic]:
    """Warn about a subsystem that no contingency plan applies to (once runbooks are kept at all)."""
    if not repo.runbook_list:
        return
    covered = Counter(
        code for rb in repo.runbook_list if rb.kind == "contingency"
        for code in applies_to(rb, repo.roster)
    )
    for s in repo.roster.subsystem_list:
        if not covered[s.code]:
            yield at(s.src, ("code",), "runbook-no-contingency", WARNING, subsystem=s.name, code=s.code)


RULES = (
    id_is_file_name, unique_ids, known_subsystems, folder_matches, owner_exists, owner_role,
    required_sections, sections_not_empty, todo_left, contingency_coverage,
)


def check(repo: Repository, today: dt.date | None = None) -> list[Diagnostic]:
    found = [d for rule in RULES for d in rule(repo)]
    found += review_current(repo, today or clock.today())
    return found
