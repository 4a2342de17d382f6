"""The answer on a ticket's issue after a merge: what happened (the new events) and where the ticket
stands now (who holds it, at which tier, by when it is due), in the catalogue's language.

Pure: two Tickets, the roster and policy, a clock in; text out. Posting is the command's.
"""
from __future__ import annotations

import datetime as dt
import posixpath

from erpops.forges.markdown import inert
from erpops.i18n import t
from erpops.model import Roster
from erpops.policy import Policy
from erpops.rules.ticket_sla import clocks, confirmation_due
from erpops.ticket import Event, Ticket

FINISHED = ("closed", "cancelled")


def new_events(old: Ticket | None, new: Ticket) -> tuple[Event, ...]:
    """The events `new` has beyond `old` (all of them for a ticket new in the push)."""
    return new.history[len(old.history):] if old is not None else new.history


def issue_change(old: Ticket | None, new: Ticket) -> str:
    """What the answer does to the issue: `close` (the ticket is now closed or cancelled), `reopen`
    (it was, and is no more), else `comment`."""
    was = old.status if old is not None else None
    if new.status in FINISHED and was not in FINISHED:
        return "close"
    if was in FINISHED and new.status not in FINISHED:
        return "reopen"
    return "comment"


def _name(roster: Roster, pid: str | None) -> str:
    person = roster.people.get(pid or "")
    return person.name if person is not None else (pid or "-")


def _when(policy: Policy, v: dt.datetime | None) -> str:
    if v is None or v.tzinfo is None:
        return "-"
    return v.astimezone(policy.calendar.tz).strftime("%Y-%m-%d %H:%M")


def _tier(tier: str) -> str:
    return t(f"tier.{tier}") if tier else "-"


def event_line(roster: Roster, policy: Policy, e: Event) -> str:
    """One new event: when, who, what (to whom, at which tier), and what they wrote."""
    what = t(f"ticket.event.{e.kind}")
    if e.kind in ("assign", "escalate") or (e.kind == "open" and e.assignee):
        what = t("answer.handed", event=what, person=_name(roster, e.assignee), tier=_tier(e.tier))
    line = t("answer.event", at=_when(policy, e.at), person=_name(roster, e.by), event=what)
    note = inert(" ".join((e.note or "").split()))  # typed text: no mention, link or markup on the issue
    return line + (t("answer.note", note=note) if note else "")


def due_text(policy: Policy, tk: Ticket, now: dt.datetime) -> str:
    """By when the ticket is due, as the site's ticket page shows it: each running SLA clock's
    deadline (none while on a hold that stops it); empty when no clock runs."""
    from erpops.site.sections.tickets import due  # the site's own deadline, so both say the same

    parts = []
    for c in clocks(policy, tk, now):
        if not c.running:
            continue
        if c.held:
            parts.append(t("answer.due-held", what=t(f"site.sla-{c.what}")))
        else:
            at = due(policy, tk, c)
            if at is not None:
                parts.append(t("answer.due", what=t(f"site.sla-{c.what}"), at=_when(policy, at)))
    return t("answer.due-lead", due=t("answer.due-sep").join(parts)) if parts else ""


def standing(roster: Roster, policy: Policy, tk: Ticket, now: dt.datetime) -> str:
    """Where the ticket stands: its status, who holds it at which tier, and by when it is due (for a
    resolved ticket: by when the reporter confirms)."""
    status = t(f"ticket.status.{tk.status}")
    if tk.status in FINISHED:
        return t(f"answer.now-{tk.status}", status=status)
    text = t("answer.now", status=status, person=_name(roster, tk.assignee), tier=_tier(tk.tier))
    if tk.status == "resolved":
        until = confirmation_due(policy, tk)
        return text + (t("answer.confirm-by", at=_when(policy, until)) if until else t("answer.confirm"))
    return text + due_text(policy, tk, now)


def answer(roster: Roster, policy: Policy, old: Ticket | None, new: Ticket, now: dt.datetime,
           site_url: str | None = None) -> str:
    """The whole answer: a heading with the ticket (a link to its page when the site's address is
    known), one line per new event, and where it stands."""
    page = (site_url.rstrip("/") + "/" + posixpath.splitext(new.src.path)[0] + "/") if site_url else None
    head = t("answer.head-link" if page else "answer.head", id=new.id, title=inert(new.title), url=page or "",
             path=new.src.path)
    lines = [head, ""]
    lines += ["- " + event_line(roster, policy, e) for e in new_events(old, new)]
    lines += ["", standing(roster, policy, new, now)]
    return "\n".join(lines)
