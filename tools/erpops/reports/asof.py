"""A ticket as it stood at an instant: its history cut there, and the status, tier and holder it left.

A form for a closed period must say the same whenever it is generated, so every figure is taken
from the ticket as of the end of the period, never from its state today.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from erpops.ticket import ACTIVE, STATUS_AFTER, Ticket


def _before(at: dt.datetime | None, instant: dt.datetime) -> bool:
    return at is not None and at.tzinfo is not None and at < instant


def as_of(t: Ticket, instant: dt.datetime) -> Ticket | None:
    """`t` with only the events before `instant`; None if it was not yet opened then."""
    if not _before(t.opened, instant):
        return None
    history = tuple(e for e in t.history if _before(e.at, instant))
    if not history:
        return None
    status, tier, assignee = "open", history[0].tier, history[0].assignee
    for e in history:
        status = STATUS_AFTER.get(e.kind, status)
        tier = e.tier or tier
        if e.kind in ("open", "assign", "escalate") and e.assignee:
            assignee = e.assignee
    resolution = t.resolution if status in ("resolved", "closed") else None
    return dataclasses.replace(t, history=history, status=status, tier=tier, assignee=assignee,
                               resolution=resolution)


def active_during(t: Ticket, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether `t` was open at some moment of [start, end): opened in it, open at its start,
    or reopened in it."""
    if not _before(t.opened, end):
        return False
    if t.history and _before(t.history[-1].at, start):
        # Nothing happened since the period began (most of a long archive): as it is now.
        return t.status in ACTIVE
    if as_of(t, end) is None:
        return False
    if not _before(t.opened, start):
        return True
    before = as_of(t, start)
    if before is not None and before.status in ACTIVE:
        return True
    return any(e.kind == "reopen" and _before(e.at, end) and not _before(e.at, start) for e in t.history)


def last_resolve(t: Ticket) -> dt.datetime | None:
    """When the last resolve of `t` happened, if it is resolved or closed now."""
    if t.status not in ("resolved", "closed"):
        return None
    resolves = [e for e in t.history if e.kind == "resolve"]
    return resolves[-1].at if resolves else None


def resolver(t: Ticket) -> tuple[str, str] | None:
    """(person, tier) of the last resolve of `t`, if it is resolved or closed now."""
    if t.status not in ("resolved", "closed"):
        return None
    resolves = [e for e in t.history if e.kind == "resolve"]
    return (resolves[-1].by, resolves[-1].tier) if resolves else None
