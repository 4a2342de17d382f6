"""The GitHub workflows: valid, lint-clean offline, least privilege, pinned actions, a guarded deploy."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from workflows import BIN, WORKFLOWS, all_workflows, steps, workflow

PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is missing: pip install -e '.[test]'"
    return found


def _zizmor(*paths):
    return subprocess.run([_tool("zizmor"), "--offline", "--no-progress", *map(str, paths)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_zizmor_finds_nothing_offline():
    proc = _zizmor(WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_zizmor_would_catch_a_credential_left_in_the_checkout(tmp_path):
    """The lint really runs: the same workflow without persist-credentials: false is flagged."""
    text = (WORKFLOWS / "ci.yml").read_text("utf-8")
    assert "persist-credentials: false" in text
    bad = tmp_path / "ci.yml"
    bad.write_text(text.replace("          persist-credentials: false\n", "", 1), "utf-8")
    proc = _zizmor(bad)
    assert proc.returncode != 0
    assert "artipacked" in proc.stdout


def test_every_workflow_matches_the_github_workflow_schema_offline():
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert [f.name for f in files] == ["ci.yml", "mail-intake.yml", "monthly.yml", "notify.yml", "pages.yml",
                                       "publish.yml", "ticket-answer.yml", "ticket-comment.yml",
                                       "ticket-from-issue.yml"]
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_schema_check_would_reject_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: 1\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml", "ticket-from-issue.yml", "notify.yml", "mail-intake.yml",
                                  "ticket-comment.yml", "ticket-answer.yml"])
def test_top_level_permissions_are_read_only(name):
    assert workflow(name)["permissions"] == {"contents": "read"}


def test_only_the_deploy_ticket_and_draft_jobs_may_write_and_only_what_they_need():
    for name, wf in all_workflows().items():
        for job_id, job in wf["jobs"].items():
            granted = job.get("permissions", {})
            writes = {k for k, v in granted.items() if v == "write"}
            if (name, job_id) == ("pages.yml", "deploy"):
                assert granted == {"pages": "write", "id-token": "write"}
            elif (name, job_id) in (("ticket-from-issue.yml", "ticket"), ("ticket-comment.yml", "comment")):
                # actions: dispatch ci.yml without an App
                assert granted == {"contents": "write", "pull-requests": "write", "issues": "write", "actions": "write"}
            elif (name, job_id) == ("ticket-answer.yml", "answer"):
                assert granted == {"contents": "read", "issues": "write"}
            elif (name, job_id) in (("ci.yml", "gate-status"), ("ci.yml", "test-status")):  # a dispatched run's result
                assert granted == {"statuses": "write"}
            elif (name, job_id) == ("mail-intake.yml", "intake"):
                assert granted == {"contents": "write", "pull-requests": "write"}
            elif (name, job_id) == ("monthly.yml", "draft"):
                assert granted == {"contents": "write", "pull-requests": "write"}
            elif (name, job_id) == ("notify.yml", "notify"):  # the notify-state branch
                assert granted == {"contents": "write"}
            else:
                assert not writes, (name, job_id)


def test_no_workflow_runs_on_pull_request_target():
    for name, wf in all_workflows().items():
        assert "pull_request_target" not in wf["on"], name
        assert "pull_request_target" not in (WORKFLOWS / name).read_text("utf-8")


def test_every_action_is_pinned_by_commit_with_its_version_in_a_comment():
    text_lines = [line for p in sorted(WORKFLOWS.glob("*.y*ml"))
                  for line in p.read_text("utf-8").splitlines()]
    used = [line for line in text_lines if re.match(r"^\s*(- )?uses:", line)]
    assert len(used) == len([s for _, _, s in steps() if "uses" in s]) == 27
    for line in used:
        m = re.match(r"^\s*(?:- )?uses: (\S+) # (v\d+\.\d+\.\d+)$", line)
        assert m, line
        assert PIN.match(m.group(1)), line
    # One version per action across all workflows.
    pins = {}
    for line in used:
        ref = line.split("uses: ")[1].split(" #")[0]
        action, sha = ref.split("@")
        assert pins.setdefault(action, sha) == sha, action


def test_checkout_never_keeps_the_token():
    checkouts = [s for _, _, s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 12
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_no_expression_inside_a_run_script():
    """Untrusted values (titles, branch names) reach scripts only through env:, never inline."""
    runs = [s["run"] for _, _, s in steps() if "run" in s]
    assert runs
    assert not [r for r in runs if "${{" in r]


def test_ci_runs_on_pull_requests_main_the_merge_queue_and_when_dispatched_for_a_pull_request():
    on = workflow("ci.yml")["on"]
    assert set(on) == {"pull_request", "push", "merge_group", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    assert on["workflow_dispatch"] == {"inputs": {"pull-request": {
        "description": "Number of the pull request to judge (its head must be the branch this run is for)",
        "required": True, "type": "string"}}}


BASE_ERPOPS = '"$RUNNER_TEMP/erpops-base/bin/'


def test_ci_has_a_data_gate_and_package_tests_sized_by_the_changed_paths():
    jobs = workflow("ci.yml")["jobs"]
    assert {k: j["name"] for k, j in jobs.items()} == {
        "changes": "Changed paths", "gate": "Data gate", "test": "Package tests",
        "gate-status": "Data gate status of a dispatched run", "test-status": "Package tests status of a dispatched run"}
    assert jobs["changes"]["outputs"] == {"package": "${{ steps.paths.outputs.package }}"}
    assert "needs" not in jobs["gate"]
    assert jobs["test"]["needs"] == "changes"
    # Fail safe: tests run unless the paths were listed and none was the package's.
    assert jobs["test"]["if"] == "${{ !cancelled() && needs.changes.outputs.package != 'false' }}"
    assert [s["name"] for s in jobs["test"]["steps"]] == [
        "Check out", "Set up Python", "Install erpops with its test tools", "Tests"]
    assert not [s for s in jobs["gate"]["steps"] if "pytest" in s.get("run", "")]
    text = (WORKFLOWS / "ci.yml").read_text("utf-8")
    assert workflow("ci.yml")["on"]["pull_request"] is None  # no `paths:` filter: see the comment
    assert "a job skipped by `if:` counts as passed for a required" in text


def test_the_data_gate_runs_the_base_revisions_erpops_and_the_gate_before_head_configuration():
    gate = workflow("ci.yml")["jobs"]["gate"]
    names = [s["name"] for s in gate["steps"]]
    assert names == [
        "Read the pull request of a dispatched run", "Check out", "Set up Python", "Install the base revision's erpops into its own venv",
        "Check the repository, CODEOWNERS and the ticket form (base revision's erpops)",
        "Find whom a bot-opened pull request acts for",
        "Check what the pull request changes (base revision's erpops)",
        "Site (strict build, base revision's erpops)",
    ]
    install = gate["steps"][3]["run"]
    assert "git worktree add -q --detach \"$src\" \"$trusted\"" in install
    assert "trusted=\"$(git rev-parse 'HEAD^1')\"" in install
    assert 'python -P -m pip --python "$venv/bin/python" install' in install
    assert " -e " not in install and "python -m" not in install  # -P: nothing from the workspace
    # Every later command runs from the base venv; nothing runs the checked-out package.
    for s in gate["steps"][4:]:
        if s["name"] != "Find whom a bot-opened pull request acts for":
            assert s["run"].lstrip().startswith(BASE_ERPOPS) or 'erpops="$RUNNER_TEMP/erpops-base/bin/erpops"' in s["run"] \
                or s["run"].endswith(f"\n{BASE_ERPOPS}python\" -P -m mkdocs build --strict\n")
    site = gate["steps"][-1]["run"]
    assert site.endswith('\n"$RUNNER_TEMP/erpops-base/bin/python" -P -m mkdocs build --strict\n')
    # A pull request's (or dispatched run's) site is a preview of the changes since the trusted base.
    assert ('if { [ "$GITHUB_EVENT_NAME" = pull_request ] || [ "$GITHUB_EVENT_NAME" = workflow_dispatch ]; } &&\n'
            "  base=\"$(git rev-parse -q --verify 'HEAD^1')\"; then\n  export ERPOPS_SITE_CHANGED_SINCE=\"$base\"\n") in site


def test_ci_pr_check_step_takes_untrusted_values_through_env_only():
    s = workflow("ci.yml")["jobs"]["gate"]["steps"][6]
    assert s["if"] == "github.event_name != 'push'"
    # A dispatched run has no pull_request payload: the same values from the API (the first step).
    assert s["env"] == {
        "PR_BASE_SHA": "${{ github.event.pull_request.base.sha || steps.dispatched.outputs.base-sha }}",
        "QUEUE_BASE_SHA": "${{ github.event.merge_group.base_sha }}",
        "PR_AUTHOR": "${{ github.event.pull_request.user.login || steps.dispatched.outputs.author }}",
        "PR_CREATED_AT": "${{ github.event.pull_request.created_at || steps.dispatched.outputs.created-at }}",
        "ACTING_FOR": "${{ steps.acting.outputs.login }}",
    }
    acting = workflow("ci.yml")["jobs"]["gate"]["steps"][5]
    assert acting["id"] == "acting"
    assert acting["if"] == "github.event_name == 'pull_request' || github.event_name == 'workflow_dispatch'"
    assert acting["env"] == {"GH_TOKEN": "${{ github.token }}",
                             "PR_AUTHOR_TYPE": "${{ github.event.pull_request.user.type || steps.dispatched.outputs.author-type }}",
                             "HEAD_REF": "${{ github.head_ref || steps.dispatched.outputs.head-ref }}"}
    dispatched = workflow("ci.yml")["jobs"]["gate"]["steps"][0]
    assert dispatched["id"] == "dispatched" and dispatched["if"] == "github.event_name == 'workflow_dispatch'"
    assert dispatched["env"] == {"GH_TOKEN": "${{ github.token }}", "PR_NUMBER": "${{ inputs.pull-request }}"}
    assert workflow("ci.yml")["jobs"]["gate"]["permissions"] == {
        "contents": "read", "issues": "read", "pull-requests": "read"}


def test_the_checkout_fetches_the_base_that_pr_check_compares_with():
    """A pull request's merge commit with both parents (depth 2); the merge queue's base may lie
    further back (all history); a push needs no history."""
    checkout = workflow("ci.yml")["jobs"]["gate"]["steps"][1]
    assert checkout["with"]["fetch-depth"] == (
        "${{ (github.event_name == 'pull_request' || github.event_name == 'workflow_dispatch') && 2"
        " || github.event_name == 'push' && 1 || 0 }}")
    assert checkout["with"]["ref"] == "${{ steps.dispatched.outputs.merge-ref }}"  # empty: the event's commit
    checkout = workflow("ci.yml")["jobs"]["changes"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == "${{ github.event_name == 'pull_request' && 2 || 1 }}"


def test_pages_checks_the_audience_before_building_and_deploys_only_after():
    wf = workflow("pages.yml")
    assert wf["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    build = [s.get("name") for s in wf["jobs"]["build"]["steps"]]
    assert build.index("Refuse to publish an internal site on public Pages") < build.index("Build (strict)") \
        < build.index("Upload the site")
    guard = wf["jobs"]["build"]["steps"][build.index("Refuse to publish an internal site on public Pages")]
    assert guard["env"] == {"ERPOPS_PAGES_PRIVATE": "${{ vars.ERPOPS_PAGES_PRIVATE }}"}
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_mkdocs_site_is_internal_by_default():
    from erpops import siteconfig

    assert siteconfig.read(REPO_ROOT).audience == "internal"


def test_ticket_workflow_runs_only_for_the_form_and_keeps_untrusted_text_out_of_scripts():
    wf = workflow("ticket-from-issue.yml")
    assert wf["on"] == {"issues": {"types": ["opened"]}}
    job = wf["jobs"]["ticket"]
    assert job["if"] == "contains(github.event.issue.labels.*.name, 'ticket')"
    names = [s["name"] for s in job["steps"]]
    assert names == ["Check out", "Set up Python", "Install erpops", "Mint the GitHub App's token",
                     "Write the ticket from the form", "Push the branch, open the pull request, answer on the issue",
                     "Answer a failure on the issue"]
    text = (WORKFLOWS / "ticket-from-issue.yml").read_text("utf-8")
    # The title, body and author are read from the payload file, never interpolated.
    for field in ("issue.title", "issue.body", "issue.user"):
        assert field not in text
    assert "GITHUB_TOKEN" in text and "GitHub App" in text and "workflow_dispatch" in text  # no CI by hand
    assert job["steps"][4]["id"] == "ticket"
    assert set(job["steps"][5]["env"]) == {"GH_TOKEN", "DISPATCH_CI", "BASE_BRANCH", "BRANCH", "PR_TITLE", "PR_BODY",
                                           "COMMENT", "ISSUE_NUMBER"}
    assert job["steps"][6]["if"] == "failure()"


def test_ticket_workflow_mints_an_app_token_only_when_an_app_is_configured_and_only_for_this_job():
    job = workflow("ticket-from-issue.yml")["jobs"]["ticket"]
    assert job["env"] == {"ERPOPS_APP_ID": "${{ secrets.ERPOPS_APP_ID }}"}  # secrets cannot be named in if:
    app = job["steps"][3]
    assert app["id"] == "app" and app["if"] == "env.ERPOPS_APP_ID != ''"
    assert app["uses"].startswith("actions/create-github-app-token@")
    assert app["with"] == {"app-id": "${{ secrets.ERPOPS_APP_ID }}", "private-key": "${{ secrets.ERPOPS_APP_PRIVATE_KEY }}",
                           "permission-contents": "write", "permission-pull-requests": "write",
                           "permission-issues": "write"}
    # The App's token where there is one, else github.token and a dispatched CI run.
    push, answer = job["steps"][5], job["steps"][6]
    assert push["env"]["GH_TOKEN"] == "${{ steps.app.outputs.token || github.token }}"
    assert push["env"]["DISPATCH_CI"] == "${{ steps.app.outputs.token == '' }}"
    assert answer["env"] == {"GITHUB_TOKEN": "${{ steps.app.outputs.token || github.token }}",
                             "ISSUE_NUMBER": "${{ github.event.issue.number }}"}
    secrets_used = [s.get("name") for s in job["steps"] if "secrets." in str(s)]
    assert secrets_used == ["Mint the GitHub App's token"]


def test_a_dispatched_ci_run_sets_each_result_as_a_commit_status_named_like_its_job():
    jobs = workflow("ci.yml")["jobs"]
    for job_id, needed in (("gate-status", "gate"), ("test-status", "test")):
        job = jobs[job_id]
        assert job["needs"] == needed
        assert job["if"] == "${{ !cancelled() && github.event_name == 'workflow_dispatch' }}"
        (only,) = job["steps"]
        assert only["env"] == {"GH_TOKEN": "${{ github.token }}", "CONTEXT": jobs[needed]["name"],
                               "RESULT": f"${{{{ needs.{needed}.result }}}}"}


def test_readme_branch_protection_names_the_required_checks_by_their_job_names():
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("**分支保护：让合并关卡真正起作用**"):]
    section = section[:section.index("\n- `erpops pr-check")]
    jobs = workflow("ci.yml")["jobs"]
    for job in ("gate", "test"):
        assert f"**`{jobs[job]['name']}`**" in section
    for setting in ("Require review from Code Owners", "Dismiss stale pull request approvals",
                    "Do not allow bypassing the above settings", "Include administrators",
                    "Restrict who can push to matching branches", "Require status checks to pass"):
        assert setting in section, setting


def test_mail_intake_runs_on_a_schedule_and_passes_credentials_through_env_only():
    wf = workflow("mail-intake.yml")
    assert set(wf["on"]) == {"schedule", "workflow_dispatch"} and wf["on"]["schedule"][0]["cron"]
    (job,) = wf["jobs"].values()
    fetch = next(s for s in job["steps"] if s.get("id") == "mail")
    assert "erpops mail fetch --push origin" in fetch["run"]
    assert {k for k in fetch["env"] if k.startswith("ERPOPS_IMAP_")} == {
        "ERPOPS_IMAP_HOST", "ERPOPS_IMAP_PORT", "ERPOPS_IMAP_USER", "ERPOPS_IMAP_PASSWORD"}
    assert all(v.startswith("${{ secrets.") for k, v in fetch["env"].items() if k.startswith("ERPOPS_"))
    secrets_used = [s["name"] for s in job["steps"] if "secrets." in str(s)]
    assert secrets_used == [fetch["name"]]
