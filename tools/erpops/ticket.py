"""A ticket as a frozen record: who reported what, where it stands, and its history of events."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from erpops import clock
from erpops.model import Source
from erpops.yamlio import Document

ACTIVE = ("open", "assigned", "escalated", "reopened")
DONE = ("resolved", "closed")
# The status an event leaves the ticket in; a comment or an update leaves it as it was.
STATUS_AFTER = {
    "open": "open", "assign": "assigned", "escalate": "escalated", "resolve": "resolved",
    "close": "closed", "reopen": "reopened", "cancel": "cancelled",
}
# The statuses from which each event may happen (open only as the first event).
ALLOWED_FROM = {
    "assign": ACTIVE, "escalate": ACTIVE, "resolve": ACTIVE, "cancel": ACTIVE,
    "close": ("resolved",), "reopen": DONE, "move": ACTIVE,
    "hold": ACTIVE, "resume": ACTIVE,
}
# Why a ticket waits (a `hold` event's reason): the reporter's answer, the vendor, a scheduled change.
HOLD_REASONS = ("reporter", "vendor", "change")
# The events that end a hold: taking it off, or finishing the ticket while it waits.
ENDS_HOLD = ("resume", "resolve", "cancel")


@dataclass(frozen=True)
class Event:
    kind: str
    at: dt.datetime | None
    by: str
    tier: str
    src: Source = field(compare=False, repr=False)
    assignee: str | None = None
    note: str | None = None
    from_subsystem: str | None = None  # move: the subsystem the ticket left
    fields: tuple[str, ...] = ()  # update: the top-level ticket keys it changed
    reason: str | None = None  # hold: what the ticket waits for (HOLD_REASONS)


@dataclass(frozen=True)
class Hold:
    """One time a ticket waited: from its `hold` event up to the event that ended it (None: waits still)."""

    start: Event
    end: Event | None = None

    @property
    def reason(self) -> str:
        return self.start.reason or ""


@dataclass(frozen=True)
class Reporter:
    person: str | None = None
    end_user: str | None = None
    filed_by: str | None = None


@dataclass(frozen=True)
class Resolution:
    summary: str
    root_cause: str
    by: str
    at: dt.datetime | None


@dataclass(frozen=True)
class Feedback:
    kind: str
    text: str


@dataclass(frozen=True)
class Publication:
    designer: str
    reviewer: str


@dataclass(frozen=True)
class IssueRef:
    """The forge issue a ticket was filed from (the ticket form): where its comments come from and
    its answers go."""

    forge: str
    number: int
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file or image pasted into the ticket's issue, kept as a link (its address on the forge)."""

    name: str
    url: str


@dataclass(frozen=True)
class Ticket:
    id: str
    title: str
    subsystem: str
    type: str
    priority: str
    status: str
    reporter: Reporter
    opened: dt.datetime | None
    tier: str
    src: Source = field(compare=False, repr=False)
    assignee: str | None = None
    symptom: str | None = None
    cause: str | None = None
    impact: str | None = None
    runbooks: tuple[str, ...] = ()
    history: tuple[Event, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    resolution: Resolution | None = None
    feedback: tuple[Feedback, ...] = ()
    publication: Publication | None = None
    issue: IssueRef | None = None

    @property
    def first_subsystem(self) -> str:
        """The subsystem the ticket was opened in (its id prefix): before its first `move`, if any."""
        return self.subsystem_at(0)

    def subsystem_at(self, index: int) -> str:
        """The subsystem the ticket was in at history entry `index`; a move happens in the one it leaves."""
        for i, e in enumerate(self.history):
            if e.kind == "move" and e.from_subsystem and index <= i:
                return e.from_subsystem
        return self.subsystem

    @property
    def holds(self) -> tuple[Hold, ...]:
        """Every time the ticket waited, in order: a `hold` up to the `resume`, `resolve` or `cancel`
        after it (a hold while on hold is a rule's finding and does not start another)."""
        found: list[Hold] = []
        current: Event | None = None
        for e in self.history:
            if e.kind == "hold" and current is None:
                current = e
            elif e.kind in ENDS_HOLD and current is not None:
                found.append(Hold(current, e))
                current = None
        if current is not None:
            found.append(Hold(current))
        return tuple(found)

    @property
    def hold(self) -> Hold | None:
        """The hold the ticket is on now, if any (the status stays what it was)."""
        last = self.holds[-1] if self.holds else None
        return last if last is not None and last.end is None else None

    @property
    def year(self) -> int | None:
        return self.opened.year if self.opened else None


def build(doc: Document) -> Ticket | None:
    """The Ticket in `doc`, leniently: a field of the wrong type was reported by the schema."""
    d = doc.data if isinstance(doc.data, dict) else {}
    tid = _str(d, "id")
    if not tid:
        return None
    rep = _dict(d.get("reporter"))
    res = _dict(d.get("resolution"))
    pub = _dict(d.get("publication"))
    history = []
    for i, e in enumerate(d.get("history") if isinstance(d.get("history"), list) else []):
        if isinstance(e, dict) and isinstance(e.get("event"), str):
            history.append(Event(
                kind=e["event"], at=_time(e.get("at")), by=_str(e, "by") or "", tier=_str(e, "tier") or "",
                src=Source(doc, ("history", i)), assignee=_str(e, "assignee"), note=_str(e, "note"),
                from_subsystem=_str(e, "from"), fields=_names(e.get("fields")), reason=_str(e, "reason"),
            ))
    feedback = tuple(
        Feedback(_str(f, "kind") or "", _str(f, "text") or "")
        for f in (d.get("feedback") if isinstance(d.get("feedback"), list) else []) if isinstance(f, dict)
    )
    runbooks = d.get("runbooks")
    iss = _dict(d.get("issue"))
    number = iss.get("number")
    issue = IssueRef(_str(iss, "forge") or "", number, _str(iss, "url")) \
        if isinstance(number, int) and not isinstance(number, bool) else None
    return Ticket(
        id=tid, title=_str(d, "title") or tid, subsystem=_str(d, "subsystem") or "",
        type=_str(d, "type") or "", priority=_str(d, "priority") or "", status=_str(d, "status") or "",
        reporter=Reporter(_str(rep, "person"), _str(rep, "end_user"), _str(rep, "filed_by")),
        opened=_time(d.get("opened")), tier=_str(d, "tier") or "", src=Source(doc),
        assignee=_str(d, "assignee"),
        symptom=_str(d, "symptom"), cause=_str(d, "cause"), impact=_str(d, "impact"),
        runbooks=tuple(r for r in runbooks if isinstance(r, str)) if isinstance(runbooks, list) else (),
        history=tuple(history),
        resolution=Resolution(_str(res, "summary") or "", _str(res, "root_cause") or "",
                              _str(res, "by") or "", _time(res.get("at"))) if res else None,
        feedback=feedback,
        publication=Publication(_str(pub, "designer") or "", _str(pub, "reviewer") or "") if pub else None,
        issue=issue,
        attachments=tuple(Attachment(_str(a, "name") or "", _str(a, "url") or "")
                          for a in (d.get("attachments") if isinstance(d.get("attachments"), list) else [])
                          if isinstance(a, dict)),
    )


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _names(v: Any) -> tuple[str, ...]:
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()


def _str(d: dict, key: str) -> str | None:
    v = d.get(key)
    return v.strip() or None if isinstance(v, str) else None


def _time(v: Any) -> dt.datetime | None:
    """An instant; a time without its UTC offset is kept naive for a rule to report."""
    if isinstance(v, str):
        try:
            v = dt.datetime.fromisoformat(v)
        except ValueError:
            return None
    if isinstance(v, dt.datetime):
        return v if clock.in_range(v) else None  # a quoted year 1 or 9999: the schema says so
    return None
