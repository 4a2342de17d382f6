"""Tickets (internal sites only): an index with counts, static filter pages by status, tier and
subsystem, one page per ticket with its timeline, and the open tickets on the home dashboard.

Ticket pages are reached from the index and filter pages and by search, never from the
navigation: Material renders the navigation on every page, so thousands of entries there would
make the build quadratic."""
from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections import Counter

from markupsafe import Markup, escape

from erpops.rules.ticket_sla import clocks, confirmation_due, paused_text
from erpops.site import html
from erpops.site.context import INTERNAL, Context
from erpops.site.panel import Figure, Panel
from erpops.ticket import ACTIVE, HOLD_REASONS, STATUS_AFTER, Ticket
from erpops.ticketsummary import Settled, full, text_digest
from erpops.worktime import add_working_hours

AUDIENCES = (INTERNAL,)
INDEX = "tickets/index.md"
STATUSES = tuple(dict.fromkeys(STATUS_AFTER.values()))  # open … cancelled, in the lifecycle's order
PRIORITIES = ("P1", "P2", "P3", "P4")
OVERDUE, AT_RISK = "overdue", "at-risk"


def path(tk: Ticket) -> str:
    """The page mirrors the file: tickets/<subsystem>/<year>/<id>.md."""
    return posixpath.splitext(tk.src.path)[0] + ".md"


def status_path(status: str) -> str:
    return f"tickets/status/{status}.md"


def tier_path(tier: str) -> str:
    return f"tickets/tier/{tier}.md"


def subsystem_path(code: str) -> str:
    return f"tickets/subsystem/{code}.md"


def is_open(tk: Ticket) -> bool:
    return tk.status in ACTIVE


def when(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if v else ""


def due(policy, tk: Ticket, c) -> dt.datetime | None:
    """By when clock `c` of `tk` must stop: its target in working hours after opening, moved on by
    the time a hold paused it; None while such a hold lasts (the deadline moves until it ends)."""
    if c.held:
        return None
    try:
        return add_working_hours(policy.calendar, tk.opened, c.limit + c.paused)
    except ValueError:  # a calendar without working time
        return None


def sla_state(ctx: Context, tk: Ticket) -> str:
    """`overdue` when a running clock of an open ticket passed its target, `at-risk` once it has
    used the policy's warn_at share of it, else empty. The clock runs to the pinned `ctx.now`."""
    policy = ctx.repo.policy
    if ctx.now is None or policy is None or not is_open(tk):
        return ""
    running = [c for c in clocks(policy, tk, ctx.now) if c.running]
    if any(c.breached for c in running):
        return OVERDUE
    if any(not c.held and c.used >= policy.warn_at * c.limit for c in running):  # a paused clock is not at risk
        return AT_RISK
    return ""


def newest_first(items) -> list[Ticket]:
    return sorted(items, key=lambda tk: (tk.opened is None, -(tk.opened.timestamp() if tk.opened else 0), tk.id))


def _urgent_first(items) -> list[Ticket]:
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    return sorted(items, key=lambda tk: (rank.get(tk.priority, len(rank)),
                                         tk.opened.timestamp() if tk.opened else 0, tk.id))


class _Labels:
    """Catalogue and roster labels, looked up once per build (thousands of rows use them)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        roster, policy = ctx.repo.roster, ctx.repo.policy
        self.subsystems = {s.code: s.display(ctx.lang) for s in roster.subsystem_list}
        self.types = {k: v.display(ctx.lang) for k, v in (policy.ticket_types.items() if policy else ())}
        self.tiers = tuple(policy.tiers) if policy else ()
        self.states: dict[str, str] = {}

    def subsystem(self, code: str) -> str:
        return self.subsystems.get(code, code)

    def status(self, status: str) -> str:
        return self.ctx.t(f"ticket.status.{status}") if status in STATUSES else status

    def standing(self, tk: Ticket) -> str:
        """The status, and the hold it is on: "已分派 · 挂起中（等待供应商）"."""
        label = self.status(tk.status)
        hold = tk.hold
        if hold is None:
            return label
        return label + " · " + self.ctx.t("ticket.on-hold", reason=self.hold_reason(hold.reason))

    def hold_reason(self, reason: str) -> str:
        return self.ctx.t(f"ticket.hold.{reason}") if reason in HOLD_REASONS else reason

    def tier(self, tier: str) -> str:
        return self.ctx.t(f"tier.{tier}") if tier in self.tiers else tier

    def type(self, kind: str) -> str:
        return self.types.get(kind, kind)

    def sla(self, state: str) -> str:
        return self.ctx.t(f"site.sla-{state}") if state else ""


def row(ctx: Context, labels: _Labels, tk: Ticket, here: str, states: dict[str, str], link=None) -> dict:
    return {
        "link": (link or ctx.link)(tk.id, path(tk), here),
        "title": tk.title,
        "subsystem": labels.subsystem(tk.subsystem),
        "priority": tk.priority,
        "status": labels.standing(tk),
        "tier": labels.tier(tk.tier),
        "assignee": ctx.name(tk.assignee),
        "opened": when(tk.opened),
        "sla": labels.sla(states.get(tk.src.path, "")),
    }


def _counts(ctx: Context, labels: _Labels, tickets: list[Ticket], here: str, link=None) -> dict[str, list[dict]]:
    """Open and total tickets per status, tier, subsystem and priority, linked to the filter pages."""
    active = [tk for tk in tickets if is_open(tk)]
    link = link or ctx.link

    def table(keys, attr, label, target=None):
        total, open_ = Counter(getattr(tk, attr) for tk in tickets), Counter(getattr(tk, attr) for tk in active)
        keys = list(keys) + sorted(k for k in total if k not in keys)
        found = [{"label": link(label(k), target(k), here) if target else label(k),
                  "open": open_[k], "total": total[k]} for k in keys if total[k] or target]
        for c in found:
            c["cells"] = (c["label"], c["open"], c["total"])
        return found

    return {
        "status": table(STATUSES, "status", labels.status, status_path),
        "tier": table(labels.tiers, "tier", labels.tier, tier_path),
        "subsystem": table(labels.subsystems, "subsystem", labels.subsystem, subsystem_path),
        "priority": table(PRIORITIES, "priority", str),
    }


def _person(ctx: Context, pid: str | None) -> str:
    return ctx.name(pid) if pid else ctx.t("ticket.nobody")


def _reporter(ctx: Context, tk: Ticket) -> str:
    r = tk.reporter
    if r.end_user:
        return ctx.t("site.ticket-filed-by", end_user=r.end_user, filed_by=ctx.name(r.filed_by))
    return ctx.name(r.person)


# A ticket closed or cancelled longer ago than this leaves the search index: the index grows by
# about 4.5 KB and the build by ~12 ms of Chinese word cutting per ticket page, and five years of
# finished tickets would make a 90 MB index every browser downloads. They stay one click away on
# the filter pages.
ARCHIVE_AFTER = dt.timedelta(days=365)


def archived(tk: Ticket | Settled, today: dt.date) -> bool:
    """Finished, and nothing has happened to it for ARCHIVE_AFTER (a stub knows its last event's day)."""
    if type(tk) is Settled:
        last = tk.last_day
    else:
        at = tk.history[-1].at if tk.history else None
        last = at.date() if at is not None else None
    return tk.status in ("closed", "cancelled") and last is not None and last < today - ARCHIVE_AFTER


def _history_cells(ctx: Context, labels: _Labels, e) -> tuple:
    event = ctx.t(f"ticket.event.{e.kind}") if e.kind in _EVENTS else e.kind
    if e.reason:
        reason = labels.hold_reason(e.reason)
        event += f"（{reason}）" if ctx.lang == "zh" else f" ({reason})"
    return (when(e.at), event, ctx.name(e.by), labels.tier(e.tier),
            ctx.name(e.assignee) if e.assignee and e.kind != "open" else "", e.note or "")


def ticket_page(ctx: Context, labels: _Labels, tk: Ticket, state: str) -> str:
    """The ticket's page as HTML (erpops.site.html): escaped by the templates, never parsed as Markdown."""
    from erpops.site.sections import runbooks, subsystems  # they link back here

    here = path(tk)
    sub = ctx.repo.roster.subsystems.get(tk.subsystem)
    books = []
    for rid in tk.runbooks:
        r = ctx.repo.runbooks.get(rid)
        books.append(ctx.a(f"{r.title}（{rid}）" if ctx.lang == "zh" else f"{r.title} ({rid})",
                           runbooks.path(r), here) if r else rid)
    policy = ctx.repo.policy
    found = clocks(policy, tk, ctx.now) if policy and ctx.now else ()
    dues = [ctx.t("site.due-held") if c.held else when(due(policy, tk, c)) for c in found]  # once per clock
    facts = [
        (ctx.t("site.ticket-id"), tk.id),
        (ctx.t("site.subsystem"), ctx.a(labels.subsystem(tk.subsystem), subsystems.path(sub), here) if sub else tk.subsystem),
        (ctx.t("site.ticket-type"), labels.type(tk.type)),
        (ctx.t("site.priority"), tk.priority),
        (ctx.t("site.status"), labels.standing(tk)),
        (ctx.t("site.tier"), labels.tier(tk.tier)),
        (ctx.t("site.assignee"), _person(ctx, tk.assignee)),
        (ctx.t("site.reporter"), _reporter(ctx, tk)),
        (ctx.t("site.opened"), when(tk.opened)),
    ]
    if state:
        facts.append((ctx.t("site.sla"), labels.sla(state)))
    facts += [(ctx.t(f"site.due-{c.what}"), until) for c, until in zip(found, dues)]
    facts += [(ctx.t(f"site.{k}"), getattr(tk, k)) for k in ("symptom", "cause", "impact") if getattr(tk, k)]
    if tk.attachments:
        facts.append((ctx.t("site.attachments"), Markup("、" if ctx.lang == "zh" else ", ").join(
            html.web_link(a.name, a.url) for a in tk.attachments)))
    facts.append((ctx.t("site.source"), tk.src.path))
    if tk.issue is not None:
        facts.append((ctx.t("site.issue"), html.web_link(f"#{tk.issue.number}", tk.issue.url or "")))
    sla = [
        {"cells": (ctx.t(f"site.sla-{c.what}"), f"{c.used:.1f}", f"{c.limit:g}", until,
                   ctx.t("site.sla-held" if c.held else "site.sla-running" if c.running else "site.sla-stopped"),
                   ctx.t("site.yes" if c.breached else "site.no"), paused_text(c, ctx.lang))}
        for c, until in zip(found, dues)
    ]
    body = ticket_html(
        ctx.t,
        tk=tk,
        facts=facts,
        sla=sla,
        history=[{"cells": _history_cells(ctx, labels, e)} for e in tk.history],
        resolution=tk.resolution,
        resolved_by=ctx.name(tk.resolution.by) if tk.resolution else "",
        resolved_at=when(tk.resolution.at) if tk.resolution else "",
        feedback=[{"cells": (ctx.t(f"ticket.feedback.{f.kind}") if f.kind in _FEEDBACK else f.kind, f.text)}
                  for f in tk.feedback],
        publication=tk.publication,
        designer=ctx.name(tk.publication.designer) if tk.publication else "",
        reviewer=ctx.name(tk.publication.reviewer) if tk.publication else "",
        runbooks=books,
        index=ctx.a(ctx.t("site.tickets"), INDEX, here),
    )
    return html.page(body, search_exclude=archived(tk, ctx.today))


def ticket_html(t, *, tk, facts, sla, history, resolution, resolved_by, resolved_at, feedback, publication,
                designer, reviewer, runbooks, index) -> str:
    """templates/tickets/ticket.html.j2 in Python, byte for byte (tests/test_site_tickets.py
    renders both): Jinja's context, filters and finalize were half of a ticket page's cost.
    `t` is the catalogue of the page's language; every value is escaped as the template's
    autoescape and finalize (erpops.site.html.one_line) would."""
    h, grid, esc = html.heading, html.grid, html.escaped
    out = [h(1, tk.title), "\n", grid((t("site.field"), t("site.value")), facts), "\n"]
    if sla:
        out += [h(2, t("site.sla-clocks")), "\n",
                grid((t("site.sla-clock"), t("site.sla-used"), t("site.sla-limit"), t("site.sla-due"),
                      t("site.sla-clock-state"), t("site.sla-breached"), t("site.sla-paused")),
                     (c["cells"] for c in sla), right=(1, 2)), "\n"]
    out += [h(2, t("site.timeline")), "\n",
            grid((t("site.time"), t("site.event"), t("site.by"), t("site.tier"), t("site.assignee"), t("site.note")),
                 (e["cells"] for e in history)), "\n"]
    if resolution:
        out += [h(2, t("site.resolution")), "\n",
                grid((t("site.field"), t("site.value")),
                     ((t("site.resolution-summary"), resolution.summary), (t("site.root-cause"), resolution.root_cause),
                      (t("site.resolved-by"), resolved_by), (t("site.resolved-at"), resolved_at))), "\n"]
    if publication:
        out += ["<p>", esc(t("site.publication", designer=designer, reviewer=reviewer)), "</p>\n"]
    if feedback:
        out += [h(2, t("site.feedback")), "\n",
                grid((t("site.feedback-kind"), t("site.feedback-text")), (f["cells"] for f in feedback)), "\n"]
    if runbooks:
        out += [h(2, t("site.runbooks")), "\n", "<ul>\n"]
        out += [f"<li>{esc(r)}</li>\n" for r in runbooks]
        out.append("</ul>\n")
    out += ["<p>", esc(index), "</p>\n"]
    return "".join(out)


def ticket_key(ctx: Context, tk: Ticket | Settled, state: str) -> tuple:
    """What a ticket's page is made from besides the roster, policy and code (the store's own
    key): the ticket file (its text's digest: a stub of a settled ticket has the same), the
    runbooks it links, its SLA state, whether it is archived, and the clock's instant while the
    ticket is not finished (its clocks may still run)."""
    if type(tk) is Settled:
        source = tk.digest
    else:
        doc = ctx.repo.documents.get(tk.src.path)
        source = text_digest(doc.text) if doc is not None else repr(tk)
    books = tuple((rid, r.title, r.src.path) if (r := ctx.repo.runbooks.get(rid)) else (rid,) for rid in tk.runbooks)
    finished = tk.status in ("closed", "cancelled")
    return ("ticket", source, books, state, archived(tk, ctx.today), None if finished else ctx.now)


_EVENTS = ("open", "assign", "escalate", "comment", "resolve", "close", "reopen", "cancel", "hold", "resume")
_FEEDBACK = ("system", "organisation", "process")


def states(ctx: Context) -> dict[str, str]:
    """The SLA state of every open ticket that has one, by ticket file (computed once per build)."""
    if "ticket-states" in ctx.cache:
        return ctx.cache["ticket-states"]
    found = {tk.src.path: sla_state(ctx, tk) for tk in ctx.repo.tickets if is_open(tk)}
    ctx.cache["ticket-states"] = {k: v for k, v in found.items() if v}
    return ctx.cache["ticket-states"]


def by_id(ctx: Context) -> dict[str, Ticket]:
    """Each ticket by its id (the last in path order where one is repeated), made once per build."""
    if "tickets-by-id" not in ctx.cache:
        ctx.cache["tickets-by-id"] = {tk.id: tk for tk in ctx.repo.tickets}
    return ctx.cache["tickets-by-id"]


def newest(ctx: Context) -> list[Ticket]:
    """Every ticket, newest first (sorted once per build: the lists and the backlog show them so)."""
    if "newest-tickets" not in ctx.cache:
        ctx.cache["newest-tickets"] = newest_first(ctx.repo.tickets)
    return ctx.cache["newest-tickets"]


def open_tickets(ctx: Context) -> list[Ticket]:
    """The open tickets, most urgent first (made once per build: a few dozen of 20,000)."""
    if "open-tickets" not in ctx.cache:
        ctx.cache["open-tickets"] = _urgent_first(tk for tk in ctx.repo.tickets if is_open(tk))
    return ctx.cache["open-tickets"]


def open_rows(ctx: Context, code: str, here: str) -> list[dict]:
    """The open tickets of one subsystem, most urgent first (for the subsystem's page)."""
    labels, found = _Labels(ctx), states(ctx)
    return [row(ctx, labels, tk, here, found) for tk in open_tickets(ctx) if tk.subsystem == code]


# A filter list longer than this is split by the year the tickets were opened, and each year into
# pages of this many, so that no list page is megabytes and a new ticket changes only its year's pages.
PAGE_SIZE = 200


def year(tk: Ticket) -> str:
    return str(tk.opened.year) if tk.opened else tk.src.path.split("/")[2] if tk.src.path.count("/") >= 3 else "-"


def list_page_path(target: str, yr: str, page: int) -> str:
    """tickets/status/closed.md → tickets/status/closed/2026.md, …/2026-2.md for its second page."""
    return posixpath.splitext(target)[0] + f"/{yr}" + (f"-{page}" if page > 1 else "") + ".md"


def _row_key(r: dict) -> tuple:
    return tuple(str(r[k]) for k in ("link", "title", "subsystem", "priority", "status", "tier", "assignee",
                                     "opened", "sla"))


def _fields(tk: Ticket, states: dict[str, str]) -> tuple:
    """Everything a ticket's row in a list is made from (`row`) besides the page it is on, the
    roster, policy and language (the store's own key): computing it costs no link, no label."""
    o = tk.opened
    return (tk.src.path, tk.id, tk.title, tk.subsystem, tk.priority, tk.status,
            tk.hold.reason if tk.hold is not None else None, tk.tier, tk.assignee,
            o.isoformat() if isinstance(o, dt.datetime) else repr(o), states.get(tk.src.path, ""))


def pages(ctx: Context) -> dict[str, object]:
    tickets = list(ctx.repo.tickets)
    labels, found = _Labels(ctx), states(ctx)
    by_age = newest(ctx)
    active = open_tickets(ctx)
    out: dict[str, object] = {}

    def page(uri: str, key: tuple, template: str, **values) -> None:
        """`values` that are functions (a list's rows) are called only when the page is made."""
        out[uri] = ctx.page(uri, key, lambda: html.page(
            ctx.render_html(template, **{k: v() if callable(v) and not isinstance(v, Markup) else v
                                         for k, v in values.items()}),
            search_exclude=True if template.endswith("filter.html.j2") else False))

    index_rows = [row(ctx, labels, tk, INDEX, found, ctx.a) for tk in active]
    counts = _counts(ctx, labels, tickets, INDEX, ctx.a)
    figures = dict(total=len(tickets), open=len(active),
                   overdue=sum(1 for v in found.values() if v == OVERDUE),
                   at_risk=sum(1 for v in found.values() if v == AT_RISK))
    page(INDEX, ("index", tuple(sorted(figures.items())), tuple(map(_row_key, index_rows)),
                 tuple((k, tuple(tuple(map(str, c["cells"])) for c in v)) for k, v in counts.items())),
         "tickets/index.html.j2", counts=counts, rows=index_rows, **figures)

    fields: dict[str, str] = {}  # each ticket's row fields as text, made once for its three lists

    def rows_key(selected: list[Ticket]) -> str:
        """The digest of the row fields of `selected`, in order (each ticket's made once: a
        ticket is in three lists, and a key of 20,000 tuples cost more than the rest of a rebuild)."""
        texts = []
        for tk in selected:
            text = fields.get(tk.src.path)
            if text is None:
                text = fields[tk.src.path] = repr(_fields(tk, found))
            texts.append(text)
        return hashlib.sha256("\0".join(texts).encode()).hexdigest()

    def listing(target: str, title: str, selected: list[Ticket]) -> None:
        opened = sum(1 for tk in selected if is_open(tk))
        index = ctx.a(ctx.t("site.tickets"), INDEX, target)
        if len(selected) <= PAGE_SIZE:
            page(target, ("list", title, opened, len(selected), rows_key(selected)), "tickets/filter.html.j2",
                 title=title, total=len(selected), open=opened, years=(), pager="", index=index,
                 rows=lambda: [row(ctx, labels, tk, target, found, ctx.a) for tk in selected])
            return
        by_year: dict[str, list[Ticket]] = {}
        for tk in selected:
            by_year.setdefault(year(tk), []).append(tk)
        years = []
        for yr, items in by_year.items():
            chunks = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
            open_in_year = sum(1 for tk in items if is_open(tk))  # once per year, not per page
            uris = [list_page_path(target, yr, n) for n in range(1, len(chunks) + 1)]
            years.append({"cells": (yr, len(items), Markup(" · ").join(
                ctx.a(n, uri, target) for n, uri in enumerate(uris, 1)))})
            for n, (uri, chunk) in enumerate(zip(uris, chunks), 1):
                rows = (lambda uri=uri, chunk=chunk: [row(ctx, labels, tk, uri, found, ctx.a) for tk in chunk])
                pager = (lambda uri=uri, n=n, uris=uris: escape(ctx.t("site.page-of", page=n, pages=len(uris)))
                         + Markup(" · ").join(ctx.a(k, other, uri) if k != n else Markup("<strong>{}</strong>").format(k)
                                              for k, other in enumerate(uris, 1)))  # made with its page only
                sub_title = ctx.t("site.tickets-list-page", title=title, year=yr, page=n, pages=len(chunks))
                page(uri, ("list-page", sub_title, len(items), open_in_year, tuple(uris), len(chunk), rows_key(chunk)),
                     "tickets/filter.html.j2", title=sub_title, total=len(items),
                     open=open_in_year, rows=rows, years=(), pager=pager,
                     index=ctx.a(title, target, uri))
        page(target, ("list-years", title, len(selected), opened,
                      tuple(tuple(map(str, y["cells"])) for y in years)),
             "tickets/filter.html.j2", title=title, total=len(selected), open=opened, rows=None,
             years=years, size=PAGE_SIZE, pager="", index=index)

    by_status: dict[str, list[Ticket]] = {}  # newest first, in one pass (not one per list)
    by_tier: dict[str, list[Ticket]] = {}
    by_code: dict[str, list[Ticket]] = {}
    for tk in by_age:
        by_status.setdefault(tk.status, []).append(tk)
        by_tier.setdefault(tk.tier, []).append(tk)
        by_code.setdefault(tk.subsystem, []).append(tk)
    for status in STATUSES:
        listing(status_path(status), ctx.t("site.tickets-with-status", status=labels.status(status)),
                by_status.get(status, []))
    for tier in labels.tiers:
        listing(tier_path(tier), ctx.t("site.tickets-at-tier", tier=labels.tier(tier)), by_tier.get(tier, []))
    for code in labels.subsystems:
        listing(subsystem_path(code), ctx.t("site.tickets-of-subsystem", subsystem=labels.subsystem(code)),
                by_code.get(code, []))
    for tk in tickets:
        state, uri = found.get(tk.src.path, ""), path(tk)
        out[uri] = ctx.page(uri, ticket_key(ctx, tk, state),
                            lambda tk=tk, state=state: ticket_page(ctx, labels, full(tk), state))
    return out


def waiting(ctx: Context) -> tuple[list[Ticket], list[tuple[Ticket, bool]]]:
    """The open tickets on hold, longest waiting first, and the resolved tickets awaiting their
    reporter's confirmation with whether the policy's wait is over (oldest first)."""
    policy = ctx.repo.policy
    held = sorted((tk for tk in ctx.repo.tickets if is_open(tk) and tk.hold is not None),
                  key=lambda tk: (tk.hold.start.at is None, tk.hold.start.at or 0, tk.id))
    resolved = []
    for tk in ctx.repo.tickets:
        if tk.status == "resolved" and policy is not None:
            due = confirmation_due(policy, tk)
            resolved.append((tk, due is not None and ctx.now is not None and ctx.now >= due, due))
    resolved.sort(key=lambda x: (x[2] is None, x[2] or 0, x[0].id))
    return held, [(tk, over) for tk, over, _ in resolved]


def _held_row(ctx: Context, labels: _Labels, tk: Ticket, here: str) -> dict:
    resolve = next((c for c in (clocks(ctx.repo.policy, tk, ctx.now) if ctx.repo.policy and ctx.now else ())
                    if c.what == "resolve"), None)
    return {"link": ctx.link(tk.id, path(tk), here), "title": tk.title, "subsystem": labels.subsystem(tk.subsystem),
            "reason": labels.hold_reason(tk.hold.reason), "since": when(tk.hold.start.at),
            "assignee": ctx.name(tk.assignee), "paused": paused_text(resolve, ctx.lang) if resolve else ""}


def _resolved_row(ctx: Context, labels: _Labels, tk: Ticket, over: bool, here: str) -> dict:
    resolves = [e for e in tk.history if e.kind == "resolve"]
    return {"link": ctx.link(tk.id, path(tk), here), "title": tk.title, "subsystem": labels.subsystem(tk.subsystem),
            "resolved": when(resolves[-1].at) if resolves else "", "assignee": ctx.name(tk.assignee),
            "over": ctx.t("site.confirmation-over") if over else ""}


def panel(ctx: Context) -> Panel:
    """Open tickets by subsystem, tier and priority, the overdue and at-risk ones, those on hold and
    those awaiting their reporter's confirmation."""
    labels, found = _Labels(ctx), states(ctx)
    active = open_tickets(ctx)
    here = "index.md"
    counts = _counts(ctx, labels, active, here)
    urgent = [tk for tk in active if tk.src.path in found]
    held, resolved = waiting(ctx)
    body = ctx.render(
        "tickets/panel.md.j2",
        by={k: [c for c in counts[k] if c["open"]] for k in ("subsystem", "tier", "priority")},
        urgent=[row(ctx, labels, tk, here, found) for tk in urgent],
        held=[_held_row(ctx, labels, tk, here) for tk in held],
        resolved=[_resolved_row(ctx, labels, tk, over, here) for tk, over in resolved],
        days=ctx.repo.policy.confirmation.wait_working_days if ctx.repo.policy else 0,
    )
    return Panel(
        ctx.t("site.tickets"), INDEX,
        (
            Figure(ctx.t("site.count-open-tickets"), len(active)),
            Figure(ctx.t("site.count-sla-overdue"), sum(1 for v in found.values() if v == OVERDUE)),
            Figure(ctx.t("site.count-sla-at-risk"), sum(1 for v in found.values() if v == AT_RISK)),
            Figure(ctx.t("site.count-on-hold"), len(held)),
            Figure(ctx.t("site.count-awaiting-confirmation"),
                   ctx.t("site.awaiting-of", over=sum(1 for _, over in resolved if over), total=len(resolved))),
        ),
        Markup(body),
    )
