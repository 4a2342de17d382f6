"""A tiny ops repository with a policy, runbooks and tickets, for the ticket rule tests."""
from __future__ import annotations

import datetime as dt

from conftest import DEMO, Repo
from erpops import checks, load

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=CST)
PATH = "tickets/alpha/2026/ALP-20261102-K7QF.yaml"

# Escalated key-user → business-admin → erp-admin, resolved and closed: breaks no rule.
TICKET = """\
# 甲系统：领料单审核报错
id: ALP-20261102-K7QF
title: 领料单审核报错“库存不足”
subsystem: alpha
type: fault
priority: P3
status: closed
reporter:
  end_user: 二车间 张师傅
  filed_by: li-user
opened: 2026-11-02T09:00:00+08:00
tier: erp-admin
assignee: qian-erp
symptom: 审核领料单 LL-0012 时提示“库存不足”
cause: 先录入调拨单未记账，随后审核领料单
impact: 二车间领料延误半天
runbooks:
  - stock-howto
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
    note: 张师傅电话报告
  - event: escalate
    at: 2026-11-02T09:30:00+08:00
    by: li-user
    tier: business-admin
    assignee: zhao-admin
  - event: escalate
    at: 2026-11-02T10:00:00+08:00
    by: zhao-admin
    tier: erp-admin
    assignee: qian-erp
  - event: resolve
    at: 2026-11-02T11:00:00+08:00
    by: qian-erp
    tier: erp-admin
    note: 重算现存量后审核通过
  - event: close
    at: 2026-11-02T14:00:00+08:00
    by: li-user
    tier: erp-admin
resolution:
  summary: 重算现存量后审核通过
  root_cause: 调拨单未记账，现存量不足
  by: qian-erp
  at: 2026-11-02T11:00:00+08:00
feedback:
  - kind: process
    text: 调拨单须当日记账
"""

# Opened and resolved by a key user at tier 1.
SIMPLE = """\
id: ALP-20261102-AB2C
title: 如何查询本月领料汇总
subsystem: alpha
type: operation-question
priority: P4
status: resolved
reporter:
  person: zhou-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 不会查询领料汇总
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: resolve
    at: 2026-11-02T09:20:00+08:00
    by: li-user
    tier: key-user
resolution:
  summary: 演示了领料汇总表的查询
  root_cause: 不熟悉操作
  by: li-user
  at: 2026-11-02T09:20:00+08:00
"""
SIMPLE_PATH = "tickets/alpha/2026/ALP-20261102-AB2C.yaml"


SECTIONS = {
    "contingency": ("触发条件与发现", "对生产的影响", "应急措施", "恢复步骤", "回退方案", "通知对象", "演练记录"),
    "procedure": ("适用范围", "前置条件", "操作步骤", "检查与确认"),
}


def runbook(rid: str, kind: str) -> str:
    body = "".join(f"## {title}\n\n按本单位规定处理。\n\n" for title in SECTIONS[kind])
    return (f"---\nid: {rid}\ntitle: {rid}\nkind: {kind}\nsubsystems: [common]\nowner: sun-lead\n"
            f"last_reviewed: 2026-10-01\nreview_interval_days: 180\n---\n\n{body}")


def setup(repo: Repo) -> Repo:
    policy = (DEMO / "policy.yaml").read_text("utf-8")
    # The ticket rules run on November 2026 dates; the reminder that 2027 is not entered yet (due
    # from 1 November) is tested in test_calendar.py, so it is moved out of these tests' way.
    policy = policy.replace('warn_next_year_from: "11-01"', 'warn_next_year_from: "12-31"')
    repo.write("policy.yaml", policy.replace("ticket_prefixes:\n", "ticket_prefixes:\n  alpha: ALP\n"))
    repo.edit("roster/people.yaml", "  - id: zhou-user\n",
              "  - id: vendor-wu\n    name: 吴顾问\n    wecom: wuguwen\n  - id: zhou-user\n")
    repo.write("roster/vendor.yaml", "name: 用友\ncontacts:\n  - vendor-wu\non_site_support:\n  period: 上线初期\n")
    repo.write("runbooks/common/db-outage.md", runbook("db-outage", "contingency"))
    repo.write("runbooks/common/stock-howto.md", runbook("stock-howto", "procedure"))
    return repo


def findings(repo: Repo, now: dt.datetime = NOW, rules: str = "ticket-") -> list[tuple[str, int, str, str]]:
    """(path, line, rule, severity) of every finding whose rule starts with `rules`."""
    loaded = load.load(repo.root)
    return sorted((d.path, d.line, d.rule, d.severity)
                  for d in checks.diagnostics(loaded, now) if d.rule.startswith(rules))


def line(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line that contains `needle`."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    return hits[nth - 1]
