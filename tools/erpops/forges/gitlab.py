"""GitLab (CE, EE, JiHu): predefined CI variables, and the API through python-gitlab.

The merge request's creation time and author are not in any variable: they come from the API
(`GET /projects/:id/merge_requests/:iid`), with $GITLAB_TOKEN (a project or personal access token,
header PRIVATE-TOKEN) or else $CI_JOB_TOKEN (header JOB-TOKEN, which GitLab lets read less).
Findings go into a Code Quality report (`--codequality FILE`) and, with --post, a merge request note.
"""
from __future__ import annotations

from typing import Any

from erpops.diagnostics import Diagnostic
from erpops.forges.base import Env, ForgeError, Posted, PullRequest, need, number
from erpops.i18n import t


class GitLab:
    name = "gitlab"

    def __init__(self, env: Env) -> None:
        self.env = env
        self._client: Any = None

    def _token(self) -> dict[str, str] | None:
        if (self.env.get("GITLAB_TOKEN") or "").strip():
            return {"private_token": self.env["GITLAB_TOKEN"].strip()}
        if (self.env.get("CI_JOB_TOKEN") or "").strip():
            return {"job_token": self.env["CI_JOB_TOKEN"].strip()}
        return None

    def _project(self) -> Any:
        import gitlab

        token = self._token()
        if token is None:
            raise ForgeError(t("forge.missing-env", names="GITLAB_TOKEN / CI_JOB_TOKEN"))
        url = need(self.env, "CI_SERVER_URL")
        if not url.startswith(("http://", "https://")):
            raise ForgeError(t("forge.bad-url", forge=self.name, url=url))
        if self._client is None:
            self._client = gitlab.Gitlab(url, timeout=30, **token)
        return self._client.projects.get(need(self.env, "CI_PROJECT_ID"), lazy=True)

    def _call(self, what: str, action):
        import gitlab
        import requests

        try:
            return action()
        except gitlab.exceptions.GitlabError as err:
            raise ForgeError(t("forge.http-error", forge=self.name, method=what, path="",
                               status=err.response_code, reason=err.error_message)) from None
        except requests.RequestException as err:
            raise ForgeError(t("forge.unreachable", forge=self.name, url=self.env.get("CI_SERVER_URL"),
                               reason=err)) from None

    def pull_request(self) -> PullRequest:
        iid = number(need(self.env, "CI_MERGE_REQUEST_IID"))
        pr = PullRequest(number=iid, base=need(self.env, "CI_MERGE_REQUEST_DIFF_BASE_SHA"),
                         head=self.env.get("CI_COMMIT_SHA") or None,
                         author=self.env.get("GITLAB_USER_LOGIN") or None)
        if self._token() is None:
            return pr  # no API: no creation time, and the author is whoever started the pipeline
        mr = self._call("GET", lambda: self._project().mergerequests.get(iid))
        author = mr.attributes.get("author") if isinstance(mr.attributes.get("author"), dict) else {}
        return PullRequest(number=iid, base=pr.base, head=pr.head,
                           author=author.get("username") or pr.author,
                           opened_at=mr.attributes.get("created_at") or None)

    def _note(self, on: str, number: int, body: str) -> Posted:
        def post():
            manager = getattr(self._project(), on)
            note = manager.get(number, lazy=True).notes.create({"body": body})
            return Posted(note.attributes.get("id"), None)

        return self._call("POST", post)

    def post_findings(self, pr: PullRequest, findings: list[Diagnostic], body: str) -> Posted:
        return self._note("mergerequests", pr.number or 0, body)

    def comment_issue(self, number: int, body: str) -> Posted:
        return self._note("issues", number, body)

    def comment_pull(self, number: int, body: str) -> Posted:
        return self._note("mergerequests", number, body)

    def issue_comments(self, number: int) -> list[str]:
        """List project issue notes: GET /projects/:id/issues/:issue_iid/notes, page after page
        (python-gitlab's iterator follows the pagination links)."""
        def get():
            notes = self._project().issues.get(number, lazy=True).notes.list(iterator=True, per_page=100)
            return [str(n.attributes.get("body") or "") for n in notes]

        return self._call("GET", get)

    def _state(self, number: int, body: str, event: str) -> Posted:
        """Edit an issue: PUT /projects/:id/issues/:issue_iid with state_event `close` or `reopen`
        (docs.gitlab.com/api/issues/#edit-an-issue); the note first."""
        posted = self.comment_issue(number, body) if body else Posted()
        self._call("PUT", lambda: self._project().issues.update(number, {"state_event": event}))
        return posted

    def close_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, "close")

    def reopen_issue(self, number: int, body: str) -> Posted:
        return self._state(number, body, "reopen")

    def open_pull(self, head: str, base: str, title: str, body: str) -> Posted:
        def post():
            mr = self._project().mergerequests.create(
                {"source_branch": head, "target_branch": base, "title": title, "description": body})
            return Posted(mr.attributes.get("iid"), mr.attributes.get("web_url"))

        return self._call("POST", post)

    def approvers(self, pr: PullRequest) -> frozenset[str]:
        def get():
            approvals = self._project().mergerequests.get(pr.number, lazy=True).approvals.get()
            users = approvals.attributes.get("approved_by") or []
            return frozenset(str((u.get("user") or {}).get("username") or "").lower()
                             for u in users if isinstance(u, dict)) - {""}

        return self._call("GET", get)
