"""Who to call: for each subsystem the people to turn to, tier by tier, and the ops office."""
from __future__ import annotations

from erpops.site.context import AUDIENCES as ALL, Context
from erpops.site.sections import subsystems

AUDIENCES = ALL
PATH = "contacts.md"


def pages(ctx: Context) -> dict[str, str]:
    roster = ctx.repo.roster
    office = roster.office
    staff = [
        {
            "role": ctx.t("role.office-lead" if pid == office.lead else "role.office-member"),
            "name": ctx.name(pid),
            "contacts": ctx.contacts(pid),
        }
        for pid in (office.staff if office else ())
    ]
    return {
        PATH: ctx.render(
            "contacts.md.j2",
            office=office,
            staff=staff,
            subsystems=[
                {
                    "link": ctx.link(s.display(ctx.lang), subsystems.path(s), PATH),
                    "owners": subsystems.owners(ctx, s),
                }
                for s in roster.subsystem_list
            ],
        )
    }


def panel(ctx: Context) -> None:
    return None
