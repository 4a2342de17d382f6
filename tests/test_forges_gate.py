"""pr-check on each forge: the same pull request (a real Git repository with the merge commit) gives
the same verdict on GitHub, GitLab and Gitea; findings posted, Code Quality written, owners asked."""
from __future__ import annotations

import json

import pytest

from erpops.cli import main
from forge_server import forge, forge_env, no_ci, write_event  # noqa: F401 - fixtures
from prcheck_fixture import NOW, OPEN_PATH, append, base_repo, event
from tickets_fixture import line

NAMES = ("github", "gitlab", "gitea")
OPENED = "2026-11-02T01:50:00.000Z"  # the merge request's created_at on the recording forge


@pytest.fixture
def pr(repo, monkeypatch, forge):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    ops.base = base
    return ops


def change(pr, by="li-user", at="2026-11-02T09:30:00+08:00"):
    append(pr.repo, OPEN_PATH, event("comment", at, by, note="已电话联系"))
    head = pr.commit("comment")
    pr.merge("pr")
    return head


def on(name, pr, forge, monkeypatch, tmp_path, *args, author="li-gh", opened=OPENED, head=None):
    """Run pr-check as the forge's CI would, with nothing but that forge's environment."""
    forge.state.mr["author"]["username"] = author
    forge.state.mr["created_at"] = opened
    merge = pr.g.head.commit.hexsha
    path = write_event(tmp_path / "event.json", 7, pr.base, head or merge, author, opened)
    with monkeypatch.context() as m:
        for key, value in forge_env(name, forge.url, path, base=pr.base, head=merge, login="pusher").items():
            m.setenv(key, value)
        return main(list(args))  # in-process, as the cli fixture runs it


def verdict(capsys, code):
    out = capsys.readouterr().out
    payload = json.loads(out)
    return code, [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"] if d["severity"] == "error"]


def run_all(pr, forge, monkeypatch, tmp_path, capsys, *args, **kw):
    monkeypatch.chdir(pr.repo.root)
    return {name: verdict(capsys, on(name, pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", name,
                                     "--format", "json", *args, **kw)) for name in NAMES}


# --- the same verdict on every forge -------------------------------------------------------------

def test_an_accepted_change_is_accepted_on_every_forge(pr, forge, monkeypatch, tmp_path, capsys, cli):
    change(pr)
    got = run_all(pr, forge, monkeypatch, tmp_path, capsys)
    assert got == {name: (0, []) for name in NAMES}
    plain = cli("pr-check", "--base", pr.base, "--author", "li-gh", "--opened-at", OPENED, "--format", "json",
                cwd=pr.repo.root)
    assert plain.code == 0


def test_someone_elses_event_is_refused_on_every_forge_at_the_same_line(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    got = run_all(pr, forge, monkeypatch, tmp_path, capsys, author="zhou-gh")
    where = (OPEN_PATH, line(pr.repo.read(OPEN_PATH), "by: li-user", 2), "pr-author")
    assert got == {name: (1, [where]) for name in NAMES}


def test_the_forges_opening_time_bounds_the_events_on_every_forge(pr, forge, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-09T09:00:00+08:00")
    change(pr)
    got = run_all(pr, forge, monkeypatch, tmp_path, capsys, opened="2026-11-05T02:00:00.000Z")
    where = (OPEN_PATH, line(pr.repo.read(OPEN_PATH), "at: 2026-11-02T09:30"), "pr-event-time")
    assert got == {name: (1, [where]) for name in NAMES}
    # GitLab has no variable for it: the time came from GET /projects/:id/merge_requests/:iid.
    assert ("GET", "/api/v4/projects/42/merge_requests/7") in forge.calls()


def test_flags_given_win_over_the_forge(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "auto", "--author", "zhou-gh",
              "--format", "json")
    assert verdict(capsys, code)[1][0][2] == "pr-author"


def test_auto_takes_the_forge_from_the_ci_environment(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    code = on("gitea", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "auto", "--post",
              "--format", "json", author="zhou-gh")
    assert verdict(capsys, code)[0] == 1
    assert forge.calls("POST") == [("POST", "/api/v1/repos/ops/erpops/pulls/7/reviews")]


# --- findings out ----------------------------------------------------------------------------------

def test_gitlab_gets_a_code_quality_file_and_a_note(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    report = tmp_path / "gl-code-quality.json"
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitlab", "--post",
              "--codequality", str(report), author="zhou-gh")
    out = capsys.readouterr()
    assert code == 1 and "[pr-author]" in out.out  # the same findings as text in the job log
    issues = json.loads(report.read_text("utf-8"))
    by = line(pr.repo.read(OPEN_PATH), "by: li-user", 2)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("pr-author", "major", {"path": OPEN_PATH, "lines": {"begin": by}})]
    note = next(r for r in forge.requests if r.method == "POST")
    assert note.path == "/api/v4/projects/42/merge_requests/7/notes"
    assert "erpops 合并关卡" in note.body["body"] and "pr-author" in note.body["body"]
    assert "#7" in out.err


def test_gitea_gets_a_review_with_the_finding_on_its_line(pr, forge, monkeypatch, tmp_path, capsys):
    head = change(pr)
    monkeypatch.chdir(pr.repo.root)
    code = on("gitea", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitea", "--post",
              author="zhou-gh", head=head)
    assert code == 1
    review = next(r for r in forge.requests if r.method == "POST")
    by = line(pr.repo.read(OPEN_PATH), "by: li-user", 2)
    assert review.body["event"] == "COMMENT" and review.body["commit_id"] == head
    assert [(c["path"], c["new_position"]) for c in review.body["comments"]] == [(OPEN_PATH, by)]
    assert review.body["comments"][0]["body"].startswith("[pr-author] ")


def test_a_failed_post_leaves_the_verdict_standing(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    monkeypatch.setattr("forge_server.TOKEN", "another")  # the forge now refuses our token
    code = on("gitea", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitea", "--post",
              author="zhou-gh")
    out = capsys.readouterr()
    assert code == 1 and "[pr-author]" in out.out
    assert "401" in out.err and "Traceback" not in out.err
    # Reading the merge request is another matter: without it the gate cannot decide (exit 2).
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitlab", author="zhou-gh")
    out = capsys.readouterr()
    assert (code, out.out) == (2, "") and "401" in out.err


def test_a_clean_pull_request_posts_nothing(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    for name in NAMES:
        assert on(name, pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", name, "--post") == 0
    assert forge.calls("POST") == []


def test_post_without_a_forge_is_a_usage_error(pr, cli):
    change(pr)
    res = cli("pr-check", "--base", pr.base, "--post", cwd=pr.repo.root)
    assert res.code == 2 and "--forge" in res.err and not res.out


def test_no_base_and_no_forge_is_a_usage_error(pr, cli):
    change(pr)
    res = cli("pr-check", cwd=pr.repo.root)
    assert res.code == 2 and "--base" in res.err


def test_a_push_pipeline_has_no_pull_request_to_read(pr, cli, tmp_path, monkeypatch):
    change(pr)
    (tmp_path / "push.json").write_text('{"ref": "refs/heads/main"}', "utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "push.json"))
    res = cli("pr-check", "--forge", "auto", cwd=pr.repo.root)
    assert res.code == 2 and "pull_request" in res.err


# --- the owners' approval ----------------------------------------------------------------------------

def test_gitlab_ce_owners_must_approve_when_asked(pr, forge, monkeypatch, tmp_path, capsys):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitlab", "--owner-approval",
              "--format", "json")
    assert verdict(capsys, code) == (1, [(OPEN_PATH, 1, "pr-owner-approval")])
    assert ("GET", "/api/v4/projects/42/merge_requests/7/approvals") in forge.calls()
    forge.state.approved_by = ["qian-gh"]
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitlab", "--owner-approval",
              "--format", "json")
    assert verdict(capsys, code) == (0, [])


@pytest.mark.parametrize("name", ["github", "gitea"])
def test_an_approving_review_satisfies_the_owner_check(pr, forge, monkeypatch, tmp_path, capsys, name):
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    forge.state.reviews = [{"id": 1, "user": {"login": "zhao-gh"}, "state": "APPROVED"}]
    code = on(name, pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", name, "--owner-approval",
              "--format", "json")
    assert verdict(capsys, code) == (0, [])


def test_the_base_policy_turns_the_owner_check_on(pr, forge, monkeypatch, tmp_path, capsys, cli):
    pr.repo.edit("policy.yaml", "pr_gate:\n", "pr_gate:\n  owner_approval: true\n")
    pr.base = pr.commit("owners approve")
    change(pr)
    monkeypatch.chdir(pr.repo.root)
    code = on("gitlab", pr, forge, monkeypatch, tmp_path, "pr-check", "--forge", "gitlab", "--format", "json")
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert code == 1 and [d["rule"] for d in payload["diagnostics"]] == ["pr-owner-approval"]
    assert "@zhao-gh、@qian-gh" in payload["diagnostics"][0]["message"]
    # Without a forge to ask, the gate cannot say yes: a usage error, not a pass.
    res = cli("pr-check", "--base", pr.base, cwd=pr.repo.root)
    assert res.code == 2 and "--forge" in res.err
