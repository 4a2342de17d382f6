"""A small fixed ops repository whose record forms were worked out by hand (see the figures in the tests).

Calendar (policy.yaml 2026): 09-25..27 中秋 holiday, 10-01..07 国庆 holiday, 10-10 (Saturday) a
make-up working day; working hours 08:30-12:00 and 13:30-17:30. Period 2026-09 = 08-26..09-25,
period 2026-10 = 09-26..10-25, due on the 28th.
"""
from __future__ import annotations

from conftest import Repo
from tickets_fixture import setup

# T4: P4 question, opened and answered in period 2026-09 (30 minutes), not on the 2026-10 form.
T4 = """\
id: ALP-20260910-AAAA
title: 如何查询领料汇总
subsystem: alpha
type: operation-question
priority: P4
status: resolved
reporter:
  person: zhou-user
opened: 2026-09-10T14:00:00+08:00
tier: key-user
assignee: li-user
symptom: 不会查询领料汇总
history:
  - event: open
    at: 2026-09-10T14:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: resolve
    at: 2026-09-10T14:30:00+08:00
    by: li-user
    tier: key-user
resolution:
  summary: 演示了领料汇总表
  root_cause: 不熟悉操作
  by: li-user
  at: 2026-09-10T14:30:00+08:00
"""

# T1: P3 fault open across the month boundary and the 中秋 holiday: 09-24 16:30-17:30 = 1 h,
# 09-25..27 holiday and weekend, 09-28 08:30-10:30 = 2 h: 3.0 working hours, resolved at tier 1.
T1 = """\
id: ALP-20260924-BBBB
title: 领料单审核报错
subsystem: alpha
type: fault
priority: P3
status: resolved
reporter:
  end_user: 二车间 张师傅
  filed_by: li-user
opened: 2026-09-24T16:30:00+08:00
tier: key-user
assignee: li-user
symptom: 审核领料单提示库存不足
runbooks:
  - stock-howto
history:
  - event: open
    at: 2026-09-24T16:30:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: resolve
    at: 2026-09-28T10:30:00+08:00
    by: li-user
    tier: key-user
    note: 重算现存量
resolution:
  summary: 重算现存量后审核通过
  root_cause: 调拨单未记账
  by: li-user
  at: 2026-09-28T10:30:00+08:00
"""

# T2: P2 fault escalated after 30 minutes, resolved on the make-up Saturday 10-10 at 10:00:
# 10-09 16:00-17:30 = 1.5 h, 10-10 08:30-10:00 = 1.5 h: 3.0 working hours.
T2 = """\
id: ALP-20261009-CCCC
title: 销售订单保存报错
subsystem: alpha
type: fault
priority: P2
status: resolved
reporter:
  person: zhou-user
opened: 2026-10-09T16:00:00+08:00
tier: business-admin
assignee: zhao-admin
symptom: 保存时报“表头数据不完整”
cause: 复制旧订单后修改客户再保存
history:
  - event: open
    at: 2026-10-09T16:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: escalate
    at: 2026-10-09T16:30:00+08:00
    by: li-user
    tier: business-admin
    assignee: zhao-admin
  - event: resolve
    at: 2026-10-10T10:00:00+08:00
    by: zhao-admin
    tier: business-admin
resolution:
  summary: 补录客户税号后保存成功
  root_cause: 客户档案缺少税号
  by: zhao-admin
  at: 2026-10-10T10:00:00+08:00
"""

# T6: P4 question answered in 30 minutes and closed, with a suggestion.
T6 = """\
id: ALP-20261012-DDDD
title: 如何打印出库单
subsystem: alpha
type: operation-question
priority: P4
status: closed
reporter:
  person: zhou-user
opened: 2026-10-12T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 找不到出库单打印按钮
history:
  - event: open
    at: 2026-10-12T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: resolve
    at: 2026-10-12T09:30:00+08:00
    by: li-user
    tier: key-user
  - event: close
    at: 2026-10-12T10:00:00+08:00
    by: zhou-user
    tier: key-user
resolution:
  summary: 在单据列表右键打印
  root_cause: 不熟悉操作
  by: li-user
  at: 2026-10-12T09:30:00+08:00
feedback:
  - kind: process
    text: 培训材料补充打印步骤
"""

# T3: P1 fault escalated after 20 minutes, still with the business admin when period 2026-10 ends
# (10-23 09:00-12:00 + 13:30-17:30 = 7 h > 4 h: breached); resolved only on 10-26, next period.
T3 = """\
id: ALP-20261023-EEEE
title: 全部终端无法登录
subsystem: alpha
type: fault
priority: P1
status: resolved
reporter:
  person: zhou-user
opened: 2026-10-23T09:00:00+08:00
tier: business-admin
assignee: zhao-admin
symptom: 登录提示数据库连接失败
cause: 早上开机后登录
runbooks:
  - stock-howto
history:
  - event: open
    at: 2026-10-23T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: escalate
    at: 2026-10-23T09:20:00+08:00
    by: li-user
    tier: business-admin
    assignee: zhao-admin
  - event: resolve
    at: 2026-10-26T10:00:00+08:00
    by: zhao-admin
    tier: business-admin
resolution:
  summary: 重启数据库服务
  root_cause: 磁盘已满
  by: zhao-admin
  at: 2026-10-26T10:00:00+08:00
"""

TICKETS = {"ALP-20260910-AAAA": T4, "ALP-20260924-BBBB": T1, "ALP-20261009-CCCC": T2,
           "ALP-20261012-DDDD": T6, "ALP-20261023-EEEE": T3}


def build(repo: Repo) -> Repo:
    setup(repo)
    for tid, text in TICKETS.items():
        repo.write(f"tickets/alpha/2026/{tid}.yaml", text)
    return repo
