"""One page per subsystem (owners, key users, escalation path, runbooks) and their index."""
from __future__ import annotations

from erpops.model import Subsystem
from erpops.site.context import AUDIENCES as ALL, Context
from erpops.site.panel import Figure, Panel
from erpops.site.sections import runbooks

AUDIENCES = ALL
INDEX = "subsystems/index.md"


def path(s: Subsystem) -> str:
    return f"subsystems/{s.code}.md"


def key_users(ctx: Context, s: Subsystem) -> str:
    group = s.key_user_group
    return group.population or ctx.names(group.members)


def summary(ctx: Context, s: Subsystem, here: str) -> dict:
    """One row of a subsystems table, linked from page `here`."""
    return {
        "link": ctx.link(s.display(ctx.lang), path(s), here),
        "code": s.code,
        "business_admin": ctx.names(s.business_admins),
        "erp_admin": ctx.names(s.erp_admins),
        "leader": ctx.name(s.key_user_group.leader),
        "key_users": key_users(ctx, s),
        "key_user_count": len(s.key_user_group.members),
    }


def owners(ctx: Context, s: Subsystem) -> list[dict]:
    """The escalation path of one subsystem, tier by tier, with the people and their contacts."""
    group = s.key_user_group
    rows = [
        {"tier": ctx.t("tier.key-user"), "people": [_person(ctx, group.leader, ctx.t("site.leader"))]},
        {"tier": ctx.t("tier.business-admin"), "people": [_person(ctx, p) for p in s.business_admins]},
        {"tier": ctx.t("tier.erp-admin"), "people": [_person(ctx, p) for p in s.erp_admins]},
    ]
    vendor = ctx.repo.roster.vendor
    if vendor is not None:
        rows.append({
            "tier": ctx.t("tier.vendor"),
            "people": [{
                "name": vendor.name, "note": ctx.t("site.vendor-via-erp-admin"),
                "contacts": ctx.organisation_contacts(hotline=vendor.hotline),
            }],
        })
    return rows


def _person(ctx: Context, pid: str, note: str = "") -> dict:
    return {"name": ctx.name(pid), "note": note, "contacts": ctx.contacts(pid)}


def _internal(ctx: Context, s: Subsystem, here: str) -> dict:
    """Open tickets and record forms: internal sites only, like the sections they link to."""
    from erpops.site.sections import reports, tickets  # they link back here

    forms = [ctx.link(month, reports.path(month, s.code), here) for month in reports.months(ctx.repo)
             if (ctx.repo.root / reports.FOLDER / month / f"{s.code}.md").is_file()]
    return {
        "tickets": tickets.open_rows(ctx, s.code, here),
        "tickets_all": ctx.link(ctx.t("site.tickets-of-subsystem", subsystem=s.display(ctx.lang)),
                                tickets.subsystem_path(s.code), here),
        "forms": forms,
    }


def pages(ctx: Context) -> dict[str, str]:
    roster = ctx.repo.roster
    out = {
        INDEX: ctx.render(
            "subsystems.md.j2",
            subsystems=[summary(ctx, s, INDEX) for s in roster.subsystem_list],
        )
    }
    for s in roster.subsystem_list:
        here = path(s)
        group = s.key_user_group
        out[here] = ctx.render(
            "subsystem.md.j2",
            s=s,
            name=s.display(ctx.lang),
            other_name=s.name if ctx.lang == "en" else s.name_en,
            aliases=ctx.t("list.sep").join(s.aliases),
            owners=owners(ctx, s),
            leader=ctx.name(group.leader),
            members=[{"name": ctx.name(m), "contacts": ctx.contacts(m)} for m in group.members],
            population=group.population,
            runbooks=[runbooks.row(ctx, r, here) for r in runbooks.for_subsystem(ctx, s.code)],
            runbooks_index=ctx.link(ctx.t("site.runbooks"), runbooks.INDEX, here),
            **(_internal(ctx, s, here) if ctx.internal else {}),
        )
    return out


def panel(ctx: Context) -> Panel:
    roster = ctx.repo.roster
    return Panel(
        ctx.t("site.subsystems"), INDEX,
        (
            Figure(ctx.t("site.count-subsystems"), len(roster.subsystem_list)),
            Figure(ctx.t("site.count-key-users"),
                   sum(len(s.key_user_group.members) for s in roster.subsystem_list)),
        ),
    )
