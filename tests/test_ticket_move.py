"""The move event: the one way a ticket changes subsystem, checked on one revision by `erpops check`."""
from __future__ import annotations

from prcheck_fixture import OPEN, OPEN_PATH, event
from tickets_fixture import findings, line, setup


def _beta(repo):
    beta = repo.read("roster/subsystems/alpha.yaml").replace("code: alpha", "code: beta")
    repo.write("roster/subsystems/beta.yaml", beta.replace("甲系统", "乙系统").replace("name_en: Alpha", "name_en: Beta"))
    repo.edit("policy.yaml", "  alpha: ALP\n", "  alpha: ALP\n  beta: BET\n")


def test_a_moved_ticket_keeps_its_id_prefix_and_lives_in_the_new_folder(repo):
    setup(repo)
    _beta(repo)
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    text += event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write("tickets/beta/2026/ALP-20261102-AB2C.yaml", text)
    assert findings(repo, rules="") == []


def test_a_move_to_the_same_subsystem_is_refused(repo):
    setup(repo)
    text = OPEN + event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write(OPEN_PATH, text)
    assert ("tickets/alpha/2026/ALP-20261102-AB2C.yaml", line(text, "from: alpha"), "ticket-move", "error") \
        in findings(repo)


def test_a_ticket_id_without_a_move_still_needs_its_subsystems_prefix(repo):
    setup(repo)
    _beta(repo)
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    repo.write("tickets/beta/2026/ALP-20261102-AB2C.yaml", text)
    assert ("tickets/beta/2026/ALP-20261102-AB2C.yaml", 1, "ticket-id", "error") in findings(repo)


def test_from_is_only_for_a_move(repo):
    setup(repo)
    text = OPEN + event("comment", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write(OPEN_PATH, text)
    assert (OPEN_PATH, line(text, "- event: comment"), "schema", "error") in findings(repo, rules="")


def test_history_before_a_move_is_judged_in_the_subsystem_it_happened_in(repo):
    """beta's key users are zhao-admin and zhou-user only: li-user's opening and assignment stand
    because they happened in alpha; an assignment after the move must suit beta."""
    setup(repo)
    _beta(repo)
    repo.edit("roster/subsystems/beta.yaml", "    - li-user\n", "")
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    text += event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    rel = "tickets/beta/2026/ALP-20261102-AB2C.yaml"
    repo.write(rel, text)
    assert findings(repo, rules="") == []
    late = text + event("assign", "2026-11-02T09:50:00+08:00", "li-user", assignee="li-user")
    repo.write(rel, late.replace("status: open", "status: assigned"))
    assert findings(repo) == [(rel, line(late, "assignee: li-user", 3), "ticket-assignee-tier", "error")]


def test_ticket_move_writes_the_event_and_moves_the_file_and_the_gate_accepts_it(repo, cli, monkeypatch):
    from prcheck_fixture import NOW, base_repo

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, _ = base_repo(repo)
    _beta(repo)
    ops.g.git.switch("-q", "main")
    base = ops.commit("add beta")
    for key, value in (("GIT_AUTHOR_DATE", "2026-11-02T09:45:00+08:00"), ("GIT_COMMITTER_DATE", "2026-11-02T09:45:00+08:00"),
                       ("GIT_AUTHOR_NAME", "li"), ("GIT_AUTHOR_EMAIL", "li@example.com"),
                       ("GIT_COMMITTER_NAME", "li"), ("GIT_COMMITTER_EMAIL", "li@example.com")):
        monkeypatch.setenv(key, value)
    res = cli("ticket", "move", "ALP-20261102-AB2C", "--to", "beta", "--note", "属于乙系统", "--by", "li-user",
              "--at", "2026-11-02T09:40:00+08:00", "--branch", "move-ab2c", cwd=repo.root)
    assert res.code == 0, res.both
    new = "tickets/beta/2026/ALP-20261102-AB2C.yaml"
    assert res.out.splitlines()[-1] == f"已把工单 ALP-20261102-AB2C 转到子系统 beta：{new}"
    assert "move-ab2c" in res.out.splitlines()[0]
    assert not (repo.root / OPEN_PATH).exists()
    assert repo.read(new) == OPEN.replace("subsystem: alpha", "subsystem: beta") + (
        "  - event: move\n    at: 2026-11-02T09:40:00+08:00\n    by: li-user\n    tier: key-user\n"
        "    from: alpha\n    note: 属于乙系统\n")
    assert ops.g.active_branch.name == "move-ab2c"
    status, old, moved = ops.g.git.show("-M", "--name-status", "--format=", "HEAD").split("\t")
    assert (status[0], old, moved) == ("R", OPEN_PATH, new)
    assert ops.g.is_dirty(untracked_files=True) is False
    res = cli("pr-check", "--base", base, "--author", "li-gh", cwd=repo.root)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")


def test_ticket_move_refuses_the_same_or_an_unknown_subsystem(repo, cli):
    setup(repo)
    repo.write(OPEN_PATH, OPEN)
    res = cli("ticket", "move", "ALP-20261102-AB2C", "--to", "alpha", "--note", "x", "--by", "li-user", cwd=repo.root)
    assert res.code == 2 and "已经在子系统 alpha 中" in res.err
    res = cli("ticket", "move", "ALP-20261102-AB2C", "--to", "gamma", "--note", "x", "--by", "li-user", cwd=repo.root)
    assert res.code == 2 and "gamma" in res.err
    assert repo.read(OPEN_PATH) == OPEN


def test_a_move_the_rules_refuse_leaves_the_file_where_it_was(repo, cli):
    """A move dated before the last event breaks the history order: nothing is written or removed."""
    setup(repo)
    _beta(repo)
    repo.write(OPEN_PATH, OPEN)
    res = cli("ticket", "move", "ALP-20261102-AB2C", "--to", "beta", "--note", "x", "--by", "li-user",
              "--at", "2026-11-02T08:00:00+08:00", cwd=repo.root)
    assert res.code == 1
    assert "[ticket-history-order]" in res.err
    assert repo.read(OPEN_PATH) == OPEN
    assert not (repo.root / "tickets/beta").exists()
