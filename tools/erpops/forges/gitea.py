"""Gitea and Forgejo: Actions with a GitHub-compatible payload; the API at <server>/api/v1 with $GITEA_TOKEN.

Gitea Actions show no error annotations (go-gitea/gitea#23722): findings go on the pull request as a
review whose inline comments sit on the lines (`new_position`), plus the text in the job log.
"""
from __future__ import annotations

from erpops.diagnostics import Diagnostic
from erpops.forges import payload
from erpops.forges.base import Env, ForgeError, Posted, PullRequest, need, number
from erpops.forges.http import Api

_INLINE = 50  # inline comments per review at most; the body's table has them all


class Gitea:
    name = "gitea"

    def __init__(self, env: Env) -> None:
        self.env = env

    def _api(self) -> Api:
        token = need(self.env, "GITEA_TOKEN", "FORGEJO_TOKEN", "GITHUB_TOKEN")
        base = self.env.get("GITEA_API_URL") or ""
        if not base:
            server = need(self.env, "GITEA_SERVER_URL", "GITHUB_SERVER_URL")
            base = server.rstrip("/") + "/api/v1"
        return Api(self.name, base, {"Authorization": f"token {token}"})

    def _repo(self) -> str:
        return "/repos/" + need(self.env, "GITEA_REPOSITORY", "GITHUB_REPOSITORY")

    def pull_request(self) -> PullRequest:
        return payload.pull_request(self.env, self.name)

    def _post(self, path: str, body: dict) -> Posted:
        answer = self._api().call("POST", self._repo() + path, body)
        answer = answer if isinstance(answer, dict) else {}
        return Posted(number(answer.get("number") or answer.get("id")), answer.get("html_url"))

    def post_findings(self, pr: PullRequest, findings: list[Diagnostic], body: str) -> Posted:
        comments = [{"path": d.path, "body": f"[{d.rule}] {d.message()}", "new_position": d.line}
                    for d in sorted(findings) if d.line > 0][:_INLINE]
        review = {"body": body, "event": "COMMENT", "comments": comments}
        if pr.head:
            review["commit_id"] = pr.head
        try:
            return self._post(f"/pulls/{pr.number}/reviews", review)
        except ForgeError:
            if not comments:
                raise
            # A line outside the diff may be refused as a place to comment: the body alone says it all.
            return self._post(f"/pulls/{pr.number}/reviews", {**review, "comments": []})

    def comment_issue(self, number: int, body: str) -> Posted:
        return self._post(f"/issues/{number}/comments", {"body": body})

    def comment_pull(self, number: int, body: str) -> Posted:
        return self._post(f"/issues/{number}/comments", {"body": body})

    def issue_comments(self, number: int) -> list[str]:
        """issueGetComments: GET /repos/{owner}/{repo}/issues/{index}/comments, every comment at once."""
        found = self._api().call("GET", f"{self._repo()}/issues/{number}/comments")
        return [str(c.get("body") or "") for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    def open_pull(self, head: str, base: str, title: str, body: str) -> Posted:
        return self._post("/pulls", {"head": head, "base": base, "title": title, "body": body})

    def _state(self, number: int, body: str, state: str) -> Posted:
        """issueEditIssue: PATCH /repos/{owner}/{repo}/issues/{index} with EditIssueOption's
        `state` ("open" or "closed"); the answer first."""
        posted = self.comment_issue(number, body) if body else Posted()
        self._api().call("PATCH", f"{self._repo()}/issues/{number}", {"state": state})
        return posted

    def close_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, "closed")

    def reopen_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, "open")

    def approvers(self, pr: PullRequest) -> frozenset[str]:
        reviews = self._api().call("GET", f"{self._repo()}/pulls/{pr.number}/reviews?limit=50")
        return payload.latest_approvals(
            reviews, skip=lambda r: bool(r.get("stale") or r.get("dismissed")))
