"""Rules of the improvement backlog: references exist, the state is what the history leads to,
an accepted item has an owner and a due date, and a due date passed is flagged."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator, Mapping

from erpops import clock
from erpops.diagnostics import WARNING, Diagnostic
from erpops.improvement import ALLOWED_FROM, FOLDER, PLANNED, PLANS, PREFIX, STATUS_AFTER, Improvement, plan
from erpops.rules import at, repeats
from erpops.ticket import Ticket

if TYPE_CHECKING:
    from erpops.repository import Repository


def _local(repo: Repository, v: dt.datetime) -> dt.datetime:
    return v.astimezone(repo.policy.calendar.tz) if repo.policy and v.tzinfo else v


def file_name(repo: Repository, i: Improvement) -> Iterator[Diagnostic]:
    """An item lives at improvements/<YYYY of its proposal>/<id>.yaml, and its id carries that date."""
    first = i.proposed
    if first is None or first.tzinfo is None:
        return
    local = _local(repo, first)
    expected = f"{FOLDER}/{local.year}/{i.id}.yaml"
    if i.src.path != expected:
        yield at(i.src, ("id",), "improvement-file-name", expected=expected)
    start = f"{PREFIX}-{local:%Y%m%d}-"
    if not i.id.startswith(start):
        yield at(i.src, ("id",), "improvement-id", id=i.id, start=start)


def unique_ids(repo: Repository) -> Iterator[Diagnostic]:
    for i, first in repeats(repo.improvements, lambda i: i.id):
        yield at(i.src, ("id",), "improvement-unique-id", id=i.id, first=first.src.path)


def known_references(repo: Repository, i: Improvement, tickets: Mapping[str, Ticket | None]) -> Iterator[Diagnostic]:
    """The owner and each person in the history are in the roster; each ticket exists and has the
    feedback entry named (`tickets`: id → Ticket, or None for one known to exist but not loaded)."""
    people = repo.roster.people
    refs = [(i.src, ("owner",), i.owner)]
    for e in i.history:
        refs += [(e.src, ("by",), e.by), (e.src, ("owner",), e.owner)]
    for src, fields, pid in refs:
        if pid and pid not in people:
            yield at(src, fields, "improvement-unknown-person", person=pid)
    for r in i.tickets:
        tk = tickets.get(r.ticket)
        if r.ticket not in tickets:
            yield at(r.src, ("ticket",), "improvement-unknown-ticket", ticket=r.ticket)
        elif tk is not None and r.feedback is not None and not 1 <= r.feedback <= len(tk.feedback):
            yield at(r.src, ("feedback",), "improvement-feedback", ticket=r.ticket, number=r.feedback,
                     count=len(tk.feedback))


def history(repo: Repository, i: Improvement) -> Iterator[Diagnostic]:
    """The history starts with one propose, is in time order, and each event happens from a state
    that allows it (accept a proposed item, start an accepted one …); only propose and accept set
    the owner and the due date."""
    status, last = None, None
    for n, e in enumerate(i.history):
        if (e.kind == "propose") != (n == 0):
            yield at(e.src, ("event",), "improvement-history", key="rule.improvement-history-first")
        allowed = ALLOWED_FROM.get(e.kind)
        if allowed is not None and status is not None and status not in allowed:
            yield at(e.src, ("event",), "improvement-history", event=e.kind, status=status)
        if (e.owner or e.due) and e.kind not in PLANS:
            yield at(e.src, ("owner",) if e.owner else ("due",), "improvement-history",
                     key="rule.improvement-history-plan", event=e.kind)
        if e.at is not None and e.at.tzinfo is not None:
            if last is not None and e.at < last:
                yield at(e.src, ("at",), "improvement-history", key="rule.improvement-history-order",
                         at=e.at.isoformat(), before=last.isoformat())
            last = e.at if last is None else max(last, e.at)
        elif e.at is not None:
            yield at(e.src, ("at",), "improvement-history", key="rule.improvement-history-zone")
        status = STATUS_AFTER.get(e.kind, status)


def consistent(repo: Repository, i: Improvement) -> Iterator[Diagnostic]:
    """The status, owner and due date are what the history leads to."""
    status, owner, due = plan(i.history)
    if status is None:
        return
    for name, have, want in (("status", i.status, status), ("owner", i.owner, owner), ("due", i.due, due)):
        if have != want:
            yield at(i.src, (name,) if have is not None else ("status",), "improvement-history-consistent",
                     field=name, have=_show(have), want=_show(want))


def planned(repo: Repository, i: Improvement) -> Iterator[Diagnostic]:
    """Once accepted, an item has an owner and a due date."""
    if i.status in PLANNED:
        for name, value in (("owner", i.owner), ("due", i.due)):
            if value is None:
                yield at(i.src, ("status",), "improvement-unplanned", field=name, status=i.status)


def overdue(repo: Repository, i: Improvement, today: dt.date) -> Iterator[Diagnostic]:
    """A due date passed while the item is neither done nor rejected: a warning for the office."""
    if i.overdue(today):
        yield at(i.src, ("due",), "improvement-overdue", WARNING, id=i.id, due=i.due.isoformat(),
                 days=(today - i.due).days)


def future_events(i: Improvement, now: dt.datetime) -> Iterator[Diagnostic]:
    for e in i.history:
        if e.at is not None and e.at.tzinfo is not None and e.at > now:
            yield at(e.src, ("at",), "improvement-event-future", at=e.at.isoformat(), now=now.isoformat())


def _show(v: object) -> str:
    return "-" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)


RULES = (file_name, history, consistent, planned)


def check(repo: Repository, now: dt.datetime | None = None, today: dt.date | None = None,
          known: Mapping[str, Ticket | None] | None = None) -> list[Diagnostic]:
    """Every improvement rule over every item. `known`: the tickets that exist (id → Ticket, or None
    where not loaded: the PR gate reads only the changed ones); default the repository's tickets."""
    if not repo.improvements:
        return []
    tz = repo.policy.calendar.tz if repo.policy else dt.timezone.utc
    now = now or clock.now(tz)
    today = today or clock.today()
    tickets: dict = dict(known or {})
    for tk in repo.tickets:
        if tickets.get(tk.id) is None:
            tickets[tk.id] = tk
    found = list(unique_ids(repo))
    for i in repo.improvements:
        for rule in RULES:
            found += rule(repo, i)
        found += known_references(repo, i, tickets)
        found += overdue(repo, i, today)
        found += future_events(i, now)
    return found
