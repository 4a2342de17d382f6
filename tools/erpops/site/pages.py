"""Page building, independent of MkDocs: repository in, {page path: Markdown} out."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from erpops import clock
from erpops.load import Repository
from erpops.site.context import Context
from erpops.site.sections import backlog, contacts, organisation, reports, runbooks, subsystems, tickets

# The order of the home dashboard. A new section is one more module here.
SECTIONS = (tickets, reports, organisation, subsystems, runbooks, contacts, backlog)
HOME = "index.md"


def context(repo: Repository, lang: str = "zh", audience: str = "internal",
            today: dt.date | None = None, now: dt.datetime | None = None) -> Context:
    """The pinned clock (ERPOPS_TODAY / ERPOPS_NOW) unless a test passes its own date and instant."""
    if now is None and repo.policy is not None:
        now = clock.now(repo.policy.calendar.tz)
    return Context(repo, lang, audience, today or clock.today(), now)


def build(repo: Repository, lang: str = "zh", audience: str = "internal",
          today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, str]:
    ctx = context(repo, lang, audience, today, now)
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
        {"link": ctx.link(p.title, p.target, HOME), "figures": p.figures, "body": p.body} for p in panels
    ])
    return out


def downloads(repo: Repository, audience: str = "internal") -> dict[str, Path]:
    """Files copied into the site as they are ({site path: source file}), e.g. the forms' CSV/XLSX."""
    out: dict[str, Path] = {}
    for section in SECTIONS:
        if audience in section.AUDIENCES and hasattr(section, "downloads"):
            out.update(section.downloads(repo))
    return out
