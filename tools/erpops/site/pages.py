"""Page building, independent of MkDocs: repository in, {page path: Markdown} out."""
from __future__ import annotations

import datetime as dt

from erpops.load import Repository
from erpops.site.context import Context
from erpops.site.sections import cli_reference, contacts, organisation, runbooks, subsystems

# The order of the home dashboard. A new section (tickets, reports) is one more module here.
SECTIONS = (organisation, subsystems, runbooks, contacts, cli_reference)
HOME = "index.md"


def build(repo: Repository, lang: str = "zh", audience: str = "internal",
          today: dt.date | None = None) -> dict[str, str]:
    ctx = Context(repo, lang, audience, today or dt.date.today())
    out: dict[str, str] = {}
    panels = []
    for section in SECTIONS:
        if audience not in section.AUDIENCES:
            continue
        out.update(section.pages(ctx))
        panel = section.panel(ctx)
        if panel is not None:
            panels.append(panel)
    out[HOME] = ctx.render("home.md.j2", panels=[
        {"link": ctx.link(p.title, p.target, HOME), "figures": p.figures} for p in panels
    ])
    return out
