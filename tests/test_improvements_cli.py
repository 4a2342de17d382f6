"""erpops improvement new|accept|start|done|reject|comment|list on a tmp repository, the clock
pinned: exact output lines, file contents, and the exit codes of each refusal."""
from __future__ import annotations

import re

import pytest

from erpops import atomic
from improvements_fixture import ITEM, ITEM_ID, ITEM_PATH, PROPOSED, setup_items
from tickets_fixture import PATH, TICKET

AT = "2026-11-25T09:00:00+08:00"


@pytest.fixture
def ops(repo):
    return setup_items(repo, item=None)


def _new(cli, ops, *extra, by="sun-lead"):
    return cli("improvement", "new", "--from-ticket", "ALP-20261102-K7QF", "--feedback", "1", "--by", by,
               "--at", AT, *extra, "--repo", str(ops.root))


def test_new_raises_the_feedback_as_a_proposed_item(cli, ops):
    res = _new(cli, ops, "--owner", "zhao-admin", "--due", "2026-12-31", "--note", "月度例会决定")
    assert res.code == 0, res.both
    m = re.fullmatch(r"已提出改进事项 (IMP-20261125-[A-Z2-7]{4})：(improvements/2026/\1\.yaml)\n", res.out)
    assert m, res.out
    iid, rel = m.groups()
    assert ops.read(rel) == f"""\
# 调拨单须当日记账
id: {iid}
title: 调拨单须当日记账
target: process
status: proposed
owner: zhao-admin
due: 2026-12-31
tickets:
  - ticket: ALP-20261102-K7QF
    feedback: 1
history:
  - event: propose
    at: 2026-11-25T09:00:00+08:00
    by: sun-lead
    owner: zhao-admin
    due: 2026-12-31
    note: 月度例会决定
"""
    assert cli("check", "--repo", str(ops.root)).code == 0
    assert not list((ops.root / "improvements/2026").glob(".*.lock"))
    # The same feedback twice: refused, naming the item that has it.
    again = _new(cli, ops)
    assert (again.code, again.err) == (2, f"erpops: 工单 ALP-20261102-K7QF 的第 1 条反馈已立项为 {iid}。\n")


def test_title_and_target_may_be_given(cli, ops):
    res = _new(cli, ops, "--title", "调拨单记账提醒", "--target", "system")
    assert res.code == 0, res.both
    rel = res.out.split("：", 1)[1].strip()
    text = ops.read(rel)
    assert "title: 调拨单记账提醒\n" in text and "target: system\n" in text and text.startswith("# 调拨单记账提醒\n")


def test_only_the_ops_office_proposes(cli, ops):
    res = _new(cli, ops, by="li-user")
    assert res.code == 1
    lines = res.err.splitlines()
    assert re.fullmatch(r"improvements/2026/IMP-20261125-[A-Z2-7]{4}\.yaml:10:5: \[pr-entitled\] "
                        r"李用户 不是运维管理办公室成员，不能提出改进事项。", lines[0]), lines
    assert lines[1].startswith("未写入 improvements/2026/IMP-20261125-") and len(lines) == 2
    assert not list((ops.root / "improvements").rglob("*.yaml"))


@pytest.mark.parametrize("feedback,by,due,message", [
    ("2", "sun-lead", "2026-12-31", "erpops: 工单 ALP-20261102-K7QF 没有第 2 条反馈（共 1 条）。\n"),
    ("1", "sun-lead", "2026-13-01", "erpops: 期限“2026-13-01”不是 YYYY-MM-DD 格式的日期。\n"),
    ("1", "ghost", "2026-12-31", "erpops: “ghost”不是有效的人员。请用人员编号或姓名（erpops who 姓名 可以查询）。\n"),
])
def test_new_refuses_what_cannot_be_raised_with_exit_2(cli, ops, feedback, by, due, message):
    res = cli("improvement", "new", "--from-ticket", "ALP-20261102-K7QF", "--feedback", feedback, "--by", by,
              "--due", due, "--at", AT, "--repo", str(ops.root))
    assert (res.code, res.err) == (2, message)
    assert not (ops.root / "improvements").exists()


def test_an_unknown_ticket_or_item_is_exit_2(cli, ops):
    res = cli("improvement", "new", "--from-ticket", "ALP-20261102-ZZZZ", "--feedback", "1", "--by", "sun-lead",
              "--repo", str(ops.root))
    assert (res.code, res.err) == (2, "erpops: 没有编号为“ALP-20261102-ZZZZ”的工单。是不是指：ALP-20261102-K7QF？\n")
    res = cli("improvement", "start", "IMP-20261103-ZZZZ", "--by", "zhao-admin", "--repo", str(ops.root))
    assert (res.code, res.err) == (2, "erpops: 找不到改进事项 IMP-20261103-ZZZZ。\n")


def test_accept_names_owner_and_due_and_changes_only_those_lines(cli, ops):
    ops.write(ITEM_PATH, PROPOSED)
    res = cli("improvement", "accept", ITEM_ID, "--owner", "zhao-admin", "--due", "2026-12-15", "--by", "sun-lead",
              "--at", AT, "--repo", str(ops.root))
    assert (res.code, res.out) == (0, f"已在改进事项 {ITEM_ID} 记录 accept：{ITEM_PATH}\n"), res.err
    assert ops.read(ITEM_PATH) == PROPOSED.replace("status: proposed\n", "status: accepted\nowner: zhao-admin\n"
                                                   "due: 2026-12-15\n") + (
        "  - event: accept\n    at: 2026-11-25T09:00:00+08:00\n    by: sun-lead\n"
        "    owner: zhao-admin\n    due: 2026-12-15\n")


def test_accept_without_a_due_date_is_refused(cli, ops):
    ops.write(ITEM_PATH, PROPOSED)
    res = cli("improvement", "accept", ITEM_ID, "--owner", "zhao-admin", "--by", "sun-lead", "--at", AT,
              "--repo", str(ops.root))
    assert res.code == 1
    assert res.err.splitlines()[0] == (f"{ITEM_PATH}:5:1: [improvement-unplanned] "
                                       "状态为 accepted 的改进事项必须有 due（采纳时指定负责人和期限）。")
    assert ops.read(ITEM_PATH) == PROPOSED


def test_the_owner_starts_and_finishes_others_are_refused(cli, ops):
    ops.write(ITEM_PATH, ITEM)
    res = cli("improvement", "start", ITEM_ID, "--by", "li-user", "--at", AT, "--repo", str(ops.root))
    assert res.code == 1
    assert res.err.splitlines() == [
        f"{ITEM_PATH}:20:5: [pr-entitled] 李用户 不是该改进事项的负责人，不能开始实施。",
        f"未写入 {ITEM_PATH}：修改后的改进事项违反上面的规则，文件保持原样。"]
    assert ops.read(ITEM_PATH) == ITEM
    for kind in ("start", "done"):
        res = cli("improvement", kind, ITEM_ID, "--by", "zhao-admin", "--at", AT, "--repo", str(ops.root))
        assert (res.code, res.out) == (0, f"已在改进事项 {ITEM_ID} 记录 {kind}：{ITEM_PATH}\n"), res.err
    assert ops.read(ITEM_PATH) == ITEM.replace("status: accepted", "status: done") + (
        "  - event: start\n    at: 2026-11-25T09:00:00+08:00\n    by: zhao-admin\n"
        "  - event: done\n    at: 2026-11-25T09:00:00+08:00\n    by: zhao-admin\n")
    # Done is done: no start again.
    res = cli("improvement", "start", ITEM_ID, "--by", "zhao-admin", "--at", AT, "--repo", str(ops.root))
    assert res.code == 1 and "[improvement-history] 状态为 done 时不能有 start 事件。" in res.err


def test_reject_and_comment_need_a_note(cli, ops):
    ops.write(ITEM_PATH, ITEM)
    res = cli("improvement", "reject", ITEM_ID, "--by", "sun-lead", "--repo", str(ops.root))
    assert (res.code, res.err) == (2, "erpops: 缺少 --note：请在命令行给出，或在终端中运行以逐项输入。\n")
    res = cli("improvement", "comment", ITEM_ID, "--by", "li-user", "--note", "二车间已试行", "--at", AT,
              "--repo", str(ops.root))
    assert res.code == 0, res.err
    res = cli("improvement", "reject", ITEM_ID, "--by", "sun-lead", "--note", "由系统控制代替", "--at", AT,
              "--repo", str(ops.root))
    assert res.code == 0, res.err
    assert ops.read(ITEM_PATH) == ITEM.replace("status: accepted", "status: rejected") + (
        "  - event: comment\n    at: 2026-11-25T09:00:00+08:00\n    by: li-user\n    note: 二车间已试行\n"
        "  - event: reject\n    at: 2026-11-25T09:00:00+08:00\n    by: sun-lead\n    note: 由系统控制代替\n")


def test_a_held_lock_is_waited_for_then_refused_with_exit_2(cli, ops, monkeypatch):
    ops.write(ITEM_PATH, ITEM)
    monkeypatch.setenv("ERPOPS_LOCK_TIMEOUT", "0")
    with atomic.locked(ops.root / ITEM_PATH):
        res = cli("improvement", "comment", ITEM_ID, "--by", "li-user", "--note", "n", "--repo", str(ops.root))
    assert res.code == 2
    assert res.err.startswith(f"erpops: 未写入 {ITEM_PATH}：另一个 erpops 正在修改这个改进事项")
    assert ops.read(ITEM_PATH) == ITEM


def test_list_marks_overdue_items_and_shows_the_feedback_not_yet_raised(cli, ops):
    ops.write(ITEM_PATH, ITEM)
    ops.write(PATH, TICKET.replace("    text: 调拨单须当日记账\n",
                                   "    text: 调拨单须当日记账\n  - kind: system\n    text: 记账前提醒\n"))
    res = cli("improvement", "list", "--repo", str(ops.root))  # today: 2026-11-25 (pinned)
    assert (res.code, res.out.splitlines()) == (0, [
        f"{ITEM_ID}  已采纳  赵管理  2026-11-20  调拨单须当日记账（已逾期 5 天）",
        "",
        "尚未立项的工单反馈：",
        "ALP-20261102-K7QF #2  系统  记账前提醒",
    ])
    res = cli("improvement", "list", "--status", "done", "--repo", str(ops.root))
    assert (res.code, res.out) == (0, "没有改进事项。\n")
    res = cli("improvement", "list", "--overdue", "--lang", "en", "--repo", str(ops.root))
    assert (res.code, res.out) == (0, f"{ITEM_ID}  accepted  赵管理  2026-11-20  调拨单须当日记账 (overdue by 5 days)\n")
    res = cli("improvement", "list", "--status", "finished", "--repo", str(ops.root))
    assert res.code == 2 and "finished" in res.err
