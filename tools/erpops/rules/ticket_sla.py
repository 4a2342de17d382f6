"""The SLA clock of a ticket: respond and resolve targets measured in working time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from erpops.diagnostics import WARNING, Diagnostic
from erpops.policy import Policy
from erpops.rules import at
from erpops.ticket import DONE, Ticket
from erpops.worktime import working_hours

if TYPE_CHECKING:
    from erpops.load import Repository


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket: `respond` or `resolve`, measured up to `end`."""

    what: str
    used: float  # working hours from opened to end
    limit: float  # the target, in working hours
    end: dt.datetime  # when the clock stopped, or `now` while it runs
    running: bool

    @property
    def breached(self) -> bool:
        return self.used > self.limit


def _aware(v: dt.datetime | None) -> bool:
    return v is not None and v.tzinfo is not None


def _first_response(t: Ticket) -> dt.datetime | None:
    """When whoever handles the ticket first acted after `open`: any event but a comment, or a
    comment by the assignee of the moment; the reporter adding detail to a ticket someone else
    holds is not a response."""
    reporter = t.reporter.person or t.reporter.filed_by
    assignee = t.history[0].assignee or t.history[0].by
    for e in t.history[1:]:
        if not _aware(e.at):
            continue
        if e.kind != "comment" or e.by != reporter or e.by == assignee:
            return e.at
        if e.assignee:
            assignee = e.assignee
    return None


def clocks(policy: Policy | None, t: Ticket, now: dt.datetime) -> tuple[Clock, ...]:
    """The respond and resolve clocks of `t` as they stand at `now`; none without a target.

    Respond: from opened to the first event after `open` but the reporter's comment on a ticket someone else holds. Resolve: from opened to the last
    `resolve` of a resolved or closed ticket. A clock still running (no such event yet) runs to
    `now`. Cancelled tickets have no clock.
    """
    target = policy.sla.get(t.priority) if policy else None
    if target is None or not _aware(t.opened) or t.status == "cancelled" or not t.history:
        return ()
    cal = policy.calendar
    responded = _first_response(t)
    resolves = [e.at for e in t.history if e.kind == "resolve" and _aware(e.at)]
    done = t.status in DONE and bool(resolves)
    ends = (("respond", responded or now, responded is None, target.respond_hours),
            ("resolve", resolves[-1] if done else now, not done, target.resolve_hours))
    return tuple(Clock(what, working_hours(cal, t.opened, end), limit, end, running)
                 for what, end, running, limit in ends)


def sla(repo: Repository, t: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """SLA breaches, and tickets about to breach, are warnings computed in working time.

    Respond: from opened to the first event after `open` but the reporter's comment on a ticket someone else holds. Resolve: from opened to the last
    `resolve` of a resolved or closed ticket. A clock still running (no such event yet) runs to
    `now` and also warns once `warn_at` of its target is used. Cancelled tickets have no clock.
    """
    p = repo.policy
    fields = {"respond": ("opened",), "resolve": ("status",)}
    for c in clocks(p, t, now):
        args = dict(priority=t.priority, used=f"{c.used:.1f}", limit=f"{c.limit:g}")
        if c.breached:
            yield at(t.src, fields[c.what], "ticket-sla-breach", WARNING, key=f"rule.ticket-sla-breach-{c.what}", **args)
        elif c.running and c.used >= p.warn_at * c.limit:
            yield at(t.src, fields[c.what], "ticket-sla-at-risk", WARNING, key=f"rule.ticket-sla-at-risk-{c.what}", **args)
