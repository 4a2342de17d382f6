"""The clocks of a ticket: respond and resolve targets measured in working time (the resolve clock
stopped while the ticket is on hold for a reason the policy pauses on), and the wait of a resolved
ticket for its reporter's confirmation."""
from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from erpops import i18n
from erpops.diagnostics import WARNING, Diagnostic
from erpops.policy import Policy
from erpops.rules import at
from erpops.ticket import DONE, Ticket
from erpops.worktime import working_hours

if TYPE_CHECKING:
    from erpops.repository import Repository


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket: `respond` or `resolve`, measured up to `end`."""

    what: str
    used: float  # working hours from opened to end
    limit: float  # the target, in working hours
    end: dt.datetime  # when the clock stopped, or `now` while it runs
    running: bool
    paused: float = 0.0  # working hours not counted: the ticket was on hold for a reason that pauses it
    reasons: tuple[str, ...] = ()  # those holds' reasons, in order, each once
    held: bool = False  # running, but stopped now: the ticket is on such a hold

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


def paused(policy: Policy, t: Ticket, end: dt.datetime, now: dt.datetime) -> tuple[float, tuple[str, ...]]:
    """Working hours of [opened, end) during which `t` was on a hold whose reason the policy's
    `sla.pause_on` names (a hold not yet ended lasts to `now`), and those reasons."""
    total, reasons = 0.0, []
    for h in t.holds:
        if h.reason not in policy.pause_on or not _aware(h.start.at):
            continue
        stop = h.end.at if h.end is not None and _aware(h.end.at) else now
        lo, hi = max(h.start.at, t.opened), min(stop, end)
        if hi > lo:
            total += working_hours(policy.calendar, lo, hi)
            if h.reason not in reasons:
                reasons.append(h.reason)
    return total, tuple(reasons)


# The clocks last computed per ticket: `erpops check` asks for each ticket's twice (its SLA
# warnings here, then calendar.sla_uncovered), the same frozen ticket, policy and `now`.
_MEMO: dict[int, tuple] = {}
_MEMO_MAX = 100_000


def clocks(policy: Policy | None, t: Ticket, now: dt.datetime) -> tuple[Clock, ...]:
    """The respond and resolve clocks of `t` as they stand at `now` (see _clocks); the same
    ticket asked again with the same policy and `now` gets the tuple computed before."""
    hit = _MEMO.get(id(t))
    if hit is not None and hit[0]() is t and hit[1] is policy and hit[2] == now \
            and type(hit[2]) is type(now) and hit[2].tzinfo is now.tzinfo:
        return hit[3]
    out = _clocks(policy, t, now)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[id(t)] = (weakref.ref(t), policy, now, out)
    return out


def _clocks(policy: Policy | None, t: Ticket, now: dt.datetime) -> tuple[Clock, ...]:
    """The respond and resolve clocks of `t` as they stand at `now`; none without a target.

    Respond: from opened to the first event after `open` but the reporter's comment on a ticket someone else holds. Resolve: from opened to the last
    `resolve` of a resolved or closed ticket. A clock still running (no such event yet) runs to
    `now`. Cancelled tickets have no clock. The resolve clock does not count the time the ticket
    waited on a hold whose reason pauses it (policy `sla.pause_on`).
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
    out = []
    for what, end, running, limit in ends:
        used = working_hours(cal, t.opened, end)
        if what == "resolve":
            off, reasons = paused(policy, t, end, now)
            held = running and t.hold is not None and t.hold.reason in policy.pause_on
            if held and t.hold.reason not in reasons:  # put on hold outside working hours
                reasons += (t.hold.reason,)
            out.append(Clock(what, max(used - off, 0.0), limit, end, running, off, reasons, held))
        else:
            out.append(Clock(what, used, limit, end, running))
    return tuple(out)


def paused_text(c: Clock, lang: str | None = None) -> str:
    """"已暂停 3.5 小时（等待供应商）": how long the clock stood still and why; empty if it never did."""
    if not c.paused and not c.held:
        return ""
    why = i18n.t("list.sep", lang).join(i18n.t(f"ticket.hold.{r}", lang) for r in c.reasons)
    return i18n.t("sla.paused", lang, hours=f"{c.paused:.1f}", reasons=why)


def sla(repo: Repository, tk: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """SLA breaches, and tickets about to breach, are warnings computed in working time.

    Respond: from opened to the first event after `open` but the reporter's comment on a ticket someone else holds. Resolve: from opened to the last
    `resolve` of a resolved or closed ticket. A clock still running (no such event yet) runs to
    `now` and also warns once `warn_at` of its target is used. Cancelled tickets have no clock.
    """
    p = repo.policy
    fields = {"respond": ("opened",), "resolve": ("status",)}
    for c in clocks(p, tk, now):
        args = dict(priority=tk.priority, used=f"{c.used:.1f}", limit=f"{c.limit:g}")
        more = ""
        if c.paused or c.held:
            more, args["paused"] = "-paused", paused_text(c)
        if c.breached:
            yield at(tk.src, fields[c.what], "ticket-sla-breach", WARNING,
                     key=f"rule.ticket-sla-breach-{c.what}{more}", **args)
        elif c.running and not c.held and c.used >= p.warn_at * c.limit:
            yield at(tk.src, fields[c.what], "ticket-sla-at-risk", WARNING,
                     key=f"rule.ticket-sla-at-risk-{c.what}{more}", **args)


MAX_DAYS = 3700  # a calendar without a working day must not loop forever


def confirmation_due(policy: Policy, tk: Ticket) -> dt.datetime | None:
    """When a resolved ticket's wait for its reporter ends: the start of the day after the
    policy's `confirmation.wait_working_days`-th working day after the day of its last resolve.
    None unless the ticket is resolved (a close or reopen is the reporter's answer)."""
    if tk.status != "resolved":
        return None
    resolves = [e.at for e in tk.history if e.kind == "resolve" and _aware(e.at)]
    if not resolves:
        return None
    cal = policy.calendar
    day, left = resolves[-1].astimezone(cal.tz).date(), policy.confirmation.wait_working_days
    for _ in range(MAX_DAYS):
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
            if left == 0:
                return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), cal.tz)
    return None


def unconfirmed(policy: Policy | None, tk: Ticket, now: dt.datetime) -> bool:
    """Whether `tk` has waited for its reporter's answer past the policy's limit at `now`."""
    due = confirmation_due(policy, tk) if policy else None
    return due is not None and now >= due


def awaiting_confirmation(repo: Repository, tk: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """A resolved ticket nobody closed or reopened within the policy's working days is a warning to
    its holder; with `confirmation.then: close` the ops office closes it (ticket close-unconfirmed)."""
    p = repo.policy
    if p is None or not unconfirmed(p, tk, now):
        return
    resolved = [e for e in tk.history if e.kind == "resolve" and _aware(e.at)][-1]
    people = repo.roster.people
    holder = tk.assignee or resolved.by
    yield at(tk.src, ("status",), "ticket-awaiting-confirmation", WARNING,
             key=f"rule.ticket-awaiting-confirmation-{p.confirmation.then}",
             resolved=resolved.at.astimezone(p.calendar.tz).strftime("%Y-%m-%d"),
             days=p.confirmation.wait_working_days,
             waited=(now.astimezone(p.calendar.tz).date() - resolved.at.astimezone(p.calendar.tz).date()).days,
             holder=people[holder].name if holder in people else holder)
