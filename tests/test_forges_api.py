"""The adapters against a recording forge on 127.0.0.1: each call's method, documented path, auth
header and JSON body, and what is made of the documented answer."""
from __future__ import annotations

import pytest

from forge_server import OWNER_REPO, PROJECT_ID, TOKEN, forge, forge_env, no_ci, write_event  # noqa: F401
from erpops import forges
from erpops.diagnostics import Diagnostic
from erpops.forges.base import ForgeError, PullRequest

FINDINGS = [
    Diagnostic.make("tickets/alpha/2026/A.yaml", 3, "pr-identity", field="subsystem", was="alpha", now="beta"),
    Diagnostic.make("tickets/alpha/2026/A.yaml", 0, "pr-protected-path", office="x"),
]


def site(name, forge, tmp_path=None, **kw):
    return forges.make(name, forge_env(name, forge.url, **kw))


def only(forge):
    assert len(forge.requests) == 1, forge.calls()
    return forge.requests[0]


# --- answering on an issue or a pull request ----------------------------------------------------

def test_github_comments_on_an_issue(forge):
    posted = site("github", forge).comment_issue(5, "已受理：ALP-20261102-AB2C")
    req = only(forge)
    assert (req.method, req.path) == ("POST", f"/api/v3/repos/{OWNER_REPO}/issues/5/comments")
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["accept"] == "application/vnd.github+json"
    assert req.headers["x-github-api-version"] == "2022-11-28"
    assert req.body == {"body": "已受理：ALP-20261102-AB2C"}
    assert posted.id == 101 and posted.url.endswith("/issues/5#issuecomment-101")


def test_github_comments_on_a_pull_request_through_its_issue(forge):
    site("github", forge).comment_pull(9, "ok")
    assert forge.calls() == [("POST", f"/api/v3/repos/{OWNER_REPO}/issues/9/comments")]


def test_gitea_comments_on_an_issue_and_a_pull_request(forge):
    gitea = site("gitea", forge)
    gitea.comment_issue(5, "收到")
    gitea.comment_pull(6, "好")
    assert forge.calls() == [("POST", f"/api/v1/repos/{OWNER_REPO}/issues/5/comments"),
                             ("POST", f"/api/v1/repos/{OWNER_REPO}/issues/6/comments")]
    assert all(r.headers["authorization"] == f"token {TOKEN}" for r in forge.requests)
    assert [r.body for r in forge.requests] == [{"body": "收到"}, {"body": "好"}]


def test_gitlab_notes_on_an_issue_and_a_merge_request(forge):
    gitlab = site("gitlab", forge)
    issue = gitlab.comment_issue(5, "收到")
    gitlab.comment_pull(7, "好")
    assert forge.calls() == [("POST", f"/api/v4/projects/{PROJECT_ID}/issues/5/notes"),
                             ("POST", f"/api/v4/projects/{PROJECT_ID}/merge_requests/7/notes")]
    assert all(r.headers["private-token"] == TOKEN for r in forge.requests)
    assert [r.body for r in forge.requests] == [{"body": "收到"}, {"body": "好"}]
    assert issue.id == 101


def test_gitlab_falls_back_to_the_job_token(forge, monkeypatch):
    env = forge_env("gitlab", forge.url, token=None)
    env["CI_JOB_TOKEN"] = TOKEN
    forges.make("gitlab", env).comment_pull(7, "好")
    req = only(forge)
    assert req.headers["job-token"] == TOKEN and "private-token" not in req.headers


# --- opening a pull request ----------------------------------------------------------------------

@pytest.mark.parametrize("name,path", [("github", f"/api/v3/repos/{OWNER_REPO}/pulls"),
                                       ("gitea", f"/api/v1/repos/{OWNER_REPO}/pulls")])
def test_github_and_gitea_open_a_pull_request(forge, name, path):
    posted = site(name, forge).open_pull("ticket/ALP-1", "main", "工单 ALP-1：打印报错", "来自工单表单")
    req = only(forge)
    assert (req.method, req.path) == ("POST", path)
    assert req.body == {"title": "工单 ALP-1：打印报错", "head": "ticket/ALP-1", "base": "main", "body": "来自工单表单"}
    assert posted.id == 101 and posted.url.endswith("/pulls/101")


def test_gitlab_opens_a_merge_request(forge):
    posted = site("gitlab", forge).open_pull("ticket/ALP-1", "main", "工单 ALP-1", "来自工单表单")
    req = only(forge)
    assert (req.method, req.path) == ("POST", f"/api/v4/projects/{PROJECT_ID}/merge_requests")
    assert req.body == {"source_branch": "ticket/ALP-1", "target_branch": "main", "title": "工单 ALP-1",
                        "description": "来自工单表单"}
    assert (posted.id, posted.url) == (101, "http://example.invalid/ops/erpops/-/merge_requests/101")


# --- the pull request and its approvals ----------------------------------------------------------

def test_gitlab_takes_the_creation_time_and_author_from_the_api(forge):
    pr = site("gitlab", forge, base="b" * 40, head="h" * 40, login="someone-who-pushed").pull_request()
    assert forge.calls() == [("GET", f"/api/v4/projects/{PROJECT_ID}/merge_requests/7")]
    assert pr == PullRequest(number=7, base="b" * 40, head="h" * 40, author="li-gh",
                             opened_at="2026-11-02T01:50:00.000Z")


def test_gitlab_approvals_are_the_approved_by_users(forge):
    forge.state.approved_by = ["Zhao-GH", "qian-gh"]
    assert site("gitlab", forge).approvers(PullRequest(number=7)) == frozenset({"zhao-gh", "qian-gh"})
    assert forge.calls() == [("GET", f"/api/v4/projects/{PROJECT_ID}/merge_requests/7/approvals")]


REVIEWS = [
    {"id": 1, "user": {"login": "zhao-gh"}, "state": "APPROVED"},
    {"id": 2, "user": {"login": "zhao-gh"}, "state": "COMMENTED"},          # a comment keeps the approval
    {"id": 3, "user": {"login": "qian-gh"}, "state": "APPROVED"},
    {"id": 4, "user": {"login": "qian-gh"}, "state": "CHANGES_REQUESTED"},  # later: withdrawn
    {"id": 5, "user": {"login": "sun-gh"}, "state": "APPROVED"},
]


def test_github_approvals_are_each_reviewers_last_decision(forge):
    forge.state.reviews = REVIEWS
    assert site("github", forge).approvers(PullRequest(number=3)) == frozenset({"zhao-gh", "sun-gh"})
    assert forge.calls() == [("GET", f"/api/v3/repos/{OWNER_REPO}/pulls/3/reviews")]


def test_gitea_approvals_leave_out_stale_and_dismissed_reviews(forge):
    forge.state.reviews = [
        {"id": 1, "user": {"login": "zhao-gh"}, "state": "APPROVED", "stale": True, "dismissed": False},
        {"id": 2, "user": {"login": "qian-gh"}, "state": "APPROVED", "stale": False, "dismissed": True},
        {"id": 3, "user": {"login": "sun-gh"}, "state": "APPROVED", "stale": False, "dismissed": False},
        {"id": 4, "user": {"login": "li-gh"}, "state": "REQUEST_CHANGES", "stale": False, "dismissed": False},
    ]
    assert site("gitea", forge).approvers(PullRequest(number=3)) == frozenset({"sun-gh"})


# --- findings ------------------------------------------------------------------------------------

def test_gitlab_posts_findings_as_a_merge_request_note(forge):
    site("gitlab", forge).post_findings(PullRequest(number=7), FINDINGS, "## erpops\n| 文件 |")
    req = only(forge)
    assert (req.method, req.path, req.body) == (
        "POST", f"/api/v4/projects/{PROJECT_ID}/merge_requests/7/notes", {"body": "## erpops\n| 文件 |"})


def test_gitea_posts_findings_as_a_review_with_inline_comments(forge):
    site("gitea", forge).post_findings(PullRequest(number=4, head="h" * 40), FINDINGS, "## erpops")
    req = only(forge)
    assert (req.method, req.path) == ("POST", f"/api/v1/repos/{OWNER_REPO}/pulls/4/reviews")
    assert req.body == {"body": "## erpops", "event": "COMMENT", "commit_id": "h" * 40, "comments": [
        {"path": "tickets/alpha/2026/A.yaml", "new_position": 3, "body": f"[pr-identity] {FINDINGS[0].message()}"}]}


def test_gitea_falls_back_to_the_review_body_where_a_line_is_refused(forge):
    forge.state.diff_lines = {30}
    posted = site("gitea", forge).post_findings(PullRequest(number=4), FINDINGS, "## erpops")
    assert forge.calls() == [("POST", f"/api/v1/repos/{OWNER_REPO}/pulls/4/reviews")] * 2
    assert forge.requests[1].body == {"body": "## erpops", "event": "COMMENT", "comments": []}
    assert posted.id == 101


def test_github_posts_findings_as_a_comment(forge):
    site("github", forge).post_findings(PullRequest(number=4), FINDINGS, "## erpops")
    assert forge.calls() == [("POST", f"/api/v3/repos/{OWNER_REPO}/issues/4/comments")]


# --- failures are said, never a traceback ---------------------------------------------------------

@pytest.mark.parametrize("name", ["github", "gitea", "gitlab"])
def test_a_wrong_token_is_a_clear_error(forge, name):
    with pytest.raises(ForgeError) as err:
        site(name, forge, token="wrong").comment_issue(5, "x")
    assert err.value.code == 2 and "401" in str(err.value)


@pytest.mark.parametrize("name", ["github", "gitea", "gitlab"])
def test_an_unreachable_forge_is_a_clear_error(no_ci, name):
    env = forge_env(name, "http://127.0.0.1:9")  # nothing listens on port 9
    with pytest.raises(ForgeError) as err:
        forges.make(name, env).comment_issue(5, "x")
    assert err.value.code == 2 and name in str(err.value)


def test_a_non_http_address_is_refused_before_any_call(no_ci):
    env = forge_env("gitea", "file:///etc")
    with pytest.raises(ForgeError) as err:
        forges.make("gitea", env).comment_issue(5, "x")
    assert "http(s)" in str(err.value)
