"""Intent → text: the YAML of a new improvement item, and the minimal edit that records one more event."""
from __future__ import annotations

import datetime as dt
from typing import Any

from erpops import edits
from erpops.improvement import STATUS_AFTER, Improvement


def _line(key: str, value: Any, indent: int = 0) -> str:
    return " " * indent + f"{key}: {edits.scalar(value)}"


def _event(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if v is not None}


def new_text(*, iid: str, title: str, target: str, ticket: str, feedback: int, at: dt.datetime, by: str,
             owner: str | None = None, due: dt.date | None = None, note: str | None = None) -> str:
    """The YAML of an item just proposed from feedback entry `feedback` of `ticket`."""
    out = ["# " + " ".join(title.split()), _line("id", iid), _line("title", title), _line("target", target),
           _line("status", "proposed")]
    if owner:
        out.append(_line("owner", owner))
    if due:
        out.append(_line("due", due))
    out += ["tickets:", f"  - ticket: {edits.scalar(ticket)}", f"    feedback: {int(feedback)}", "history:"]
    event = _event({"event": "propose", "at": at, "by": by, "owner": owner, "due": due, "note": note})
    for i, (k, v) in enumerate(event.items()):
        out.append(("  - " if i == 0 else "    ") + f"{k}: {edits.scalar(v)}")
    return "\n".join(out) + "\n"


def record(text: str, item: Improvement, kind: str, at: dt.datetime, by: str, *, note: str | None = None,
           owner: str | None = None, due: dt.date | None = None) -> str:
    """`text` with one more event appended and the fields it changes (status, owner, due) updated."""
    owner = owner if owner and owner != item.owner else None
    due = due if due and due != item.due else None
    text = edits.append_item(text, ("history",), _event(
        {"event": kind, "at": at, "by": by, "owner": owner, "due": due, "note": note}))
    status = STATUS_AFTER.get(kind, item.status)
    if status != item.status:
        text = edits.set_value(text, ("status",), status)
    if owner:
        text = edits.set_value(text, ("owner",), owner, after="status")
    if due:
        text = edits.set_value(text, ("due",), due, after="owner" if edits.has(text, ("owner",)) else "status")
    return text
