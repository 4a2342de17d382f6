"""erpops audit ID: a ticket's Git history, with the events whose person or time disagree with their commit."""
from __future__ import annotations

import json

import pytest

from prcheck_fixture import OPEN_PATH, append, base_repo, event


@pytest.fixture
def trail(repo):
    """AB2C: created by li (clean), then a comment in li's name committed by zhou (person), a late
    record (time), one through GitHub's noreply address (clean), a rename by an unknown address."""
    ops, _ = base_repo(repo, {"li-user": "    email: li@example.com\n", "zhou-user": "    email: Zhou@Example.com\n"})
    append(repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="代记"), priority="P3")
    ops.commit("comment for li", "2026-11-02T09:35:00+08:00", email="zhou@example.com")
    append(repo, OPEN_PATH, event("comment", "2026-11-02T10:00:00+08:00", "li-user", note="补记"))
    ops.commit("late comment", "2026-11-06T10:30:00+08:00")
    append(repo, OPEN_PATH, event("comment", "2026-11-06T10:00:00+08:00", "li-user", note="网页提交"))
    ops.commit("from the web", "2026-11-06T10:05:00+08:00", email="123+li-gh@users.noreply.github.com")
    (repo.root / "tickets/alpha/2026/moved").mkdir()
    (repo.root / OPEN_PATH).rename(repo.root / "tickets/alpha/2026/moved/ALP-20261102-AB2C.yaml")
    ops.commit("move the file", "2026-11-06T11:00:00+08:00", email="x@elsewhere.com")
    return ops


def test_audit_lists_each_commit_and_flags_what_disagrees(trail, cli):
    res = cli("audit", "ALP-20261102-AB2C", "--repo", str(trail.repo.root))
    assert res.code == 1
    out = res.out.splitlines()
    assert out[0] == "工单 ALP-20261102-AB2C 的 Git 历史（5 次提交，由早到晚）："
    assert out[1].endswith("  2026-11-02T09:05:00+08:00  li <li@example.com>  base")
    assert out[2:4] == [f"  新建文件 {OPEN_PATH}", "  + 提交  2026-11-02T09:00:00+08:00  li-user"]
    assert out[4].endswith("  zhou <zhou@example.com>  comment for li")
    assert out[5:8] == ["  priority：P4 → P3", "  + 备注  2026-11-02T09:30:00+08:00  li-user",
                        "    ! 记录的操作人是 li-user，但提交作者是 zhou-user"]
    assert out[9:11] == ["  + 备注  2026-11-02T10:00:00+08:00  li-user",
                         "    ! 记录的时间与提交时间 2026-11-06T10:30:00+08:00 相差超过 48 小时"]
    assert out[12] == "  + 备注  2026-11-06T10:00:00+08:00  li-user"
    assert out[14] == f"  文件从 {OPEN_PATH} 移到 tickets/alpha/2026/moved/ALP-20261102-AB2C.yaml"
    assert out[15:] == ["发现 2 处记录与提交不一致。"]


def test_audit_json_and_a_rewritten_history(trail, cli):
    moved = "tickets/alpha/2026/moved/ALP-20261102-AB2C.yaml"
    trail.repo.edit(moved, "note: 代记", "note: 本人记录")
    trail.commit("tidy", "2026-11-06T12:00:00+08:00")
    res = cli("audit", "ALP-20261102-AB2C", "--format", "json", "--repo", str(trail.repo.root))
    assert res.code == 1
    data = json.loads(res.out)
    assert data["flags"] == 3
    assert [c["subject"] for c in data["commits"]] == [
        "base", "comment for li", "late comment", "from the web", "move the file", "tidy"]
    assert [[e["flags"] for e in c["events"]] for c in data["commits"]] == [
        [[]], [["person"]], [["time"]], [[]], [], []]
    assert data["commits"][-1]["rewritten"] == 2
    assert data["commits"][4]["renamed_from"] == OPEN_PATH


def test_an_unknown_committer_is_flagged_and_a_clean_history_exits_zero(repo, cli):
    ops, _ = base_repo(repo)
    res = cli("audit", "ALP-20261102-AB2C", "--repo", str(repo.root))
    assert res.code == 1
    assert "    ! 提交作者 li@example.com 不在名册中" in res.out
    repo.edit("roster/people.yaml", "    github: li-gh\n", "    github: li-gh\n    emails: [li@example.com]\n")
    ops.commit("li's email")
    res = cli("audit", "ALP-20261102-AB2C", "--repo", str(repo.root))
    assert (res.code, res.out.splitlines()[-1]) == (0, "没有发现记录与提交不一致之处。")


def test_audit_of_an_unknown_ticket_is_a_user_error(repo, cli):
    base_repo(repo)
    res = cli("audit", "ALP-20261102-NONE", "--repo", str(repo.root))
    assert res.code == 2
    assert "找不到工单 ALP-20261102-NONE" in res.err


def test_a_history_through_folders_with_chinese_names_quotes_and_tabs_is_read(trail, cli):
    """git log without -z C-quotes such names ("\\345\\275\\222…"): every commit showed as unreadable."""
    moved = "tickets/alpha/2026/moved/ALP-20261102-AB2C.yaml"
    odd = 'tickets/alpha/2026/归档 "旧"\tx/ALP-20261102-AB2C.yaml'
    (trail.repo.root / odd).parent.mkdir()
    (trail.repo.root / moved).rename(trail.repo.root / odd)
    trail.commit("archive it", "2026-11-06T12:00:00+08:00")
    res = cli("audit", "ALP-20261102-AB2C", "--format", "json", "--repo", str(trail.repo.root))
    data = json.loads(res.out)
    assert [c["unreadable"] for c in data["commits"]] == [False] * 6
    assert [c["path"] for c in data["commits"][-2:]] == [moved, odd]
    assert data["commits"][-1]["renamed_from"] == moved
    assert (res.code, data["flags"]) == (1, 2)
