"""CI without hand work on form-made pull requests: the ticket workflow dispatches ci.yml when it has
no GitHub App token, the dispatched run reads its pull request from the API (never from its inputs)
and sets its results as commit statuses; a failed intake is answered on the issue. Each step run
as the runner would (tests/workflows.py) against the recording forge on 127.0.0.1."""
from __future__ import annotations

import json
import os

import pytest

from forge_server import OWNER_REPO, TOKEN, forge, forge_env, no_ci  # noqa: F401
from test_workflow_steps import OPEN_PR, WRITE, _issue, _outputs, form_repo  # noqa: F401
from workflows import run_step, step

DISPATCHED = ("ci.yml", "Read the pull request of a dispatched run")
GATE_STATUS = ("ci.yml", "Set the data gate's result as a commit status on the pull request's head")
TEST_STATUS = ("ci.yml", "Set the package tests' result as a commit status on the pull request's head")
ANSWER = ("ticket-from-issue.yml", "Answer a failure on the issue")
HEAD, BASE = "a" * 40, "b" * 40


def _pull(**changes) -> dict:
    pull = {"number": 12, "state": "open", "created_at": "2026-11-03T01:16:00Z",
            "user": {"login": "github-actions[bot]", "type": "Bot"},
            "head": {"ref": "ticket/issue-7", "sha": HEAD, "repo": {"full_name": OWNER_REPO}},
            "base": {"ref": "main", "sha": BASE}}
    for key, value in changes.items():
        target = pull
        *path, last = key.split("__")
        for part in path:
            target = target[part]
        target[last] = value
    return pull


def _dispatched(forge, runner, tmp_path, number="12", sha=HEAD, ref="refs/heads/ticket/issue-7"):  # noqa: F811
    env = {**forge_env("github", forge.url), "GITHUB_SHA": sha, "GITHUB_REF": ref, "GITHUB_EVENT_NAME": "workflow_dispatch"}
    env.pop("GITHUB_TOKEN")
    proc, _ = run_step(step(*DISPATCHED), tmp_path, runner, {"github.token": TOKEN, "inputs.pull-request": number},
                       pinned=env)
    return proc, _outputs((runner / "github_output").read_text("utf-8"))


def test_a_dispatched_run_takes_its_pull_request_from_the_api(forge, runner, tmp_path):  # noqa: F811
    forge.state.pulls[12] = _pull()
    proc, outputs = _dispatched(forge, runner, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs == {"base-sha": BASE, "head-sha": HEAD, "author": "github-actions[bot]", "author-type": "Bot",
                       "head-ref": "ticket/issue-7", "created-at": "2026-11-03T01:16:00Z",
                       "merge-ref": "refs/pull/12/merge"}
    assert forge.calls() == [("GET", f"/api/v3/repos/{OWNER_REPO}/pulls/12")]
    assert forge.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("pull,kwargs,why", [
    (_pull(head__sha="c" * 40), {}, "head is not this run's commit"),       # another PR's number
    (_pull(), {"ref": "refs/heads/other"}, "head is not this run's commit"),
    (_pull(state="closed"), {}, "state"),
    (_pull(head__repo={"full_name": "fork/erpops"}), {}, "head repository"),
    (_pull(user={"login": "x\nmerge-ref=refs/heads/evil", "type": "User"}), {}, "author"),
    (_pull(head__ref="ticket/issue-7\nbase-sha=" + "c" * 40), {}, "head-ref"),
])
def test_a_dispatched_run_refuses_a_pull_request_it_was_not_dispatched_for(forge, runner, tmp_path, pull, kwargs, why):  # noqa: F811
    forge.state.pulls[12] = pull
    proc, outputs = _dispatched(forge, runner, tmp_path, **kwargs)
    assert proc.returncode == 2
    assert outputs == {}
    assert "::error title=erpops dispatch::pull request #12 cannot be judged by this run: " in proc.stderr
    assert why in proc.stderr


@pytest.mark.parametrize("number", ["", "0", "12; id", "-1", "../12", "1" * 11])
def test_a_dispatched_run_takes_only_a_number_from_its_input(forge, runner, tmp_path, number):  # noqa: F811
    proc, outputs = _dispatched(forge, runner, tmp_path, number=number)
    assert proc.returncode == 2 and outputs == {}
    assert "input pull-request is not a pull request number" in proc.stdout
    assert forge.requests == []


def test_a_missing_pull_request_fails_the_dispatched_run(forge, runner, tmp_path):  # noqa: F811
    proc, outputs = _dispatched(forge, runner, tmp_path, number="99")
    assert proc.returncode != 0 and outputs == {}


@pytest.mark.parametrize("where,result,state", [
    (GATE_STATUS, "success", "success"), (GATE_STATUS, "failure", "failure"), (GATE_STATUS, "cancelled", "failure"),
    (TEST_STATUS, "success", "success"), (TEST_STATUS, "skipped", "success"), (TEST_STATUS, "failure", "failure"),
])
def test_a_dispatched_runs_result_is_set_on_the_pull_requests_head(forge, runner, tmp_path, where, result, state):  # noqa: F811
    s = step(*where)
    job = "gate" if where == GATE_STATUS else "test"
    env = {**forge_env("github", forge.url), "GITHUB_SHA": HEAD, "GITHUB_RUN_ID": "77"}
    env.pop("GITHUB_TOKEN")
    proc, _ = run_step(s, tmp_path, runner, {"github.token": TOKEN, f"needs.{job}.result": result}, pinned=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (req,) = forge.requests
    assert (req.method, req.path) == ("POST", f"/api/v3/repos/{OWNER_REPO}/statuses/{HEAD}")
    assert req.body == {"state": state, "context": s["env"]["CONTEXT"],
                        "target_url": f"https://github.invalid/{OWNER_REPO}/actions/runs/77"}
    assert proc.stdout == f"{s['env']['CONTEXT']}: {state} on {HEAD}\n"


def _fake_gh(tmp_path):
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "gh.log"
    (fake / "gh").write_text(
        "#!/usr/bin/env python3\nimport json, os, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps([os.environ['GH_TOKEN'], *sys.argv[1:]]) + '\\n')\n"
        "if sys.argv[1:3] == ['pr', 'create']:\n    print('https://github.com/o/r/pull/9')\n", "utf-8")
    (fake / "gh").chmod(0o755)
    return fake, log


@pytest.mark.parametrize("app_token", ["", "ghs_app"])
def test_without_an_app_the_pull_request_gets_a_dispatched_ci_run(form_repo, runner, tmp_path, app_token):  # noqa: F811
    proc, _ = run_step(step(*WRITE), form_repo.root, runner, {"github.event.issue.number": "7"}, event=_issue())
    assert proc.returncode == 0, proc.stderr
    outputs = _outputs((runner / "github_output").read_text("utf-8"))
    fake, log = _fake_gh(tmp_path)
    context = {"steps.app.outputs.token || github.token": app_token or "t0ken",
               "steps.app.outputs.token == ''": "false" if app_token else "true",
               "github.event.repository.default_branch": "main", "steps.ticket.outputs.branch": outputs["branch"],
               "steps.ticket.outputs.pr-title": outputs["pr-title"], "steps.ticket.outputs.pr-body": outputs["pr-body"],
               "steps.ticket.outputs.comment": outputs["comment"], "github.event.issue.number": "7"}
    proc, _ = run_step(step(*OPEN_PR), form_repo.root, runner, context, event=_issue(),
                       pinned={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    token = app_token or "t0ken"
    assert [c[:3] for c in calls[:3]] == [[token, "auth", "setup-git"], [token, "pr", "create"], [token, "issue", "comment"]]
    if app_token:
        assert len(calls) == 3  # the App's pull request starts CI by itself
    else:
        assert calls[3] == ["t0ken", "workflow", "run", "ci.yml", "--ref", "ticket/issue-7", "-f", "pull-request=9"]


def test_a_refused_form_is_answered_on_the_issue_by_the_workflow(form_repo, runner, forge):  # noqa: F811
    proc, _ = run_step(step(*WRITE), form_repo.root, runner, {"github.event.issue.number": "7"},
                       event=_issue("stranger"))
    assert proc.returncode == 2
    answer = runner / "temp" / "issue-answer.md"
    assert answer.read_text("utf-8").startswith("<!-- erpops:intake-answer -->\n\n**未能根据本议题生成工单。**")
    env = forge_env("github", forge.url)
    env.pop("GITHUB_TOKEN")
    proc, _ = run_step(step(*ANSWER), form_repo.root, runner, {
        "steps.app.outputs.token || github.token": TOKEN, "github.event.issue.number": "7"}, pinned=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (req,) = forge.requests
    assert (req.method, req.path) == ("POST", f"/api/v3/repos/{OWNER_REPO}/issues/7/comments")
    assert req.body == {"body": answer.read_text("utf-8")}
    assert "GitHub 账号 stranger 不在名册中" in req.body["body"]


def test_a_failed_push_is_answered_with_the_run_to_look_at(form_repo, runner, forge):  # noqa: F811
    env = {**forge_env("github", forge.url), "GITHUB_RUN_ID": "88"}
    env.pop("GITHUB_TOKEN")
    proc, _ = run_step(step(*ANSWER), form_repo.root, runner, {
        "steps.app.outputs.token || github.token": TOKEN, "github.event.issue.number": "7"}, pinned=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (req,) = forge.requests
    assert req.body["body"].endswith(f"运行记录：https://github.invalid/{OWNER_REPO}/actions/runs/88\n")


def test_a_comment_whose_push_failed_is_answered_with_the_run_to_look_at(form_repo, runner, forge):  # noqa: F811
    """ticket-comment.yml opens pull requests as the form's workflow does, and fails as it may: answered alike."""
    s = step("ticket-comment.yml", "Answer a failure on the issue")
    assert s["if"] == "failure()"
    env = {**forge_env("github", forge.url), "GITHUB_RUN_ID": "91"}
    env.pop("GITHUB_TOKEN")
    proc, _ = run_step(s, form_repo.root, runner, {
        "steps.app.outputs.token || github.token": TOKEN, "github.event.issue.number": "7"}, pinned=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (req,) = forge.requests
    assert (req.method, req.path) == ("POST", f"/api/v3/repos/{OWNER_REPO}/issues/7/comments")
    assert req.body["body"].endswith(f"运行记录：https://github.invalid/{OWNER_REPO}/actions/runs/91\n")


def test_on_gitea_a_refused_form_is_answered_on_the_issue_too(form_repo, runner, forge):  # noqa: F811
    import yaml

    from conftest import REPO_ROOT

    wf = yaml.safe_load((REPO_ROOT / ".gitea/workflows/ticket-from-issue.yml").read_text("utf-8"))
    (s,) = [s for s in wf["jobs"]["ticket"]["steps"] if s.get("name") == "Answer a failure on the issue"]
    assert s["if"] == "failure()"
    answer = runner / "temp" / "issue-answer.md"
    answer.parent.mkdir(parents=True, exist_ok=True)
    answer.write_text("<!-- erpops:intake-answer -->\n\n**未能根据本议题生成工单。**\n", "utf-8")
    env = forge_env("gitea", forge.url)
    env.pop("GITEA_TOKEN")
    proc, _ = run_step(s, form_repo.root, runner, {"secrets.ERPOPS_GITEA_TOKEN || github.token": TOKEN,
                                                   "github.event.issue.number": "7"}, pinned=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (req,) = forge.requests
    assert (req.method, req.path, req.body) == ("POST", f"/api/v1/repos/{OWNER_REPO}/issues/7/comments",
                                                {"body": answer.read_text("utf-8")})


def test_the_install_step_refuses_a_merge_commit_older_than_the_dispatched_head(repo, tmp_path):
    """GitHub updates refs/pull/<N>/merge a moment after a push: a stale one is not judged."""
    from prcheck_fixture import base_repo

    from test_workflow_steps import INSTALL_BASE, _offline

    ops, _ = base_repo(repo)
    ops.commit("the pull request")
    ops.merge("pr")
    runner = tmp_path / "gate-runner"
    runner.mkdir()
    proc, _ = run_step(step(*INSTALL_BASE), repo.root, runner, {"github.event.merge_group.base_sha": "",
                       "steps.dispatched.outputs.head-sha": "c" * 40},
                       pinned={**_offline(), "GITHUB_EVENT_NAME": "workflow_dispatch"})
    assert proc.returncode == 2
    assert proc.stdout == ("::error title=erpops base::GitHub's merge commit is not of the pull request's head "
                           f"{'c' * 40} yet: run again\n")
    assert not (runner / "temp" / "erpops-base").exists()
