"""The PR gate's own rules: a ticket at the base of a pull request against the same ticket at its head.

Each rule takes the base Ticket (None for a new file), the head Ticket (None for a deleted file)
and a `Gate` (the BASE roster and policy, the pull request's author, the trusted clocks) and
returns Diagnostics at the head file's line (the base file's line for a deletion). Rules about one
revision alone (transitions, time order, tiers) are `erpops check`'s, run on the changed files.
A pull request never supplies its own rules: the roster and policy here are the base's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Iterable, Iterator

from erpops.diagnostics import ERROR, WARNING, Diagnostic
from erpops.improvement import PLANS as IMPROVEMENT_PLANS
from erpops.improvement import ImpEvent, Improvement
from erpops.model import Person, Roster
from erpops.policy import Policy
from erpops.rules import at
from erpops.rules.tickets import holds
from erpops.ticket import STATUS_AFTER, Event, Ticket

# Event fields in the order a rewrite is reported, with the YAML key each is written under.
_EVENT_FIELDS = (("kind", "event"), ("at", "at"), ("by", "by"), ("tier", "tier"),
                 ("assignee", "assignee"), ("note", "note"), ("from_subsystem", "from"),
                 ("fields", "fields"), ("reason", "reason"))
# Top-level ticket keys a new event explains without naming them: a resolve writes the resolution
# (and the feedback and publication that go with it), a move the subsystem. `update` names its own.
EXPLAINED_BY = {"resolve": ("resolution", "feedback", "publication"), "move": ("subsystem",)}
# Keys not compared here: the identity (pr-identity), the history itself (pr-history), the subsystem
# (the move rule), and what the history determines (check's ticket-history-consistent).
NOT_COMPARED = ("id", "reporter", "opened", "history", "subsystem", "status", "tier", "assignee")
# Who may correct which field with an `update` (besides the ops office, who may correct any, and
# alone may touch a closed or cancelled ticket):
#   title, symptom, cause, impact   the reporter (person or filed_by) or the current holder
#   runbooks                        the current holder
#   type, priority                  the current holder at a tier >= business-admin and >= the
#                                   higher min_tier of the old and the new type
#   resolution, feedback, publication  the person who resolved it (the last resolve event's by)
DESCRIBED = ("title", "symptom", "cause", "impact")
CLASSIFIED = ("type", "priority")
RESOLVED = ("resolution", "feedback", "publication")
CLOSED = ("closed", "cancelled")


@dataclass(frozen=True)
class Gate:
    """What the comparison needs beyond the two tickets. Roster and policy are the base revision's."""

    roster: Roster
    policy: Policy
    now: dt.datetime                        # the CI clock
    login: str | None = None               # the pull request's author on GitHub
    acting_for: str | None = None          # for a bot's pull request: the person the forge says acted
    opened_at: dt.datetime | None = None   # when the forge says the pull request was opened
    base_ids: dict[str, str] = field(default_factory=dict)  # ticket id → its path on the base branch

    @property
    def is_bot(self) -> bool:
        """Whether the author is a bot (policy pr_gate.bots, or any login ending in [bot])."""
        login = (self.login or "").lower()
        return bool(login) and (login.endswith("[bot]") or login in {b.lower() for b in self.policy.bots})

    @property
    def acting_login(self) -> str | None:
        """The login of the person the pull request acts for: its author, or for a bot `acting_for`."""
        return (self.acting_for or None) if self.is_bot else self.login

    @property
    def author(self) -> Person | None:
        """The roster person whose `github` is the acting login (GitHub logins ignore case)."""
        if not self.acting_login:
            return None
        login = self.acting_login.lower()
        return next((p for p in self.roster.people_list if p.github and p.github.lower() == login), None)

    def is_office(self, pid: str | None) -> bool:
        return bool(pid) and self.roster.office is not None and pid in self.roster.office.staff


def protected_match(pattern: str, path: str) -> bool:
    """gitignore-like: `dir/` matches everything below dir; a pattern with a `/` inside is anchored
    at the ops repository's root, one without matches a name at any depth; `*` and `?` are wildcards."""
    is_dir = pattern.endswith("/")
    pat = pattern.strip("/")
    if not pat:
        return False
    anchored = pattern.startswith("/") or "/" in pat
    want, parts = pat.split("/"), path.split("/")
    for s in ([0] if anchored else range(len(parts))):
        seg = parts[s:s + len(want)]
        if len(seg) == len(want) and all(fnmatchcase(a, b) for a, b in zip(seg, want)):
            if not is_dir or s + len(want) < len(parts):
                return True
    return False


def protected(paths: Iterable[tuple[str | None, str | None]], gate: Gate) -> Iterator[Diagnostic]:
    """Protected paths (policy pr_gate.protected_paths, from the base) change only by the ops office
    as the base roster has it. Without an author (the merge queue) a change is only flagged as a
    warning: the pull request's own run, which knows its author, decided it."""
    author = gate.author
    if author is not None and gate.is_office(author.id):
        return
    office = gate.roster.office
    names = tuple(gate.roster.people[p].name if p in gate.roster.people else p
                  for p in (office.staff if office else ())) or ("-",)
    severity = ERROR if gate.login else WARNING
    for old, new in paths:
        hit = next((p for p in gate.policy.protected_paths for f in (old, new) if f and protected_match(p, f)), None)
        if hit is not None:
            yield Diagnostic.make(new or old, 1, "pr-protected-path", severity, file=new or old,
                                  pattern=hit, office=names)


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
        found += unexplained(old, new, start)
    found += new_event_times(new, start, gate)
    found += new_event_people(new, start, gate, old)
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


def appended(old: Ticket | Improvement, new: Ticket | Improvement,
             fields: tuple[tuple[str, str], ...] = _EVENT_FIELDS) -> Iterator[Diagnostic]:
    """The history is append-only: the base's events stay, unchanged and in order, at the start.
    `fields`: the event's attributes in the order a rewrite is reported, with their YAML keys."""
    for i, (a, b) in enumerate(zip(old.history, new.history)):
        if a != b:
            attr, key = next((f for f in fields if getattr(a, f[0]) != getattr(b, f[0])), fields[0])
            yield at(b.src, (key,), "pr-history", index=i + 1, field=key,
                     was=_show(getattr(a, attr)), now=_show(getattr(b, attr)))
            return
    if len(new.history) < len(old.history):
        yield at(new.src, ("history",), "pr-history", key="rule.pr-history-removed",
                 count=len(old.history) - len(new.history), had=len(old.history))


def unexplained(old: Ticket, new: Ticket, start: int) -> Iterator[Diagnostic]:
    """Every field that differs from the base is explained by a new event: a resolve for the
    resolution, a move for the subsystem, an update for the fields it lists."""
    explained: set[str] = set()
    for e in new.history[start:]:
        explained.update(EXPLAINED_BY.get(e.kind, ()))
        if e.kind == "update":
            explained.update(e.fields)
    was, now = _data(old), _data(new)
    for key in list(now) + [k for k in was if k not in now]:
        if key in NOT_COMPARED or key in explained or was.get(key) == now.get(key):
            continue
        path = _first_difference(was.get(key), now.get(key), (key,)) if key in now else ()
        yield at(new.src, path, "pr-unexplained", field=".".join(map(str, path)) or key, key=key)


def _data(t: Ticket) -> dict:
    return t.src.doc.data if isinstance(t.src.doc.data, dict) else {}


def _first_difference(a: Any, b: Any, path: tuple) -> tuple:
    """The path, inside `b`, of the first place where `b` differs from `a`."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in b:
            if a.get(k) != b[k]:
                return _first_difference(a.get(k), b[k], path + (k,))
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, path + (i,))
        if len(b) > len(a):
            return path + (len(a),)
    return path


def new_event_times(new: Ticket, start: int, gate: Gate) -> Iterator[Diagnostic]:
    """Times come from the forge and the CI clock, never from commits (their dates are the author's
    to set): a new event is not later than the CI clock (check's ticket-event-future, which
    pr-check runs on the changed tickets), nor earlier than the pull request's opening
    (`--opened-at`) by more than the base policy's tolerance. Without `--opened-at` (the merge
    queue, a local run) the lower bound is not checked, and an event older than the tolerance is
    noted as a warning. (The order of events is `erpops check`'s ticket-history-order.)"""
    hours = gate.policy.time_tolerance_hours
    limit = dt.timedelta(hours=hours)
    for e in new.history[start:]:
        if e.at is None or e.at.tzinfo is None:
            continue  # ticket-time-zone reports it
        if e.at > gate.now:
            continue  # check's ticket-event-future refuses it, on the same clock: one finding, not two
        if gate.opened_at is not None and e.at < gate.opened_at - limit:
            yield at(e.src, ("at",), "pr-event-time", key="rule.pr-event-before-opened", at=e.at.isoformat(),
                     opened=gate.opened_at.isoformat(), hours=f"{hours:g}")
        elif gate.opened_at is None and e.at < gate.now - limit:
            yield at(e.src, ("at",), "pr-event-time", WARNING, key="rule.pr-event-unbounded",
                     at=e.at.isoformat(), hours=f"{hours:g}")


def entitled(gate: Gate, t: Ticket, e: Event, person: str, state: dict, old: Ticket | None = None) -> bool:
    """Whether `person` may record `e` on `t` under the base rules, `state` being the ticket before it
    (assignee, status, resolver, hold). open: anyone who works the ticket's subsystem (a key user,
    its business-system or ERP admin); assign, escalate, resolve, move, hold: the current assignee;
    resume: the assignee, or the reporter when the ticket waits for the reporter; close and
    cancel: the reporter or the current assignee; reopen: the reporter; update: see the table
    above; comment: anyone in the roster. The ops office may do all of it."""
    roster = gate.roster
    if gate.is_office(person):
        return True
    reporters = {t.reporter.person, t.reporter.filed_by} - {None}
    assignee = state.get("assignee")
    if e.kind == "open":
        sub = roster.subsystems.get(t.first_subsystem)  # before any move
        return sub is not None and any(holds(roster, sub, tier, person)
                                       for tier in ("key-user", "business-admin", "erp-admin"))
    if e.kind in ("assign", "escalate", "resolve", "move", "hold"):
        return person == assignee
    if e.kind == "resume":
        return person == assignee or (state.get("hold") == "reporter" and person in reporters)
    if e.kind in ("close", "cancel"):
        return person in reporters or person == assignee
    if e.kind == "reopen":
        return person in reporters
    if e.kind == "update":
        return state.get("status") not in CLOSED and bool(e.fields) and all(
            _may_update(gate.policy, t, e, f, person, state, old) for f in e.fields)
    return person in roster.people


def _may_update(policy: Policy, t: Ticket, e: Event, name: str, person: str, state: dict,
                old: Ticket | None) -> bool:
    reporters = {t.reporter.person, t.reporter.filed_by} - {None}
    holder = person == state.get("assignee")
    if name in DESCRIBED:
        return holder or person in reporters
    if name == "runbooks":
        return holder
    if name in CLASSIFIED:
        types = {t.type, old.type if old is not None else t.type}
        need = max([policy.rank("business-admin")] + [policy.rank(policy.ticket_types[k].min_tier)
                                                      for k in types if k in policy.ticket_types])
        return holder and policy.rank(e.tier) >= need
    if name in RESOLVED:
        return person == state.get("resolver")
    return False


def unknown_actor(first: Event | ImpEvent, gate: Gate) -> Diagnostic | None:
    """Why nobody can be held to the new events (at the first one's `by`): a bot's pull request without
    the person it acts for, or a login that is not in the base roster; None when the actor is known."""
    if gate.is_bot and not gate.acting_for:
        return at(first.src, ("by",), "pr-author", key="rule.pr-author-bot", login=gate.login)
    if gate.acting_login and gate.author is None:
        return at(first.src, ("by",), "pr-author", key="rule.pr-author-unknown", login=gate.acting_login)
    return None


def new_event_people(new: Ticket, start: int, gate: Gate, old: Ticket | None = None) -> Iterator[Diagnostic]:
    """Each new event is recorded by the pull request's author (for a bot's pull request: the person
    it acts for), under their own name, and that person is entitled to it under the base roster.
    Without an author (the merge queue), the recorded person must be entitled."""
    events = new.history[start:]
    if not events:
        return
    refusal = unknown_actor(events[0], gate)
    if refusal is not None:
        yield refusal
        return
    author = gate.author
    state: dict[str, Any] = {}
    for i, e in enumerate(new.history):
        if i >= start:
            if author is not None and e.by != author.id:
                yield at(e.src, ("by",), "pr-author", by=e.by, author=author.name, login=gate.acting_login)
            actor = author.id if author is not None else e.by
            if actor in gate.roster.people and not entitled(gate, new, e, actor, state, old):
                key = f"rule.pr-entitled-{e.kind}"
                if e.kind == "update" and state.get("status") in CLOSED:
                    key = "rule.pr-entitled-update-closed"
                yield at(e.src, ("event",), "pr-entitled", key=key, person=gate.roster.people[actor].name,
                         names=e.fields or ("-",))
        if e.kind in ("open", "assign", "escalate") and (e.assignee or e.kind != "open"):
            state["assignee"] = e.assignee
        if e.kind == "resolve":
            state["resolver"] = e.by
        if e.kind == "hold":
            state["hold"] = e.reason
        elif e.kind == "resume":
            state["hold"] = None
        state["status"] = STATUS_AFTER.get(e.kind, state.get("status"))


def _show(v: object) -> str:
    if v is None:
        return "-"
    return v.isoformat() if isinstance(v, dt.datetime) else str(v)


# --- Improvement items (improvements/<YYYY>/<id>.yaml): the same trust model as tickets --------------

# The top-level keys each new event explains; any other change of an item is refused.
IMPROVEMENT_EXPLAINED = {"accept": ("status", "owner", "due"), "start": ("status",), "done": ("status",),
                         "reject": ("status",)}
_IMPROVEMENT_EVENT_FIELDS = (("kind", "event"), ("at", "at"), ("by", "by"), ("note", "note"),
                             ("owner", "owner"), ("due", "due"))


def compare_improvement(old: Improvement | None, new: Improvement | None, gate: Gate) -> list[Diagnostic]:
    """Everything wrong with changing improvement item `old` into `new` in one pull request: it is
    never deleted, its id stays, its history is only appended to, every other change is explained by
    a new event, and each new event is the author's own and one they are entitled to."""
    if new is None:
        return [at(old.src, ("id",), "pr-improvement-deleted", id=old.id)] if old is not None else []
    found: list[Diagnostic] = []
    start = 0
    if old is not None:
        if old.id != new.id:
            found.append(at(new.src, ("id",), "pr-identity", key="rule.pr-identity-improvement", field="id",
                            was=old.id, now=new.id))
        history = list(_improvement_appended(old, new))
        if history:
            return found + history
        start = len(old.history)
        found += _improvement_unexplained(old, new, start)
    found += new_event_times(new, start, gate)
    found += improvement_people(new, start, gate)
    return found


def _improvement_appended(old: Improvement, new: Improvement) -> Iterator[Diagnostic]:
    return appended(old, new, _IMPROVEMENT_EVENT_FIELDS)


def _improvement_unexplained(old: Improvement, new: Improvement, start: int) -> Iterator[Diagnostic]:
    explained = {k for e in new.history[start:] for k in IMPROVEMENT_EXPLAINED.get(e.kind, ())}
    was, now = _data(old), _data(new)
    for key in list(now) + [k for k in was if k not in now]:
        if key in ("id", "history") or key in explained or was.get(key) == now.get(key):
            continue
        path = _first_difference(was.get(key), now.get(key), (key,)) if key in now else ()
        yield at(new.src, path, "pr-unexplained", key="rule.pr-unexplained-improvement",
                 field=".".join(map(str, path)) or key)


def improvement_entitled(gate: Gate, e: ImpEvent, person: str, owner: str | None) -> bool:
    """The ops office may record every event; the owner (as the history stood before `e`) starts
    the item and marks it done; anyone in the roster comments."""
    if gate.is_office(person):
        return True
    if e.kind in ("start", "done"):
        return person == owner
    return e.kind == "comment" and person in gate.roster.people


def improvement_people(new: Improvement, start: int, gate: Gate) -> Iterator[Diagnostic]:
    """As new_event_people for tickets: each new event is the author's, and one they may record."""
    events = new.history[start:]
    if not events:
        return
    refusal = unknown_actor(events[0], gate)
    if refusal is not None:
        yield refusal
        return
    author = gate.author
    owner = None
    for i, e in enumerate(new.history):
        if i >= start:
            if author is not None and e.by != author.id:
                yield at(e.src, ("by",), "pr-author", by=e.by, author=author.name, login=gate.acting_login)
            actor = author.id if author is not None else e.by
            if actor in gate.roster.people and not improvement_entitled(gate, e, actor, owner):
                yield at(e.src, ("event",), "pr-entitled", key=f"rule.pr-entitled-improvement-{e.kind}",
                         person=gate.roster.people[actor].name)
        if e.kind in IMPROVEMENT_PLANS and e.owner:
            owner = e.owner
