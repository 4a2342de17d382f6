"""monthly.yml, step by step as the runner would run it: draft the forms of the period that has
closed, open one pull request per subsystem, and on the 28th list who has not handed in."""
from __future__ import annotations

import json
import os
import subprocess

import git
import pytest

from test_issue_form import _git_init
from tickets_fixture import setup
from workflows import run_step, step

DRAFT = ("monthly.yml", "Draft the forms of the period that has closed")
OPEN_PRS = ("monthly.yml", "Open one pull request per subsystem")
REMIND = ("monthly.yml", "List the forms handed in, late and missing")
# The 26th: the 2026-11 period (10-26 … 11-25) has closed; its forms are due on the 28th.
CLOCK = {"ERPOPS_TODAY": "2026-11-26", "ERPOPS_NOW": "2026-11-26T09:00:00+08:00", "GITHUB_REF_NAME": "main"}


@pytest.fixture
def ops(repo):
    """The tiny tickets repository committed on main, with a bare origin, as a checkout leaves it."""
    setup(repo)
    g = _git_init(repo.root)
    origin = repo.root.parent / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    g.create_remote("origin", str(origin))
    repo.git, repo.origin = g, origin
    return repo


def test_draft_writes_the_forms_of_the_closed_period_and_names_its_month(ops, runner):
    proc, summary = run_step(step(*DRAFT), ops.root, runner, pinned=CLOCK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (runner / "github_output").read_text("utf-8") == "month=2026-11\n"
    assert sorted(p.name for p in (ops.root / "reports" / "2026-11").iterdir()) == [
        "alpha.csv", "alpha.md", "alpha.xlsx"]
    assert summary.read_text("utf-8") == "已起草 2026-11 的运维记录表。\n"


def test_one_pull_request_per_subsystem_with_only_env_values(ops, runner, tmp_path):
    assert run_step(step(*DRAFT), ops.root, runner, pinned=CLOCK)[0].returncode == 0
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "gh.log"
    (fake / "gh").write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n", "utf-8")
    (fake / "gh").chmod(0o755)
    s = step(*OPEN_PRS)
    assert s["env"] == {"GH_TOKEN": "${{ github.token }}", "MONTH": "${{ steps.draft.outputs.month }}"}
    proc, _ = run_step(s, ops.root, runner, {"github.token": "t0ken", "steps.draft.outputs.month": "2026-11"},
                       pinned={**CLOCK, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert calls == [
        ["auth", "setup-git"],
        ["pr", "create", "--base", "main", "--head", "forms/2026-11/alpha", "--title", "运维记录表 2026-11：alpha",
         "--body", "请业务系统管理员复核后合并；合并即为报送，截止本月 28 日。"],
    ]
    pushed = git.Repo(ops.origin).heads["forms/2026-11/alpha"].commit
    assert sorted(pushed.stats.files) == ["reports/2026-11/alpha.csv", "reports/2026-11/alpha.md",
                                          "reports/2026-11/alpha.xlsx"]
    assert ops.git.active_branch.name == "main"  # back where it started, the forms only on their branch


def test_remind_lists_the_forms_not_handed_in(ops, runner):
    clock = {**CLOCK, "ERPOPS_TODAY": "2026-11-29"}
    proc, summary = run_step(step(*REMIND), ops.root, runner, pinned=clock)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary.read_text("utf-8").splitlines() == [
        "```", "运维记录表报送情况（2026-11，截止 2026-11-28）", "alpha  未报送  催报：赵管理",
        "按时 0，逾期 0，未报送 1，未到截止日 0。", "```",
    ]
