"""An improvement item as a frozen record: a lesson from tickets fed back into the system, the
organisation or the process, with an owner, a due date and a state of its own.

improvements/<YYYY>/<id>.yaml; like a ticket, its state is what its history of events leads to.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from erpops import clock
from erpops.model import Source
from erpops.ticket import Feedback, Ticket, _time
from erpops.yamlio import Document

FOLDER = "improvements"
PREFIX = "IMP"
TARGETS = ("system", "organisation", "process")
STATUSES = ("proposed", "accepted", "in-progress", "done", "rejected")
EVENTS = ("propose", "accept", "start", "done", "reject", "comment")
CLOSED = ("done", "rejected")
PLANNED = ("accepted", "in-progress", "done")  # the states that need an owner and a due date
# The status an event leaves the item in; a comment leaves it as it was.
STATUS_AFTER = {"propose": "proposed", "accept": "accepted", "start": "in-progress", "done": "done",
                "reject": "rejected"}
# The statuses from which each event may happen (propose only as the first event).
ALLOWED_FROM = {
    "accept": ("proposed",), "start": ("accepted",), "done": ("accepted", "in-progress"),
    "reject": ("proposed", "accepted", "in-progress"), "comment": STATUSES,
}
# The events that may set the owner and the due date (written on the event, like a ticket's assignee).
PLANS = ("propose", "accept")


@dataclass(frozen=True)
class ImpEvent:
    kind: str
    at: dt.datetime | None
    by: str
    src: Source = field(compare=False, repr=False)
    note: str | None = None
    owner: str | None = None
    due: dt.date | None = None


@dataclass(frozen=True)
class TicketRef:
    """The ticket feedback behind an item: ticket id and the 1-based number of its feedback entry."""

    ticket: str
    feedback: int | None
    src: Source = field(compare=False, repr=False)


@dataclass(frozen=True)
class Improvement:
    id: str
    title: str
    target: str
    status: str
    src: Source = field(compare=False, repr=False)
    owner: str | None = None
    due: dt.date | None = None
    tickets: tuple[TicketRef, ...] = ()
    history: tuple[ImpEvent, ...] = ()

    @property
    def proposed(self) -> dt.datetime | None:
        return self.history[0].at if self.history else None

    def state_on(self, day: dt.date, tz: dt.tzinfo) -> str | None:
        """The status at the end of `day` (local in `tz`) by its history; None if not yet proposed."""
        status = None
        for e in self.history:
            if e.at is None or e.at.tzinfo is None or e.at.astimezone(tz).date() > day:
                break
            status = STATUS_AFTER.get(e.kind, status)
        return status

    def overdue(self, day: dt.date) -> bool:
        """Past its due date on `day` and neither done nor rejected."""
        return self.due is not None and self.due < day and self.status not in CLOSED


def plan(history: Iterable[ImpEvent]) -> tuple[str | None, str | None, dt.date | None]:
    """(status, owner, due) that a history leads to."""
    status = owner = due = None
    for e in history:
        if e.kind in PLANS:
            owner = e.owner or owner
            due = e.due or due
        status = STATUS_AFTER.get(e.kind, status)
    return status, owner, due


def unraised(tickets: Iterable[Ticket], items: Iterable[Improvement]) -> list[tuple[Ticket, int, Feedback]]:
    """Each ticket feedback entry (ticket, 1-based number, feedback) that no item names yet."""
    raised = {(r.ticket, r.feedback) for i in items for r in i.tickets}
    return [(tk, n, f) for tk in tickets for n, f in enumerate(tk.feedback, 1) if (tk.id, n) not in raised]


def build(doc: Document) -> Improvement | None:
    """The Improvement in `doc`, leniently: a field of the wrong type was reported by the schema."""
    d = doc.data if isinstance(doc.data, dict) else {}
    iid = _str(d, "id")
    if not iid:
        return None
    history = []
    for i, e in enumerate(d.get("history") if isinstance(d.get("history"), list) else []):
        if isinstance(e, dict) and isinstance(e.get("event"), str):
            history.append(ImpEvent(kind=e["event"], at=_time(e.get("at")), by=_str(e, "by") or "",
                                    src=Source(doc, ("history", i)), note=_str(e, "note"),
                                    owner=_str(e, "owner"), due=_date(e.get("due"))))
    refs = []
    for i, r in enumerate(d.get("tickets") if isinstance(d.get("tickets"), list) else []):
        if isinstance(r, dict) and _str(r, "ticket"):
            n = r.get("feedback")
            refs.append(TicketRef(_str(r, "ticket") or "", n if isinstance(n, int) and not isinstance(n, bool) else None,
                                  Source(doc, ("tickets", i))))
    return Improvement(
        id=iid, title=_str(d, "title") or iid, target=_str(d, "target") or "", status=_str(d, "status") or "",
        src=Source(doc), owner=_str(d, "owner"), due=_date(d.get("due")), tickets=tuple(refs),
        history=tuple(history),
    )


def _str(d: dict, key: str) -> str | None:
    v = d.get(key)
    return v.strip() or None if isinstance(v, str) else None


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return None
    if isinstance(v, dt.date):
        return v if clock.in_range(v) else None
    if isinstance(v, str):
        found = clock.parse_date(v)
        return found if found and clock.in_range(found) and len(v.strip()) == 10 else None
    return None
