"""close_issue and reopen_issue against the recording forge: the answer first, then the documented
state change (GitHub and Gitea PATCH …/issues/{n} state; GitLab PUT …/issues/:iid state_event)."""
from __future__ import annotations

import pytest

from forge_server import OWNER_REPO, PROJECT_ID, TOKEN, forge, forge_env, no_ci  # noqa: F401
from erpops import forges


def site(name, forge):
    return forges.make(name, forge_env(name, forge.url))


@pytest.mark.parametrize("name,prefix", [("github", f"/api/v3/repos/{OWNER_REPO}"),
                                         ("gitea", f"/api/v1/repos/{OWNER_REPO}")])
def test_github_and_gitea_answer_then_close_the_issue(forge, name, prefix):
    posted = site(name, forge).close_issue(7, "工单已关闭")
    assert forge.calls() == [("POST", f"{prefix}/issues/7/comments"), ("PATCH", f"{prefix}/issues/7")]
    comment, patch = forge.requests
    assert comment.body == {"body": "工单已关闭"}
    assert patch.body == ({"state": "closed", "state_reason": "completed"} if name == "github"
                          else {"state": "closed"})
    assert forge.state.issues == {7: "closed"}
    assert posted.id == 101


@pytest.mark.parametrize("name,prefix", [("github", f"/api/v3/repos/{OWNER_REPO}"),
                                         ("gitea", f"/api/v1/repos/{OWNER_REPO}")])
def test_github_and_gitea_reopen_the_issue(forge, name, prefix):
    site(name, forge).reopen_issue(7, "工单已重新打开")
    assert forge.calls() == [("POST", f"{prefix}/issues/7/comments"), ("PATCH", f"{prefix}/issues/7")]
    assert forge.requests[1].body["state"] == "open"
    assert forge.state.issues == {7: "open"}


def test_gitlab_notes_then_closes_and_reopens_the_issue(forge):
    gitlab = site("gitlab", forge)
    gitlab.close_issue(7, "工单已关闭")
    gitlab.reopen_issue(7, "")
    assert forge.calls() == [("POST", f"/api/v4/projects/{PROJECT_ID}/issues/7/notes"),
                             ("PUT", f"/api/v4/projects/{PROJECT_ID}/issues/7"),
                             ("PUT", f"/api/v4/projects/{PROJECT_ID}/issues/7")]
    assert [r.body for r in forge.requests[1:]] == [{"state_event": "close"}, {"state_event": "reopen"}]
    assert all(r.headers["private-token"] == TOKEN for r in forge.requests)
    assert forge.state.issues == {7: "opened"}


@pytest.mark.parametrize("name", ["github", "gitea", "gitlab"])
def test_a_wrong_token_when_closing_is_a_clear_error(forge, name):
    env = forge_env(name, forge.url, token="wrong")
    with pytest.raises(forges.ForgeError) as err:
        forges.make(name, env).close_issue(7, "")
    assert "401" in str(err.value)
