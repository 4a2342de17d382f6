"""A CLI that forgives: every subsystem, person, type, status, tier and priority is taken as code,
name, alias, id or person's name, in any case; a miss names the nearest matches and exits 2."""
from __future__ import annotations

import pytest

from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

OPEN_PATH = "tickets/alpha/2026/ALP-20261102-QQ2W.yaml"
OPEN = """\
id: ALP-20261102-QQ2W
title: 生产订单无法下达
subsystem: alpha
type: fault
priority: P3
status: open
reporter:
  person: li-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 下达时报错
cause: 新建工作中心后直接下达
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
"""
NAMESAKES = """\
  - id: liu-tao
    name: 刘涛
  - id: liu-tao-2
    name: 刘滔
  - id: wang-ming
    name: 王明
  - id: wang-ming-2
    name: 王明
"""


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    setup(repo)
    repo.edit("roster/people.yaml", "    name: 李用户\n", "    name: 李用户\n    name_en: Li Yong\n")
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", NAMESAKES + "  - id: zhou-user\n")
    repo.edit("roster/subsystems/alpha.yaml", "name_en: Alpha\n", "name_en: Alpha\naliases:\n  - 甲机\n")
    repo.write(OPEN_PATH, OPEN)
    repo.write(SIMPLE_PATH, SIMPLE)
    return repo


def ids(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("ALP-")]


@pytest.mark.parametrize("form", ["alpha", "ALPHA", " Alpha ", "甲系统", "甲系", "甲机", "ａｌｐｈａ"])
def test_subsystem_by_code_name_alias_or_case(cli, ops, form):
    r = cli("ticket", "list", "--all", "--subsystem", form, cwd=ops.root)
    assert (r.code, ids(r.out)) == (0, ["ALP-20261102-AB2C", "ALP-20261102-QQ2W"])


@pytest.mark.parametrize("form", ["li-user", "LI-USER", "李用户", "Li Yong", "li yong"])
def test_person_by_id_name_or_english_name(cli, ops, form):
    r = cli("ticket", "list", "--assignee", form, "--all", cwd=ops.root)
    assert (r.code, ids(r.out)) == (0, ["ALP-20261102-AB2C", "ALP-20261102-QQ2W"])
    r = cli("ticket", "comment", "QQ2W", "--note", "看过了", "--by", form, "--at", "2026-11-02T09:10", cwd=ops.root)
    assert r.code == 0, r.err
    assert ops.read(OPEN_PATH).endswith("  - event: comment\n    at: 2026-11-02T09:10:00+08:00\n    by: li-user\n"
                                        "    tier: key-user\n    note: 看过了\n")


@pytest.mark.parametrize(("form", "pid"), [("刘涛", "liu-tao"), ("刘滔", "liu-tao-2"), ("liu-tao-2", "liu-tao-2")])
def test_namesakes_are_told_apart(cli, ops, form, pid):
    r = cli("ticket", "list", "--assignee", form, cwd=ops.root)
    assert (r.code, r.out) == (0, "没有符合条件的工单。\n")  # resolved: nobody holds a ticket


def test_two_people_with_one_name_are_refused_listing_both(cli, ops):
    r = cli("ticket", "list", "--assignee", "王明", cwd=ops.root)
    assert r.code == 2
    assert r.err == "erpops: “王明”可以指多个人员：王明（wang-ming）、王明（wang-ming-2）。请用编号或代码指定其中一个。\n"


@pytest.mark.parametrize("form", ["fault", "FAULT", "故障", "系统故障", "系统故障/缺陷", "缺陷", "Fault or bug"])
def test_ticket_type_by_code_or_name(cli, ops, form):
    r = cli("ticket", "new", "--subsystem", "甲系统", "--type", form, "--priority", "p3", "--title", "x",
            "--symptom", "y", "--by", "李用户", "--at", "2026-11-03T08:45", cwd=ops.root)
    assert r.code == 0, r.err
    rel = r.out.split("：", 1)[1].strip()
    assert "\ntype: fault\npriority: P3\n" in ops.read(rel)


@pytest.mark.parametrize("form", ["P2", "p2", "2", " p2 ", "Ｐ２"])
def test_priority_in_any_case(cli, ops, form):
    r = cli("ticket", "update", "QQ2W", "--priority", form, "--note", "影响扩大", "--by", "钱系统",
            "--at", "2026-11-02T09:30", cwd=ops.root)
    assert r.code == 0, r.err
    assert "\npriority: P2\n" in ops.read(OPEN_PATH)


@pytest.mark.parametrize(("form", "listed"), [
    ("resolved", ["ALP-20261102-AB2C"]), ("已解决", ["ALP-20261102-AB2C"]), ("RESOLVED", ["ALP-20261102-AB2C"]),
    ("open", ["ALP-20261102-QQ2W"]), ("已提交", ["ALP-20261102-QQ2W"]),
    ("unresolved", ["ALP-20261102-QQ2W"]), ("未解决", ["ALP-20261102-QQ2W"]),
])
def test_status_by_code_or_name_and_unresolved(cli, ops, form, listed):
    r = cli("ticket", "list", "--status", form, cwd=ops.root)
    assert (r.code, ids(r.out)) == (0, listed)


@pytest.mark.parametrize("form", ["key-user", "KEY-USER", "关键用户", "key user", "1", "关键"])
def test_tier_by_code_or_name(cli, ops, form):
    r = cli("ticket", "list", "--tier", form, cwd=ops.root)
    assert (r.code, ids(r.out)) == (0, ["ALP-20261102-QQ2W"])


@pytest.mark.parametrize("form", ["业务系统管理员", "business-admin", "2"])
def test_escalate_tier_by_name(cli, ops, form):
    r = cli("ticket", "escalate", "QQ2W", "--tier", form, "--to", "赵管理", "--by", "li-user",
            "--at", "2026-11-02T09:30", cwd=ops.root)
    assert r.code == 0, r.err
    assert "    tier: business-admin\n    assignee: zhao-admin\n" in ops.read(OPEN_PATH)


@pytest.mark.parametrize(("args", "message"), [
    (("--subsystem", "alpah"), "erpops: “alpah”不是有效的子系统。是不是指：甲系统（alpha）？可选：甲系统（alpha）。\n"),
    (("--subsystem", "乙系统"), "erpops: “乙系统”不是有效的子系统。是不是指：甲系统（alpha）？可选：甲系统（alpha）。\n"),
    (("--status", "已上传"), "erpops: “已上传”不是有效的状态。是不是指：已上报（escalated）？可选：已提交（open）、"
                           "已分派（assigned）、已上报（escalated）、已解决（resolved）、已关闭（closed）、"
                           "已重新打开（reopened）、已取消（cancelled）、未解决（unresolved）。\n"),
    (("--tier", "第五层"), "erpops: “第五层”不是有效的层级。可选：关键用户（key-user）、"
                        "业务系统管理员（business-admin）、ERP 系统管理员（erp-admin）、软件供应商（vendor）。\n"),
    (("--assignee", "蒋立章"), "erpops: “蒋立章”不是有效的人员。请用人员编号或姓名（erpops who 姓名 可以查询）。\n"),
    (("--assignee", "李用"), "erpops: “李用”不是有效的人员。是不是指：李用户（li-user）？"
                            "请用人员编号或姓名（erpops who 姓名 可以查询）。\n"),
])
def test_unknown_filter_values_are_refused_with_the_nearest_and_the_valid(cli, ops, args, message):
    r = cli("ticket", "list", *args, cwd=ops.root)
    assert (r.code, r.out, r.err) == (2, "", message)


def test_unknown_type_and_priority_in_new_exit_2_before_writing(cli, ops):
    base = ("ticket", "new", "--subsystem", "alpha", "--title", "x", "--symptom", "y", "--by", "li-user")
    r = cli(*base, "--type", "guzhang", "--priority", "P3", cwd=ops.root)
    assert r.code == 2 and r.err.startswith("erpops: “guzhang”不是有效的工单类型。可选：操作咨询（operation-question）、")
    r = cli(*base, "--type", "fault", "--priority", "P7", cwd=ops.root)
    assert (r.code, r.err) == (2, "erpops: “P7”不是有效的优先级。可选：P1、P2、P3、P4。\n")
    assert sorted(p.name for p in (ops.root / "tickets/alpha/2026").iterdir()) == [
        "ALP-20261102-AB2C.yaml", "ALP-20261102-QQ2W.yaml"]


def test_list_shows_unfinished_by_default_and_all_with_the_flag(cli, ops):
    r = cli("ticket", "list", cwd=ops.root)
    assert r.code == 0
    assert r.out.splitlines() == [
        "ALP-20261102-QQ2W  2026-11-02 09:00  P3  已提交  关键用户  李用户（li-user）  生产订单无法下达",
        "共 1 张工单。", "另有 1 张已完成的工单未列出（--all 显示全部）。"]
    r = cli("ticket", "list", "--all", cwd=ops.root)
    assert (r.code, ids(r.out), r.out.splitlines()[-1]) == (0, ["ALP-20261102-AB2C", "ALP-20261102-QQ2W"], "共 2 张工单。")


@pytest.mark.parametrize("form", ["ALP-20261102-QQ2W", "alp-20261102-qq2w", "QQ2W", "qq2w", "20261102-QQ2W"])
def test_a_unique_end_of_the_id_is_enough(cli, ops, form):
    r = cli("ticket", "show", form, cwd=ops.root)
    assert (r.code, r.out.splitlines()[0]) == (0, "ALP-20261102-QQ2W  生产订单无法下达")


def test_an_ambiguous_end_of_the_id_lists_the_matches(cli, ops):
    ops.write("tickets/alpha/2026/ALP-20261102-XQ2W.yaml", OPEN.replace("QQ2W", "XQ2W"))
    r = cli("ticket", "show", "Q2W", cwd=ops.root)
    assert (r.code, r.err) == (2, "erpops: 编号以“Q2W”结尾的工单不止一张：ALP-20261102-QQ2W、ALP-20261102-XQ2W。"
                                  "请写出更长的编号。\n")
    r = cli("ticket", "show", "QQ2X", cwd=ops.root)
    assert (r.code, r.err) == (2, "erpops: 没有编号为“QQ2X”的工单。\n")


def test_move_takes_the_subsystems_name(cli, ops):
    ops.write("roster/subsystems/beta.yaml", "code: beta\nname: 乙系统\nbusiness_admin: zhao-admin\n"
              "erp_admin: qian-erp\nkey_user_group:\n  leader: zhao-admin\n  members:\n    - li-user\n")
    ops.edit("policy.yaml", "  alpha: ALP\n", "  alpha: ALP\n  beta: BET\n")
    r = cli("ticket", "move", "QQ2W", "--to", "乙系统", "--note", "报错在乙系统", "--by", "li-user",
            "--at", "2026-11-02T09:30", cwd=ops.root)
    assert r.code == 0, r.err
    assert (ops.root / "tickets/beta/2026/ALP-20261102-QQ2W.yaml").is_file()


def test_an_escalation_refused_for_a_missing_cause_points_to_ticket_update(cli, ops):
    ops.write(OPEN_PATH, OPEN.replace("cause: 新建工作中心后直接下达\n", ""))
    r = cli("ticket", "escalate", "QQ2W", "--by", "li-user", "--at", "2026-11-02T09:30", cwd=ops.root)
    assert r.code == 1
    assert "[ticket-symptom-cause]" in r.err
    assert r.err.splitlines()[-1] == ('补写起因后再试：erpops ticket update ALP-20261102-QQ2W --cause '
                                      '"出问题前做了什么操作" --note "补写起因"')
    r = cli("ticket", "update", "QQ2W", "--cause", "新建工作中心后直接下达", "--note", "补写起因", "--by", "li-user",
            "--at", "2026-11-02T09:20", cwd=ops.root)
    assert r.code == 0, r.err
    r = cli("ticket", "escalate", "QQ2W", "--by", "li-user", "--at", "2026-11-02T09:30", cwd=ops.root)
    assert r.code == 0, r.err


def test_who_suggests_the_nearest_on_a_miss(cli, ops):
    r = cli("who", "李用", cwd=ops.root)
    assert r.code == 1
    assert r.err.endswith("是不是指：李用户（li-user）？\n")
    assert cli("who", "甲系", cwd=ops.root).out.startswith("子系统：甲系统（alpha）\n")
    assert cli("who", "刘滔", cwd=ops.root).out.startswith("人员：刘滔（liu-tao-2）\n")


def test_english_messages_with_lang_en(cli, ops):
    r = cli("--lang", "en", "ticket", "list", "--subsystem", "alpah", cwd=ops.root)
    assert (r.code, r.err) == (2, 'erpops: "alpah" is not a valid subsystem. Did you mean: alpha? '
                                  'Valid values: alpha.\n')


def test_runbook_new_takes_names_for_owner_and_subsystem(cli, ops):
    r = cli("runbook", "new", "--kind", "procedure", "--id", "stock-count", "--title", "盘点", "--owner", "赵管理",
            "--subsystem", "甲系统", cwd=ops.root)
    assert r.code == 0, r.err
    text = ops.read("runbooks/alpha/stock-count.md")
    assert "subsystems: [alpha]\n" in text and "owner: zhao-admin\n" in text

