"""Every command a workflow runs, run here as the runner would: bash -eo pipefail, the step's env,
and the runner's files ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT, an event payload) in a tiny repository."""
from __future__ import annotations

import shutil

import pytest

from conftest import REPO_ROOT
from workflows import run_step, step, steps

# Steps whose command the CI of this repository already runs outside the workflow.
RUN_ELSEWHERE = {
    ("ci.yml", "Install erpops with its test tools"): "python -m pip install -e '.[test]'",
    ("pages.yml", "Install erpops"): "python -m pip install -e .",
    ("ci.yml", "Tests"): "python -m pytest -q",
}
# Steps executed below, each by at least one test of this module.
RUN_HERE = {
    ("ci.yml", "Check roster, policy, tickets and runbooks"),
    ("ci.yml", "CODEOWNERS matches the roster"),
    ("ci.yml", "Check what the pull request changes"),
    ("ci.yml", "Site (strict build)"),
    ("pages.yml", "Refuse to publish an internal site on public Pages"),
    ("pages.yml", "Build (strict)"),
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
def site_repo(repo, cli):
    """The tiny repository with this repository's site settings and a current CODEOWNERS."""
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo.root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "docs", repo.root / "docs")
    assert cli("codeowners", cwd=repo.root).code == 0
    return repo


@pytest.fixture
def runner(tmp_path):
    folder = tmp_path / "runner"
    folder.mkdir()
    return folder


def test_check_step_passes_and_writes_the_job_summary(site_repo, runner):
    proc, summary = run_step(step("ci.yml", "Check roster, policy, tickets and runbooks"), site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "检查了 4 个文件，没有发现问题。\n"
    assert summary.read_text("utf-8") == "## erpops 数据检查\n\n✅ 检查了 4 个文件，没有发现问题。\n"


def test_check_step_fails_with_annotations_and_a_table(site_repo, runner):
    site_repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc, summary = run_step(step("ci.yml", "Check roster, policy, tickets and runbooks"), site_repo.root, runner)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith(
        "::error file=roster/subsystems/alpha.yaml,line=7,col=3,title=roster-key-user-leader::")
    lines = summary.read_text("utf-8").splitlines()
    assert lines[2] == "❌ 检查了 4 个文件：1 个错误，0 个警告。"
    assert lines[4] == "| 文件 | 行 | 级别 | 规则 | 说明 |"
    assert lines[6].startswith("| roster/subsystems/alpha.yaml | 7 | 错误 | roster-key-user-leader | ")
    assert len(lines) == 7


def test_codeowners_step_passes_when_current_and_fails_when_stale(site_repo, runner):
    s = step("ci.yml", "CODEOWNERS matches the roster")
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site_repo.edit("roster/people.yaml", "  - id: qian-erp\n", "  - id: qian-erp\n    github: qian-gh\n")
    proc, _ = run_step(s, site_repo.root, runner)
    assert proc.returncode == 1
    assert "+/roster/ @qian-gh" in proc.stdout.splitlines()
    assert "已过期" in proc.stderr


@pytest.mark.parametrize("where", [("ci.yml", "Site (strict build)"), ("pages.yml", "Build (strict)")])
def test_site_build_step_builds_the_site(site_repo, runner, where):
    proc, _ = run_step(step(*where), site_repo.root, runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (site_repo.root / "site" / "organisation" / "index.html").read_text("utf-8")
    assert "甲系统" in page


def test_site_build_step_fails_on_bad_data(site_repo, runner):
    site_repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc, _ = run_step(step("ci.yml", "Site (strict build)"), site_repo.root, runner)
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


PR_STEP = ("ci.yml", "Check what the pull request changes")


CLOCK = {"ERPOPS_NOW": "2026-11-03T09:00:00+08:00"}


def _pull_request(repo):
    """A base on main and GitHub's merge commit of a PR that comments on the open ticket as li-user."""
    from prcheck_fixture import OPEN_PATH, append, base_repo, event

    ops, base = base_repo(repo)
    append(repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    ops.commit("comment")
    ops.merge("pr")
    return base


def _pr_context(base: str, login: str) -> dict[str, str]:
    return {"github.event.pull_request.base.sha": base, "github.event.merge_group.base_sha": "",
            "github.event.pull_request.user.login": login}


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
    context = {"github.event.pull_request.base.sha": "", "github.event.merge_group.base_sha": base,
               "github.event.pull_request.user.login": ""}
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
