"""One test per runbook rule: break a valid runbook on purpose, expect that rule at that line."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from erpops import load
from erpops.rules import runbooks as rules

PLAN = "runbooks/common/power-cut.md"
CONTINGENCY = """\
---
id: power-cut
title: 机房停电
kind: contingency
subsystems: [common]
owner: qian-erp
last_reviewed: 2026-06-01
review_interval_days: 180
---

## 触发条件与发现
UPS 告警。

## 对生产的影响
全部子系统不可用。

## 应急措施
切换到备用电源。

## 恢复步骤
1. 来电后按顺序开机。

## 回退方案
继续手工单据。

## 通知对象
孙组长。

## 演练记录
2026-05-10 演练，通过。
"""
PROCEDURE = """\
---
id: alpha-print
title: 打印模板调整
kind: procedure
subsystems: [alpha]
owner: zhao-admin
last_reviewed: 2026-10-01
review_interval_days: 365
---

## 适用范围
甲系统的打印模板。

## 前置条件
申请单已批准。

## 操作步骤
1. 修改模板。

## 检查与确认
打印一张样单。
"""


@pytest.fixture
def books(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    repo.write(PLAN, CONTINGENCY)
    repo.write("runbooks/alpha/alpha-print.md", PROCEDURE)
    return repo


def run(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    found = [(d["path"], d["line"], d["rule"], d["severity"]) for d in json.loads(r.out)["diagnostics"]]
    return r.code, [f for f in found if not f[2].startswith("roster-")]


def test_valid_runbooks_are_clean(cli, books):
    assert run(cli, books) == (0, [])


def test_id_equals_file_name(cli, books):
    books.edit(PLAN, "id: power-cut", "id: power-failure")
    code, found = run(cli, books)
    assert found == [(PLAN, 2, "runbook-id-file", "error")]
    assert code == 1
    assert "请把文件改名为 power-failure.md" in cli("check", cwd=books.root).out


def test_ids_are_unique_across_folders(cli, books):
    books.write("runbooks/alpha/power-cut.md", CONTINGENCY.replace("[common]", "[alpha]"))
    code, found = run(cli, books)
    assert found == [("runbooks/common/power-cut.md", 2, "runbook-unique-id", "error")]
    assert code == 1


def test_listed_subsystem_exists(cli, books):
    books.edit("runbooks/alpha/alpha-print.md", "subsystems: [alpha]", "subsystems:\n  - alpha\n  - beta")
    code, found = run(cli, books)
    assert found == [("runbooks/alpha/alpha-print.md", 7, "runbook-unknown-subsystem", "error")]
    assert code == 1


def test_common_stands_alone(cli, books):
    books.edit(PLAN, "subsystems: [common]", "subsystems:\n  - alpha\n  - common")
    code, found = run(cli, books)
    assert found == [(PLAN, 7, "runbook-common-alone", "error")]


def test_folder_is_common_or_a_listed_subsystem(cli, books):
    books.write("runbooks/beta/alpha-print.md", books.read("runbooks/alpha/alpha-print.md"))
    (books.root / "runbooks/alpha/alpha-print.md").unlink()
    code, found = run(cli, books)
    assert found == [("runbooks/beta/alpha-print.md", 5, "runbook-folder", "error")]
    assert code == 1


def test_owner_exists(cli, books):
    books.edit(PLAN, "owner: qian-erp", "owner: qian-er")
    code, found = run(cli, books)
    assert found == [(PLAN, 6, "runbook-unknown-owner", "error")]


def test_contingency_owner_is_office_or_erp_admin(cli, books):
    books.edit(PLAN, "owner: qian-erp", "owner: zhao-admin")
    code, found = run(cli, books)
    assert found == [(PLAN, 6, "runbook-owner-role", "error")]
    out = cli("check", cwd=books.root).out
    assert "赵管理 不适合担任此预案的负责人" in out
    assert "可选：孙组长、钱系统" in out


def test_office_lead_owns_a_contingency_plan(cli, books):
    books.edit(PLAN, "owner: qian-erp", "owner: sun-lead")
    assert run(cli, books) == (0, [])


def test_subsystem_procedure_owner_is_an_admin_of_a_listed_subsystem(cli, books):
    rel = "runbooks/alpha/alpha-print.md"
    books.edit(rel, "owner: zhao-admin", "owner: li-user")
    code, found = run(cli, books)
    assert found == [(rel, 6, "runbook-owner-role", "error")]
    assert "可选：赵管理、钱系统" in cli("check", cwd=books.root).out
    books.edit(rel, "owner: li-user", "owner: qian-erp")
    assert run(cli, books) == (0, [])


@pytest.mark.parametrize("section", rules.REQUIRED_SECTIONS["contingency"])
def test_contingency_plan_has_every_section(cli, books, section):
    books.edit(PLAN, f"## {section}\n", f"## {section}（旧）\n")
    code, found = run(cli, books)
    assert found == [(PLAN, 4, "runbook-missing-section", "error")]
    assert f"缺少章节“## {section}”" in cli("check", cwd=books.root).out


def test_procedure_sections(cli, books):
    books.edit("runbooks/alpha/alpha-print.md", "## 前置条件\n申请单已批准。\n\n", "")
    code, found = run(cli, books)
    assert found == [("runbooks/alpha/alpha-print.md", 4, "runbook-missing-section", "error")]


def test_maintenance_sections(cli, books):
    rel = "runbooks/alpha/alpha-print.md"
    books.edit(rel, "kind: procedure", "kind: maintenance")
    code, found = run(cli, books)
    assert found == [(rel, 4, "runbook-missing-section", "error")]
    assert "“## 周期”" in cli("check", cwd=books.root).out


def test_required_section_is_not_empty(cli, books):
    books.edit(PLAN, "切换到备用电源。\n", "")
    code, found = run(cli, books)
    assert found == [(PLAN, 17, "runbook-empty-section", "error")]
    assert code == 1


def test_scaffold_placeholder_is_a_warning(cli, books):
    books.edit(PLAN, "全部子系统不可用。", "TODO（待补充）：影响")
    code, found = run(cli, books)
    assert found == [(PLAN, 15, "runbook-todo", "warning")]
    assert code == 0


def test_review_past_due_is_a_warning(cli, books, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-29")  # due 2026-11-28
    code, found = run(cli, books)
    assert found == [(PLAN, 7, "runbook-review-due", "warning")]
    assert code == 0
    assert "应在 2026-11-28 前评审，已过期 1 天" in cli("check", cwd=books.root).out


def test_review_due_today_is_not_late(cli, books, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-28")
    assert run(cli, books) == (0, [])


def test_review_long_past_due_is_an_error(cli, books, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2027-05-27")  # 2026-06-01 + 2 × 180 days = 2027-05-27
    assert run(cli, books)[1] == [(PLAN, 7, "runbook-review-due", "warning")]
    monkeypatch.setenv("ERPOPS_TODAY", "2027-05-28")
    code, found = run(cli, books)
    assert found == [(PLAN, 7, "runbook-review-overdue", "error")]
    assert code == 1


def test_review_date_in_the_future(cli, books):
    books.edit(PLAN, "last_reviewed: 2026-06-01", "last_reviewed: 2026-12-01")
    code, found = run(cli, books)
    assert found == [(PLAN, 7, "runbook-review-future", "error")]


def test_today_is_injectable_in_the_rule(books):
    repo = load.load(books.root)
    late = rules.check(repo, today=dt.date(2027, 1, 1))
    assert [(d.path, d.line, d.rule) for d in late] == [(PLAN, 7, "runbook-review-due")]


def test_bad_pinned_today_is_a_usage_error(cli, books, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "25.11.2026")
    r = cli("check", cwd=books.root)
    assert r.code == 2
    assert "ERPOPS_TODAY" in r.err


def test_every_subsystem_has_a_contingency_plan(cli, books):
    books.edit(PLAN, "kind: contingency", "kind: maintenance")
    books.write(PLAN, books.read(PLAN).replace("## 触发条件与发现", "## 周期\n每月。\n\n## 操作步骤\n1. 检查。\n\n## 检查与确认\n看。\n\n## 触发"))
    code, found = run(cli, books)
    assert found == [("roster/subsystems/alpha.yaml", 1, "runbook-no-contingency", "warning")]
    assert code == 0


def test_a_subsystem_plan_covers_its_subsystem(cli, books):
    books.write("roster/subsystems/beta.yaml", books.read("roster/subsystems/alpha.yaml")
                .replace("code: alpha", "code: beta").replace("name: 甲系统", "name: 乙系统"))
    books.edit(PLAN, "subsystems: [common]", "subsystems: [alpha]")
    code, found = run(cli, books)
    assert found == [("roster/subsystems/beta.yaml", 1, "runbook-no-contingency", "warning")]


def test_no_runbooks_no_coverage_warning(cli, repo):
    assert run(cli, repo) == (0, [])


def test_subsystem_contingency_plan_owner_is_office_or_erp_admin(cli, books):
    books.write("runbooks/alpha/alpha-down.md", CONTINGENCY.replace("power-cut", "alpha-down")
                .replace("[common]", "[alpha]").replace("owner: qian-erp", "owner: zhao-admin"))
    code, found = run(cli, books)
    assert found == [("runbooks/alpha/alpha-down.md", 6, "runbook-owner-role", "error")]
    books.edit("runbooks/alpha/alpha-down.md", "owner: zhao-admin", "owner: sun-lead")
    assert run(cli, books) == (0, [])


@pytest.mark.parametrize("rel", ["runbooks/power-cut.md", "runbooks/common/old/power-cut.md"])
def test_runbook_outside_a_folder_is_not_read_silently(cli, books, rel):
    books.write(rel, CONTINGENCY.replace("power-cut", "other"))
    code, found = run(cli, books)
    assert found == [(rel, 1, "runbook-misplaced", "warning")]
    assert code == 0
