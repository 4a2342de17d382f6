"""Small repositories with a site: the tiny test roster or a copy of this repository's data,
plus runbook fixtures, built with a real `mkdocs build`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import DEMO, REPO_ROOT

# Not --quiet: MkDocs then stops counting warnings and --strict lets them pass.
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
       "ERPOPS_TODAY": "2026-11-25", "ERPOPS_NOW": "2026-11-25T12:00:00+08:00"}

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"

BACKUP_RUNBOOK = """\
---
id: backup-restore
title: 数据备份与恢复
kind: procedure
subsystems: [common]
owner: {owner}
keywords: [备份, 恢复]
last_reviewed: 2026-10-15
review_interval_days: 180
---
## 适用范围

每天夜间对 ERP 数据库做全量备份，备份文件保留 30 天。

## 前置条件

备份磁盘剩余空间不少于 20%。

## 操作步骤

1. 确认备份作业已在 02:00 完成。
2. 恢复时先在模拟测试环境验证备份文件。

## 检查与确认

备份日志无报错，文件大小与前几日相近。
"""

XSS_RUNBOOK = f"""\
---
id: xss-probe
title: "</title>{XSS_SCRIPT} | *星号* [链接](http://example.com)"
kind: contingency
subsystems: [{{subsystem}}]
owner: {{owner}}
symptoms: ["{XSS_IMG}"]
last_reviewed: 2026-10-01
review_interval_days: 180
---
## 现象

{XSS_SCRIPT}

{XSS_IMG}

[点我](javascript:alert(1)) ![外部图片](http://example.com/x.png)

## 标题里的 {XSS_IMG}

仅用于测试转义。

## 触发条件与发现

监控告警。

## 对生产的影响

无。

## 应急措施

无。

## 恢复步骤

无。

## 回退方案

无。

## 通知对象

运维管理办公室。

## 演练记录

尚未演练。
"""
SEE_ALSO = "\n参见[备份预案](../common/backup-restore.md)。\n"

# A production ticket of this repository made an XSS probe and left open (overdue at the pinned
# instant): title, symptom, a timeline note and a feedback item carry markup; 叉车称重 is for search.
XSS_TICKET_ID = "PRD-20261020-TCBS"
XSS_TICKET = f"tickets/production/2026/{XSS_TICKET_ID}.yaml"
XSS_TITLE = f"{XSS_SCRIPT} 叉车称重数据没有传到完工报告"


def _xss_ticket() -> str:
    text = (DEMO / XSS_TICKET).read_text("utf-8")
    text = text.replace("title: 工序完工报告数量录错需更正", f'title: "{XSS_TITLE}"')
    text = text.replace("symptom: 工序完工报告", f'symptom: "{XSS_IMG}" # 工序完工报告')
    text = text.replace("status: closed", "status: open")
    text = text[:text.index("  - event: resolve")] + text[text.index("feedback:"):]
    return text.replace("text: 完工数量超过", f"text: \"{XSS_IMG} 完工数量超过").replace("给出提醒。", "给出提醒。\"")


def add_site(root: Path) -> None:
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "docs", root / "docs", dirs_exist_ok=True)


def demo_copy(root: Path) -> Path:
    """The frozen demo organisation (tests/fixtures/demo/) with this repository's site configuration."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("README.md"))
    add_site(root)
    return root


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def real_data_copy(root: Path) -> Path:
    """The demo roster, policy and October forms (frozen, tests/fixtures/demo/), this repository's docs; a backup and an XSS runbook and an
    XSS ticket added, one name made an XSS probe."""
    shutil.copytree(DEMO / "roster", root / "roster")
    people = root / "roster/people.yaml"  # the after-sales admin and key-user leader, in the org chart
    people.write_text(people.read_text("utf-8").replace("name: 彭文", f'name: "{XSS_IMG}"', 1), "utf-8")
    add_site(root)
    write(root, "runbooks/common/backup-restore.md", BACKUP_RUNBOOK.format(owner="yang-qiyun"))
    write(root, "runbooks/production/xss-probe.md",
          XSS_RUNBOOK.format(subsystem="production", owner="yan-yutang") + SEE_ALSO)
    shutil.copy(DEMO / "policy.yaml", root / "policy.yaml")
    write(root, XSS_TICKET, _xss_ticket())
    shutil.copytree(DEMO / "reports/2026-10", root / "reports/2026-10")
    return root


def build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, *args], cwd=root, capture_output=True, text=True, env=ENV)
