"""erpops gate: check, codeowners --check and issue-form --check (and with --base pr-check) over one
load of the repository, each saying what its own command says, the exit code the worst of theirs."""
from __future__ import annotations

import pytest

from prcheck_fixture import NOW, OPEN, OPEN_PATH, base_repo, event
from tickets_fixture import PATH, TICKET, setup

from erpops import load


@pytest.fixture
def current(repo, cli, monkeypatch):
    """The tickets repository with a current CODEOWNERS and ticket form."""
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    setup(repo)
    repo.write(PATH, TICKET)
    assert cli("codeowners", cwd=repo.root).code == 0
    assert cli("issue-form", cwd=repo.root).code == 0
    return repo


@pytest.fixture
def loads(monkeypatch):
    """How many times the whole repository is loaded."""
    calls = []
    real = load.load

    def counted(root, *args, **kw):
        calls.append(root)
        return real(root, *args, **kw)

    monkeypatch.setattr(load, "load", counted)
    return calls


def test_the_gate_says_what_the_three_commands_say_over_one_load(current, cli, loads):
    parts = [cli(*args, cwd=current.root) for args in (("check",), ("codeowners", "--check"), ("issue-form", "--check"))]
    assert [p.code for p in parts] == [0, 0, 0]
    assert len(loads) == 1  # codeowners and issue-form read the roster and policy only
    loads.clear()
    res = cli("gate", cwd=current.root)
    assert (res.code, res.out, res.err) == (0, "".join(p.out for p in parts), "")
    assert len(loads) == 1


def test_every_part_runs_and_the_exit_code_is_the_worst(current, cli):
    current.edit(PATH, "priority: P3", "priority: P9")  # a schema error in a ticket
    current.edit("roster/people.yaml", "  - id: qian-erp\n", "  - id: qian-erp\n    github: qian-gh\n")
    res = cli("gate", "--format", "github", cwd=current.root)
    assert res.code == 1
    assert res.out.startswith(f"::error file={PATH},line=")
    assert "+/roster/ @qian-gh" in res.out.splitlines()  # CODEOWNERS stale: its diff
    assert "已过期" in res.err
    assert res.err.splitlines()[-1] == "数据关卡未通过：check, codeowners（各部分的说明见上文）。"


def test_a_missing_policy_is_unusable_input_for_the_ticket_form(repo, cli):
    assert cli("codeowners", cwd=repo.root).code == 0
    res = cli("gate", "--lang", "en", cwd=repo.root)
    assert res.code == 2
    assert res.err.splitlines()[-1] == "The data gate did not pass: issue-form (each part says why above)."


def test_the_gate_of_a_pull_request_adds_pr_check_and_still_loads_once(repo, cli, monkeypatch, loads):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, _ = base_repo(repo)
    ops.g.git.switch("-q", "main")
    assert cli("codeowners", cwd=repo.root).code == 0
    assert cli("issue-form", cwd=repo.root).code == 0
    base = ops.commit("forge files", "2026-11-02T09:06:00+08:00")
    ops.g.git.switch("-q", "-C", "pr")
    # The PR rewrites the open ticket's first event: pr-check's pr-history.
    repo.write(OPEN_PATH, OPEN.replace("    by: li-user\n    tier: key-user\n    assignee",
                                       "    by: zhou-user\n    tier: key-user\n    assignee")
               + event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    ops.commit("change", "2026-11-02T10:00:00+08:00")
    ops.merge("pr", when="2026-11-02T10:00:00+08:00")
    loads.clear()
    res = cli("gate", "--base", base, "--author", "li-gh", "--format", "github", cwd=repo.root)
    assert res.code == 1, res.both
    assert f"::error file={OPEN_PATH},line=" in res.out and "title=pr-history::" in res.out
    assert res.err.splitlines()[-1] == "数据关卡未通过：pr-check（各部分的说明见上文）。"
    assert len(loads) == 1
    alone = cli("pr-check", "--base", base, "--author", "li-gh", "--format", "github", cwd=repo.root)
    assert alone.code == 1 and res.out.endswith(alone.out)
