"""The improvement backlog (internal sites only): the improvement items (improvements/) with their
state, owner and due date, the overdue ones marked in colour and words; below them every ticket
feedback entry not yet raised as an item, grouped by kind (system, organisation, process), each
linked to its ticket. The public site leaves it out: the items quote tickets, and tickets stay internal."""
from __future__ import annotations

from markupsafe import Markup

from erpops import improvement as model
from erpops.site.context import INTERNAL, Context
from erpops.site.panel import Figure, Panel
from erpops.site.sections import tickets

AUDIENCES = (INTERNAL,)
PATH = "backlog.md"
KINDS = ("system", "organisation", "process")
OVERDUE_MARK = "🔴"  # the colour of an overdue item; its words follow


def items(ctx: Context) -> dict[str, list[dict]]:
    """Per kind (in KINDS order, then any other), the feedback not yet raised, newest ticket first
    (made once per build: the page and the panel show it)."""
    if "backlog-items" in ctx.cache:
        return ctx.cache["backlog-items"]
    subsystems = {s.code: s.display(ctx.lang) for s in ctx.repo.roster.subsystem_list}
    out: dict[str, list[dict]] = {k: [] for k in KINDS}
    for tk, _n, f in model.unraised(tickets.newest(ctx), ctx.repo.improvements):
        out.setdefault(f.kind, []).append({
            "ticket": ctx.link(tk.id, tickets.path(tk), PATH),
            "title": tk.title,
            "subsystem": subsystems.get(tk.subsystem, tk.subsystem),
            "status": ctx.t(f"ticket.status.{tk.status}") if tk.status in tickets.STATUSES else tk.status,
            "text": f.text,
        })
    ctx.cache["backlog-items"] = out
    return out


def improvements(ctx: Context) -> list[dict]:
    """Every item, oldest id first: its state, owner, due date, tickets, and whether it is overdue."""
    pages = tickets.by_id(ctx)
    rows = []
    for i in sorted(ctx.repo.improvements, key=lambda i: i.id):
        links = [ctx.link(r.ticket, tickets.path(pages[r.ticket]), PATH) if r.ticket in pages
                 else Markup.escape(r.ticket) for r in i.tickets]
        late = i.overdue(ctx.today)
        rows.append({
            "id": i.id, "title": i.title,
            "target": _kind(ctx, i.target),
            "status": ctx.t(f"improvement.status.{i.status}") if i.status in model.STATUSES else i.status,
            "owner": ctx.name(i.owner) if i.owner else "-",
            "due": i.due.isoformat() if i.due else "-",
            "overdue": (OVERDUE_MARK + " " + ctx.t("site.imp-overdue", days=(ctx.today - i.due).days)) if late else "",
            "late": late,
            "tickets": Markup(", ").join(links),
        })
    return rows


def _kind(ctx: Context, kind: str) -> str:
    return ctx.t(f"ticket.feedback.{kind}") if kind in KINDS else kind


def pages(ctx: Context) -> dict[str, str]:
    groups = [{"kind": _kind(ctx, k), "items": v} for k, v in items(ctx).items()]
    rows = improvements(ctx)
    return {PATH: ctx.render("backlog.md.j2", groups=groups, total=sum(len(g["items"]) for g in groups),
                             improvements=rows, overdue=sum(1 for r in rows if r["late"]))}


def panel(ctx: Context) -> Panel:
    rows = improvements(ctx)
    return Panel(ctx.t("site.backlog"), PATH,
                 (Figure(ctx.t("site.improvements"), len(rows)),
                  Figure(ctx.t("site.imp-overdue-count"), sum(1 for r in rows if r["late"])))
                 + tuple(Figure(_kind(ctx, k), len(v)) for k, v in items(ctx).items()))
