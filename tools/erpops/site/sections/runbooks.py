"""The runbooks: an index by subsystem and kind with review status, and one page per runbook."""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup

from erpops.model import Runbook
from erpops.rules.runbooks import due_date
from erpops.site.context import AUDIENCES as ALL, Context
from erpops.site.panel import Figure, Panel

AUDIENCES = ALL
INDEX = "runbooks/index.md"
COMMON = "common"
KINDS = ("contingency", "procedure", "maintenance")
CURRENT, OVERDUE, UNKNOWN = "current", "overdue", "unknown"
# Search ranks a runbook's page above tickets and pages that merely mention its words:
# a key user searching a symptom wants the runbook first (Material's per-page `search.boost`).
SEARCH_BOOST = 3
_LEADING_H1 = re.compile(r"\A\s*#[ \t]+[^\n]*(?:\n|\Z)")


def path(r: Runbook) -> str:
    """The page mirrors the file's place in the repository, so links between runbooks work."""
    return r.src.path


def review_status(r: Runbook, today: dt.date) -> str:
    due = due_date(r)
    if due is None:
        return UNKNOWN
    return OVERDUE if today > due else CURRENT


def for_subsystem(ctx: Context, code: str) -> list[Runbook]:
    """The runbooks that apply to subsystem `code`: its own and the common ones."""
    return _sorted(r for r in ctx.repo.runbooks.values() if code in r.subsystems or COMMON in r.subsystems)


def _sorted(items) -> list[Runbook]:
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(items, key=lambda r: (order.get(r.kind, len(order)), r.title, r.id))


def row(ctx: Context, r: Runbook, here: str) -> dict:
    status = review_status(r, ctx.today)
    return {
        "link": ctx.link(r.title, path(r), here),
        "kind": ctx.t(f"site.kind-{r.kind}") if r.kind in KINDS else r.kind,
        "owner": ctx.name(r.owner),
        "last_reviewed": r.last_reviewed or "",
        "due": due_date(r) or "",
        "status": ctx.t(f"site.review-{status}"),
        "overdue": status == OVERDUE,
    }


def groups(ctx: Context) -> list[dict]:
    """The index: common runbooks first, then one group per subsystem, each sorted by kind."""
    books = ctx.repo.runbooks.values()
    out = []
    common = _sorted(r for r in books if COMMON in r.subsystems)
    if common:
        out.append({"title": ctx.t("site.runbooks-common"), "rows": [row(ctx, r, INDEX) for r in common]})
    for s in ctx.repo.roster.subsystem_list:
        own = _sorted(r for r in books if s.code in r.subsystems)
        if own:
            out.append({"title": s.display(ctx.lang), "rows": [row(ctx, r, INDEX) for r in own]})
    return out


def _subsystem_links(ctx: Context, r: Runbook, here: str) -> list:
    from erpops.site.sections import subsystems  # the two sections link to each other

    links = []
    for code in r.subsystems:
        s = ctx.repo.roster.subsystems.get(code)
        if code == COMMON:
            links.append(ctx.t("site.runbooks-common"))
        elif s is not None:
            links.append(ctx.link(s.display(ctx.lang), subsystems.path(s), here))
        else:
            links.append(code)
    return links


def without_title(body: str) -> str:
    """The body without a leading `# heading`: the page shows the runbook's title once, above its facts."""
    return _LEADING_H1.sub("", body, count=1)


def pages(ctx: Context) -> dict[str, str]:
    books = list(ctx.repo.runbooks.values())
    by_kind = [
        {"kind": ctx.t(f"site.kind-{k}"), "count": sum(1 for r in books if r.kind == k)} for k in KINDS
    ]
    out = {
        INDEX: ctx.render(
            "runbooks.md.j2", groups=groups(ctx), by_kind=by_kind, total=len(books),
            overdue=sum(1 for r in books if review_status(r, ctx.today) == OVERDUE),
        )
    }
    for r in books:
        here = path(r)
        out[here] = ctx.render(
            "runbook.md.j2",
            r=r,
            facts=row(ctx, r, here),
            subsystems=_subsystem_links(ctx, r, here),
            interval=r.review_interval_days or "",
            severity=ctx.t("list.sep").join(r.severity),
            symptoms=ctx.t("list.sep").join(r.symptoms),
            keywords=ctx.t("list.sep").join(r.keywords),
            source=r.src.path,
            # The body is Markdown on purpose; raw HTML and unsafe links in it are neutralised
            # by erpops.site.safe_markdown, which the plugin adds to every build.
            body=Markup(without_title(r.body)),
            boost=SEARCH_BOOST,
        )
    return out


def panel(ctx: Context) -> Panel:
    books = ctx.repo.runbooks.values()
    return Panel(
        ctx.t("site.runbooks"), INDEX,
        (
            Figure(ctx.t("site.count-runbooks"), len(books)),
            Figure(ctx.t("site.count-overdue"),
                   sum(1 for r in books if review_status(r, ctx.today) == OVERDUE)),
        ),
    )
