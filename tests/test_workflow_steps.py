"""Every command a workflow runs, run here as the runner would: bash -eo pipefail, the step's env,
and the runner's files ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT, an event payload) in a tiny repository."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from workflows import run_step, stand_in_base_venv, step, steps

BASE = " (base revision's erpops)"
INSTALL_BASE = ("ci.yml", "Install the base revision's erpops into its own venv")
CHECK_STEP = ("ci.yml", "Check the repository, CODEOWNERS and the ticket form" + BASE)
CODEOWNERS_STEP = FORM_STEP = CHECK_STEP  # one step: erpops gate
ACTING_STEP = ("ci.yml", "Find whom a bot-opened pull request acts for")
PR_STEP = ("ci.yml", "Check what the pull request changes" + BASE)
SITE_STEP = ("ci.yml", "Site (strict build, base revision's erpops)")
CHANGES_STEP = ("ci.yml", "List the changed paths")

# Steps whose command the CI of this repository already runs outside the workflow.
RUN_ELSEWHERE = {
    ("ci.yml", "Install erpops with its test tools"): "python -m pip install -e '.[test]'",
    ("pages.yml", "Install erpops"): "python -m pip install -e .",
    ("ticket-from-issue.yml", "Install erpops"): "python -m pip install -e .",
    ("ticket-comment.yml", "Install erpops"): "python -m pip install -e .",
    ("ticket-answer.yml", "Install erpops"): "python -m pip install -e .",
    ("monthly.yml", "Install erpops"): "python -m pip install -e .",
    ("publish.yml", "Install erpops"): "python -m pip install -e .",
    ("mail-intake.yml", "Install erpops"): "python -m pip install -e .",
    ("mail-intake.yml", "Add the IMAP client (erpops[mail])"): 'python -m pip install "imapclient>=3.0"',
    ("ci.yml", "Tests"): "python -m pytest -q",
    ("notify.yml", "Install erpops"): "python -m pip install -e .",
    # The test extra installs apprise (pyproject.toml) for tests/test_notify*.py.
    ("notify.yml", "Add the channel library (apprise)"): 'python -m pip install "apprise==2.2.0"',
}
# Steps executed below, each by at least one test of this module.
RUN_HERE = {
    CHANGES_STEP,
    INSTALL_BASE,
    CHECK_STEP,
    ACTING_STEP,
    PR_STEP,
    SITE_STEP,
    ("pages.yml", "Refuse to publish an internal site on public Pages"),
    ("pages.yml", "Build (strict)"),
    ("ticket-from-issue.yml", "Write the ticket from the form"),
    ("ticket-from-issue.yml", "Push the branch, open the pull request, answer on the issue"),
    # tests/test_issue_life.py
    ("ticket-comment.yml", "Record the comment's command on its ticket"),
    ("ticket-comment.yml", "Push the branch, open the pull request, acknowledge on the issue"),
    ("ticket-answer.yml", "Answer on the issues"),
    # tests/test_workflow_dispatch.py
    ("ci.yml", "Read the pull request of a dispatched run"),
    ("ci.yml", "Set the data gate's result as a commit status on the pull request's head"),
    ("ci.yml", "Set the package tests' result as a commit status on the pull request's head"),
    ("ticket-from-issue.yml", "Answer a failure on the issue"),
    ("ticket-comment.yml", "Answer a failure on the issue"),
    # tests/test_monthly_workflow.py
    ("monthly.yml", "Draft the forms of the period that has closed"),
    ("monthly.yml", "Open one pull request per subsystem"),
    ("monthly.yml", "List the forms handed in, late and missing"),
    # tests/test_forge_files.py
    ("publish.yml", "Build (strict)"),
    ("publish.yml", "Copy the site to the web server"),
    # tests/test_notify_workflow.py
    ("notify.yml", "Fetch the delivery record"),
    ("notify.yml", "Send the notices"),
    ("notify.yml", "Save the delivery record"),
    # tests/test_mail_workflow.py
    ("mail-intake.yml", "Turn new mail into tickets"),
    ("mail-intake.yml", "Open a pull request for each branch"),
}


def test_every_run_step_is_exercised():
    found = {(w, s["name"]): s["run"] for w, _, s in steps() if "run" in s}
    assert set(found) == set(RUN_ELSEWHERE) | RUN_HERE
    for key, command in RUN_ELSEWHERE.items():
        assert found[key] == command


def test_the_install_steps_match_what_local_ci_runs():
    """.ci/run → `make test`, which installs and tests exactly as the workflow does."""
    makefile = (REPO_ROOT / "Makefile").read_text("utf-8")
    assert "-m pip install --quiet -e '.[test]'" in makefile
    assert "$(BIN)/python -m pytest" in makefile
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text("utf-8")


@pytest.fixture
def runner(runner):
    """The runner's folder, with the data gate's base venv standing in as this interpreter's erpops."""
    stand_in_base_venv(runner)
    return runner


@pytest.fixture
def site_repo(repo, cli):
    """The tiny repository with this repository's site settings, the demo policy, and a current
    CODEOWNERS and ticket form (the data gate's first step checks all three)."""
    from tickets_fixture import setup

    shutil.copy(REPO_ROOT / "mkdocs.yml", repo.root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "docs", repo.root / "docs")
    setup(repo)
    assert cli("codeowners", cwd=repo.root).code == 0
    assert cli("issue-form", cwd=repo.root).code == 0
    return repo


def test_check_step_passes_and_writes_the_job_summary(site_repo, runner):
    proc, summary = run_step(step(*CHECK_STEP), site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "检查了 7 个文件，没有发现问题。"
    assert lines[1] == ".github/CODEOWNERS 与名册一致。"
    assert lines[-2:] == [".github/ISSUE_TEMPLATE/ticket.yml 与名册和运维制度一致。",
                          ".github/ISSUE_TEMPLATE/config.yml 与名册和运维制度一致。"]
    assert proc.stderr == ""
    assert summary.read_text("utf-8") == "## erpops 数据检查\n\n✅ 检查了 7 个文件，没有发现问题。\n"


def test_check_step_fails_with_annotations_and_a_table(site_repo, runner):
    site_repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc, summary = run_step(step(*CHECK_STEP), site_repo.root, runner)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(
        "::error file=roster/subsystems/alpha.yaml,line=7,col=3,title=roster-key-user-leader::")
    assert "数据关卡未通过：check" in proc.stderr  # the forge files still checked, after check failed
    lines = summary.read_text("utf-8").splitlines()
    assert lines[2] == "❌ 检查了 7 个文件：1 个错误，0 个警告。"
    assert lines[4] == "| 文件 | 行 | 级别 | 规则 | 说明 |"
    assert lines[6].startswith("| roster/subsystems/alpha.yaml | 7 | 错误 | roster-key-user-leader | ")
    assert len(lines) == 7


def test_codeowners_step_passes_when_current_and_fails_when_stale(site_repo, runner):
    s = step(*CODEOWNERS_STEP)
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site_repo.edit("roster/people.yaml", "  - id: qian-erp\n", "  - id: qian-erp\n    github: qian-gh\n")
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 1
    assert "+/roster/ @qian-gh" in proc.stdout.splitlines()
    assert "已过期" in proc.stderr


@pytest.mark.parametrize("where", [SITE_STEP, ("pages.yml", "Build (strict)")])
def test_site_build_step_builds_the_site(site_repo, runner, where):
    proc, _ = run_step(step(*where), site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (site_repo.root / "site" / "organisation" / "index.html").read_text("utf-8")
    assert "甲系统" in page


def test_site_build_step_fails_on_bad_data(site_repo, runner):
    site_repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc, _ = run_step(step(*SITE_STEP), site_repo.root, runner)
    assert proc.returncode != 0
    assert "roster-key-user-leader" in proc.stdout + proc.stderr
    assert not (site_repo.root / "site" / "organisation" / "index.html").exists()


GUARD = ("pages.yml", "Refuse to publish an internal site on public Pages")


@pytest.mark.parametrize("variable", ["", "false", "FALSE"])
def test_guard_step_refuses_an_internal_site_unless_pages_is_private(site_repo, runner, variable):
    proc, summary = run_step(step(*GUARD), site_repo.root, runner, {"vars.ERPOPS_PAGES_PRIVATE": variable})
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error title=erpops pages-guard::拒绝发布：mkdocs.yml 中站点受众为 internal")
    assert proc.stderr.startswith("拒绝发布：")
    assert "ERPOPS_PAGES_PRIVATE=true" in proc.stderr
    assert summary.read_text("utf-8").startswith("## 站点发布检查\n\n❌ 拒绝发布")


def test_guard_step_allows_an_internal_site_on_private_pages(site_repo, runner):
    proc, summary = run_step(step(*GUARD), site_repo.root, runner, {"vars.ERPOPS_PAGES_PRIVATE": "true"})
    assert proc.returncode == 0, proc.stderr
    assert "仓库变量 ERPOPS_PAGES_PRIVATE=true 声明 Pages 站点为私有" in proc.stdout
    assert "✅" in summary.read_text("utf-8")


def test_guard_step_allows_a_public_site(site_repo, runner):
    site_repo.edit("mkdocs.yml", "audience: internal", "audience: public")
    proc, _ = run_step(step(*GUARD), site_repo.root, runner, {"vars.ERPOPS_PAGES_PRIVATE": ""})
    assert proc.returncode == 0, proc.stderr
    assert "站点受众为 public" in proc.stdout


def test_guard_step_rejects_a_variable_it_does_not_understand(site_repo, runner):
    proc, _ = run_step(step(*GUARD), site_repo.root, runner, {"vars.ERPOPS_PAGES_PRIVATE": "yes"})
    assert proc.returncode == 2
    assert "ERPOPS_PAGES_PRIVATE 的值“yes”无法识别" in proc.stderr


CLOCK = {"ERPOPS_NOW": "2026-11-03T09:00:00+08:00"}


def _pull_request(repo):
    """A base on main and GitHub's merge commit of a PR that comments on the open ticket as li-user."""
    from prcheck_fixture import OPEN_PATH, append, base_repo, event

    ops, base = base_repo(repo)
    append(repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    ops.commit("comment")
    ops.merge("pr")
    return base


OPENED_AT = "2026-11-02T10:00:00+08:00"


DISPATCHED = " || steps.dispatched.outputs."  # a dispatched run's values, from the API (test_workflow_dispatch.py)


def _pr_context(base: str, login: str, acting_for: str = "", dispatched: dict[str, str] | None = None) -> dict[str, str]:
    return {"github.event.pull_request.base.sha" + DISPATCHED + "base-sha": base, "github.event.merge_group.base_sha": "",
            "github.event.pull_request.user.login" + DISPATCHED + "author": login,
            "github.event.pull_request.created_at" + DISPATCHED + "created-at": OPENED_AT,
            "steps.acting.outputs.login": acting_for}


def test_pr_check_step_passes_for_the_author_and_writes_the_summary(repo, runner):
    base = _pull_request(repo)
    proc, summary = run_step(step(*PR_STEP), repo.root, runner, _pr_context(base, "li-gh"), pinned=CLOCK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "检查了 1 个文件，没有发现问题。\n"
    assert summary.read_text("utf-8") == "## erpops 合并关卡：本拉取请求的改动\n\n✅ 检查了 1 个文件，没有发现问题。\n"


def test_pr_check_step_annotates_an_event_in_someone_elses_name(repo, runner):
    from prcheck_fixture import OPEN_PATH

    base = _pull_request(repo)
    proc, summary = run_step(step(*PR_STEP), repo.root, runner, _pr_context(base, "zhou-gh"), pinned=CLOCK)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(
        f"::error file={OPEN_PATH},line=22,col=5,title=pr-author::新事件记录的操作人是 li-user")
    assert f"| {OPEN_PATH} | 22 | 错误 | pr-author |" in summary.read_text("utf-8")


def test_pr_check_step_in_the_merge_queue_uses_its_base_and_no_author(repo, runner):
    base = _pull_request(repo)
    context = {"github.event.pull_request.base.sha" + DISPATCHED + "base-sha": "", "github.event.merge_group.base_sha": base,
               "github.event.pull_request.user.login" + DISPATCHED + "author": "",
               "github.event.pull_request.created_at" + DISPATCHED + "created-at": "",
               "steps.acting.outputs.login": ""}
    proc, _ = run_step(step(*PR_STEP), repo.root, runner, context,
                       event={"merge_group": {"base_sha": base, "head_sha": "x"}}, pinned=CLOCK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "检查了 1 个文件，没有发现问题。\n"


def test_pr_check_step_in_a_depth_two_clone(repo, runner, tmp_path):
    """As actions/checkout leaves it for a pull request: the merge commit and its two parents."""
    import subprocess

    base = _pull_request(repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone)], check=True)
    proc, _ = run_step(step(*PR_STEP), clone, runner, _pr_context(base, "li-gh"), pinned=CLOCK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = subprocess.run(["git", "-C", str(repo.root), "rev-list", "--max-parents=0", "HEAD"],
                           capture_output=True, text=True).stdout.strip()
    proc, _ = run_step(step(*PR_STEP), clone, runner, _pr_context(first, "li-gh"), pinned=CLOCK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "与合并提交的第一个父提交" in proc.stderr  # a base SHA the clone lacks: HEAD^1 is used


def test_form_step_passes_when_current_and_fails_when_stale(site_repo, runner, cli):
    (site_repo.root / ".github/ISSUE_TEMPLATE/ticket.yml").unlink()
    s = step(*FORM_STEP)
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 1 and "缺少 .github/ISSUE_TEMPLATE/ticket.yml" in proc.stderr
    assert cli("issue-form", cwd=site_repo.root).code == 0
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr


WRITE = ("ticket-from-issue.yml", "Write the ticket from the form")
OPEN_PR = ("ticket-from-issue.yml", "Push the branch, open the pull request, answer on the issue")


@pytest.fixture
def form_repo(repo, cli):
    """The tickets repository, li-user with GitHub login li-gh, committed on main, with an origin."""
    import subprocess

    from test_issue_form import _git_init
    from tickets_fixture import setup

    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    github: li-gh\n")
    assert cli("issue-form", cwd=repo.root).code == 0
    repo.git = _git_init(repo.root)
    with repo.git.config_writer() as cfg:  # as on the runner: no identity until the step sets one
        cfg.remove_section("user")
    origin = repo.root.parent / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    repo.git.create_remote("origin", str(origin))
    repo.origin = origin
    return repo


def _issue(login="li-gh"):
    from test_issue_form import CREATED, body

    return {"action": "opened", "issue": {"number": 7, "title": "[工单] 采购订单无法保存", "body": body(),
                                          "created_at": CREATED, "user": {"login": login},
                                          "labels": [{"name": "ticket"}]}}


def _outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value, or name<<DELIMITER … DELIMITER."""
    found, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            found[name] = "\n".join(value)
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def test_write_step_commits_the_ticket_on_the_issue_branch(form_repo, runner):
    s = step(*WRITE)
    assert s["env"] == {"ISSUE_NUMBER": "${{ github.event.issue.number }}"}
    proc, _ = run_step(s, form_repo.root, runner, {"github.event.issue.number": "7"}, event=_issue())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    head = form_repo.git.head.commit
    assert form_repo.git.active_branch.name == "ticket/issue-7"
    assert head.author.name == "github-actions[bot]"
    (rel,) = head.stats.files
    outputs = _outputs((runner / "github_output").read_text("utf-8"))
    tid = outputs["ticket"]
    assert rel == outputs["path"] == f"tickets/alpha/2026/{tid}.yaml"
    assert head.message.strip() == f"Open ticket {tid}: 采购订单无法保存"
    assert outputs["branch"] == "ticket/issue-7"
    assert outputs["pr-title"] == f"工单 {tid}：采购订单无法保存"
    assert outputs["pr-body"].splitlines()[0] == f"根据议题 #7 的工单表单生成工单 {tid}（{rel}）。"
    assert outputs["pr-body"].splitlines()[-1] == "Refs #7"


def test_write_step_fails_for_an_unknown_login_and_leaves_no_branch(form_repo, runner):
    proc, _ = run_step(step(*WRITE), form_repo.root, runner, {"github.event.issue.number": "7"},
                       event=_issue("stranger"))
    assert proc.returncode == 2
    assert "GitHub 账号 stranger 不在名册中" in proc.stderr
    assert [h.name for h in form_repo.git.heads] == ["main"]
    assert (runner / "github_output").read_text("utf-8") == ""


def test_open_pr_step_pushes_and_calls_gh_with_env_values_only(form_repo, runner, tmp_path):
    import os

    proc, _ = run_step(step(*WRITE), form_repo.root, runner, {"github.event.issue.number": "7"}, event=_issue())
    assert proc.returncode == 0, proc.stderr
    outputs = _outputs((runner / "github_output").read_text("utf-8"))
    # A stand-in for gh (not installed here): records each call, answers `pr create` with a URL.
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "gh.log"
    (fake / "gh").write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if sys.argv[1:3] == ['pr', 'create']:\n    print('https://github.com/o/r/pull/9')\n", "utf-8")
    (fake / "gh").chmod(0o755)
    s = step(*OPEN_PR)
    context = {"steps.app.outputs.token || github.token": "t0ken", "steps.app.outputs.token == ''": "false",
               "github.event.repository.default_branch": "main",
               "steps.ticket.outputs.branch": outputs["branch"], "steps.ticket.outputs.pr-title": outputs["pr-title"],
               "steps.ticket.outputs.pr-body": outputs["pr-body"], "steps.ticket.outputs.comment": outputs["comment"],
               "github.event.issue.number": "7"}
    proc, _ = run_step(s, form_repo.root, runner, context, event=_issue(),
                       pinned={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert calls == [
        ["auth", "setup-git"],
        ["pr", "create", "--base", "main", "--head", "ticket/issue-7", "--title", outputs["pr-title"],
         "--body", outputs["pr-body"]],
        ["issue", "comment", "7", "--body", f"已生成工单 {outputs['ticket']}，拉取请求： https://github.com/o/r/pull/9"],
    ]
    import git

    pushed = git.Repo(form_repo.origin).heads["ticket/issue-7"].commit
    assert pushed == form_repo.git.head.commit
    assert s["env"]["GH_TOKEN"] == "${{ steps.app.outputs.token || github.token }}"
    assert s["run"].splitlines()[:4] == [
        "gh auth setup-git",
        'git push origin "refs/heads/$BRANCH:refs/heads/$BRANCH"',
        'url="$(gh pr create --base "$BASE_BRANCH" --head "$BRANCH" --title "$PR_TITLE" --body "$PR_BODY")"',
        'gh issue comment "$ISSUE_NUMBER" --body "$COMMENT $url"',
    ]


# The data gate judges a pull request with the erpops of its base, whatever the pull request does
# to tools/erpops/: here it breaks the gate (gitdiff.compare finds nothing) and rewrites an event.

BROKEN_GATE = '''    """Everything wrong with changing `old` into `new` in one pull request."""
    return []
'''
# Installing the base offline and fast: this interpreter's packages (setuptools and erpops'
# dependencies, not erpops itself: its editable .pth is not read from PYTHONPATH) on PYTHONPATH,
# and no build isolation, index or dependencies.
OFFLINE_INSTALL = {"ERPOPS_BASE_PIP_ARGS": "--no-deps --no-build-isolation --no-index"}


def _offline(**more: str) -> dict[str, str]:
    import sysconfig

    return {**OFFLINE_INSTALL, "PYTHONPATH": sysconfig.get_paths()["purelib"], **CLOCK, **more}


def _package_pull_request(repo):
    """This package committed on main with the tickets; a PR that breaks the gate, rewrites the
    closed ticket's first event and adds a `pip` and a `venv` package, as GitHub's merge commit."""
    from prcheck_fixture import GitOps, base_repo
    from tickets_fixture import PATH

    for rel in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / rel, repo.root / rel)
    shutil.copytree(REPO_ROOT / "tools" / "erpops", repo.root / "tools" / "erpops",
                    ignore=shutil.ignore_patterns("__pycache__"))
    repo.write(".gitignore", "__pycache__/\n*.egg-info/\n/build/\n")
    ops, base = base_repo(repo)
    assert isinstance(ops, GitOps)
    repo.edit("tools/erpops/gitdiff.py",
              '    """Everything wrong with changing `old` into `new` in one pull request."""\n', BROKEN_GATE)
    repo.edit(PATH, "    note: 张师傅电话报告\n", "    note: 张师傅微信报告\n")
    for module in ("pip", "venv"):  # what `python -m pip` would run from the workspace, without -P
        repo.write(f"{module}/__init__.py", "raise SystemExit('the head ran as ' + __name__)\n")
    ops.commit("pr-check: nothing is wrong; and a better note")
    ops.merge("pr")
    return base


def test_trusted_code_the_base_gate_refuses_a_pull_request_that_breaks_the_gate(repo, tmp_path):
    import subprocess
    import sys

    from tickets_fixture import PATH

    base = _package_pull_request(repo)
    runner = tmp_path / "gate-runner"
    runner.mkdir()
    # An office member's pull request: protected paths are theirs to change, so only the
    # broken comparison stands between the rewritten event and main.
    context = _pr_context(base, "sun-gh")
    # The head's own code would let it through: what `pip install -e .` of the pull request ran.
    head = subprocess.run(
        [sys.executable, "-P", "-c", "import sys; sys.path.insert(0, 'tools'); from erpops.cli import main; "
         "sys.exit(main(['pr-check', '--base', sys.argv[1], '--author', 'sun-gh']))", base],
        cwd=repo.root, env={**os.environ, **CLOCK}, capture_output=True, text=True)
    assert (head.returncode, head.stdout) == (0, "检查了 4 个文件，没有发现问题。\n"), head.stderr

    proc, _ = run_step(step(*INSTALL_BASE), repo.root, runner, {"github.event.merge_group.base_sha": "",
                       "steps.dispatched.outputs.head-sha": ""}, pinned=_offline())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    venv = runner / "temp" / "erpops-base"
    base_sha = subprocess.run(["git", "rev-parse", "HEAD^1"], cwd=repo.root, capture_output=True,
                              text=True).stdout.strip()
    assert proc.stdout == f"erpops of {base_sha} in {venv}\n"
    where = subprocess.run([venv / "bin" / "python", "-c", "import erpops.gitdiff as g; print(g.__file__)"],
                           cwd=repo.root, env={**os.environ, **_offline()}, capture_output=True, text=True)
    assert where.stdout.startswith(str(venv / "lib")), where.stdout + where.stderr
    assert "return []" not in Path(where.stdout.strip()).read_text("utf-8")

    proc, summary = run_step(step(*PR_STEP), repo.root, runner, context, pinned=_offline())
    assert proc.returncode == 1, proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"::error file={PATH},line=25,col=5,title=pr-history::"), first
    assert f"| {PATH} | 25 | 错误 | pr-history |" in summary.read_text("utf-8")


def test_install_step_refuses_a_checkout_that_is_not_githubs_merge_commit(repo, tmp_path):
    from prcheck_fixture import base_repo

    ops, _ = base_repo(repo)
    ops.commit("a PR head checked out as it is, not merged")
    runner = tmp_path / "gate-runner"
    runner.mkdir()
    proc, _ = run_step(step(*INSTALL_BASE), repo.root, runner, {"github.event.merge_group.base_sha": "",
                       "steps.dispatched.outputs.head-sha": ""}, pinned=_offline())
    assert proc.returncode == 2
    assert proc.stdout.startswith("::error title=erpops base::HEAD is not GitHub's merge commit")
    assert not (runner / "temp" / "erpops-base").exists()


# A pull request opened by the ticket-form workflow (author github-actions[bot], branch
# ticket/issue-<N>) acts for whoever opened issue N, as the forge's API says.

@pytest.fixture
def forge_api():
    """A stand-in for the forge's REST API on 127.0.0.1 that records every request."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from types import SimpleNamespace

    api = SimpleNamespace(requests=[], answers={
        "/repos/o/r/issues/7": {"number": 7, "title": "[工单] 我是 zhao-gh", "user": {"login": "li-gh", "type": "User"}},
        "/repos/o/r/issues/8": {"number": 8, "user": {"login": "li-gh"}, "pull_request": {"url": "x"}},
    })

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            api.requests.append((self.path, self.headers.get("Authorization")))
            body = api.answers.get(self.path)
            data = json.dumps(body or {"message": "Not Found"}).encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api.env = {"GITHUB_API_URL": f"http://127.0.0.1:{server.server_port}", "GITHUB_REPOSITORY": "o/r",
               "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    yield api
    server.shutdown()
    server.server_close()


def _acting(forge_api, runner, cwd, head_ref="ticket/issue-7", author_type="Bot"):
    context = {"github.token": "t0ken", "github.event.pull_request.user.type" + DISPATCHED + "author-type": author_type,
               "github.head_ref" + DISPATCHED + "head-ref": head_ref}
    proc, _ = run_step(step(*ACTING_STEP), cwd, runner, context, pinned=forge_api.env)
    return proc, _outputs((runner / "github_output").read_text("utf-8"))


def test_acting_step_takes_the_issue_author_of_a_bot_ticket_pr_from_the_forge(forge_api, runner, tmp_path):
    proc, outputs = _acting(forge_api, runner, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs == {"login": "li-gh"}  # the issue's author, not the login named in its title
    assert forge_api.requests == [("/repos/o/r/issues/7", "Bearer t0ken")]
    assert proc.stdout == "Pull request of ticket/issue-7 acts for the author of issue #7: li-gh\n"


@pytest.mark.parametrize("head_ref,author_type", [
    ("ticket/issue-7", "User"),            # a person's pull request: pr-check judges its author
    ("forms/2026-11/alpha", "Bot"),        # the monthly forms: no issue behind it
    ("ticket/issue-7x", "Bot"),
    ("ticket/issue-7/../../8", "Bot"),
    ("ticket/issue-7\nlogin=zhao-gh", "Bot"),
    ("ticket/issue-", "Bot"),
])
def test_acting_step_asks_nothing_for_other_pull_requests(forge_api, runner, tmp_path, head_ref, author_type):
    proc, outputs = _acting(forge_api, runner, tmp_path, head_ref, author_type)
    assert (proc.returncode, proc.stdout, outputs) == (0, "", {}), proc.stderr
    assert forge_api.requests == []


@pytest.mark.parametrize("head_ref", ["ticket/issue-8", "ticket/issue-9"])
def test_acting_step_fails_for_a_pull_request_or_a_missing_issue(forge_api, runner, tmp_path, head_ref):
    proc, outputs = _acting(forge_api, runner, tmp_path, head_ref)
    assert proc.returncode != 0
    assert outputs == {}
    assert forge_api.requests == [(f"/repos/o/r/issues/{head_ref[13:]}", "Bearer t0ken")]


def _recording_erpops(runner, options: str) -> Path:
    """A stand-in for the base venv's erpops: its `pr-check --help` lists `options`; a run records argv."""
    log = runner / "erpops-argv.jsonl"
    script = runner / "temp" / "erpops-base" / "bin" / "erpops"
    script.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        "if sys.argv[1:] == ['pr-check', '--help']:\n"
        f"    print('Options:\\n  --base TEXT\\n  --author LOGIN\\n' + {options!r})\n    sys.exit(0)\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n", "utf-8")
    script.chmod(0o755)
    return log


def test_pr_check_step_passes_the_acting_person_and_the_forge_time_to_pr_check(forge_api, runner, tmp_path):
    proc, outputs = _acting(forge_api, runner, tmp_path)
    assert proc.returncode == 0, proc.stderr
    log = _recording_erpops(runner, "  --opened-at TIME\n  --acting-for LOGIN\n")
    context = _pr_context("b" * 40, "github-actions[bot]", acting_for=outputs["login"])
    proc, _ = run_step(step(*PR_STEP), tmp_path, runner, context)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = str(runner / "step_summary.md")
    assert [json.loads(line) for line in log.read_text("utf-8").splitlines()] == [[
        "pr-check", "--base", "b" * 40, "--author", "github-actions[bot]", "--format", "github",
        "--summary", summary, "--opened-at", OPENED_AT, "--acting-for", "li-gh"]]


def test_pr_check_step_leaves_out_the_flags_a_base_erpops_predates(runner, tmp_path):
    """The base's erpops judges; a flag it does not know would only make it exit 2 (usage)."""
    log = _recording_erpops(runner, "")
    proc, _ = run_step(step(*PR_STEP), tmp_path, runner, _pr_context("b" * 40, "github-actions[bot]", "li-gh"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (argv,) = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert argv == ["pr-check", "--base", "b" * 40, "--author", "github-actions[bot]", "--format", "github",
                    "--summary", str(runner / "step_summary.md")]


def test_pr_check_step_in_the_merge_queue_passes_no_opening_time(runner, tmp_path):
    log = _recording_erpops(runner, "  --opened-at TIME\n  --acting-for LOGIN\n")
    context = {"github.event.pull_request.base.sha" + DISPATCHED + "base-sha": "", "github.event.merge_group.base_sha": "c" * 40,
               "github.event.pull_request.user.login" + DISPATCHED + "author": "",
               "github.event.pull_request.created_at" + DISPATCHED + "created-at": "",
               "steps.acting.outputs.login": ""}
    proc, _ = run_step(step(*PR_STEP), tmp_path, runner, context)
    assert proc.returncode == 0, proc.stderr
    (argv,) = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert argv == ["pr-check", "--base", "c" * 40, "--author", "", "--format", "github",
                    "--summary", str(runner / "step_summary.md")]


# The changed-paths job: the package tests run when a pull request touches the package, the tests
# or the build, and always on push to main and in the merge queue.

def _merged_pr(root: Path, change) -> None:
    """A main branch with a ticket and the package, and GitHub's merge commit of a PR that `change`s it."""
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x",
                            "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@x"})

    for rel in ("tickets/alpha/2026/ALP-1.yaml", "tools/erpops/gitdiff.py", "docs/index.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n", "utf-8")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("switch", "-q", "-c", "pr")
    change(root)
    git("add", "-A")
    git("commit", "-q", "-m", "pr")
    git("switch", "-q", "main")
    git("merge", "--no-ff", "-q", "-m", "Merge pr into main", "pr")


def _write(rel: str):
    def change(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("changed\n", "utf-8")
    return change


def _changes(root: Path, runner: Path, event: str = "pull_request"):
    proc, _ = run_step(step(*CHANGES_STEP), root, runner, pinned={"GITHUB_EVENT_NAME": event})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, _outputs((runner / "github_output").read_text("utf-8"))


def test_changed_paths_of_a_ticket_pull_request_skip_the_package_tests(tmp_path, runner):
    _merged_pr(tmp_path, _write("tickets/alpha/2026/ALP-1.yaml"))
    assert _changes(tmp_path, runner) == ("1 changed paths; package tests: false\n", {"package": "false"})


@pytest.mark.parametrize("rel", [
    "tools/erpops/gitdiff.py", "tools/erpops/新.py", "tests/test_x.py", "bench/gen.py", "pyproject.toml",
    "requirements.txt", "requirements-dev.txt", "Makefile", ".ci/run", "mkdocs.yml", "mkdocs.public.yml",
    ".github/workflows/ci.yml", ".github/CODEOWNERS",
])
def test_changed_paths_of_the_package_tests_or_build_run_the_package_tests(tmp_path, runner, rel):
    _merged_pr(tmp_path, _write(rel))
    assert _changes(tmp_path, runner)[1] == {"package": "true"}


@pytest.mark.parametrize("rel", ["docs/index.md", "runbooks/alpha/x.md", "reports/2026-11/alpha.md",
                                 "roster/people.yaml", "policy.yaml", "docs/tools/x.md", "docs/mkdocs.yml",
                                 "Makefile.old", "README.md"])
def test_changed_paths_of_data_and_docs_skip_the_package_tests(tmp_path, runner, rel):
    _merged_pr(tmp_path, _write(rel))
    assert _changes(tmp_path, runner)[1] == {"package": "false"}


def test_changed_paths_count_the_old_name_of_a_file_moved_out_of_the_package(tmp_path, runner):
    def move(root: Path) -> None:
        (root / "tools/erpops/gitdiff.py").rename(root / "docs/gitdiff.py")
    _merged_pr(tmp_path, move)
    assert _changes(tmp_path, runner) == ("2 changed paths; package tests: true\n", {"package": "true"})


@pytest.mark.parametrize("event", ["push", "merge_group"])
def test_changed_paths_on_main_and_in_the_merge_queue_run_both_gates(tmp_path, runner, event):
    _merged_pr(tmp_path, _write("tickets/alpha/2026/ALP-1.yaml"))
    assert _changes(tmp_path, runner, event) == (f"{event}: package tests run\n", {"package": "true"})


def test_changed_paths_without_a_merge_commit_run_the_package_tests(tmp_path, runner):
    """Fail safe: nothing to compare with (a depth-1 checkout, a root commit) runs the tests."""
    import subprocess

    (tmp_path / "a.yaml").write_text("x\n", "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@x", "commit", "-q", "-m", "only"],
                   cwd=tmp_path, check=True)
    assert _changes(tmp_path, runner)[1] == {"package": "true"}
