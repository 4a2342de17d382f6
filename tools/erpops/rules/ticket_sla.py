"""The SLA clock of a ticket: respond and resolve targets measured in working time."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator

from erpops.diagnostics import WARNING, Diagnostic
from erpops.rules import at
from erpops.ticket import DONE, Ticket
from erpops.worktime import working_hours

if TYPE_CHECKING:
    from erpops.load import Repository


def _aware(v: dt.datetime | None) -> bool:
    return v is not None and v.tzinfo is not None


def sla(repo: Repository, t: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """SLA breaches, and tickets about to breach, are warnings computed in working time.

    Respond: from opened to the first event after `open`. Resolve: from opened to the last
    `resolve` of a resolved or closed ticket. A clock still running (no such event yet) runs to
    `now` and also warns once `warn_at` of its target is used. Cancelled tickets have no clock.
    """
    p = repo.policy
    target = p.sla.get(t.priority) if p else None
    if target is None or not _aware(t.opened) or t.status == "cancelled" or not t.history:
        return
    cal = p.calendar
    responded = next((e.at for e in t.history[1:] if _aware(e.at)), None)
    resolves = [e.at for e in t.history if e.kind == "resolve" and _aware(e.at)]
    done = t.status in DONE and bool(resolves)
    clocks = (
        ("respond", ("opened",), responded or now, responded is None, target.respond_hours),
        ("resolve", ("status",), resolves[-1] if done else now, not done, target.resolve_hours),
    )
    for what, fields, end, running, limit in clocks:
        used = working_hours(cal, t.opened, end)
        args = dict(priority=t.priority, used=f"{used:.1f}", limit=f"{limit:g}")
        if used > limit:
            yield at(t.src, fields, "ticket-sla-breach", WARNING, key=f"rule.ticket-sla-breach-{what}", **args)
        elif running and used >= p.warn_at * limit:
            yield at(t.src, fields, "ticket-sla-at-risk", WARNING, key=f"rule.ticket-sla-at-risk-{what}", **args)
