"""The organisation page: the ops office, an org chart, the subsystems and their owners."""
from __future__ import annotations

from markupsafe import Markup

from erpops.site.context import AUDIENCES as ALL, Context
from erpops.site.escape import mermaid_label as label
from erpops.site.panel import Figure, Panel
from erpops.site.sections import subsystems

AUDIENCES = ALL
PATH = "organisation.md"


def org_chart(ctx: Context) -> Markup:
    """Mermaid source: office → ERP system admin group → one key-user group per subsystem.

    Node ids are generated; every label is entity-encoded, so nothing a user wrote can end
    a label or add mermaid syntax."""
    roster = ctx.repo.roster
    office = roster.office
    lines = ["flowchart LR"]
    if office is not None:
        lines.append(f'  office["{_node(office.name, ctx.t("site.chart-lead", name=ctx.name(office.lead)))}"]')
    else:
        lines.append(f'  office["{_node(ctx.t("site.chart-office"))}"]')
    lines.append(f'  admins["{_node(ctx.t("site.admin-group"))}"]')
    lines.append("  office --> admins")
    for i, s in enumerate(roster.subsystem_list):
        node = _node(
            ctx.t("site.chart-group", subsystem=s.display(ctx.lang)),
            ctx.t("site.chart-lead", name=ctx.name(s.key_user_group.leader)),
        )
        lines.append(f'  admins --> g{i}["{node}"]')
    if roster.vendor is not None:
        lines.append(f'  vendor["{_node(ctx.t("site.chart-vendor", vendor=roster.vendor.name))}"]')
        lines.append("  admins -.- vendor")
    return Markup("\n".join(lines))


def _node(*lines: str) -> str:
    """A node's label: each line entity-encoded, joined by mermaid's own line break."""
    return "<br>".join(label(line) for line in lines)


def pages(ctx: Context) -> dict[str, str]:
    roster = ctx.repo.roster
    office = roster.office
    vendor = roster.vendor
    return {
        PATH: ctx.render(
            "organisation.md.j2",
            office=office,
            office_lead=ctx.name(office.lead) if office else "",
            office_members=[ctx.name(m) for m in office.members] if office else [],
            chart=org_chart(ctx),
            subsystems=[subsystems.summary(ctx, s, PATH) for s in roster.subsystem_list],
            vendor=vendor,
            consultants=ctx.names(vendor.consultants) if vendor else "",
        )
    }


def panel(ctx: Context) -> Panel:
    roster = ctx.repo.roster
    return Panel(
        ctx.t("site.organisation"), PATH,
        (
            Figure(ctx.t("site.count-people"), sum(1 for p in roster.people.values() if not p.placeholder)),
            Figure(ctx.t("site.count-subsystems"), len(roster.subsystem_list)),
        ),
    )
