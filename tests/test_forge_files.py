"""The GitLab and Gitea/Forgejo files: valid for their forge's schema, their gate scripts run here as
the runner would with that forge's variables, and the same pull request gets the same verdict on
all three forges. Also the GitLab issue template's round trip and `erpops publish`."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT
from erpops import issueform, load
from workflows import BIN, run_step, stand_in_base_venv

GITLAB_CI = REPO_ROOT / ".gitlab-ci.yml"
GITEA = REPO_ROOT / ".gitea" / "workflows"
CLOCK = {"ERPOPS_NOW": "2026-11-03T09:00:00+08:00"}


def _tool(name):
    return str(BIN / name)


def test_gitlab_ci_validates_against_gitlabs_schema():
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(GITLAB_CI)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_gitea_workflows_validate_against_the_github_workflow_schema_and_say_what_gitea_ignores():
    files = sorted(GITEA.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "monthly.yml", "notify.yml", "publish.yml", "ticket-from-issue.yml"]
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for f in files:
        assert "Gitea ignores `permissions:`" in f.read_text("utf-8"), f.name


def test_zizmor_finds_nothing_in_the_gitea_workflows():
    files = sorted(GITEA.glob("*.yml"))
    proc = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", *map(str, files)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _gitlab_job(name):
    return yaml.safe_load(GITLAB_CI.read_text("utf-8"))[name]


def test_gitlab_pipelines_run_for_merge_requests_main_and_schedules():
    ci = yaml.safe_load(GITLAB_CI.read_text("utf-8"))
    rules = [r["if"] for r in ci["workflow"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in rules
    assert '$CI_PIPELINE_SOURCE == "schedule"' in rules
    assert ci["gate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert ci["pages"]["artifacts"]["paths"] == ["public"]
    assert "Only project members" in GITLAB_CI.read_text("utf-8")
    changes = ci["test"]["rules"][0]["changes"]["paths"]
    assert "tools/**/*" in changes and "tickets/**/*" not in changes


def _run_gitlab(script: str, cwd: Path, tmp: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "GITLAB_", "ERPOPS_"))}
    base.update(PATH=f"{BIN}{os.pathsep}{base.get('PATH', '')}", CI="true", GITLAB_CI="true",
                CI_PROJECT_DIR=str(tmp), PYTHONIOENCODING="utf-8", **CLOCK)
    base.update(env)
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env=base, capture_output=True, text=True, encoding="utf-8", timeout=300)


def _gitlab_base_venv(tmp: Path) -> None:
    """The gate's base venv as its install script leaves it, standing in with this erpops."""
    bin_ = tmp / ".erpops-base" / "bin"
    bin_.mkdir(parents=True)
    for name, target in (("erpops", BIN / "erpops"), ("python", Path(sys.executable))):
        (bin_ / name).write_text(f'#!/bin/sh\nexec "{target}" "$@"\n', "utf-8")
        (bin_ / name).chmod(0o755)


def _pull_request(repo):
    from prcheck_fixture import OPEN_PATH, append, base_repo, event

    ops, base = base_repo(repo)
    append(repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    ops.commit("comment")
    ops.merge("pr")
    return base


def _gitlab_pr_check(repo, tmp, base, login):
    script = next(s for s in _gitlab_job("gate")["script"] if "pr-check" in s)
    _gitlab_base_venv(tmp)
    return _run_gitlab(script, repo.root, tmp, {
        "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_MERGE_REQUEST_IID": "7", "GITLAB_USER_LOGIN": login})


def _gitea_pr_check(repo, runner, base, login):
    ci = yaml.safe_load((GITEA / "ci.yml").read_text("utf-8"))
    s = next(s for s in ci["jobs"]["gate"]["steps"] if s["name"].startswith("Check what the pull request"))
    stand_in_base_venv(runner)
    context = {"github.event.pull_request.base.sha": base, "github.event.pull_request.user.login": login,
               "github.event.pull_request.created_at": "2026-11-02T10:00:00+08:00", "github.token": "x"}
    proc, _ = run_step(s, repo.root, runner, context, pinned=CLOCK)
    return proc


def _github_pr_check(repo, runner, base, login):
    from workflows import step

    stand_in_base_venv(runner)
    from test_workflow_steps import DISPATCHED  # a dispatched run's values come after the event's

    context = {"github.event.pull_request.base.sha" + DISPATCHED + "base-sha": base, "github.event.merge_group.base_sha": "",
               "github.event.pull_request.user.login" + DISPATCHED + "author": login,
               "github.event.pull_request.created_at" + DISPATCHED + "created-at": "2026-11-02T10:00:00+08:00",
               "steps.acting.outputs.login": ""}
    proc, _ = run_step(step("ci.yml", "Check what the pull request changes (base revision's erpops)"),
                       repo.root, runner, context, pinned=CLOCK)
    return proc


@pytest.mark.parametrize("login, code", [("li-gh", 0), ("zhou-gh", 1)])
def test_the_gate_gives_the_same_verdict_on_all_three_forges(repo, runner, tmp_path, login, code):
    """The fixture's people have one login, used here as their username on every forge."""
    from prcheck_fixture import OPEN_PATH

    base = _pull_request(repo)
    github = _github_pr_check(repo, runner, base, login)
    gitlab = _gitlab_pr_check(repo, tmp_path / "gitlab", base, login)
    (tmp_path / "gitea-runner").mkdir()
    gitea = _gitea_pr_check(repo, tmp_path / "gitea-runner", base, login)
    assert (github.returncode, gitlab.returncode, gitea.returncode) == (code, code, code), \
        (github.stdout + github.stderr, gitlab.stdout + gitlab.stderr, gitea.stdout + gitea.stderr)
    if code == 0:
        assert gitlab.stdout == gitea.stdout == "检查了 1 个文件，没有发现问题。\n"
    else:
        # GitHub annotates; GitLab's log and Gitea's log carry the same finding as text.
        assert github.stdout.startswith(f"::error file={OPEN_PATH},line=22,col=5,title=pr-author::")
        for proc in (gitlab, gitea):
            assert f"{OPEN_PATH}:22" in proc.stdout and "pr-author" in proc.stdout


def test_gitlab_gate_without_a_diff_base_is_unusable(repo, tmp_path):
    script = _gitlab_job("gate")["script"][0]
    proc = _run_gitlab(script, repo.root, tmp_path, {"CI_PIPELINE_SOURCE": "merge_request_event"})
    assert proc.returncode != 0
    assert "no diff base" in proc.stderr


def _fill(template: str, choices: dict[str, str], texts: dict[str, str]) -> str:
    """What a person does with the GitLab template: keep one line of each list, write under headings."""
    out, field = [], None
    labels = {issueform.label(f, "zh"): f for f in issueform.FIELDS}
    for line in template.split("\n"):
        if line.startswith("### "):
            field = labels[line[4:]]
            out.append(line)
            if field in texts:
                out.append(texts[field])
            continue
        if field in choices and line.startswith("- ") and choices[field] not in line:
            continue
        out.append(line)
    return "\n".join(out)


@pytest.fixture
def ops(repo):
    from tickets_fixture import setup

    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    gitlab: li.gl\n")
    return repo


def test_gitlab_template_round_trips_through_the_parser(ops):
    repo = load.load(ops.root)
    template = issueform.render_markdown(repo.roster, repo.policy, "zh")
    assert template.rstrip().endswith('/label ~"ticket"')
    body = _fill(template, {"subsystem": "（alpha）", "type": "（fault）", "priority": "P3 "},
                 {"symptom": "MRP 运算报错", "impact": "二车间"})
    fields = issueform.parse_markdown(body, repo.roster, repo.policy, "zh")
    assert (fields["subsystem"], fields["type"], fields["priority"]) == ("alpha", "fault", "P3")
    assert fields["symptom"] == "MRP 运算报错" and fields["impact"] == "二车间" and fields["cause"] is None


def test_gitlab_template_with_two_options_left_is_refused(ops):
    repo = load.load(ops.root)
    template = issueform.render_markdown(repo.roster, repo.policy, "zh")
    body = _fill(template, {"subsystem": "（alpha）", "priority": "P3 "}, {"symptom": "x"})  # every type left
    with pytest.raises(issueform.FormError) as err:
        issueform.parse_markdown(body, repo.roster, repo.policy, "zh")
    assert err.value.args[0] == "issueform.bad-option"


def test_issue_form_writes_each_forges_files(ops, cli):
    repo = ops
    for forge, paths in (("gitea", [".gitea/ISSUE_TEMPLATE/ticket.yml", ".gitea/ISSUE_TEMPLATE/config.yml"]),
                         ("gitlab", [".gitlab/issue_templates/工单.md"])):
        r = cli("issue-form", "--forge", forge, cwd=repo.root)
        assert r.code == 0, r.err
        assert all((repo.root / p).is_file() for p in paths)
        assert cli("issue-form", "--forge", forge, "--check", cwd=repo.root).code == 0
    gitea = (repo.root / ".gitea/ISSUE_TEMPLATE/ticket.yml").read_text("utf-8")
    assert yaml.safe_load(gitea)["body"][1]["id"] == "subsystem"


def test_publish_replaces_the_folder_and_refuses_without_a_site(repo, cli, tmp_path):
    target = tmp_path / "srv" / "erpops"
    r = cli("publish", "--to", str(target), cwd=repo.root)
    assert r.code == 2 and "mkdocs build" in r.err
    site = repo.root / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("<p>new</p>", "utf-8")
    (site / "a" / "b.html").write_text("b", "utf-8")
    target.mkdir(parents=True)
    (target / "stale.html").write_text("old", "utf-8")
    r = cli("publish", "--to", str(target), cwd=repo.root)
    assert r.code == 0, r.err
    assert r.out == f"已将网站发布到 {target}（2 个文件）。\n"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["a", "a/b.html", "index.html"]
    assert [p.name for p in target.parent.iterdir()] == ["erpops"]  # no stage or old copy left behind


def test_from_issue_reads_a_gitlab_issue_hook_and_the_template(ops, cli, tmp_path):
    import git

    g = git.Repo.init(ops.root, initial_branch="main")
    with g.config_writer() as cfg:
        cfg.set_value("user", "email", "ci@example.com")
        cfg.set_value("user", "name", "CI")
    g.git.add("-A")
    g.git.commit("-m", "base")
    repo = load.load(ops.root)
    body = _fill(issueform.render_markdown(repo.roster, repo.policy, "zh"),
                 {"subsystem": "（alpha）", "type": "（fault）", "priority": "P3 "}, {"symptom": "保存采购订单时报错"})
    hook = {"object_kind": "issue", "user": {"username": "li.gl"}, "labels": [{"title": "ticket"}],
            "object_attributes": {"iid": 9, "action": "open", "title": "[工单] 采购订单无法保存",
                                  "description": body, "created_at": "2026-11-03 01:00:00 UTC"}}
    event = tmp_path / "hook.json"
    event.write_text(json.dumps(hook), "utf-8")
    r = cli("ticket", "from-issue", "--forge", "gitlab", "--event", str(event), "--branch", "ticket/issue-9",
            cwd=ops.root)
    assert r.code == 0, r.err
    (rel,) = sorted(p.relative_to(ops.root).as_posix() for p in (ops.root / "tickets").rglob("*.yaml"))
    data = yaml.safe_load(g.git.show(f"ticket/issue-9:{rel}"))
    assert (data["subsystem"], data["type"], data["priority"], data["title"]) == ("alpha", "fault", "P3", "采购订单无法保存")
    # The same payload read as GitHub's is not an issue; a GitLab username unknown to the roster is refused.
    assert cli("ticket", "from-issue", "--event", str(event), cwd=ops.root).code == 2
    hook["user"]["username"] = "stranger"
    event.write_text(json.dumps(hook), "utf-8")
    assert cli("ticket", "from-issue", "--forge", "gitlab", "--event", str(event), cwd=ops.root).code == 2


# --- erpops init --forge ------------------------------------------------------------------------

TEMPLATES = REPO_ROOT / "tools/erpops/templates/init"
FORGE_FILES = {
    "gitlab": [".gitlab-ci.yml", ".gitlab/CODEOWNERS", ".gitlab/issue_templates/工单.md"],
    "gitea": [".gitea/CODEOWNERS", ".gitea/ISSUE_TEMPLATE/config.yml", ".gitea/ISSUE_TEMPLATE/ticket.yml",
              ".gitea/workflows/ci.yml", ".gitea/workflows/monthly.yml", ".gitea/workflows/notify.yml",
              ".gitea/workflows/publish.yml", ".gitea/workflows/ticket-from-issue.yml"],
}


@pytest.mark.parametrize("forge", ["gitlab", "gitea"])
def test_init_writes_that_forges_files_only_and_they_are_current(tmp_path, cli, forge):
    target = tmp_path / "ops"
    r = cli("init", str(target), "--forge", forge)
    assert r.code == 0, r.err
    tree = sorted(p.relative_to(target).as_posix() for p in target.rglob("*")
                  if p.is_file() and p.relative_to(target).parts[0] in (".github", ".gitlab", ".gitea", ".gitlab-ci.yml"))
    assert tree == FORGE_FILES[forge]
    assert cli("check", cwd=target).code == 0
    assert cli("codeowners", "--forge", forge, "--check", cwd=target).code == 0
    assert cli("issue-form", "--forge", forge, "--check", cwd=target).code == 0
    # policy.yaml says which forge, so the commands need no --forge there.
    assert f"\nforge: {forge}\n" in (target / "policy.yaml").read_text("utf-8")
    r = cli("codeowners", "--check", cwd=target)
    assert r.code == 0 and r.out.startswith(f"{'.gitlab' if forge == 'gitlab' else '.gitea'}/CODEOWNERS")
    assert cli("issue-form", "--check", cwd=target).code == 0
    schema = "vendor.gitlab-ci" if forge == "gitlab" else "vendor.github-workflows"
    ci = [target / ".gitlab-ci.yml"] if forge == "gitlab" else sorted((target / ".gitea/workflows").glob("*.yml"))
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, ci)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _adopted(text: str) -> str:
    """This repository's CI as an adopted repository runs it: erpops from requirements.txt."""
    return (text.replace(' "$src"\n', ' -r "$src/requirements.txt"\n')
            .replace("pip install --quiet -e .\n", "pip install --quiet -r requirements.txt\n")
            .replace("pip install -e .\n", "pip install -r requirements.txt\n"))


def test_gitlab_template_keeps_this_repositorys_jobs_less_the_package_tests():
    ours = yaml.safe_load(_adopted(GITLAB_CI.read_text("utf-8")))
    shipped = yaml.safe_load((TEMPLATES / "forge-gitlab/dot-gitlab-ci.yml").read_text("utf-8"))
    del ours["test"]
    ours["stages"].remove("test")
    assert shipped == ours


@pytest.mark.parametrize("name", ["ci.yml", "monthly.yml", "notify.yml", "publish.yml", "ticket-from-issue.yml"])
def test_gitea_templates_keep_this_repositorys_steps_less_the_package_tests(name):
    ours = yaml.safe_load(_adopted((GITEA / name).read_text("utf-8")))
    shipped = yaml.safe_load((TEMPLATES / "forge-gitea/dot-gitea/workflows" / name).read_text("utf-8"))
    ours["jobs"].pop("test", None)
    assert shipped == ours


# --- publishing without Pages -------------------------------------------------------------------

PUBLISH_FILES = [REPO_ROOT / ".github/workflows/publish.yml", GITEA / "publish.yml"]


def _publish_step(path: Path, name: str) -> dict:
    wf = yaml.safe_load(path.read_text("utf-8"))
    (found,) = [s for s in wf["jobs"]["publish"]["steps"] if s.get("name") == name]
    return found


def test_publish_builds_the_site_as_the_pages_workflow_does():
    from workflows import step

    for path in PUBLISH_FILES:
        assert _publish_step(path, "Build (strict)") == step("pages.yml", "Build (strict)")


@pytest.mark.parametrize("path", PUBLISH_FILES, ids=lambda p: p.parent.parent.name)
def test_publish_step_copies_to_a_folder_or_rsyncs_or_says_it_is_not_set(repo, runner, tmp_path, path):
    s = _publish_step(path, "Copy the site to the web server")
    (repo.root / "site").mkdir()
    (repo.root / "site" / "index.html").write_text("<p>x</p>", "utf-8")
    target = tmp_path / "srv"
    proc, _ = run_step(s, repo.root, runner, {"vars.ERPOPS_PUBLISH_TO": str(target), "secrets.ERPOPS_PUBLISH_KEY": ""})
    assert proc.returncode == 0, proc.stderr
    assert (target / "index.html").read_text("utf-8") == "<p>x</p>"

    proc, _ = run_step(s, repo.root, runner, {"vars.ERPOPS_PUBLISH_TO": "", "secrets.ERPOPS_PUBLISH_KEY": ""})
    assert proc.returncode == 0 and "ERPOPS_PUBLISH_TO is not set" in proc.stdout

    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "rsync").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RSYNC_ARGS"\n', "utf-8")
    (fake / "rsync").chmod(0o755)
    args = tmp_path / "rsync-args"
    proc, _ = run_step(s, repo.root, runner, {"vars.ERPOPS_PUBLISH_TO": "web01:/srv/erpops/",
                                               "secrets.ERPOPS_PUBLISH_KEY": "KEY"},
                       pinned={"PATH": f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
                               "RSYNC_ARGS": str(args)})
    assert proc.returncode == 0, proc.stderr
    key = runner / "temp" / "publish-key"
    assert args.read_text("utf-8").splitlines() == [
        "-a", "--delete", "-e", f"ssh -i {key} -o StrictHostKeyChecking=yes", "site/", "web01:/srv/erpops/"]
    assert key.read_text("utf-8") == "KEY\n" and oct(key.stat().st_mode & 0o777) == "0o600"


# --- the Gitea workflows keep the GitHub workflows' hygiene -------------------------------------

def _gitea_steps():
    for path in sorted(GITEA.glob("*.yml")):
        for job in yaml.safe_load(path.read_text("utf-8"))["jobs"].values():
            yield from job["steps"]


def test_gitea_workflows_pin_actions_keep_no_token_and_no_expression_in_scripts():
    steps = list(_gitea_steps())
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", u) for u in uses)
    assert all(s["with"]["persist-credentials"] is False for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert not [s["run"] for s in steps if "${{" in s.get("run", "")]
    assert "${{" not in "".join(s for s in _gitlab_job("gate")["script"])


def test_gitlab_gate_runs_the_base_revisions_erpops_not_the_merge_requests(repo, tmp_path):
    """As test_workflow_steps' trusted-code test, on GitLab: the merge request breaks the gate in
    tools/erpops/ and rewrites a closed ticket; the base's erpops, installed by the gate's first
    script from CI_MERGE_REQUEST_DIFF_BASE_SHA, still refuses it."""
    from test_workflow_steps import _offline, _package_pull_request
    from tickets_fixture import PATH

    base = _package_pull_request(repo)
    project = tmp_path / "project-dir"
    project.mkdir()
    env = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
           "CI_MERGE_REQUEST_IID": "3", "GITLAB_USER_LOGIN": "li-gh", **_offline()}
    install, _check, gate, _site = _gitlab_job("gate")["script"]
    proc = _run_gitlab(install, repo.root, project, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"erpops of {base} in {project / '.erpops-base'}\n"
    proc = _run_gitlab(gate, repo.root, project, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{PATH}:25" in proc.stdout and "pr-history" in proc.stdout
