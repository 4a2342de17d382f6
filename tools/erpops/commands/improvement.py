"""erpops improvement …: raise ticket feedback as improvement items and record their events.

The same edit machinery as tickets (commands/ticket.py): the file's lock, a fresh read inside it,
the check rules and the gate's entitlement before writing, an atomic write that refuses to
overwrite a change made meanwhile.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from erpops import clock, gitdiff, improvementedit, resolve, schemas, ticketedit
from erpops import improvement as model
from erpops.commands.ticket import _repo, editing, find, fresh, instant, person, write_checked
from erpops.diagnostics import Diagnostic
from erpops.edits import EditError
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.improvement import Improvement
from erpops.repository import Repository
from erpops.rules import improvements as rules
from erpops.yamlio import load_text


def find_item(repo: Repository, iid: str) -> Improvement:
    for item in repo.improvements:
        if item.id == iid.strip().upper():
            return item
    raise FatalError(t("improvement.not-found", id=iid))


def due_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    found = clock.parse_date(value.strip())
    if found is None or len(value.strip()) != 10 or not clock.in_range(found):
        raise FatalError(t("improvement.bad-due", value=value))
    return found


def _problems(repo: Repository, rel: str, text: str, old: Improvement | None) -> list[Diagnostic]:
    """The errors `text` would have as item file `rel`: schema, the improvement rules, and the gate's
    (only the ops office proposes, accepts and rejects; only the owner starts and finishes)."""
    doc, found = load_text(text, rel)
    if doc is None:
        return found
    found += schemas.validate(doc, "improvement")
    new = model.build(doc)
    others = [i for i in repo.improvements if i.src.path != rel]
    trial = dataclasses.replace(repo, improvements=others + ([new] if new else []))
    found += [d for d in rules.check(trial) if d.path == rel]
    if new is not None:
        gate = gitdiff.Gate(roster=repo.roster, policy=repo.policy, now=clock.now(repo.policy.calendar.tz))
        found += gitdiff.compare_improvement(old, new, gate)
    return [d for d in found if d.is_error]


def _checker(old: Improvement | None):
    return lambda repo, rel, text, replaces: _problems(repo, rel, text, old)


def new(root: Path, *, from_ticket: str, feedback: int, owner: str | None = None, due: str | None = None,
        title: str | None = None, target: str | None = None, note: str | None = None, by: str | None = None,
        at: str | None = None, branch: str | None = None) -> int:
    """Propose an item from feedback entry `feedback` (1-based) of ticket `from_ticket`."""
    repo = _repo(root)
    tk = find(repo, from_ticket)
    if not 1 <= feedback <= len(tk.feedback):
        raise FatalError(t("improvement.no-feedback", id=tk.id, number=feedback, count=len(tk.feedback)))
    raised = next((i for i in repo.improvements for r in i.tickets if (r.ticket, r.feedback) == (tk.id, feedback)), None)
    if raised is not None:
        raise FatalError(t("improvement.already-raised", id=tk.id, number=feedback, item=raised.id))
    who = person(repo, by, root)
    owner = resolve.person(repo.roster, owner) if owner else None
    when = instant(repo, at)
    entry = tk.feedback[feedback - 1]
    kind = target or (entry.kind if entry.kind in model.TARGETS else "")
    taken = {i.id for i in repo.improvements}
    while True:
        iid = ticketedit.new_id(model.PREFIX, when, taken)
        rel = f"{model.FOLDER}/{when.year}/{iid}.yaml"
        if not (root / rel).exists():
            break
        taken.add(iid)
    text = improvementedit.new_text(iid=iid, title=title or entry.text, target=kind, ticket=tk.id,
                                    feedback=feedback, at=when, by=who, owner=owner, due=due_date(due), note=note)
    with editing(repo, rel, "improvement"):
        code = write_checked(repo, rel, text, branch, f"Propose improvement {iid} from {tk.id}",
                             check=_checker(None), what="improvement")
    if code == 0:
        sys.stdout.write(t("improvement.created", id=iid, path=rel) + "\n")
    return code


def event(root: Path, iid: str, kind: str, *, note: str | None = None, owner: str | None = None,
          due: str | None = None, by: str | None = None, at: str | None = None, branch: str | None = None) -> int:
    """Record one event (accept, start, done, reject, comment) on item `iid`; accept may name the
    owner and the due date."""
    repo = _repo(root)
    loaded = find_item(repo, iid)
    who = person(repo, by, root)
    owner = resolve.person(repo.roster, owner) if owner else None
    when = instant(repo, at)
    day = due_date(due)
    rel = loaded.src.path
    with editing(repo, rel, "improvement"):
        item, raw = fresh(repo, loaded, model.build, "improvement")
        try:
            text = improvementedit.record(item.src.doc.text, item, kind, when, who, note=note, owner=owner, due=day)
        except EditError as err:
            raise FatalError(t("improvement.cannot-edit", path=rel, field=str(err))) from None
        code = write_checked(repo, rel, text, branch, f"Improvement {item.id}: {kind} by {who}", expected=raw,
                             check=_checker(item), what="improvement")
    if code == 0:
        sys.stdout.write(t("improvement.recorded", id=item.id, event=kind, path=rel) + "\n")
    return code


def line(repo: Repository, item: Improvement, today: dt.date) -> str:
    """One item as a line of `erpops improvement list`."""
    people = repo.roster.people
    owner = people[item.owner].display() if item.owner in people else (item.owner or "-")
    status = t(f"improvement.status.{item.status}") if item.status in model.STATUSES else item.status
    late = t("improvement.overdue-days", days=(today - item.due).days) if item.overdue(today) else ""
    return f"{item.id}  {status}  {owner}  {item.due.isoformat() if item.due else '-'}  {item.title}{late}"


def list_(root: Path, *, status: str | None = None, overdue: bool = False) -> int:
    """Every item (oldest id first), filtered; then the ticket feedback no item names yet."""
    repo = _repo(root)
    if status and status not in model.STATUSES:
        raise FatalError(t("improvement.bad-status", value=status, allowed=", ".join(model.STATUSES)))
    today = clock.today()
    items = sorted(repo.improvements, key=lambda i: i.id)
    shown = [i for i in items if (not status or i.status == status) and (not overdue or i.overdue(today))]
    out = [line(repo, i, today) for i in shown] or [t("improvement.none")]
    if not status and not overdue:
        pending = model.unraised(sorted(repo.tickets, key=lambda tk: tk.id), repo.improvements)
        out.append("")
        if pending:
            out.append(t("improvement.unraised-header"))
            out += [f"{tk.id} #{n}  {_target(f.kind)}  {f.text}" for tk, n, f in pending]
        else:
            out.append(t("improvement.unraised-none"))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _target(kind: str) -> str:
    return t(f"improvement.target.{kind}") if kind in model.TARGETS else kind
