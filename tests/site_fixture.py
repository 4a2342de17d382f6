"""The site over a frozen copy of this repository's data (tests/fixtures/sitework: roster, policy,
runbooks, tickets, the October forms) plus a printing runbook, built with a real `mkdocs build`
at a pinned instant. For the browser tests of search recall, charts and layout."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from site_repo import MKDOCS, add_site, write

FIXTURE = Path(__file__).parent / "fixtures" / "sitework"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
       "ERPOPS_TODAY": "2026-12-01", "ERPOPS_NOW": "2026-12-01T10:00:00+08:00"}

PRINT_RUNBOOK = """\
---
id: print-failure
title: 单据打印失败
kind: contingency
subsystems: [common]
owner: yang-qiyun
severity: [P3]
symptoms:
  - 点击打印后没有反应，或打印机不出纸
  - 打印预览空白、套打位置偏移
keywords: [打印, 打印机, 打印模板, 套打, 打印预览]
last_reviewed: 2026-11-20
review_interval_days: 180
---
## 现象

单据（凭证、发货单、生产订单）点击打印后没有反应，打印预览空白，或套打位置偏移。

## 触发条件与发现

关键用户打印单据时发现，报告本系统关键用户组组长。

## 对生产的影响

发货、入库等需要纸质单据的环节暂停。

## 应急措施

1. 换一台电脑或打印机重试，确认是否为本机打印驱动问题。
2. 导出为 PDF 后打印。

## 恢复步骤

ERP 子系统管理员检查打印模板是否被修改，必要时恢复上一版本的打印模板。

## 回退方案

恢复原打印模板。

## 通知对象

运维管理办公室。

## 演练记录

尚未演练。
"""


def frozen_copy(root: Path) -> Path:
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    add_site(root)
    write(root, "runbooks/common/print-failure.md", PRINT_RUNBOOK)
    return root


def build(root: Path, *args: str):
    import subprocess

    return subprocess.run([*MKDOCS, *args], cwd=root, capture_output=True, text=True, env=ENV)
