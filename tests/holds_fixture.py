"""A tiny ops repository of its own (policy with a small calendar, one subsystem) for the hold,
confirmation and dashboard tests: nothing read from this repository's live data."""
from __future__ import annotations

import datetime as dt

from conftest import Repo

CST = dt.timezone(dt.timedelta(hours=8))

# Working days Mon–Fri 09:00–12:00 and 13:00–17:00 (7 hours); Wednesday 4 November 2026 is a holiday.
POLICY = """\
tiers: [key-user, business-admin, erp-admin, vendor]
emergency_skip: {priority: P1, runbook_kind: contingency, from: key-user, to: erp-admin}
ticket_types:
  fault: {name: 故障, name_en: Fault, min_tier: key-user}
ticket_prefixes:
  alpha: ALP
sla:
  warn_at: 0.8
  pause_on: [reporter, vendor]
  targets:
    P1: {respond_hours: 0.5, resolve_hours: 4}
    P2: {respond_hours: 2, resolve_hours: 16}
    P3: {respond_hours: 4, resolve_hours: 8}
    P4: {respond_hours: 8, resolve_hours: 80}
calendar:
  time_zone: Asia/Shanghai
  years: [2026]
  warn_next_year_from: "12-31"
  working_hours:
    - {from: "09:00", until: "12:00"}
    - {from: "13:00", until: "17:00"}
  working_weekdays: [1, 2, 3, 4, 5]
  holidays:
    - {from: 2026-11-04, until: 2026-11-04, name: 测试假日}
  make_up_days: []
report: {period: month, due_day: 28, close_day: 25}
confirmation: {wait_working_days: 2, then: close}
"""


def setup(repo: Repo) -> Repo:
    repo.write("policy.yaml", POLICY)
    return repo


def ticket(tid: str, events: list[dict], *, priority: str = "P3", status: str | None = None,
           resolved: str | None = None) -> str:
    """A ticket opened by li-user at tier 1 on events[0]'s time, with `events` after the open."""
    opened = events[0]["at"]
    lines = [f"id: {tid}", "title: 领料单审核报错", "subsystem: alpha", "type: fault", f"priority: {priority}",
             f"status: {status or 'open'}", "reporter:", "  person: zhou-user", f"opened: {opened}",
             "tier: key-user", "assignee: li-user", "symptom: 审核时报错", "history:"]
    for e in events:
        first = True
        for k, v in e.items():
            lines.append(("  - " if first else "    ") + f"{k}: {v}")
            first = False
    if resolved:
        lines += ["resolution:", "  summary: 重算后通过", "  root_cause: 未记账", "  by: li-user", f"  at: {resolved}"]
    return "\n".join(lines) + "\n"


def ev(kind: str, at: str, **more) -> dict:
    out = {"event": kind, "at": f"2026-11-{at}:00+08:00", "by": more.pop("by", "li-user"), "tier": "key-user"}
    out.update(more)
    return out


def opened(at: str = "02T09:00") -> dict:
    return ev("open", at, assignee="li-user")


def path(tid: str) -> str:
    return f"tickets/alpha/2026/{tid}.yaml"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)
