"""A ticket filed from issue #7 in a Git repository, and the comment events a forge sends about it."""
from __future__ import annotations

import json

from conftest import Repo
from prcheck_fixture import LOGINS, GitOps
from tickets_fixture import setup

ISSUE_PATH = "tickets/alpha/2026/ALP-20261102-Q7RS.yaml"
# Opened from issue #7 by key user li-user, who holds it; no cause yet.
ISSUE_TICKET = """\
id: ALP-20261102-Q7RS
title: 采购订单无法保存
subsystem: alpha
type: fault
priority: P3
status: open
reporter:
  person: li-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 保存采购订单时提示“单据已被锁定”
issue:
  forge: github
  number: 7
  url: https://github.com/ops/erpops/issues/7
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
    note: "由议题 #7 的工单表单生成（GitHub 账号 li-gh）"
"""


def issue_repo(repo: Repo, ticket: str = ISSUE_TICKET) -> GitOps:
    """The tickets fixture with GitHub logins and the issue's ticket, committed on main."""
    setup(repo)
    for pid, login in LOGINS.items():
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {login}\n")
    repo.write(ISSUE_PATH, ticket)
    ops = GitOps(repo)
    ops.commit("base", "2026-11-02T09:05:00+08:00")
    return ops


def comment_event(path, body: str, *, login: str = "li-gh", number: int = 7, comment_id: int = 9001,
                  created_at: str = "2026-11-20T01:00:00Z", pull: bool = False, user_type: str = "User") -> str:
    """An `issue_comment` event (action created) as GitHub and Gitea write it to $GITHUB_EVENT_PATH."""
    issue = {"number": number, "title": "[工单] 采购订单无法保存", "labels": [{"name": "ticket"}],
             "html_url": f"https://github.com/ops/erpops/issues/{number}", "user": {"login": "li-gh"}}
    if pull:
        issue["pull_request"] = {"url": "x"}
    payload = {"action": "created", "issue": issue, "repository": {"default_branch": "main"},
               "comment": {"id": comment_id, "body": body, "created_at": created_at,
                           "html_url": f"https://github.com/ops/erpops/issues/{number}#issuecomment-{comment_id}",
                           "issue_url": f"https://api.github.com/repos/ops/erpops/issues/{number}",
                           "user": {"login": login, "type": user_type}}}
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return str(path)
