"""erpops ticket …: open, move and close tickets by editing only the lines that must change.

Every edit is checked against the schema and the rules before it is written; a refused edit
leaves the file as it was. Writes are atomic.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from erpops import atomic, checks, clock, gitbranch, load, resolve, schemas, ticketedit, ticketindex, yamlio
from erpops import ticket as ticket_model
from erpops.atomic import write_text
from erpops.diagnostics import Diagnostic
from erpops.edits import EditError
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.repository import Repository
from erpops.rules.tickets import default_holder
from erpops.ticket import Ticket
from erpops.yamlio import load_text


def _repo(root: Path) -> Repository:
    repo = load.load(root)
    if repo.policy is None:
        raise FatalError(t("ticket.no-policy"))
    return repo


def find(repo: Repository, tid: str) -> Ticket:
    """The ticket `tid` names: its id or a unique end of it (resolve.ticket)."""
    return resolve.ticket(repo.tickets, tid)


def _partial(root: Path) -> Repository:
    """The roster, the policy and the runbooks, with the ticket index standing for the tickets
    when it is fresh (a new ticket needs only their ids); else everything."""
    index = ticketindex.fresh(root)
    if index is None:
        return _repo(root)
    repo = load.load_some(root, [])
    if repo.policy is None:
        raise FatalError(t("ticket.no-policy"))
    repo.index = index
    return repo


def named(root: Path, tid: str, load_repo=load.load_roster_policy) -> tuple[Repository, Ticket] | None:
    """Ticket `tid` read from the file its full id names, tickets/<subsystem of its prefix>/<year
    of its date>/<id>.yaml, with the roster and the policy (`load_repo`: what else to read besides
    that one ticket): for a command that reads one ticket and checks nothing across tickets
    (`ticket show`). None when no such file holds it (a suffix, a moved ticket): ask the index."""
    parts = tid.strip().split("-")
    if len(parts) != 3 or len(parts[1]) != 8 or not parts[1].isdigit():
        return None
    repo = load_repo(root)
    if repo.policy is None:
        return None
    files = load.Files(root)
    for sub, prefix in sorted(repo.policy.ticket_prefixes.items()):
        rel = f"tickets/{sub}/{parts[1][:4]}/{tid.strip()}.yaml"
        if prefix == parts[0] and not files.is_link(rel) and (root / rel).is_file():
            found = load.read_tickets(root, [rel])
            if found and found[0].id == tid.strip():
                return dataclasses.replace(repo, tickets=found), found[0]
    return None


def own(root: Path, tid: str) -> tuple[Repository, Ticket, object]:
    """For an edit that keeps the ticket's id and file (an event, `update`): ticket `tid` from the
    file its full id names, with the roster, the policy and the runbooks and no other ticket, and
    the check for `write_checked` (`own_problems`). Else (a suffix of an id, a moved ticket) `one`
    and the default check.

    Such an edit cannot change a cross-ticket finding that refuses an edit: ticket-unique-id looks
    at the ticket's id and path alone, which stay; the other cross-ticket rules (recurrence, the
    calendar's SLA note) only warn. So it is checked with the rules that can change because of it,
    and neither the ticket index nor any other ticket is read (#17)."""
    found = named(root, tid, lambda r: load.load_some(r, []))
    if found is None:
        repo, tk = one(root, tid)
        return repo, tk, None
    repo, tk = found
    return repo, tk, own_problems(tk)


def own_problems(kept: Ticket):
    """The check of an edit of ticket `kept` read alone (`own`): the errors of the new text from its
    per-file rules while it keeps the id and the file; else (an edit that changed them) over the
    tickets that can change their verdict (`one`, `_problems`)."""
    def check(repo: Repository, rel: str, text: str, replaces: str | None = None) -> list[Diagnostic]:
        doc, _found = load_text(text, rel)
        new = ticket_model.build(doc) if doc is not None else None
        if replaces or rel != kept.src.path or (new is not None and new.id != kept.id):
            full, _tk = one(repo.root, kept.id)
            return _problems(full, rel, text, replaces)
        return _problems(dataclasses.replace(repo, tickets=[kept], index=None), rel, text, replaces)
    return check


def one(root: Path, tid: str) -> tuple[Repository, Ticket]:
    """The repository as a command on ticket `tid` needs it, and that ticket: only its file, the
    roster, the policy and the runbooks when the ticket index is fresh, else everything."""
    index = ticketindex.fresh(root)
    if index is not None:
        wanted = resolve.ticket_id(index.ids(), tid)
        rel = index.path_of(wanted)
        repo = load.load_some(root, [rel])
        if repo.policy is None:
            raise FatalError(t("ticket.no-policy"))
        if len(repo.tickets) == 1 and repo.tickets[0].id == wanted:
            repo.index = index
            return repo, repo.tickets[0]
    repo = _repo(root)  # no index, or the file changed since: the full load decides
    return repo, find(repo, tid)


def ticket_ids(repo: Repository) -> set[str]:
    """Every ticket id in the repository (from the index when only some tickets were read)."""
    return repo.index.ids() if repo.index is not None else {tk.id for tk in repo.tickets}


def person(repo: Repository, pid: str | None, root: Path) -> str:
    """`--by` if given, else the person whose email is git's user.email, or whose id or GitHub
    login is the login name."""
    people = repo.roster.people
    if pid:
        return resolve.person(repo.roster, pid)
    try:
        email = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip().lower()
    except (OSError, subprocess.SubprocessError):
        email = ""
    login = getpass.getuser().lower()
    for p in people.values():
        emails = {e.lower() for e in (p.email, *p.emails) if e}
        if (email and email in emails) or login in (p.id, (p.github or "").lower()):
            return p.id
    raise FatalError(t("ticket.who-are-you", email=email or "-", login=login))


def instant(repo: Repository, at: str | None) -> dt.datetime:
    """`--at` (ISO; without an offset it is read in the policy's time zone), else now.
    Not later than now: an event is recorded when it has happened."""
    tz = repo.policy.calendar.tz
    now = clock.now(tz)
    if not at:
        value = now
    else:
        try:
            value = dt.datetime.fromisoformat(at.strip())
        except ValueError:
            raise FatalError(t("ticket.bad-time", value=at)) from None
        value = value.replace(tzinfo=tz) if value.tzinfo is None else value
        if not clock.in_range(value):
            raise FatalError(t("ticket.time-range", value=at, min=clock.MIN_YEAR, max=clock.MAX_YEAR))
        if value > now:
            raise FatalError(t("ticket.time-future", value=at, now=now.isoformat()))
    value = value.astimezone(tz).replace(microsecond=0)
    return value.replace(tzinfo=dt.timezone(value.utcoffset()))  # written as +08:00


def _problems(repo: Repository, rel: str, text: str, replaces: str | None = None) -> list[Diagnostic]:
    """The errors `text` would have as the file `rel` of `repo` (in place of the file `replaces`)."""
    return [d for d in findings(repo, rel, text, replaces) if d.is_error]


def findings(repo: Repository, rel: str, text: str, replaces: str | None = None) -> list[Diagnostic]:
    """Every finding `text` would have as the file `rel` of `repo` (in place of the file `replaces`):
    its per-ticket rules, and the cross-ticket rules over the other tickets (with an index: over
    the few that can change their verdict on it, ticketindex.Index.related)."""
    doc, found = load_text(text, rel)
    if doc is None:
        return found
    found += schemas.validate(doc, "ticket")
    new = ticket_model.build(doc)
    if repo.index is not None and new is not None:
        # Only some tickets were read: those whose content can change a finding on this one.
        related = repo.index.related(new, (rel, replaces))
        repo = dataclasses.replace(repo, tickets=load.read_tickets(repo.root, related))
    others = [tk for tk in repo.tickets if tk.src.path not in (rel, replaces)]
    trial = dataclasses.replace(repo, tickets=others + ([new] if new else []))
    found += [d for d in checks.run_rules(trial) if d.path == rel]
    return found


@contextmanager
def editing(repo: Repository, rel: str, what: str = "ticket") -> Iterator[None]:
    """Hold the edit lock of ticket file `rel` (or of an improvement item: `what` names the
    catalogue's messages): concurrent edits of one file take turns."""
    try:
        with atomic.locked(repo.root / rel):
            yield
    except atomic.Busy:
        raise FatalError(t(f"{what}.busy", path=rel, lock=atomic.lock_path(Path(rel)).as_posix(),
                           seconds=f"{atomic.lock_timeout():g}")) from None


def fresh(repo: Repository, tk: Ticket, build=ticket_model.build, what: str = "ticket") -> tuple[Ticket, bytes]:
    """`tk` as its file holds it now, and the file's bytes (call it inside `editing`): another
    edit may have landed since the repository was loaded, and an edit of the old text would drop it.
    (An improvement item: `build` is improvement.build, `what` names the catalogue's messages.)"""
    rel = tk.src.path
    try:
        raw = (repo.root / rel).read_bytes()
    except OSError:
        raise FatalError(t(f"{what}.changed", path=rel)) from None
    text, _ = yamlio.decode(raw, rel)
    if text == tk.src.doc.text:
        return tk, raw
    doc, problems = load_text(text, rel) if text is not None else (None, [])
    new = build(doc) if doc is not None and not problems else None
    if new is None or new.id != tk.id:
        raise FatalError(t(f"{what}.changed", path=rel))
    return new, raw


def write_checked(repo: Repository, rel: str, text: str, branch: str | None = None,
                  message: str = "", replaces: str | None = None, expected: bytes | None = None,
                  check=None, what: str = "ticket") -> int:
    """Write `text` to `rel` if it breaks no rule (removing the file `replaces`, for a move);
    with `branch`, commit it there. With `expected`, the file edited (`replaces`, else `rel`)
    must still hold those bytes when it is replaced: a change made meanwhile is never lost.
    `check(repo, rel, text, replaces)` gives the errors (default: a ticket's); `what` names the
    catalogue's messages (`ticket`, `improvement`)."""
    if branch:
        gitbranch.ensure_free(repo.root, branch)
    problems = (check or _problems)(repo, rel, text, replaces)
    if problems:
        for d in sorted(problems):
            sys.stderr.write(f"{d.path}:{d.line}:{d.column}: [{d.rule}] {d.message()}\n")
        sys.stderr.write(t(f"{what}.refused", path=rel) + "\n")
        if any(d.rule == "ticket-symptom-cause" for d in problems):
            sys.stderr.write(t("ticket.add-cause", id=Path(rel).stem) + "\n")
        return 1
    source = replaces or rel
    try:
        if expected is not None and source != rel and atomic.current(repo.root / source) != expected:
            raise atomic.Changed(source)
        write_text(repo.root / rel, text, expected=expected if source == rel else None)
    except atomic.Changed:
        raise FatalError(t(f"{what}.changed", path=source)) from None
    gone = (replaces,) if replaces and replaces != rel else ()
    for old in gone:
        (repo.root / old).unlink()
    if branch:
        gitbranch.commit_on_branch(repo.root, branch, rel, message, also=gone)
        sys.stdout.write(t("ticket.committed", branch=branch) + "\n")
    return 0


def new(root: Path, *, subsystem: str, type_: str, priority: str, title: str, symptom: str,
        cause: str | None = None, impact: str | None = None, reporter: str | None = None,
        end_user: str | None = None, runbooks: tuple[str, ...] = (), tier: str = "key-user",
        assignee: str | None = None, note: str | None = None, by: str | None = None,
        at: str | None = None, branch: str | None = None) -> int:
    repo = _partial(root)
    who = person(repo, by, root)
    subsystem = resolve.subsystem(repo.roster, subsystem)
    type_ = resolve.ticket_type(repo.policy, type_)
    priority = resolve.priority(repo.policy, priority)
    tier = resolve.tier(repo.policy, tier)
    reporter, assignee = (resolve.person(repo.roster, p) if p else None for p in (reporter, assignee))
    code, _tid, _rel = open_ticket(
        repo, who, instant(repo, at), subsystem=subsystem, type_=type_, priority=priority, title=title,
        symptom=symptom, cause=cause, impact=impact, reporter=reporter, end_user=end_user,
        runbooks=runbooks, tier=tier, assignee=assignee, note=note, branch=branch)
    return code


def open_ticket(repo: Repository, who: str, opened: dt.datetime, *, subsystem: str, type_: str,
                priority: str, title: str, symptom: str, cause: str | None = None,
                impact: str | None = None, reporter: str | None = None, end_user: str | None = None,
                runbooks: tuple[str, ...] = (), tier: str = "key-user", assignee: str | None = None,
                note: str | None = None, branch: str | None = None,
                issue: dict | None = None,
                attachments: tuple[tuple[str, str], ...] = ()) -> tuple[int, str, str]:
    """Write (and with `branch`, commit) a new ticket filed by `who`: (exit code, id, file);
    `issue` ({forge, number, url}): the forge issue it was filed from; `attachments`: (name, url)
    of files pasted into an issue (attachments.py)."""
    root = repo.root
    prefix = repo.policy.ticket_prefixes.get(subsystem)
    if prefix is None:
        raise FatalError(t("ticket.unknown-subsystem", subsystem=subsystem))
    taken = ticket_ids(repo)
    while True:
        tid = ticketedit.new_id(prefix, opened, taken)
        rel = f"tickets/{subsystem}/{opened.year}/{tid}.yaml"
        if not (root / rel).exists():
            break
        taken.add(tid)
    text = ticketedit.new_text(
        tid=tid, title=title, subsystem=subsystem, type_=type_, priority=priority, opened=opened,
        by=who, tier=tier, assignee=assignee or who, symptom=symptom, reporter=reporter,
        end_user=end_user, cause=cause, impact=impact, runbooks=runbooks, note=note, issue=issue,
        attachments=attachments,
    )
    code = write_checked(repo, rel, text, branch, f"Open ticket {tid}: {title}")
    if code == 0:
        sys.stdout.write(t("ticket.created", id=tid, path=rel) + "\n")
    return code, tid, rel


def event(root: Path, tid: str, kind: str, *, to: str | None = None, tier: str | None = None,
          note: str | None = None, summary: str | None = None, root_cause: str | None = None,
          by: str | None = None, at: str | None = None, branch: str | None = None,
          reason: str | None = None) -> int:
    """Record one event (assign, escalate, comment, resolve, close, reopen, cancel, hold, resume) on
    ticket `tid`; a hold names its `reason` (HOLD_REASONS)."""
    if kind == "hold" and reason not in ticket_model.HOLD_REASONS:
        raise FatalError(t("ticket.bad-reason", value=reason or "", allowed=", ".join(ticket_model.HOLD_REASONS)))
    repo, loaded, check = own(root, tid)
    who = person(repo, by, root)
    when = instant(repo, at)
    tier = resolve.tier(repo.policy, tier) if tier else None
    to = resolve.person(repo.roster, to) if to else None
    with editing(repo, loaded.src.path):
        tk, raw = fresh(repo, loaded)
        if kind == "escalate" and not tier:
            rank = repo.policy.rank(tk.tier)
            if rank < 0 or rank + 1 >= len(repo.policy.tiers):
                raise FatalError(t("ticket.no-higher-tier", tier=t(f"tier.{tk.tier}")))
            tier = repo.policy.tiers[rank + 1]
        if kind == "escalate" and not to:
            sub = repo.roster.subsystems.get(tk.subsystem)
            to = default_holder(repo.roster, sub, tier) if sub else None
            if not to:
                raise FatalError(t("ticket.name-assignee", tier=t("tier." + tier)))
        resolution = None
        if kind == "resolve":
            resolution = {"summary": summary, "root_cause": root_cause, "by": who, "at": when}
        rel = tk.src.path
        try:
            new_text = ticketedit.record(tk.src.doc.text, tk, kind, when, who, tier=tier, assignee=to,
                                         note=note, resolution=resolution,
                                         reason=reason if kind == "hold" else None)
        except EditError as err:
            raise FatalError(t("ticket.cannot-edit", path=rel, field=str(err))) from None
        code = write_checked(repo, rel, new_text, branch, f"Ticket {tk.id}: {kind} by {who}", expected=raw,
                             check=check)
    if code == 0:
        sys.stdout.write(t("ticket.recorded", id=tk.id, event=t(f"ticket.event.{kind}"), path=rel) + "\n")
    return code


def move(root: Path, tid: str, to: str, *, note: str | None = None, by: str | None = None,
         at: str | None = None, branch: str | None = None) -> int:
    """Move ticket `tid` to subsystem `to`: a `move` event with `from`, the new subsystem, and the
    file under tickets/<to>/; the id keeps its prefix."""
    repo, loaded = one(root, tid)
    to = resolve.subsystem(repo.roster, to)
    if to == loaded.subsystem:
        raise FatalError(t("ticket.move-same", id=loaded.id, subsystem=to))
    who = person(repo, by, root)
    when = instant(repo, at)
    with editing(repo, loaded.src.path):
        tk, raw = fresh(repo, loaded)
        if to == tk.subsystem:
            raise FatalError(t("ticket.move-same", id=tk.id, subsystem=to))
        try:
            new_text = ticketedit.record(tk.src.doc.text, tk, "move", when, who, note=note, moved_to=to)
        except EditError as err:
            raise FatalError(t("ticket.cannot-edit", path=tk.src.path, field=str(err))) from None
        year = tk.opened.astimezone(repo.policy.calendar.tz).year if tk.opened and tk.opened.tzinfo else when.year
        rel = f"tickets/{to}/{year}/{tk.id}.yaml"
        code = write_checked(repo, rel, new_text, branch, f"Ticket {tk.id}: move to {to} by {who}",
                             replaces=tk.src.path, expected=raw)
    if code == 0:
        sys.stdout.write(t("ticket.moved", id=tk.id, subsystem=to, path=rel) + "\n")
    return code


def close_unconfirmed(root: Path, *, by: str | None = None, at: str | None = None,
                      branch: str | None = None) -> int:
    """Close, as unanswered, every resolved ticket whose reporter has not confirmed or reopened it
    within the policy's `confirmation.wait_working_days`: a `close` event by `by` (a member of the
    ops office) with the catalogue's note. Only where the policy says `confirmation.then: close`."""
    from erpops.rules.ticket_sla import unconfirmed

    repo = _repo(root)
    conf = repo.policy.confirmation
    if conf.then != "close":
        raise FatalError(t("ticket.unconfirmed-policy-warn"))
    who = person(repo, by, root)
    if repo.roster.office is None or who not in repo.roster.office.staff:
        raise FatalError(t("ticket.unconfirmed-not-office", person=who))
    when = instant(repo, at)
    due = sorted((tk for tk in repo.tickets if unconfirmed(repo.policy, tk, when)), key=lambda tk: tk.id)
    if not due:
        sys.stdout.write(t("ticket.unconfirmed-none", days=conf.wait_working_days) + "\n")
        return 0
    if branch:
        gitbranch.ensure_free(repo.root, branch)
    note = t("ticket.unconfirmed-note", days=conf.wait_working_days)
    written, code = [], 0
    for loaded in due:
        with editing(repo, loaded.src.path):
            tk, raw = fresh(repo, loaded)
            if not unconfirmed(repo.policy, tk, when):
                continue  # confirmed or reopened meanwhile
            try:
                new_text = ticketedit.record(tk.src.doc.text, tk, "close", when, who, note=note)
            except EditError as err:
                raise FatalError(t("ticket.cannot-edit", path=tk.src.path, field=str(err))) from None
            if write_checked(repo, tk.src.path, new_text, expected=raw) == 0:
                written.append(tk.src.path)
                sys.stdout.write(t("ticket.recorded", id=tk.id, event=t("ticket.event.close"), path=tk.src.path) + "\n")
            else:
                code = 1
    if branch and written:
        gitbranch.commit_on_branch(repo.root, branch, written[0],
                                   f"Close {len(written)} tickets unconfirmed by their reporters, by {who}",
                                   also=tuple(written[1:]))
        sys.stdout.write(t("ticket.committed", branch=branch) + "\n")
    sys.stdout.write(t("ticket.unconfirmed-count", count=len(written)) + "\n")
    return code


def update(root: Path, tid: str, *, note: str, title: str | None = None, symptom: str | None = None,
           cause: str | None = None, impact: str | None = None, priority: str | None = None,
           type_: str | None = None, runbooks: tuple[str, ...] = (), by: str | None = None,
           at: str | None = None, branch: str | None = None) -> int:
    """Correct ticket fields: set them and record one `update` event listing them, in one edit;
    refused, leaving the file as it was, when a check rule or the gate's entitlement says no."""
    from erpops import gitdiff

    repo, loaded, check = own(root, tid)
    who = person(repo, by, root)
    when = instant(repo, at)
    priority = resolve.priority(repo.policy, priority) if priority else None
    type_ = resolve.ticket_type(repo.policy, type_) if type_ else None
    with editing(repo, loaded.src.path):
        tk, raw = fresh(repo, loaded)
        asked = {"title": title, "symptom": symptom, "cause": cause, "impact": impact, "type": type_,
                 "priority": priority, "runbooks": tuple(runbooks) if runbooks else None}
        current = {"title": tk.title, "symptom": tk.symptom, "cause": tk.cause, "impact": tk.impact,
                   "type": tk.type, "priority": tk.priority, "runbooks": tk.runbooks}
        changes = {k: v for k, v in asked.items() if v is not None and v != current[k]}
        if not changes:
            raise FatalError(t("ticket.update-nothing", id=tk.id))
        rel = tk.src.path
        try:
            new_text = ticketedit.update(tk.src.doc.text, tk, when, who, changes, note)
        except EditError as err:
            raise FatalError(t("ticket.cannot-edit", path=rel, field=str(err))) from None
        doc, _ = load_text(new_text, rel)
        new_tk = ticket_model.build(doc) if doc is not None else None
        if new_tk is not None:
            gate = gitdiff.Gate(roster=repo.roster, policy=repo.policy, now=clock.now(repo.policy.calendar.tz))
            refused = [d for d in gitdiff.compare(tk, new_tk, gate) if d.is_error]
            if refused:
                for d in sorted(refused):
                    sys.stderr.write(f"{d.path}:{d.line}:{d.column}: [{d.rule}] {d.message()}\n")
                sys.stderr.write(t("ticket.refused", path=rel) + "\n")
                return 1
        code = write_checked(repo, rel, new_text, branch, f"Ticket {tk.id}: update {', '.join(changes)} by {who}",
                             expected=raw, check=check)
    if code == 0:
        sys.stdout.write(t("ticket.recorded", id=tk.id, event=t("ticket.event.update"), path=rel) + "\n")
    return code
