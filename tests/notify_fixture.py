"""A small ops repository with robots and e-mail configured and three tickets that each call for
a notice on 2026-12-01 (a Tuesday): one escalated, one near its SLA, one resolved."""
from __future__ import annotations

from conftest import DEMO, Repo

NOW = "2026-12-01T10:00:00+08:00"

PEOPLE = """\
people:
  - id: zhao-admin
    name: 赵管理
    phone: "13800000001"
    email: zhao@example.com
  - id: qian-erp
    name: 钱系统
    phone: "13800000002"
    email: qian@example.com
  - id: sun-lead
    name: 孙组长
    phone: "13800000003"
    email: sun@example.com
  - id: li-user
    name: 李用户
    phone: "13800000004"
    email: li@example.com
  - id: zhou-user
    name: 周用户
"""

NOTIFY = """
notify:
  site_url: https://ops.example.com/
  robots:
    alpha:
      kind: wecom
      secret: ERPOPS_ROBOT_ALPHA
    office:
      kind: dingtalk
      secret: ERPOPS_ROBOT_OFFICE
      sign_secret: ERPOPS_ROBOT_OFFICE_SIGN
"""
EMAIL = """\
  email:
    secret: ERPOPS_SMTP_URL
"""

# Escalated by the key user to the business admin yesterday: 赵管理 holds it.
ESCALATED = """\
id: ALP-20261130-AAAA
title: 领料单审核报错
subsystem: alpha
type: fault
priority: P3
status: escalated
reporter:
  person: li-user
opened: 2026-11-30T09:00:00+08:00
tier: business-admin
assignee: zhao-admin
symptom: 审核时提示库存不足
cause: 先录入调拨单未记账
history:
  - event: open
    at: 2026-11-30T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
    note: "由议题 #12 的工单表单生成（GitHub 账号 li-user）"
  - event: escalate
    at: 2026-11-30T09:30:00+08:00
    by: li-user
    tier: business-admin
    assignee: zhao-admin
"""

# A P2 opened last Friday 10:00: 15 of its 16 working hours to resolve are used at Tuesday 10:00.
AT_RISK = """\
id: ALP-20261127-BBBB
title: 成本计算卡住
subsystem: alpha
type: fault
priority: P2
status: assigned
reporter:
  person: li-user
opened: 2026-11-27T10:00:00+08:00
tier: key-user
assignee: zhou-user
symptom: 成本计算一直运行
cause: 月末结账
history:
  - event: open
    at: 2026-11-27T10:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: assign
    at: 2026-11-27T10:10:00+08:00
    by: li-user
    tier: key-user
    assignee: zhou-user
"""

RESOLVED = """\
id: ALP-20261130-CCCC
title: 打印模板缺字段
subsystem: alpha
type: template
priority: P4
status: resolved
reporter:
  person: li-user
opened: 2026-11-30T08:40:00+08:00
tier: business-admin
assignee: zhao-admin
symptom: 打印出库单缺批号
cause: 打印出库单
resolution:
  summary: 模板已加“批号”字段
  root_cause: 模板未维护
  by: zhao-admin
  at: 2026-11-30T15:00:00+08:00
history:
  - event: open
    at: 2026-11-30T08:40:00+08:00
    by: zhao-admin
    tier: business-admin
    assignee: zhao-admin
  - event: resolve
    at: 2026-11-30T15:00:00+08:00
    by: zhao-admin
    tier: business-admin
"""


def setup(repo: Repo, *, email: bool = False, notify: str = NOTIFY) -> Repo:
    policy = (DEMO / "policy.yaml").read_text("utf-8")
    policy = policy.replace("ticket_prefixes:\n", "ticket_prefixes:\n  alpha: ALP\n")
    repo.write("policy.yaml", policy + notify + (EMAIL if email else ""))
    repo.write("roster/people.yaml", PEOPLE)
    repo.write("tickets/alpha/2026/ALP-20261130-AAAA.yaml", ESCALATED)
    repo.write("tickets/alpha/2026/ALP-20261127-BBBB.yaml", AT_RISK)
    repo.write("tickets/alpha/2026/ALP-20261130-CCCC.yaml", RESOLVED)
    return repo
