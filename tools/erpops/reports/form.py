"""Build one subsystem's record form for a period: repository + period → ReportData."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from erpops.i18n import t
from erpops.policy import PRIORITIES
from erpops.reports.asof import active_during, as_of, last_resolve, resolver
from erpops.reports.data import (
    BacklogRow, Count, FeedbackRow, Recurrence, ReportData, Row, RunbookUse, SlaRow, TierShare,
)
from erpops.reports.period import Period
from erpops.rules.ticket_sla import Clock, clocks, paused_text
from erpops.ticket import ACTIVE, Ticket
from erpops.worktime import uncovered_years, working_hours

if TYPE_CHECKING:
    from erpops.repository import Repository

RECUR_PERIODS = 3  # a problem recurs when it came back within this period and the two before


def codes(repo: Repository) -> list[str]:
    """The subsystem codes in the roster's order."""
    return list(dict.fromkeys(s.code for s in repo.roster.subsystem_list))


def person(repo: Repository, pid: str | None, lang: str) -> str:
    if not pid:
        return ""
    p = repo.roster.people.get(pid)
    return p.display(lang) if p else pid


def _reporter(repo: Repository, tk: Ticket, lang: str) -> str:
    r = tk.reporter
    if r.end_user:
        return t("report.reporter.end-user", lang, end_user=r.end_user, filed_by=person(repo, r.filed_by, lang))
    return person(repo, r.person, lang)


def tickets_in(repo: Repository, code: str, p: Period) -> list[Ticket]:
    """The subsystem's tickets open at some moment of the period, as they stood at its end, oldest first."""
    found = [as_of(tk, p.end) for tk in repo.tickets
             if tk.subsystem == code and active_during(tk, p.start, p.end)]
    return sorted((tk for tk in found if tk), key=lambda tk: (tk.opened, tk.id))


def in_period(at: dt.datetime | None, p: Period) -> bool:
    return at is not None and at.tzinfo is not None and p.start <= at < p.end


def resolved_in(tk: Ticket, p: Period) -> bool:
    return in_period(last_resolve(tk), p)


def ticket_clocks(repo: Repository, tk: Ticket, p: Period) -> tuple[Clock, ...]:
    return clocks(repo.policy, tk, p.end)


def _row(repo: Repository, tk: Ticket, no: int, p: Period, lang: str) -> Row:
    kind = repo.policy.ticket_types.get(tk.type)
    done = resolver(tk)
    cs = ticket_clocks(repo, tk, p)
    resolve = next((c for c in cs if c.what == "resolve"), None)
    res = tk.resolution
    notes = [e.note for e in tk.history if e.note]
    return Row(
        no=no, id=tk.id, date=tk.opened.astimezone(p.tz).date(), reporter=_reporter(repo, tk, lang),
        type=kind.display(lang) if kind else tk.type, symptom=tk.symptom or "",
        cause=(res.root_cause if res and res.root_cause else tk.cause) or "",
        tier=t(f"tier.{tk.tier}", lang),
        handler=person(repo, done[0] if done else tk.assignee, lang),
        measures=(res.summary if res else (notes[-1] if notes else "")) or "",
        status=t(f"ticket.status.{tk.status}", lang),
        resolved_at=last_resolve(tk).astimezone(p.tz) if last_resolve(tk) else None,
        hours=resolve.used if resolve else 0.0,
        overdue=any(c.breached for c in cs),
        suggestions=t("report.suggestion-sep", lang).join(
            t("report.suggestion", lang, kind=t(f"ticket.feedback.{f.kind}", lang), text=f.text.rstrip("。；.; "))
            for f in tk.feedback),
        paused=paused_text(resolve, lang) if resolve else "",
    )


def _counts(keys: list[str], order: list[str], label) -> tuple[Count, ...]:
    c = Counter(keys)
    ordered = [k for k in order if k in c] + sorted(k for k in c if k not in order)
    return tuple(Count(k, label(k), c[k]) for k in ordered)


def _sla(repo: Repository, tks: list[Ticket], p: Period) -> tuple[SlaRow, ...]:
    rows = []
    for pri in PRIORITIES:
        target = repo.policy.sla.get(pri)
        if target is None:
            continue
        tally = {w: {"met": 0, "breached": 0, "running": 0, "used": []} for w in ("respond", "resolve")}
        for tk in tks:
            if tk.priority != pri:
                continue
            for c in ticket_clocks(repo, tk, p):
                if not c.running and c.end < p.start:
                    continue  # stopped in an earlier period and counted there
                s = tally[c.what]
                s["breached" if c.breached else ("running" if c.running else "met")] += 1
                if not c.running:
                    s["used"].append(c.used)
        if not any(tally[w][k] for w in tally for k in ("met", "breached", "running")):
            continue
        avg = {w: (sum(s["used"]) / len(s["used"]) if s["used"] else None) for w, s in tally.items()}
        rows.append(SlaRow(pri, target.respond_hours, tally["respond"]["met"], tally["respond"]["breached"],
                           tally["respond"]["running"], avg["respond"], target.resolve_hours,
                           tally["resolve"]["met"], tally["resolve"]["breached"], tally["resolve"]["running"],
                           avg["resolve"]))
    return tuple(rows)


def recur_start(repo: Repository, p: Period) -> dt.datetime:
    """The start of the recurrence window of `p`'s form: `p` and the RECUR_PERIODS - 1 before it."""
    first = p
    for _ in range(RECUR_PERIODS - 1):
        first = first.previous(repo.policy)
    return first.start


def _recurring(repo: Repository, code: str, tks: list[Ticket], p: Period, lang: str) -> tuple[Recurrence, ...]:
    since = recur_start(repo, p)
    window = [tk for tk in (as_of(x, p.end) for x in repo.tickets
                            if x.subsystem == code and x.opened is not None and x.opened >= since)
              if tk]
    on_form = {tk.id for tk in tks}
    found = []
    for rid in sorted({r for tk in window for r in tk.runbooks}):
        ids = tuple(tk.id for tk in sorted(window, key=lambda x: (x.opened, x.id)) if rid in tk.runbooks)
        if len(ids) > 1 and on_form.intersection(ids):
            rb = repo.runbooks.get(rid)
            found.append(Recurrence("runbook", rb.title if rb else rid, ids))
    reopened = tuple(tk.id for tk in tks if any(e.kind == "reopen" and in_period(e.at, p) for e in tk.history))
    if reopened:
        found.append(Recurrence("reopened", t("report.recurring.reopened", lang), reopened))
    return tuple(found)


def build(repo: Repository, code: str, p: Period, lang: str) -> ReportData:
    pol = repo.policy
    sub = repo.roster.subsystems[code]
    tks = tickets_in(repo, code, p)
    resolved = [tk for tk in tks if resolved_in(tk, p)]
    tier_counts = Counter(resolver(tk)[1] for tk in resolved)
    backlog = [tk for tk in tks if tk.status in ACTIVE]
    runbooks: dict[str, list[str]] = {}
    for tk in tks:
        for rid in tk.runbooks:
            runbooks.setdefault(rid, []).append(tk.id)
    return ReportData(
        subsystem=code, subsystem_name=sub.display(lang), month=p.month, first=p.first, last=p.last, due=p.due,
        business_admin=t("list.sep", lang).join(person(repo, x, lang) for x in sub.business_admins),
        erp_admin=t("list.sep", lang).join(person(repo, x, lang) for x in sub.erp_admins),
        rows=tuple(_row(repo, tk, i, p, lang) for i, tk in enumerate(tks, 1)),
        by_type=_counts([tk.type for tk in tks], list(pol.ticket_types),
                        lambda k: pol.ticket_types[k].display(lang) if k in pol.ticket_types else k),
        by_priority=_counts([tk.priority for tk in tks], list(PRIORITIES), lambda k: k),
        by_status=_counts([tk.status for tk in tks], list(ACTIVE) + ["resolved", "closed", "cancelled"],
                          lambda k: t(f"ticket.status.{k}", lang)),
        opened=sum(1 for tk in tks if in_period(tk.opened, p)),
        resolved=len(resolved),
        escalations=sum(1 for tk in tks for e in tk.history if e.kind == "escalate" and in_period(e.at, p)),
        tiers=tuple(TierShare(tier, t(f"tier.{tier}", lang), tier_counts[tier],
                              tier_counts[tier] / len(resolved) if resolved else 0.0) for tier in pol.tiers),
        sla=_sla(repo, tks, p),
        backlog=tuple(BacklogRow(
            tk.id, tk.title, tk.priority, t(f"tier.{tk.tier}", lang), person(repo, tk.assignee, lang),
            tk.opened.astimezone(p.tz).date(), int((p.end - tk.opened).total_seconds() // 86400),
            working_hours(pol.calendar, tk.opened, p.end)) for tk in backlog),
        feedback=tuple(FeedbackRow(tk.id, t(f"ticket.feedback.{f.kind}", lang), f.text)
                       for tk in resolved for f in tk.feedback),
        runbooks=tuple(RunbookUse(rid, repo.runbooks[rid].title if rid in repo.runbooks else rid, tuple(ids))
                       for rid, ids in sorted(runbooks.items())),
        recurring=_recurring(repo, code, tks, p, lang),
        uncovered_years=uncovered_years(pol.calendar, min([p.start] + [tk.opened for tk in tks if tk.opened]), p.end),
    )
