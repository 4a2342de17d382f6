"""erpops ticket show / list: read-only views of tickets, every label from the catalogue."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from erpops import clock, resolve, ticketindex
from erpops.commands.ticket import _partial, _repo, named, one
from erpops.i18n import language, t
from erpops.repository import Repository
from erpops.rules import tickets as ticket_rules
from erpops.ticket import ACTIVE


def _name(repo: Repository, pid: str | None) -> str:
    if not pid:
        return t("ticket.nobody")
    p = repo.roster.people.get(pid)
    return f"{p.display(language())}（{pid}）" if p else pid


def _when(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if v else "-"


def _opened(tk) -> dt.datetime | None:
    """When a ticket (or an index row: ticketindex.Row) was opened."""
    return tk.opened_at if isinstance(tk, ticketindex.Row) else tk.opened


def show(root: Path, tid: str) -> int:
    repo, tk = named(root, tid) or one(root, tid)
    sub = repo.roster.subsystems.get(tk.subsystem)
    kind = repo.policy.ticket_types.get(tk.type)
    status = t(f"ticket.status.{tk.status}")
    if tk.hold is not None:
        status += " · " + t("ticket.on-hold", reason=t(f"ticket.hold.{tk.hold.reason}"))
    out = [f"{tk.id}  {tk.title}",
           t("ticket.show.head", subsystem=sub.display(language()) if sub else tk.subsystem, code=tk.subsystem,
             type=kind.display(language()) if kind else tk.type, priority=tk.priority, status=status),
           t("ticket.show.holder", tier=t(f"tier.{tk.tier}"), assignee=_name(repo, tk.assignee))]
    r = tk.reporter
    out.append(t("ticket.show.end-user", end_user=r.end_user, filed_by=_name(repo, r.filed_by)) if r.end_user
               else t("ticket.show.reporter", reporter=_name(repo, r.person)))
    out.append(t("ticket.show.opened", at=_when(tk.opened), file=tk.src.path))
    for key, value in (("symptom", tk.symptom), ("cause", tk.cause), ("impact", tk.impact)):
        if value:
            out.append(t(f"ticket.show.{key}", text=value))
    if tk.runbooks:
        out.append(t("ticket.show.runbooks", ids=", ".join(tk.runbooks)))
    out.append(t("ticket.show.history"))
    for e in tk.history:
        line = f"  {_when(e.at)}  {t('ticket.event.' + e.kind)}  {_name(repo, e.by)}  [{t('tier.' + e.tier)}]"
        if e.assignee and e.kind != "open":
            line += f" → {_name(repo, e.assignee)}"
        if e.reason:
            line += f" ({t('ticket.hold.' + e.reason)})"
        if e.note:
            line += f"  {e.note}"
        out.append(line)
    if tk.resolution:
        res = tk.resolution
        out.append(t("ticket.show.resolution", summary=res.summary, root_cause=res.root_cause,
                     by=_name(repo, res.by), at=_when(res.at)))
    if tk.publication:
        out.append(t("ticket.show.publication", designer=_name(repo, tk.publication.designer),
                     reviewer=_name(repo, tk.publication.reviewer)))
    for f in tk.feedback:
        out.append(t("ticket.show.feedback", kind=t(f"ticket.feedback.{f.kind}"), text=f.text))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def list_(root: Path, *, subsystem: str | None = None, status: str | None = None, tier: str | None = None,
          assignee: str | None = None, overdue: bool = False, all_: bool = False) -> int:
    """Tickets oldest first, filtered; only the unfinished ones unless `all_` or a `status` is asked
    for. Every filter value goes through the resolver: an unknown one exits 2 with the valid values."""
    # --overdue runs every SLA clock: it needs every ticket; else the index's rows do.
    repo = _repo(root) if overdue else _partial(root)
    tickets = repo.tickets if repo.index is None else repo.index.tickets()
    subsystem = resolve.subsystem(repo.roster, subsystem) if subsystem else None
    tier = resolve.tier(repo.policy, tier) if tier else None
    assignee = resolve.person(repo.roster, assignee) if assignee else None
    wanted = resolve.statuses(status) if status else (None if all_ else ACTIVE)
    late: set[str] = set()
    if overdue:
        now = clock.now(repo.policy.calendar.tz)
        for tk in repo.tickets:
            if any(d.rule == "ticket-sla-breach" for d in ticket_rules.sla(repo, tk, now)):
                late.add(tk.src.path)
    rows = [
        tk for tk in tickets
        if (not subsystem or tk.subsystem == subsystem) and (not tier or tk.tier == tier)
        and (not assignee or tk.assignee == assignee) and (not overdue or tk.src.path in late)
    ]
    hidden = sum(1 for tk in rows if wanted is not None and tk.status not in wanted) if not status else 0
    rows = sorted((tk for tk in rows if wanted is None or tk.status in wanted),  # sorted: only those shown
                  key=lambda x: (x.opened is None, _opened(x) or dt.datetime.min, x.id))
    if not rows:
        sys.stdout.write(t("ticket.list.none") + "\n")
        if hidden:
            sys.stdout.write(t("ticket.list.hidden", count=hidden) + "\n")
        return 0
    for tk in rows:
        sys.stdout.write(f"{tk.id}  {_when(_opened(tk))}  {tk.priority}  {t('ticket.status.' + tk.status)}  "
                         f"{t('tier.' + tk.tier)}  {_name(repo, tk.assignee)}  {tk.title}\n")
    sys.stdout.write(t("ticket.list.count", count=len(rows)) + "\n")
    if hidden:
        sys.stdout.write(t("ticket.list.hidden", count=hidden) + "\n")
    return 0
