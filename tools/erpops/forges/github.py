"""GitHub: Actions' event payload, the REST API with $GITHUB_TOKEN; findings stay annotations (--format github)."""
from __future__ import annotations

from erpops.diagnostics import Diagnostic
from erpops.forges import payload
from erpops.forges.base import Env, Posted, PullRequest, need, number
from erpops.forges.http import Api

PAGES = 50  # of an issue's comments at most (5,000): an issue with more is not a ticket's


class GitHub:
    name = "github"

    def __init__(self, env: Env) -> None:
        self.env = env

    def _api(self) -> Api:
        token = need(self.env, "GITHUB_TOKEN")
        return Api(self.name, self.env.get("GITHUB_API_URL") or "https://api.github.com",
                   {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28"})

    def _repo(self) -> str:
        return "/repos/" + need(self.env, "GITHUB_REPOSITORY")

    def pull_request(self) -> PullRequest:
        return payload.pull_request(self.env, self.name)

    def _post(self, path: str, body: dict) -> Posted:
        answer = self._api().call("POST", self._repo() + path, body)
        answer = answer if isinstance(answer, dict) else {}
        return Posted(number(answer.get("number") or answer.get("id")), answer.get("html_url"))

    def post_findings(self, pr: PullRequest, findings: list[Diagnostic], body: str) -> Posted:
        return self.comment_pull(pr.number or 0, body)

    def comment_issue(self, number: int, body: str) -> Posted:
        return self._post(f"/issues/{number}/comments", {"body": body})

    def comment_pull(self, number: int, body: str) -> Posted:
        return self._post(f"/issues/{number}/comments", {"body": body})  # a PR's conversation is an issue's

    def issue_comments(self, number: int) -> list[str]:
        """"List issue comments": GET /repos/{owner}/{repo}/issues/{issue_number}/comments, 100 a page
        (docs.github.com/en/rest/issues/comments#list-issue-comments), page after page."""
        found: list[str] = []
        for page in range(1, PAGES + 1):
            batch = self._api().call("GET", f"{self._repo()}/issues/{number}/comments?per_page=100&page={page}")
            batch = batch if isinstance(batch, list) else []
            found += [str(c.get("body") or "") for c in batch if isinstance(c, dict)]
            if len(batch) < 100:
                break
        return found

    def _state(self, number: int, body: str, state: dict) -> Posted:
        """"Update an issue": PATCH /repos/{owner}/{repo}/issues/{issue_number} with `state`
        (docs.github.com/en/rest/issues/issues#update-an-issue); the answer first."""
        posted = self.comment_issue(number, body) if body else Posted()
        self._api().call("PATCH", f"{self._repo()}/issues/{number}", state)
        return posted

    def close_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, {"state": "closed", "state_reason": "completed"})

    def reopen_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, {"state": "open", "state_reason": "reopened"})

    def open_pull(self, head: str, base: str, title: str, body: str) -> Posted:
        return self._post("/pulls", {"title": title, "head": head, "base": base, "body": body})

    def approvers(self, pr: PullRequest) -> frozenset[str]:
        reviews = self._api().call("GET", f"{self._repo()}/pulls/{pr.number}/reviews?per_page=100")
        return payload.latest_approvals(reviews)
