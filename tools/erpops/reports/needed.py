"""Which ticket files a month's record forms read: "load what the command needs".

A form reads its subsystem's tickets that were open at some moment of the period
(asof.active_during) and those opened in its recurrence window (form.recur_start). Of a
20,000-ticket archive that is about a tenth: the rest are tickets of other months closed before
the period began. The warm check's cache (checkcache.current) knows of each ticket file, without
reading it, its subsystem, status, opening time and latest event; a file it does not know (new,
changed, racy) is read, as is one whose times it cannot compare.
"""
from __future__ import annotations

import datetime as dt

from erpops.ticket import ACTIVE
from erpops.ticketindex import OPENED, STATUS, SUBSYSTEM


def _aware(text: str | None) -> dt.datetime | None:
    try:
        v = dt.datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None
    return v if v is not None and v.tzinfo is not None else None


def ticket_paths(known: dict[str, tuple[tuple | None, float | None] | None], codes: set[str] | list[str],
                 start: dt.datetime, end: dt.datetime, since: dt.datetime) -> list[str]:
    """The files of `known` (checkcache.current) that the forms of `codes` for the period
    [start, end) with its recurrence window from `since` can read, sorted. A ticket left out
    is of another subsystem, opened at or after `end`, or opened before both `start` and `since`,
    finished now, with no event since `start`: asof.active_during says no to it and the
    recurrence window does not hold it."""
    wanted = set(codes)
    out = []
    for rel, entry in known.items():
        if entry is None or entry[0] is None:
            out.append(rel)  # not known, or not a ticket: read it as a full load does
            continue
        row, last = entry
        if row[SUBSYSTEM] not in wanted:
            continue
        opened = _aware(row[OPENED])
        if opened is None:
            out.append(rel)
            continue
        if opened >= end:
            continue
        if opened >= since or opened >= start or row[STATUS] in ACTIVE or last is None or last >= start.timestamp():
            out.append(rel)
    return sorted(out)
