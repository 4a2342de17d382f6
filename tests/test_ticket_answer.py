"""erpops ticket answer: after a push, each changed ticket's issue is answered with its news and
where it stands; the issue is closed with the ticket and reopened with it."""
from __future__ import annotations

import pytest

from forge_server import OWNER_REPO, forge, forge_env, no_ci  # noqa: F401
from issue_fixture import ISSUE_PATH, comment_event, issue_repo
from prcheck_fixture import event

ISSUES = f"/api/v3/repos/{OWNER_REPO}/issues"
NOW = {"ERPOPS_NOW": "2026-11-02T12:00:00+08:00"}


@pytest.fixture
def ops(repo, forge, monkeypatch):
    for k, v in {**forge_env("github", forge.url), **NOW}.items():
        monkeypatch.setenv(k, v)
    return issue_repo(repo)


def push(ops, repo, text: str, **fields: str) -> tuple[str, str]:
    """A merged change on main that appends `text` to the ticket's history: (before, after)."""
    from prcheck_fixture import append

    before = ops.g.head.commit.hexsha
    append(repo, ISSUE_PATH, text, **fields)
    return before, ops.commit("merge", "2026-11-02T11:00:00+08:00")


def answer(cli, repo, before, after):
    return cli("ticket", "answer", "--before", before, "--after", after, cwd=repo.root)


def test_a_new_ticket_from_the_form_is_answered_with_who_holds_it_and_by_when(repo, cli, forge, monkeypatch):
    for k, v in {**forge_env("github", forge.url), **NOW}.items():
        monkeypatch.setenv(k, v)
    from issue_fixture import ISSUE_TICKET
    from prcheck_fixture import GitOps
    from tickets_fixture import setup

    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    github: li-gh\n")
    ops = GitOps(repo)
    before = ops.commit("base", "2026-11-02T08:00:00+08:00")
    repo.write(ISSUE_PATH, ISSUE_TICKET)
    after = ops.commit("merge the form's pull request", "2026-11-02T09:30:00+08:00")
    r = answer(cli, repo, before, after)
    assert r.code == 0, r.err
    assert r.out == "已在议题 #7 上答复工单 ALP-20261102-Q7RS（评论）。\n"
    looked, req = forge.requests
    assert (looked.method, looked.path, looked.query) == ("GET", f"{ISSUES}/7/comments", "per_page=100&page=1")
    assert (req.method, req.path) == ("POST", f"{ISSUES}/7/comments")
    assert req.body["body"] == (
        f"**工单 ALP-20261102-Q7RS：采购订单无法保存**（{ISSUE_PATH}）有新进展：\n\n"
        "- 2026-11-02 09:00 李用户：提交，交给 李用户（关键用户）——“由议题 \\#7 的工单表单生成（GitHub 账号 li\\-gh）”\n\n"
        "当前状态：已提交，由 李用户（关键用户）处理。时限：响应 2026-11-02 14:30 前，解决 2026-11-09 11:30 前。\n\n"
        f"<!-- erpops-answer ALP-20261102-Q7RS {after} -->")


def test_an_escalation_names_the_new_holder_and_tier(ops, repo, cli, forge):
    before, after = push(ops, repo, event("escalate", "2026-11-02T10:00:00+08:00", "li-user", "business-admin",
                                          assignee="zhao-admin", note="客户端无法解决"),
                         status="escalated", tier="business-admin", assignee="zhao-admin")
    r = answer(cli, repo, before, after)
    assert r.code == 0, r.err
    body = forge.requests[1].body["body"]
    assert body.splitlines()[2] == ("- 2026-11-02 10:00 李用户：上报，交给 赵管理（业务系统管理员）——“客户端无法解决”")
    assert body.splitlines()[-3].startswith("当前状态：已上报，由 赵管理（业务系统管理员）处理。时限：")


def test_a_closed_ticket_closes_its_issue_and_a_reopened_one_reopens_it(ops, repo, cli, forge):
    resolved = (event("resolve", "2026-11-02T10:00:00+08:00", "li-user", note="解除锁定")
                + "resolution:\n  summary: 解除锁定\n  root_cause: 锁未释放\n  by: li-user\n"
                "  at: 2026-11-02T10:00:00+08:00\n")
    before, after = push(ops, repo, resolved, status="resolved")
    assert answer(cli, repo, before, after).code == 0
    comments = ("GET", f"{ISSUES}/7/comments")
    assert forge.calls() == [comments, ("POST", f"{ISSUES}/7/comments")]
    assert forge.requests[1].body["body"].splitlines()[-3] == (
        "当前状态：已解决，由 李用户（关键用户）处理。请在 2026-11-10 00:00 前确认：问题已解决请评论 `/确认`，"
        "仍未解决请评论 `/未解决 仍然存在的现象`。")
    before, after = push(ops, repo, event("close", "2026-11-02T11:00:00+08:00", "li-user"), status="closed")
    r = answer(cli, repo, before, after)
    assert r.out == "已在议题 #7 上答复工单 ALP-20261102-Q7RS（评论并关闭议题）。\n"
    assert forge.calls()[2:] == [comments, ("POST", f"{ISSUES}/7/comments"), ("PATCH", f"{ISSUES}/7")]
    assert forge.requests[3].body["body"].splitlines()[-3] == (
        "当前状态：已关闭。本议题随之关闭；问题再次出现时请评论 `/未解决 仍然存在的现象`。")
    assert forge.state.issues == {7: "closed"}
    before, after = push(ops, repo, event("reopen", "2026-11-02T11:30:00+08:00", "li-user", note="又出现了"),
                         status="reopened")
    assert answer(cli, repo, before, after).code == 0
    assert forge.calls()[5:] == [comments, ("POST", f"{ISSUES}/7/comments"), ("PATCH", f"{ISSUES}/7")]
    assert forge.state.issues == {7: "open"}


def test_a_push_without_tickets_with_an_issue_answers_nothing(ops, repo, cli, forge):
    before = ops.g.head.commit.hexsha
    repo.write("docs/x.md", "x\n")
    after = ops.commit("docs")
    r = answer(cli, repo, before, after)
    assert (r.code, r.out) == (0, "本次推送没有改动带议题的工单，无需答复。\n")
    assert forge.requests == []
    r = answer(cli, repo, "0" * 40, after)
    assert r.code == 0 and "不可用" in r.out


def test_a_forge_that_refuses_the_answer_is_exit_1_with_the_reason(ops, repo, cli, forge, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    before, after = push(ops, repo, event("comment", "2026-11-02T10:00:00+08:00", "li-user", note="补充"))
    r = answer(cli, repo, before, after)
    assert r.code == 1
    assert "无法在议题 #7 上答复工单 ALP-20261102-Q7RS：" in r.err and "401" in r.err


def test_an_unknown_revision_is_unusable_input(ops, repo, cli):
    r = answer(cli, repo, "deadbeef" * 5, "HEAD")
    assert r.code == 2


def test_typed_text_in_an_answer_pings_nobody_and_links_nowhere():
    """A note or title is somebody's words: on the issue it must not mention, link or format."""
    from erpops.issueanswer import event_line
    from erpops.ticket import Event

    class _Roster:
        people: dict = {}

    e = Event(kind="comment", at=None, by="x", tier="key-user", src=None, note="请 @zhang 看 [这里](https://evil.example/) **急**")
    line = event_line(_Roster(), None, e)
    assert "@zhang" not in line and "@&#8203;zhang" in line
    assert "](https://" not in line and "**急**" not in line


def test_a_run_again_for_the_same_push_does_not_answer_twice(ops, repo, cli, forge):
    """A re-run CI job (or the event delivered twice) finds its own answer by its mark."""
    before, after = push(ops, repo, event("comment", "2026-11-02T10:00:00+08:00", "li-user", note="补充"))
    forge.state.comments[7] = [{"id": i, "body": f"别人的评论 {i}", "user": {"login": "li-gh"}} for i in range(150)]
    assert answer(cli, repo, before, after).code == 0
    assert [r.query for r in forge.requests if r.method == "GET"] == ["per_page=100&page=1", "per_page=100&page=2"]
    assert len(forge.calls("POST")) == 1 and len(forge.state.comments[7]) == 151
    forge.requests.clear()
    r = answer(cli, repo, before, after)
    assert (r.code, r.out) == (0, "议题 #7 上已有本次推送对工单 ALP-20261102-Q7RS 的答复，不再重复。\n")
    assert forge.calls("POST") == [] and len(forge.state.comments[7]) == 151
    # The next push's answer is a new one: its mark names its own commit.
    before, later = push(ops, repo, event("comment", "2026-11-02T10:30:00+08:00", "li-user", note="再补充"))
    assert answer(cli, repo, before, later).code == 0
    assert forge.state.comments[7][-1]["body"].endswith(f"<!-- erpops-answer ALP-20261102-Q7RS {later} -->")


def test_a_run_again_after_the_answer_but_before_the_close_still_closes_the_issue(ops, repo, cli, forge):
    before, after = push(ops, repo, event("close", "2026-11-02T11:00:00+08:00", "li-user"), status="closed")
    forge.state.comments[7] = [{"id": 1, "body": f"旧的答复\n\n<!-- erpops-answer ALP-20261102-Q7RS {after} -->"}]
    r = answer(cli, repo, before, after)
    assert (r.code, r.out) == (0, "议题 #7 上已有本次推送对工单 ALP-20261102-Q7RS 的答复，不再重复；议题已关闭。\n")
    assert forge.calls() == [("GET", f"{ISSUES}/7/comments"), ("PATCH", f"{ISSUES}/7")]
    assert forge.state.issues == {7: "closed"} and len(forge.state.comments[7]) == 1


@pytest.mark.parametrize("name, listed", [
    ("gitea", "/api/v1/repos/ops/erpops/issues/7/comments"),
    ("gitlab", "/api/v4/projects/42/issues/7/notes"),
])
def test_gitea_and_gitlab_find_the_answer_among_the_issue_comments(ops, repo, cli, forge, monkeypatch, name, listed):
    for k, v in forge_env(name, forge.url).items():
        monkeypatch.setenv(k, v)
    repo.edit("tickets/alpha/2026/ALP-20261102-Q7RS.yaml", "forge: github", f"forge: {name}")
    ops.commit("the issue is on the intranet forge")
    before, after = push(ops, repo, event("comment", "2026-11-02T10:00:00+08:00", "li-user", note="补充"))
    assert answer(cli, repo, before, after).code == 0
    assert ("GET", listed) in forge.calls() and len(forge.state.comments[7]) == 1
    r = answer(cli, repo, before, after)
    assert (r.code, r.out) == (0, "议题 #7 上已有本次推送对工单 ALP-20261102-Q7RS 的答复，不再重复。\n")
    assert len(forge.state.comments[7]) == 1
