"""Page building, independent of MkDocs: repository in, {page path: page source} out.

A page source is Markdown, or, for the many generated pages (tickets and their lists), HTML
after front matter (erpops.site.html). With a store (erpops.site.pagecache) the pages are files
in its folder and a page whose inputs did not change is not made again."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from erpops import clock
from erpops.repository import Repository
from erpops.site import html, pagecache
from erpops.site.context import Context
from erpops.site.sections import (
    backlog, cli_reference, contacts, organisation, reports, runbooks, subsystems, tickets,
)

# The order of the home dashboard. A new section is one more module here.
SECTIONS = (tickets, reports, organisation, subsystems, runbooks, contacts, backlog, cli_reference)
HOME = "index.md"


def context(repo: Repository, lang: str = "zh", audience: str = "internal",
            today: dt.date | None = None, now: dt.datetime | None = None, *,
            store=None, directory_urls: bool = True) -> Context:
    """The pinned clock (ERPOPS_TODAY / ERPOPS_NOW) unless a test passes its own date and instant."""
    if now is None and repo.policy is not None:
        now = clock.now(repo.policy.calendar.tz)
    return Context(repo, lang, audience, today or clock.today(), now, directory_urls=directory_urls, store=store)


def build(repo: Repository, lang: str = "zh", audience: str = "internal",
          today: dt.date | None = None, now: dt.datetime | None = None, *,
          store=None, directory_urls: bool = True) -> dict[str, str]:
    """Every generated page's source by its path; with `store`, the path of its file in the
    store's folder instead (see erpops.site.pagecache), the store closed afterwards."""
    ctx = context(repo, lang, audience, today, now, store=store, directory_urls=directory_urls)
    out: dict[str, object] = {}
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
    # Markdown pages carry text from the repository (forms, runbooks): none may pass for an HTML page.
    out = {uri: v if isinstance(v, (html.Source, pagecache.Kept)) else html.inert_marker(v) for uri, v in out.items()}
    if store is not None:
        out = {uri: v if isinstance(v, pagecache.Kept) else store.put(uri, v) for uri, v in out.items()}
        store.close()
    return out


def index_pages(audience: str) -> list[str]:
    """The index page of every section this audience gets, in the dashboard's order."""
    found = [getattr(s, "INDEX", None) or getattr(s, "PATH", None) for s in SECTIONS if audience in s.AUDIENCES]
    return [uri for uri in found if uri]


def hidden_pages(audience: str) -> set[str]:
    """The index pages of the sections this audience does not get (to drop from the nav)."""
    return {getattr(s, "INDEX", None) or getattr(s, "PATH", None) for s in SECTIONS if audience not in s.AUDIENCES} - {None}


def prune_nav(nav, hidden: set[str]):
    """`nav` (mkdocs.yml's list) without the entries that point at a hidden page, and without
    sections left empty, so one nav serves both audiences."""
    if isinstance(nav, list):
        kept = [prune_nav(item, hidden) for item in nav]
        return [k for k in kept if k not in (None, [], {})]
    if isinstance(nav, dict):
        kept = {title: prune_nav(value, hidden) for title, value in nav.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})} or None
    return None if nav in hidden else nav


def downloads(repo: Repository, audience: str = "internal") -> dict[str, Path]:
    """Files copied into the site as they are ({site path: source file}), e.g. the forms' CSV/XLSX."""
    out: dict[str, Path] = {}
    for section in SECTIONS:
        if audience in section.AUDIENCES and hasattr(section, "downloads"):
            out.update(section.downloads(repo))
    return out
