"""The forge layer without a network: which forge, what the CI environment says, Code Quality JSON,
the owners a changed path needs, and a core that imports no forge."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from forge_server import forge_env, no_ci, write_event  # noqa: F401 - fixtures
from erpops import forges, output
from erpops.diagnostics import Diagnostic
from erpops.forges import approval
from erpops.forges.base import ForgeError, PullRequest
from erpops.load import load
from erpops.policy import build
from erpops.yamlio import load_text

pytestmark = pytest.mark.usefixtures("no_ci")


# --- which forge ---------------------------------------------------------------------------------

@pytest.mark.parametrize("env,name", [
    ({}, None),
    ({"GITHUB_ACTIONS": "true"}, "github"),
    ({"GITLAB_CI": "true"}, "gitlab"),
    ({"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "gitea"),      # act_runner sets both
    ({"FORGEJO_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "gitea"),    # Forgejo runner
    ({"GITLAB_CI": "true", "CI": "true"}, "gitlab"),
    ({"GITHUB_ACTIONS": "false"}, None),
    ({"CI": "true"}, None),
])
def test_the_forge_is_detected_from_the_ci_environment(env, name):
    assert forges.detect(env) == name


def test_the_flag_wins_over_the_environment_which_wins_over_the_policy():
    assert forges.choose("gitea", {"GITLAB_CI": "true"}, "github") == "gitea"
    assert forges.choose("auto", {"GITLAB_CI": "true"}, "github") == "gitlab"
    assert forges.choose("auto", {}, "gitea") == "gitea"
    assert forges.choose(None, {}, "gitlab") == "gitlab"


def test_no_forge_anywhere_or_an_unknown_name_is_a_usage_error():
    with pytest.raises(ForgeError) as err:
        forges.choose("auto", {}, None)
    assert err.value.code == 2 and "--forge" in str(err.value)
    with pytest.raises(ForgeError):
        forges.choose("bitbucket", {}, None)


def test_every_adapter_is_a_forge():
    for name in forges.NAMES:
        site = forges.make(name, {})
        assert isinstance(site, forges.Forge) and site.name == name


def test_the_policy_names_the_forge_and_the_owner_approval():
    doc, _ = load_text("forge: gitlab\npr_gate:\n  owner_approval: true\n", "policy.yaml")
    policy = build(doc)
    assert (policy.forge, policy.owner_approval) == ("gitlab", True)
    doc, _ = load_text("forge: svn\npr_gate:\n  owner_approval: 'yes'\n", "policy.yaml")
    assert (build(doc).forge, build(doc).owner_approval) == (None, False)


# --- what the CI environment says ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["github", "gitea"])
def test_github_and_gitea_read_the_pull_request_from_the_event_payload(tmp_path, name):
    path = write_event(tmp_path / "event.json", 12, "b" * 40, "h" * 40, "li-gh", "2026-11-02T01:50:00Z")
    pr = forges.make(name, forge_env(name, "http://127.0.0.1:9", path)).pull_request()
    assert pr == PullRequest(number=12, base="b" * 40, head="h" * 40, author="li-gh",
                             opened_at="2026-11-02T01:50:00Z")


def test_a_push_event_has_no_pull_request(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"ref": "refs/heads/main"}), "utf-8")
    with pytest.raises(ForgeError) as err:
        forges.make("github", {"GITHUB_EVENT_PATH": str(path)}).pull_request()
    assert "pull_request" in str(err.value)


def test_a_missing_or_broken_payload_is_a_clear_error(tmp_path):
    with pytest.raises(ForgeError) as err:
        forges.make("gitea", {}).pull_request()
    assert "GITHUB_EVENT_PATH" in str(err.value)
    (tmp_path / "event.json").write_text("{not json", "utf-8")
    with pytest.raises(ForgeError):
        forges.make("gitea", {"GITHUB_EVENT_PATH": str(tmp_path / "event.json")}).pull_request()


def test_gitlab_without_a_token_reads_the_predefined_variables_only():
    env = forge_env("gitlab", "http://127.0.0.1:9", token=None, base="b" * 40, head="h" * 40, login="zhou-gh")
    pr = forges.make("gitlab", env).pull_request()
    assert pr == PullRequest(number=7, base="b" * 40, head="h" * 40, author="zhou-gh", opened_at=None)


def test_gitlab_outside_a_merge_request_pipeline_names_the_variable():
    with pytest.raises(ForgeError) as err:
        forges.make("gitlab", {"GITLAB_CI": "true"}).pull_request()
    assert "CI_MERGE_REQUEST_IID" in str(err.value)


def test_tokens_come_from_the_environment_only():
    for name, variable in (("github", "GITHUB_TOKEN"), ("gitea", "GITEA_TOKEN"), ("gitlab", "GITLAB_TOKEN")):
        env = forge_env(name, "http://127.0.0.1:9", token=None)
        with pytest.raises(ForgeError) as err:
            forges.make(name, env).comment_issue(1, "hi")
        assert variable in str(err.value)


# --- Code Quality --------------------------------------------------------------------------------

FOUND = [
    Diagnostic.make("tickets/alpha/2026/A.yaml", 7, "ticket-sla-breach", "warning", priority="P2", used=26.5,
                    limit=16),
    Diagnostic.make("tickets/alpha/2026/A.yaml", 3, "pr-identity", field="subsystem", was="alpha", now="beta"),
    Diagnostic.make("roster/people.yaml", 0, "yaml-syntax", detail="x"),
    Diagnostic.make("tickets/alpha/2026/A.yaml", 3, "pr-identity", field="subsystem", was="alpha", now="beta"),
]


def test_code_quality_issues_carry_every_field_gitlab_reads():
    issues = json.loads(output.codequality(FOUND, 3))
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("yaml-syntax", "critical", {"path": "roster/people.yaml", "lines": {"begin": 1}}),
        ("pr-identity", "major", {"path": "tickets/alpha/2026/A.yaml", "lines": {"begin": 3}}),
        ("pr-identity", "major", {"path": "tickets/alpha/2026/A.yaml", "lines": {"begin": 3}}),
        ("ticket-sla-breach", "minor", {"path": "tickets/alpha/2026/A.yaml", "lines": {"begin": 7}}),
    ]
    assert issues[1]["description"] == FOUND[1].message("zh")
    assert all(set(i) == {"description", "check_name", "fingerprint", "severity", "location"} for i in issues)


def test_fingerprints_are_unique_and_stable_across_runs_and_languages():
    first = [i["fingerprint"] for i in json.loads(output.codequality(FOUND, 3, "zh"))]
    again = [i["fingerprint"] for i in json.loads(output.codequality(list(reversed(FOUND)), 3, "en"))]
    assert first == again
    assert len(set(first)) == 4 and all(len(f) == 64 for f in first)
    # The same finding on another line is another finding.
    moved = Diagnostic.make("tickets/alpha/2026/A.yaml", 4, "pr-identity", field="subsystem", was="alpha", now="beta")
    assert output.fingerprint(moved) not in first


def test_no_findings_is_an_empty_report():
    assert output.codequality([], 5) == "[]\n"


def test_check_writes_the_report_and_keeps_the_text(repo, cli, tmp_path):
    repo.write("roster/subsystems/alpha.yaml", repo.read("roster/subsystems/alpha.yaml").replace(
        "erp_admin: qian-erp", "erp_admin: nobody"))
    report = tmp_path / "gl-code-quality.json"
    res = cli("check", "--codequality", str(report), cwd=repo.root)
    assert res.code == 1 and "roster-unknown-person" in res.out
    issues = json.loads(report.read_text("utf-8"))
    assert [(i["check_name"], i["location"]["path"], i["severity"]) for i in issues] == [
        ("roster-unknown-person", "roster/subsystems/alpha.yaml", "major")]
    res = cli("check", "--format", "codequality", cwd=repo.root)
    assert res.code == 1 and json.loads(res.out) == issues


# --- owners of changed paths ---------------------------------------------------------------------

@pytest.mark.parametrize("pattern,path,hit", [
    ("*", "README.md", True), ("/roster/", "roster/people.yaml", True), ("/roster/", "a/roster/x", False),
    ("/policy.yaml", "policy.yaml", True), ("/policy.yaml", "x/policy.yaml", False),
    ("/tickets/alpha/", "tickets/alpha/2026/A.yaml", True), ("/tickets/alpha/", "tickets/alphabet/A.yaml", False),
    ("/reports/*/alpha.*", "reports/2026-11/alpha.xlsx", True), ("/reports/*/alpha.*", "reports/2026-11/x/alpha.md", False),
])
def test_codeowners_patterns_match_as_github_reads_them(pattern, path, hit):
    assert approval.matches(pattern, path) is hit


def _roster(repo):
    for pid, login in {"zhao-admin": "zhao-gh", "qian-erp": "qian-gh", "sun-lead": "sun-gh"}.items():
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {login}\n")
    return load(repo.root).roster


TICKET = "tickets/alpha/2026/ALP-20261102-AB2C.yaml"


def test_a_ticket_needs_one_of_its_subsystems_owners(repo):
    roster = _roster(repo)
    found = approval.check(roster, [TICKET], frozenset(), "li-gh")
    assert [(d.path, d.line, d.rule, d.params["owners"]) for d in found] == [
        (TICKET, 1, "pr-owner-approval", ("@zhao-gh", "@qian-gh"))]
    assert "@zhao-gh、@qian-gh" in found[0].message("zh")
    assert approval.check(roster, [TICKET], frozenset({"QIAN-GH"}), "li-gh") == []


def test_the_author_does_not_approve_their_own_change(repo):
    roster = _roster(repo)
    assert approval.check(roster, [TICKET], frozenset({"zhao-gh"}), "zhao-gh")[0].params["owners"] == ("@qian-gh",)
    assert approval.check(roster, [TICKET], frozenset({"qian-gh"}), "zhao-gh") == []


def test_the_last_matching_section_decides_and_each_section_is_asked_once(repo):
    roster = _roster(repo)
    found = approval.check(roster, ["policy.yaml", "roster/people.yaml", TICKET, "README.md"],
                           frozenset({"zhao-gh"}), "li-gh")
    # Ticket: alpha's owners (zhao approved). policy/roster: the office section; README: the catch-all.
    assert [(d.path, d.params["files"]) for d in found] == [("README.md", 1), ("policy.yaml", 2)]


def test_a_section_with_no_login_has_no_owner_to_ask(repo):
    roster = load(repo.root).roster  # nobody has a login
    assert approval.check(roster, [TICKET, "policy.yaml"], frozenset(), "li-gh") == []


# --- the core imports no forge --------------------------------------------------------------------

CORE = ("rules", "gitdiff.py", "load.py", "model.py", "reports", "site", "ticket.py", "policy.py",
        "diagnostics.py", "output.py", "codeowners.py", "gittree.py", "edits.py", "checks.py")


def test_no_core_module_mentions_the_forges():
    package = REPO_ROOT / "tools" / "erpops"
    for name in CORE:
        target = package / name
        for path in ([target] if target.is_file() else sorted(target.rglob("*.py"))):
            assert "forges" not in path.read_text("utf-8"), path


def test_importing_the_core_loads_no_forge():
    modules = ["erpops.rules", "erpops.gitdiff", "erpops.load", "erpops.model", "erpops.reports",
               "erpops.site", "erpops.site.plugin", "erpops.output", "erpops.checks", "erpops.commands.check"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m.startswith('erpops.forges') or m in ('gitlab', 'requests')))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
