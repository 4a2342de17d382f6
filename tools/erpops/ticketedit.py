"""Intent → text: the YAML of a new ticket, and the minimal edit that records one more event."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from erpops import edits
from erpops.ticket import STATUS_AFTER, Ticket

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def new_id(prefix: str, opened: dt.datetime, taken: set[str]) -> str:
    """<PREFIX>-<YYYYMMDD>-<4 random base32 characters>: readable, and two pull requests opened
    the same day collide only with a chance of 1 in 32⁴ (about a million)."""
    for _ in range(1000):
        tid = f"{prefix}-{opened:%Y%m%d}-" + "".join(secrets.choice(BASE32) for _ in range(4))
        if tid not in taken:
            return tid
    raise RuntimeError("no free ticket id")  # pragma: no cover - 1000 collisions in a row


def _line(key: str, value: Any, indent: int = 0) -> str:
    return " " * indent + f"{key}: {edits.scalar(value)}"


def new_text(*, tid: str, title: str, subsystem: str, type_: str, priority: str, opened: dt.datetime,
             by: str, tier: str, assignee: str | None, symptom: str, reporter: str | None = None,
             end_user: str | None = None, cause: str | None = None, impact: str | None = None,
             runbooks: tuple[str, ...] = (), note: str | None = None,
             issue: dict[str, Any] | None = None,
             attachments: tuple[tuple[str, str], ...] = ()) -> str:
    """The YAML of a ticket just opened, in the layout of the demo set; `issue` ({forge, number,
    url}): the forge issue it was filed from; `attachments` (name, url)."""
    out = ["# " + " ".join(title.split()), _line("id", tid), _line("title", title), _line("subsystem", subsystem),
           _line("type", type_), _line("priority", priority), _line("status", "open"), "reporter:"]
    if end_user:
        out += [_line("end_user", end_user, 2), _line("filed_by", by, 2)]
    else:
        out.append(_line("person", reporter or by, 2))
    out += [_line("opened", opened), _line("tier", tier)]
    if assignee:
        out.append(_line("assignee", assignee))
    out.append(_line("symptom", symptom))
    for key, value in (("cause", cause), ("impact", impact)):
        if value:
            out.append(_line(key, value))
    if runbooks:
        out += ["runbooks:"] + [f"  - {edits.scalar(r)}" for r in runbooks]
    if issue:
        out += ["issue:", _line("forge", issue["forge"], 2), f"  number: {int(issue['number'])}"]
        if issue.get("url"):
            out.append(_line("url", issue["url"], 2))
    if attachments:
        out += ["attachments:"] + [line for name, url in attachments
                                   for line in (f"  - name: {edits.scalar(name)}", f"    url: {edits.scalar(url)}")]
    event = {"event": "open", "at": opened, "by": by, "tier": tier}
    if assignee:
        event["assignee"] = assignee
    if note:
        event["note"] = note
    out.append("history:")
    for i, (k, v) in enumerate(event.items()):
        out.append(("  - " if i == 0 else "    ") + f"{k}: {edits.scalar(v)}")
    return "\n".join(out) + "\n"


def record(text: str, ticket: Ticket, kind: str, at: dt.datetime, by: str, *, tier: str | None = None,
           assignee: str | None = None, note: str | None = None,
           resolution: dict[str, Any] | None = None, moved_to: str | None = None,
           reason: str | None = None) -> str:
    """`text` with one more event appended and the fields that event changes updated, nothing else."""
    new_tier = tier if kind == "escalate" and tier else ticket.tier
    event: dict[str, Any] = {"event": kind, "at": at, "by": by, "tier": new_tier}
    if kind == "move":
        event["from"] = ticket.subsystem
    if assignee:
        event["assignee"] = assignee
    if reason:
        event["reason"] = reason  # hold: what the ticket waits for
    if note:
        event["note"] = note
    text = edits.append_item(text, ("history",), event)
    status = STATUS_AFTER.get(kind, ticket.status)
    if status != ticket.status:
        text = edits.set_value(text, ("status",), status)
    if new_tier != ticket.tier:
        text = edits.set_value(text, ("tier",), new_tier)
    if kind == "move" and moved_to:
        text = edits.set_value(text, ("subsystem",), moved_to)
    if assignee and assignee != ticket.assignee:
        text = edits.set_value(text, ("assignee",), assignee, after="tier")
    if resolution is not None:
        if ticket.resolution is None:
            text = edits.add_mapping(text, "resolution", resolution, after="history")
        else:
            for key, value in resolution.items():
                text = edits.set_value(text, ("resolution", key), value)
    return text


# Where a field that the ticket does not have yet is written: after the first of these it has.
_AFTER = {"cause": ("symptom",), "impact": ("cause", "symptom"), "runbooks": ("impact", "cause", "symptom")}


def update(text: str, ticket: Ticket, at: dt.datetime, by: str, changes: dict[str, Any], note: str) -> str:
    """`text` with the top-level fields in `changes` set (runbooks: a list) and one `update` event
    that lists them appended, nothing else."""
    for key, value in changes.items():
        after = next((k for k in _AFTER.get(key, ()) if edits.has(text, (k,))), None)
        if isinstance(value, (list, tuple)):
            text = edits.set_list(text, key, list(value), after=after)
        else:
            text = edits.set_value(text, (key,), value, after=after)
    event = {"event": "update", "at": at, "by": by, "tier": ticket.tier, "fields": list(changes), "note": note}
    return edits.append_item(text, ("history",), event)
