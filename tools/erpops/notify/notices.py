"""What to tell whom now: a pure function of the loaded repository and the instant.

Each Notice has a key that names one change of state, derived from the data alone — a ticket's
history entry (`PRD-…:h3:assigned`), a clock crossing its warning or its target for the n-th
resolve (`PRD-…:resolve:at-risk:0`), a form of a month, a runbook's review of a last_reviewed
date, a missing calendar year. The same state gives the same keys on every run, however late or
often the runs come, so a sent-keys file is all that is needed to send each notice exactly once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erpops.notify.config import OFFICE
from erpops.rules import calendar as calendar_rules
from erpops.rules.runbooks import due_date
from erpops.rules.ticket_sla import clocks, confirmation_due
from erpops.ticket import ACTIVE, Ticket
from erpops.worktime import add_working_hours

if TYPE_CHECKING:
    from erpops.repository import Repository
    from erpops.model import Subsystem
    from erpops.reports.handin import Standing

KINDS = ("assigned", "escalated", "sla-at-risk", "sla-breach", "resolved", "form-due",
         "runbook-review", "calendar-missing")


@dataclass(frozen=True)
class Notice:
    key: str  # the change of state it reports; sent once
    kind: str  # one of KINDS
    robot: str  # the subsystem whose robot posts it, or `office`
    to: tuple[str, ...]  # person ids: @-mentioned on the robot, mailed
    text: str  # catalogue key of the message
    params: tuple[tuple[str, Any], ...] = ()
    urgent: bool = False  # P1: goes out outside working hours too
    ticket: Ticket | None = field(default=None, compare=False, repr=False)

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.params)


def _tier_people(sub: Subsystem | None, tier: str) -> tuple[str, ...]:
    if sub is None:
        return ()
    if tier == "key-user":
        return (sub.key_user_group.leader,)
    if tier == "business-admin":
        return sub.business_admins
    if tier == "erp-admin":
        return sub.erp_admins
    return ()


def _when(repo: Repository, instant: dt.datetime) -> str:
    return instant.astimezone(repo.policy.calendar.tz).strftime("%Y-%m-%d %H:%M")


def _notice(key: str, kind: str, robot: str, to: tuple[str, ...], text: str, *, urgent: bool = False,
            ticket: Ticket | None = None, **params: Any) -> Notice:
    return Notice(key, kind, robot, tuple(dict.fromkeys(p for p in to if p)), text,
                  tuple(sorted(params.items())), urgent, ticket)


def _ticket_params(tk: Ticket) -> dict[str, Any]:
    return dict(id=tk.id, title=tk.title, priority=tk.priority)


def tickets(repo: Repository, now: dt.datetime) -> list[Notice]:
    p = repo.policy
    out: list[Notice] = []
    seen: set[str] = set()
    for tk in repo.tickets:
        if tk.id in seen or not tk.history:
            continue
        seen.add(tk.id)
        sub = repo.roster.subsystems.get(tk.subsystem)
        urgent = tk.priority == "P1"
        target = p.sla.get(tk.priority)
        base = _ticket_params(tk)
        # Assigned or escalated: the event that gave the ticket to its holder, while it still holds it.
        if tk.status in ACTIVE and tk.assignee:
            for i in range(len(tk.history) - 1, 0, -1):
                e = tk.history[i]
                if e.kind in ("assign", "escalate") and e.assignee == tk.assignee:
                    kind = "assigned" if e.kind == "assign" else "escalated"
                    due = _when(repo, add_working_hours(p.calendar, tk.opened, target.resolve_hours)) \
                        if target and tk.opened else "—"
                    out.append(_notice(f"{tk.id}:h{i}:{kind}", kind, tk.subsystem, (tk.assignee,),
                                       f"notify.{kind}", urgent=urgent, ticket=tk, by=e.by, holder=tk.assignee,
                                       tier=tk.tier, due=due, **base))
                    break
                if e.kind in ("assign", "escalate", "move"):
                    break
        # The SLA clocks: once on crossing the warning, once on the breach (per resolve: a reopened
        # ticket's clock may cross again).
        resolves = sum(1 for e in tk.history if e.kind == "resolve")
        holder = tk.assignee or tk.history[-1].by
        above = ()
        if p.rank(tk.tier) >= 0 and p.rank(tk.tier) + 1 < len(p.tiers):
            above = _tier_people(sub, p.tiers[p.rank(tk.tier) + 1])
        for c in clocks(p, tk, now):
            if not c.running:
                continue
            due = _when(repo, add_working_hours(p.calendar, tk.opened, c.limit + c.paused))
            args = dict(what=c.what, used=f"{c.used:.1f}", limit=f"{c.limit:g}", due=due, holder=holder, **base)
            if c.breached:
                office = repo.roster.office.staff if repo.roster.office else ()
                out.append(_notice(f"{tk.id}:{c.what}:breach:{resolves}", "sla-breach", OFFICE,
                                   (holder, *office), f"notify.sla-breach-{c.what}", urgent=urgent, ticket=tk, **args))
            elif not c.held and c.used >= p.warn_at * c.limit:
                out.append(_notice(f"{tk.id}:{c.what}:at-risk:{resolves}", "sla-at-risk", tk.subsystem,
                                   (holder, *above), f"notify.sla-at-risk-{c.what}", urgent=urgent, ticket=tk,
                                   above=tuple(above), **args))
        # Resolved: the reporter is asked to confirm (close) or reopen.
        if tk.status == "resolved":
            i = max(i for i, e in enumerate(tk.history) if e.kind == "resolve")
            e = tk.history[i]
            reporter = tk.reporter.person or tk.reporter.filed_by
            due = confirmation_due(p, tk)
            summary = (tk.resolution.summary if tk.resolution else (e.note or "")).rstrip("。. ")
            out.append(_notice(f"{tk.id}:h{i}:resolved", "resolved", tk.subsystem, (reporter,),
                               "notify.resolved", ticket=tk, by=e.by, reporter=reporter, summary=summary,
                               due=_when(repo, due) if due else "—", **base))
    return out


def forms(repo: Repository, standing: Standing | None, today: dt.date) -> list[Notice]:
    """From the day after the period closes (the 26th) until the form is handed in."""
    if standing is None or today <= standing.period.last:
        return []
    out = []
    for code, admins in standing.chase.items():
        out.append(_notice(f"form:{standing.period.month}:{code}", "form-due", code, admins, "notify.form-due",
                           subsystem=code, month=standing.period.month, due=standing.period.due.isoformat(),
                           admins=tuple(admins)))
    return out


def runbooks(repo: Repository, today: dt.date) -> list[Notice]:
    out = []
    for rb in repo.runbook_list:
        due = due_date(rb)
        if due is None or today < due:
            continue
        robot = rb.subsystems[0] if len(rb.subsystems) == 1 else OFFICE
        out.append(_notice(f"runbook:{rb.id}:{rb.last_reviewed}", "runbook-review", robot, (rb.owner,),
                           "notify.runbook-review", id=rb.id, title=rb.title, due=due.isoformat(), owner=rb.owner))
    return out


def calendar(repo: Repository, today: dt.date) -> list[Notice]:
    p = repo.policy
    office = repo.roster.office.staff if repo.roster.office else ()
    out = []
    for d in [*calendar_rules.not_covered(p, today), *calendar_rules.next_year(p, today)]:
        year = dict(d.args)["year"]
        out.append(_notice(f"calendar:{year}", "calendar-missing", OFFICE, office, "notify.calendar-missing",
                           year=year))
    return out


def notices(repo: Repository, now: dt.datetime, today: dt.date, standing: Standing | None = None) -> list[Notice]:
    """Everything there is to tell at `now`, in a stable order."""
    if repo.policy is None:
        return []
    return tickets(repo, now) + forms(repo, standing, today) + runbooks(repo, today) + calendar(repo, today)
