"""The improvement backlog (internal sites only): every feedback item of every ticket, grouped
by kind (system, organisation, process), each linked to its ticket. The public site leaves it
out: the items quote tickets, and tickets stay internal."""
from __future__ import annotations

from erpops.site.context import INTERNAL, Context
from erpops.site.panel import Figure, Panel
from erpops.site.sections import tickets

AUDIENCES = (INTERNAL,)
PATH = "backlog.md"
KINDS = ("system", "organisation", "process")


def items(ctx: Context) -> dict[str, list[dict]]:
    """Per kind (in KINDS order, then any other), the items newest ticket first."""
    subsystems = {s.code: s.display(ctx.lang) for s in ctx.repo.roster.subsystem_list}
    out: dict[str, list[dict]] = {k: [] for k in KINDS}
    for tk in tickets.newest_first(ctx.repo.tickets):
        for f in tk.feedback:
            out.setdefault(f.kind, []).append({
                "ticket": ctx.link(tk.id, tickets.path(tk), PATH),
                "title": tk.title,
                "subsystem": subsystems.get(tk.subsystem, tk.subsystem),
                "status": ctx.t(f"ticket.status.{tk.status}") if tk.status in tickets.STATUSES else tk.status,
                "text": f.text,
            })
    return out


def _kind(ctx: Context, kind: str) -> str:
    return ctx.t(f"ticket.feedback.{kind}") if kind in KINDS else kind


def pages(ctx: Context) -> dict[str, str]:
    groups = [{"kind": _kind(ctx, k), "items": v} for k, v in items(ctx).items()]
    return {PATH: ctx.render("backlog.md.j2", groups=groups, total=sum(len(g["items"]) for g in groups))}


def panel(ctx: Context) -> Panel:
    return Panel(ctx.t("site.backlog"), PATH,
                 tuple(Figure(_kind(ctx, k), len(v)) for k, v in items(ctx).items()))
