"""The PR gate's own rules: a ticket at the base of a pull request against the same ticket at its head.

Each rule takes the base Ticket (None for a new file), the head Ticket (None for a deleted file)
and a `Gate` (the head roster and policy, the pull request's author, the clocks) and returns
Diagnostics at the head file's line (the base file's line for a deletion). Rules about one
revision alone (transitions, time order, tiers) are `erpops check`'s, run on the changed files.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

from erpops.diagnostics import Diagnostic
from erpops.model import Person, Roster
from erpops.policy import Policy
from erpops.rules import at
from erpops.rules.tickets import holds
from erpops.ticket import Event, Ticket

# Event fields in the order a rewrite is reported, with the YAML key each is written under.
_EVENT_FIELDS = (("kind", "event"), ("at", "at"), ("by", "by"), ("tier", "tier"),
                 ("assignee", "assignee"), ("note", "note"), ("from_subsystem", "from"))


@dataclass(frozen=True)
class Gate:
    """What the comparison needs beyond the two tickets."""

    roster: Roster
    policy: Policy
    now: dt.datetime
    login: str | None = None               # the pull request's author on GitHub
    commit_time: dt.datetime | None = None  # when the head commit was written
    # (head path, history index) → when the commit that added that event was written, where known
    event_times: dict[tuple[str, int], dt.datetime] = field(default_factory=dict)
    base_ids: dict[str, str] = field(default_factory=dict)  # ticket id → its path on the base branch

    @property
    def author(self) -> Person | None:
        """The roster person whose `github` is the author's login (GitHub logins ignore case)."""
        if not self.login:
            return None
        login = self.login.lower()
        return next((p for p in self.roster.people_list if p.github and p.github.lower() == login), None)


def compare(old: Ticket | None, new: Ticket | None, gate: Gate) -> list[Diagnostic]:
    """Everything wrong with changing `old` into `new` in one pull request."""
    if new is None:
        return list(deleted(old)) if old is not None else []
    found: list[Diagnostic] = []
    start = 0
    if old is None:
        found += id_exists(new, gate)
    else:
        found += identity(old, new)
        history = list(appended(old, new))
        found += history
        if history:
            return found  # the new events cannot be told apart from the rewritten ones
        found += moved(old, new)
        start = len(old.history)
    found += new_event_times(new, start, gate)
    found += new_event_people(new, start, gate)
    return found


def deleted(old: Ticket) -> Iterator[Diagnostic]:
    """A ticket is never deleted: one that needs no handling is cancelled, keeping its record."""
    yield at(old.src, ("id",), "pr-ticket-deleted", id=old.id)


def id_exists(new: Ticket, gate: Gate) -> Iterator[Diagnostic]:
    """A new ticket file takes an id that no ticket on the base branch has."""
    path = gate.base_ids.get(new.id)
    if path is not None and path != new.src.path:
        yield at(new.src, ("id",), "pr-id-exists", id=new.id, existing=path)


def identity(old: Ticket, new: Ticket) -> Iterator[Diagnostic]:
    """A ticket's identity does not change: its id, its reporter and the time it was opened."""
    pairs = (
        (("id",), old.id, new.id),
        (("reporter", "person"), old.reporter.person, new.reporter.person),
        (("reporter", "end_user"), old.reporter.end_user, new.reporter.end_user),
        (("reporter", "filed_by"), old.reporter.filed_by, new.reporter.filed_by),
        (("opened",), old.opened, new.opened),
    )
    for fields, was, now in pairs:
        if was != now:
            yield at(new.src, fields, "pr-identity", field=".".join(fields), was=_show(was), now=_show(now))


def moved(old: Ticket, new: Ticket) -> Iterator[Diagnostic]:
    """The subsystem changes only by an explicit move: a new `move` event whose `from` is the old
    subsystem (the file then lives under tickets/<new subsystem>/, the id keeps its prefix)."""
    moves = [e for e in new.history[len(old.history):] if e.kind == "move"]
    if new.subsystem != old.subsystem and not moves:
        yield at(new.src, ("subsystem",), "pr-identity", key="rule.pr-identity-subsystem",
                 was=old.subsystem, now=new.subsystem)
    elif moves and (moves[0].from_subsystem != old.subsystem or new.subsystem == old.subsystem):
        yield at(moves[0].src, ("from",), "pr-identity", key="rule.pr-identity-move",
                 was=old.subsystem, now=new.subsystem)


def appended(old: Ticket, new: Ticket) -> Iterator[Diagnostic]:
    """The history is append-only: the base's events stay, unchanged and in order, at the start."""
    for i, (a, b) in enumerate(zip(old.history, new.history)):
        if a != b:
            attr, key = next((f for f in _EVENT_FIELDS if getattr(a, f[0]) != getattr(b, f[0])), _EVENT_FIELDS[0])
            yield at(b.src, (key,), "pr-history", index=i + 1, field=key,
                     was=_show(getattr(a, attr)), now=_show(getattr(b, attr)))
            return
    if len(new.history) < len(old.history):
        yield at(new.src, ("history",), "pr-history", key="rule.pr-history-removed",
                 count=len(old.history) - len(new.history), had=len(old.history))


def new_event_times(new: Ticket, start: int, gate: Gate) -> Iterator[Diagnostic]:
    """A new event is not dated in the future, nor further than the policy's tolerance from the
    time of the commit that brings it: the first of the pull request's commits whose file has it,
    where the clone holds them, else the pull request's last commit. (The order of events is
    `erpops check`'s ticket-history-order.)"""
    limit = dt.timedelta(hours=gate.policy.time_tolerance_hours)
    for i, e in enumerate(new.history[start:], start):
        if e.at is None or e.at.tzinfo is None:
            continue  # ticket-time-zone reports it
        written = gate.event_times.get((new.src.path, i), gate.commit_time)
        if e.at > gate.now:
            yield at(e.src, ("at",), "pr-event-time", at=e.at.isoformat(), now=gate.now.isoformat())
        elif written is not None and abs(e.at - written) > limit:
            yield at(e.src, ("at",), "pr-event-time", key="rule.pr-event-commit-time", at=e.at.isoformat(),
                     commit=written.isoformat(), hours=f"{gate.policy.time_tolerance_hours:g}")


def entitled(roster: Roster, t: Ticket, e: Event, person: str, assignee: str | None) -> bool:
    """open: anyone who works the ticket's subsystem (a key user, its business-system or ERP admin);
    assign, escalate, resolve, move: the current assignee; close and cancel: the reporter or the
    current assignee; reopen: the reporter; comment: anyone in the roster."""
    if roster.office is not None and person in roster.office.staff:
        return True
    reporters = {t.reporter.person, t.reporter.filed_by} - {None}
    if e.kind == "open":
        sub = roster.subsystems.get(t.first_subsystem)  # before any move
        return sub is not None and any(holds(roster, sub, tier, person)
                                       for tier in ("key-user", "business-admin", "erp-admin"))
    if e.kind in ("assign", "escalate", "resolve", "move"):
        return person == assignee
    if e.kind in ("close", "cancel"):
        return person in reporters or person == assignee
    if e.kind == "reopen":
        return person in reporters
    return person in roster.people


def new_event_people(new: Ticket, start: int, gate: Gate) -> Iterator[Diagnostic]:
    """Each new event is recorded by the pull request's author, under their own name, and the author
    is entitled to it. Without an author (the merge queue), the recorded person must be entitled."""
    events = new.history[start:]
    if not events:
        return
    author = gate.author
    if gate.login and author is None:
        yield at(events[0].src, ("by",), "pr-author", key="rule.pr-author-unknown", login=gate.login)
        return
    assignee = None
    for i, e in enumerate(new.history):
        if i >= start:
            if author is not None and e.by != author.id:
                yield at(e.src, ("by",), "pr-author", by=e.by, author=author.name, login=gate.login)
            actor = author.id if author is not None else e.by
            if actor in gate.roster.people and not entitled(gate.roster, new, e, actor, assignee):
                yield at(e.src, ("event",), "pr-entitled", key=f"rule.pr-entitled-{e.kind}",
                         person=gate.roster.people[actor].name)
        if e.kind in ("open", "assign", "escalate") and (e.assignee or e.kind != "open"):
            assignee = e.assignee


def _show(v: object) -> str:
    if v is None:
        return "-"
    return v.isoformat() if isinstance(v, dt.datetime) else str(v)

