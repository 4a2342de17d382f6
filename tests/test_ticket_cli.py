"""erpops ticket …: every verb edits only the lines it must, refuses what breaks a rule, ids never collide."""
from __future__ import annotations

import difflib
import re
import shutil
import subprocess

import pytest

from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

PATH = "tickets/alpha/2026/ALP-20261102-QQ2W.yaml"
# Comments, quoting, a flow mapping, a folded block and items at column 0: all must survive.
ODD = """\
# 甲系统：生产订单无法下达
id: 'ALP-20261102-QQ2W'   # 编号
title: "生产订单无法下达: 报错"
subsystem: alpha
type: fault
priority: 'P3'
status: open   # 状态
reporter: {person: li-user}
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: >-
  下达时报错，
  提示“工作中心未定义”
cause: 新建工作中心后直接下达
history:
- event: open        # 第一条
  at: 2026-11-02T09:00:00+08:00
  by: li-user
  tier: key-user
  assignee: li-user

# 以下由工具追加
"""


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    return setup(repo)


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two texts."""
    removed, added = [], []
    a, b = before.splitlines(), after.splitlines()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def step(cli, ops, *args):
    before = ops.read(PATH)
    r = cli("ticket", *args, cwd=ops.root)
    assert r.code == 0, r.err
    return changes(before, ops.read(PATH))


def test_every_verb_changes_only_the_lines_it_must(cli, ops):
    ops.write(PATH, ODD)
    T = "ALP-20261102-QQ2W"
    assert step(cli, ops, "comment", T, "--note", "已截图: 见附件", "--by", "li-user", "--at", "2026-11-02T09:10") == (
        [], ["- event: comment", "  at: 2026-11-02T09:10:00+08:00", "  by: li-user", "  tier: key-user",
             '  note: "已截图: 见附件"'])
    assert step(cli, ops, "assign", T, "--to", "zhou-user", "--by", "li-user", "--at", "2026-11-02T09:20") == (
        ["status: open   # 状态", "assignee: li-user"],
        ["status: assigned   # 状态", "assignee: zhou-user", "- event: assign", "  at: 2026-11-02T09:20:00+08:00",
         "  by: li-user", "  tier: key-user", "  assignee: zhou-user"])
    assert step(cli, ops, "escalate", T, "--to", "zhao-admin", "--by", "zhou-user", "--at", "2026-11-02T10:00") == (
        ["status: assigned   # 状态", "tier: key-user", "assignee: zhou-user"],
        ["status: escalated   # 状态", "tier: business-admin", "assignee: zhao-admin", "- event: escalate",
         "  at: 2026-11-02T10:00:00+08:00", "  by: zhou-user", "  tier: business-admin", "  assignee: zhao-admin"])
    assert step(cli, ops, "resolve", T, "--summary", "补录工作中心", "--root-cause", "工作中心未定义",
                "--by", "zhao-admin", "--at", "2026-11-02T11:00") == (
        ["status: escalated   # 状态"],
        ["status: resolved   # 状态", "- event: resolve", "  at: 2026-11-02T11:00:00+08:00", "  by: zhao-admin",
         "  tier: business-admin", "resolution:", "  summary: 补录工作中心", "  root_cause: 工作中心未定义",
         "  by: zhao-admin", "  at: 2026-11-02T11:00:00+08:00"])
    assert step(cli, ops, "close", T, "--by", "li-user", "--at", "2026-11-02T14:00") == (
        ["status: resolved   # 状态"],
        ["status: closed   # 状态", "- event: close", "  at: 2026-11-02T14:00:00+08:00", "  by: li-user",
         "  tier: business-admin"])
    assert step(cli, ops, "reopen", T, "--note", "又出现了", "--by", "li-user", "--at", "2026-11-02T15:00") == (
        ["status: closed   # 状态"],
        ["status: reopened   # 状态", "- event: reopen", "  at: 2026-11-02T15:00:00+08:00", "  by: li-user",
         "  tier: business-admin", "  note: 又出现了"])
    removed, added = step(cli, ops, "resolve", T, "--summary", "重建工作中心", "--root-cause", "'编码重复'",
                          "--by", "zhao-admin", "--at", "2026-11-02T16:00")
    assert removed == ["status: reopened   # 状态", "  summary: 补录工作中心", "  root_cause: 工作中心未定义",
                       "  at: 2026-11-02T11:00:00+08:00"]
    assert added == ["status: resolved   # 状态", "- event: resolve", "  at: 2026-11-02T16:00:00+08:00",
                     "  by: zhao-admin", "  tier: business-admin", "  summary: 重建工作中心",
                     "  root_cause: \"'编码重复'\"", "  at: 2026-11-02T16:00:00+08:00"]
    text = ops.read(PATH)
    for kept in ("# 甲系统：生产订单无法下达", "id: 'ALP-20261102-QQ2W'   # 编号", 'title: "生产订单无法下达: 报错"',
                 "priority: 'P3'", "reporter: {person: li-user}", "symptom: >-", "- event: open        # 第一条"):
        assert kept in text.splitlines()
    assert text.endswith("\n# 以下由工具追加\n")
    assert cli("check", cwd=ops.root).code == 0


def test_cancel_records_the_event_and_the_status(cli, ops):
    ops.write(PATH, ODD)
    assert step(cli, ops, "cancel", "ALP-20261102-QQ2W", "--note", "重复提交", "--by", "li-user",
                "--at", "2026-11-02T09:30") == (
        ["status: open   # 状态"],
        ["status: cancelled   # 状态", "- event: cancel", "  at: 2026-11-02T09:30:00+08:00", "  by: li-user",
         "  tier: key-user", "  note: 重复提交"])


def test_an_edit_that_breaks_a_rule_is_refused_and_the_file_kept(cli, ops):
    ops.write(PATH, ODD)
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "li-user", "--by", "li-user",
            "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 1
    assert f"{PATH}:26:3: [ticket-assignee-tier] 李用户 在“甲系统”不担任 业务系统管理员" in r.err
    assert f"未写入 {PATH}" in r.err
    assert ops.read(PATH) == ODD
    # a key user may not resolve a template change
    ops.write(PATH, ODD.replace("type: fault", "type: template"))
    r = cli("ticket", "resolve", "ALP-20261102-QQ2W", "--summary", "x", "--root-cause", "y", "--by", "li-user",
            "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 1 and "[ticket-reserved-type]" in r.err
    # closing an open ticket is not a transition the history allows
    r = cli("ticket", "close", "ALP-20261102-QQ2W", "--by", "li-user", "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 1 and "[ticket-history-transition]" in r.err


def test_escalate_goes_to_the_next_tier_by_default_and_the_vendor_only_from_erp_admin(cli, ops):
    ops.write(PATH, ODD)
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "qian-erp", "--tier", "erp-admin",
            "--by", "li-user", "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 1 and "[ticket-escalation-one-tier]" in r.err
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "vendor-wu", "--tier", "vendor",
            "--by", "li-user", "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 1 and "[ticket-vendor-from-erp-admin]" in r.err
    for to, at in (("zhao-admin", "10:00"), ("qian-erp", "10:30"), ("vendor-wu", "11:00")):
        r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", to, "--by", "li-user",
                "--at", f"2026-11-02T{at}", cwd=ops.root)
        assert r.code == 0, r.err
    assert "\ntier: vendor\n" in ops.read(PATH)
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "vendor-wu", "--by", "li-user", cwd=ops.root)
    assert r.code == 2 and "没有更高的层级" in r.err


def test_new_writes_a_ticket_that_passes_the_rules(cli, ops):
    r = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P3",
            "--title", "领料单无法保存", "--symptom", "保存时提示: 仓库为空", "--end-user", "二车间 张师傅",
            "--runbook", "stock-howto", "--by", "li-user", "--at", "2026-11-02T09:15", cwd=ops.root)
    assert r.code == 0, r.err
    m = re.fullmatch(r"已创建工单 (ALP-20261102-[A-Z2-7]{4})：(tickets/alpha/2026/\1\.yaml)\n", r.out)
    assert m
    tid, rel = m.groups()
    assert ops.read(rel) == (
        f"# 领料单无法保存\nid: {tid}\ntitle: 领料单无法保存\nsubsystem: alpha\ntype: fault\npriority: P3\n"
        "status: open\nreporter:\n  end_user: 二车间 张师傅\n  filed_by: li-user\n"
        "opened: 2026-11-02T09:15:00+08:00\ntier: key-user\nassignee: li-user\n"
        'symptom: "保存时提示: 仓库为空"\nrunbooks:\n  - stock-howto\n'
        "history:\n  - event: open\n    at: 2026-11-02T09:15:00+08:00\n    by: li-user\n"
        "    tier: key-user\n    assignee: li-user\n")
    assert cli("check", cwd=ops.root).code == 0


def test_new_refuses_a_ticket_that_breaks_a_rule(cli, ops):
    r = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P3", "--title", "x",
            "--symptom", "y", "--runbook", "no-such-plan", "--by", "li-user", "--at", "2026-11-02T09:15",
            cwd=ops.root)
    assert r.code == 1 and "[ticket-runbook-exists]" in r.err
    assert not (ops.root / "tickets").exists()


def test_missing_values_without_a_terminal_are_a_usage_error(cli, ops):
    r = cli("ticket", "new", "--subsystem", "alpha", "--by", "li-user", cwd=ops.root)
    assert r.code == 2 and "缺少 --type" in r.err


def test_by_defaults_to_the_person_with_gits_email(cli, ops, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    ops.edit("roster/people.yaml", "    name: 周用户\n", "    name: 周用户\n    email: zhou@example.com\n")
    subprocess.run(["git", "init", "-q", str(ops.root)], check=True)
    subprocess.run(["git", "-C", str(ops.root), "config", "user.email", "Zhou@Example.com"], check=True)
    ops.write(PATH, ODD)
    r = cli("ticket", "comment", "ALP-20261102-QQ2W", "--note", "看过了", "--at", "2026-11-02T09:10", cwd=ops.root)
    assert r.code == 0, r.err
    assert "  by: zhou-user\n" in ops.read(PATH)
    subprocess.run(["git", "-C", str(ops.root), "config", "user.email", "nobody@example.com"], check=True)
    monkeypatch.setattr("getpass.getuser", lambda: "stranger")
    r = cli("ticket", "comment", "ALP-20261102-QQ2W", "--note", "x", cwd=ops.root)
    assert r.code == 2 and "--by" in r.err


def test_unknown_ticket_and_bad_time_are_usage_errors(cli, ops):
    ops.write(PATH, ODD)
    r = cli("ticket", "comment", "ALP-20261102-XXXX", "--note", "x", "--by", "li-user", cwd=ops.root)
    assert r.code == 2 and "没有编号为“ALP-20261102-XXXX”的工单" in r.err
    r = cli("ticket", "comment", "ALP-20261102-QQ2W", "--note", "x", "--by", "li-user", "--at", "tomorrow", cwd=ops.root)
    assert r.code == 2 and "tomorrow" in r.err
    assert ops.read(PATH) == ODD


def test_show_and_list(cli, ops):
    ops.write(PATH, ODD)
    ops.write(SIMPLE_PATH, SIMPLE)
    r = cli("ticket", "show", "ALP-20261102-QQ2W", cwd=ops.root)
    assert r.code == 0
    assert r.out.splitlines()[:4] == [
        "ALP-20261102-QQ2W  生产订单无法下达: 报错",
        "子系统：甲系统（alpha）  类型：系统故障/缺陷  优先级：P3  状态：已提交",
        "当前层级：关键用户  处理人：李用户（li-user）",
        "报告人：李用户（li-user）",
    ]
    assert "  2026-11-02 09:00  提交  李用户（li-user）  [关键用户]" in r.out.splitlines()
    r = cli("ticket", "list", "--status", "resolved", cwd=ops.root)
    assert r.out.splitlines() == [
        "ALP-20261102-AB2C  2026-11-02 09:00  P4  已解决  关键用户  李用户（li-user）  如何查询本月领料汇总",
        "共 1 张工单。"]
    assert cli("ticket", "list", "--assignee", "zhao-admin", cwd=ops.root).out == "没有符合条件的工单。\n"
    # P3 respond within 4 working hours: at 14:30 the open ticket is overdue, the resolved one is not
    assert cli("ticket", "list", "--overdue", cwd=ops.root).out.splitlines()[0].startswith("ALP-20261102-QQ2W")
    r = cli("--lang", "en", "ticket", "show", "ALP-20261102-AB2C", cwd=ops.root)
    assert "Subsystem: Alpha (alpha)  Type: Operation question  Priority: P4  Status: resolved" in r.out


def test_tickets_created_in_two_clones_merge_without_collision(cli, ops, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = ["-c", "user.email=ci@example.com", "-c", "user.name=CI"]

    def git(where, *args):
        subprocess.run(["git", *env, "-C", str(where), *args], check=True, capture_output=True)

    git(ops.root, "init", "-q", "-b", "main")
    git(ops.root, "add", "-A")
    git(ops.root, "commit", "-q", "-m", "base")
    clones = []
    for name in ("a", "b"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(ops.root), str(clone)], check=True)
        for i in range(6):
            r = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P4",
                    "--title", f"{name}{i}", "--symptom", "同一天、同一子系统", "--by", "li-user",
                    "--at", "2026-11-02T09:00", cwd=clone)
            assert r.code == 0, r.err
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", name)
        clones.append(clone)
    git(clones[0], "pull", "-q", "--no-rebase", "--no-edit", str(clones[1]), "HEAD")
    files = sorted((clones[0] / "tickets/alpha/2026").glob("*.yaml"))
    assert len(files) == 12
    r = cli("check", cwd=clones[0])
    assert r.code == 0, r.out


def test_branch_commits_only_the_ticket_on_a_new_branch(cli, ops):
    import git

    ops.write(PATH, ODD)
    repo = git.Repo.init(ops.root, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "email", "ci@example.com")
        cfg.set_value("user", "name", "CI")
    repo.git.add("-A")
    repo.git.commit("-m", "base")
    ops.write("notes.txt", "unrelated work in progress\n")
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "zhao-admin", "--by", "li-user",
            "--at", "2026-11-02T10:00", "--branch", "ticket/qq2w-escalate", cwd=ops.root)
    assert r.code == 0, r.err
    assert "已在新分支 ticket/qq2w-escalate 上提交" in r.out
    assert repo.active_branch.name == "ticket/qq2w-escalate"
    head = repo.head.commit
    assert head.message.strip() == "Ticket ALP-20261102-QQ2W: escalate by li-user"
    assert list(head.stats.files) == [PATH]
    assert repo.git.status("--porcelain").splitlines() == ["?? notes.txt"]
    # the same branch again: refused before the file is touched
    before = ops.read(PATH)
    r = cli("ticket", "comment", "ALP-20261102-QQ2W", "--note", "x", "--by", "li-user",
            "--branch", "ticket/qq2w-escalate", cwd=ops.root)
    assert r.code == 2 and "已存在" in r.err
    assert ops.read(PATH) == before


def test_branch_outside_git_is_a_usage_error(cli, ops):
    ops.write(PATH, ODD)
    r = cli("ticket", "comment", "ALP-20261102-QQ2W", "--note", "x", "--by", "li-user", "--branch", "b", cwd=ops.root)
    assert r.code == 2 and "--branch" in r.err
    assert ops.read(PATH) == ODD


def test_git_diff_of_an_edit_shows_only_the_intended_lines(cli, ops):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    ops.write(PATH, ODD)
    env = ["-c", "user.email=ci@example.com", "-c", "user.name=CI"]
    subprocess.run(["git", "init", "-q", str(ops.root)], check=True)
    subprocess.run(["git", *env, "-C", str(ops.root), "add", "-A"], check=True)
    subprocess.run(["git", *env, "-C", str(ops.root), "commit", "-q", "-m", "base"], check=True)
    r = cli("ticket", "escalate", "ALP-20261102-QQ2W", "--to", "zhao-admin", "--note", "需业务管理员处理",
            "--by", "li-user", "--at", "2026-11-02T10:00", cwd=ops.root)
    assert r.code == 0, r.err
    diff = subprocess.run(["git", "-C", str(ops.root), "diff", "-U0", "--no-color"], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    body = [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert body == [
        "-status: open   # 状态", "+status: escalated   # 状态",
        "-tier: key-user", "-assignee: li-user", "+tier: business-admin", "+assignee: zhao-admin",
        "+- event: escalate", "+  at: 2026-11-02T10:00:00+08:00", "+  by: li-user", "+  tier: business-admin",
        "+  assignee: zhao-admin", "+  note: 需业务管理员处理",
    ]


def test_escalate_without_to_goes_to_the_holder_of_the_next_tier(cli, ops):
    ops.write(PATH, ODD)
    for at, tier, assignee in (("10:00", "business-admin", "zhao-admin"),
                               ("10:30", "erp-admin", "qian-erp"),
                               ("11:00", "vendor", "vendor-wu")):
        removed, added = step(cli, ops, "escalate", "ALP-20261102-QQ2W", "--by", "li-user",
                              "--at", f"2026-11-02T{at}", "--note", "无法处理")
        assert f"tier: {tier}" in added and f"assignee: {assignee}" in added
