"""Tickets (internal sites only): an index with counts, static filter pages by status, tier and
subsystem, one page per ticket with its timeline, and the open tickets on the home dashboard.

Ticket pages are reached from the index and filter pages and by search, never from the
navigation: Material renders the navigation on every page, so thousands of entries there would
make the build quadratic."""
from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter

from markupsafe import Markup

from erpops.rules.ticket_sla import clocks, confirmation_due, paused_text
from erpops.site import escape
from erpops.site.context import INTERNAL, Context
from erpops.site.panel import Figure, Panel
from erpops.ticket import ACTIVE, HOLD_REASONS, STATUS_AFTER, Ticket
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


def row(ctx: Context, labels: _Labels, tk: Ticket, here: str, states: dict[str, str]) -> dict:
    return {
        "link": ctx.link(tk.id, path(tk), here),
        "title": tk.title,
        "subsystem": labels.subsystem(tk.subsystem),
        "priority": tk.priority,
        "status": labels.standing(tk),
        "tier": labels.tier(tk.tier),
        "assignee": ctx.name(tk.assignee),
        "opened": when(tk.opened),
        "sla": labels.sla(states.get(tk.src.path, "")),
    }


def _counts(ctx: Context, labels: _Labels, tickets: list[Ticket], here: str) -> dict[str, list[dict]]:
    """Open and total tickets per status, tier, subsystem and priority, linked to the filter pages."""
    active = [tk for tk in tickets if is_open(tk)]

    def table(keys, attr, label, target=None):
        total, open_ = Counter(getattr(tk, attr) for tk in tickets), Counter(getattr(tk, attr) for tk in active)
        keys = list(keys) + sorted(k for k in total if k not in keys)
        return [{"label": ctx.link(label(k), target(k), here) if target else label(k),
                 "open": open_[k], "total": total[k]} for k in keys if total[k] or target]

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


def archived(tk: Ticket, today: dt.date) -> bool:
    """Finished, and nothing has happened to it for ARCHIVE_AFTER."""
    last = tk.history[-1].at if tk.history else None
    return (tk.status in ("closed", "cancelled") and last is not None
            and last.date() < today - ARCHIVE_AFTER)


def ticket_page(ctx: Context, labels: _Labels, tk: Ticket, state: str) -> str:
    from erpops.site.sections import runbooks, subsystems  # they link back here

    here = path(tk)
    sub = ctx.repo.roster.subsystems.get(tk.subsystem)
    books = []
    for rid in tk.runbooks:
        r = ctx.repo.runbooks.get(rid)
        books.append(ctx.link(f"{r.title}（{rid}）" if ctx.lang == "zh" else f"{r.title} ({rid})",
                              runbooks.path(r), here) if r else rid)
    policy = ctx.repo.policy
    found = clocks(policy, tk, ctx.now) if policy and ctx.now else ()
    deadlines = [
        {"what": ctx.t(f"site.due-{c.what}"),
         "at": ctx.t("site.due-held") if c.held else when(due(policy, tk, c))}
        for c in found
    ]
    sla = [
        {"what": ctx.t(f"site.sla-{c.what}"), "used": f"{c.used:.1f}", "limit": f"{c.limit:g}",
         "due": ctx.t("site.due-held") if c.held else when(due(policy, tk, c)),
         "state": ctx.t("site.sla-held" if c.held else "site.sla-running" if c.running else "site.sla-stopped"),
         "breached": ctx.t("site.yes" if c.breached else "site.no"), "paused": paused_text(c, ctx.lang)}
        for c in found
    ]
    return ctx.render(
        "tickets/ticket.md.j2",
        tk=tk,
        archived=archived(tk, ctx.today),
        subsystem=ctx.link(labels.subsystem(tk.subsystem), subsystems.path(sub), here) if sub else tk.subsystem,
        type=labels.type(tk.type),
        status=labels.standing(tk),
        tier=labels.tier(tk.tier),
        assignee=_person(ctx, tk.assignee),
        reporter=_reporter(ctx, tk),
        opened=when(tk.opened),
        state=labels.sla(state),
        sla=sla,
        deadlines=deadlines,
        history=[
            {"at": when(e.at), "event": (ctx.t(f"ticket.event.{e.kind}") if e.kind in _EVENTS else e.kind)
             + (f"（{labels.hold_reason(e.reason)}）" if ctx.lang == "zh" and e.reason else
                f" ({labels.hold_reason(e.reason)})" if e.reason else ""),
             "by": ctx.name(e.by), "tier": labels.tier(e.tier),
             "assignee": ctx.name(e.assignee) if e.assignee and e.kind != "open" else "", "note": e.note or ""}
            for e in tk.history
        ],
        resolution=tk.resolution,
        resolved_by=ctx.name(tk.resolution.by) if tk.resolution else "",
        resolved_at=when(tk.resolution.at) if tk.resolution else "",
        feedback=[{"kind": ctx.t(f"ticket.feedback.{f.kind}") if f.kind in _FEEDBACK else f.kind, "text": f.text}
                  for f in tk.feedback],
        publication=tk.publication,
        designer=ctx.name(tk.publication.designer) if tk.publication else "",
        reviewer=ctx.name(tk.publication.reviewer) if tk.publication else "",
        runbooks=books,
        attachments=escape.join((escape.web_link(a.name, a.url) for a in tk.attachments), "、" if ctx.lang == "zh" else ", "),
        index=ctx.link(ctx.t("site.tickets"), INDEX, here),
        source=tk.src.path,
        issue=_issue_link(tk),
    )


def _issue_link(tk: Ticket) -> Markup | str:
    """The issue the ticket was filed from, linked when its address is an http(s) one."""
    from urllib.parse import quote

    from erpops.site import escape

    if tk.issue is None:
        return ""
    label = f"#{tk.issue.number}"
    url = tk.issue.url or ""
    if not url.startswith(("https://", "http://")):
        return label
    return Markup(f"[{escape.text(label)}]({quote(url, safe=':/?#&=%~+.-_@!$*,;')})")


_EVENTS = ("open", "assign", "escalate", "comment", "resolve", "close", "reopen", "cancel", "hold", "resume")
_FEEDBACK = ("system", "organisation", "process")


def states(ctx: Context) -> dict[str, str]:
    """The SLA state of every open ticket that has one, by ticket file (computed once per build)."""
    if "ticket-states" in ctx.cache:
        return ctx.cache["ticket-states"]
    found = {tk.src.path: sla_state(ctx, tk) for tk in ctx.repo.tickets if is_open(tk)}
    ctx.cache["ticket-states"] = {k: v for k, v in found.items() if v}
    return ctx.cache["ticket-states"]


def open_rows(ctx: Context, code: str, here: str) -> list[dict]:
    """The open tickets of one subsystem, most urgent first (for the subsystem's page)."""
    labels, found = _Labels(ctx), states(ctx)
    return [row(ctx, labels, tk, here, found)
            for tk in _urgent_first(tk for tk in ctx.repo.tickets if is_open(tk) and tk.subsystem == code)]


def pages(ctx: Context) -> dict[str, str]:
    tickets = list(ctx.repo.tickets)
    labels, found = _Labels(ctx), states(ctx)
    newest = newest_first(tickets)
    active = _urgent_first(tk for tk in tickets if is_open(tk))
    out = {
        INDEX: ctx.render(
            "tickets/index.md.j2", total=len(tickets), open=len(active),
            overdue=sum(1 for v in found.values() if v == OVERDUE),
            at_risk=sum(1 for v in found.values() if v == AT_RISK),
            counts=_counts(ctx, labels, tickets, INDEX),
            rows=[row(ctx, labels, tk, INDEX, found) for tk in active],
        )
    }

    def listing(target: str, title: str, selected: list[Ticket]) -> None:
        out[target] = ctx.render(
            "tickets/filter.md.j2", title=title, total=len(selected),
            open=sum(1 for tk in selected if is_open(tk)),
            rows=[row(ctx, labels, tk, target, found) for tk in selected],
            index=ctx.link(ctx.t("site.tickets"), INDEX, target),
        )

    for status in STATUSES:
        listing(status_path(status), ctx.t("site.tickets-with-status", status=labels.status(status)),
                [tk for tk in newest if tk.status == status])
    for tier in labels.tiers:
        listing(tier_path(tier), ctx.t("site.tickets-at-tier", tier=labels.tier(tier)),
                [tk for tk in newest if tk.tier == tier])
    for code in labels.subsystems:
        listing(subsystem_path(code), ctx.t("site.tickets-of-subsystem", subsystem=labels.subsystem(code)),
                [tk for tk in newest if tk.subsystem == code])
    for tk in tickets:
        out[path(tk)] = ticket_page(ctx, labels, tk, found.get(tk.src.path, ""))
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
    active = [tk for tk in ctx.repo.tickets if is_open(tk)]
    here = "index.md"
    counts = _counts(ctx, labels, active, here)
    urgent = [tk for tk in _urgent_first(active) if tk.src.path in found]
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
