"""A recording forge on 127.0.0.1: the GitHub, Gitea/Forgejo and GitLab API paths the adapters use.

Each route follows the forge's documented path, method, authentication header and JSON body, and
answers with a body shaped as documented (only the fields a client reads, plus a few). Anything else
is a 404, a wrong or missing token a 401, a body without its required fields a 422. Every request is
recorded (method, path, headers, JSON body) for the tests to assert on.

  GitHub  (GHES-style prefix /api/v3)   Authorization: Bearer <token>
  Gitea   (/api/v1)                      Authorization: token <token>
  GitLab  (/api/v4)                      PRIVATE-TOKEN: <token>  or  JOB-TOKEN: <token>
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import urlsplit

TOKEN = "t0ken-for-tests"
HOST = "127.0.0.1"
OWNER_REPO = "ops/erpops"
PROJECT_ID = "42"

# Every CI variable an adapter or detect() reads: cleared before each forge test, so that a test
# never sees the CI it runs in (GITHUB_ACTIONS=true on GitHub, say).
CI_VARIABLES = (
    "CI", "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY", "GITLAB_CI", "GITLAB_TOKEN", "CI_JOB_TOKEN", "CI_SERVER_URL", "CI_PROJECT_ID",
    "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_SHA", "GITLAB_USER_LOGIN",
    "GITEA_ACTIONS", "FORGEJO_ACTIONS", "GITEA_TOKEN", "FORGEJO_TOKEN", "GITEA_API_URL", "GITEA_SERVER_URL",
    "GITEA_REPOSITORY",
)


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class State:
    """What the forge knows: the reviews (GitHub/Gitea), GitLab's MR and who approved it."""

    reviews: list[dict] = field(default_factory=list)
    mr: dict = field(default_factory=lambda: {
        "id": 1042, "iid": 7, "project_id": int(PROJECT_ID), "title": "工单更新", "state": "opened",
        "created_at": "2026-11-02T01:50:00.000Z", "author": {"id": 5, "username": "li-gh", "name": "李用户"},
        "source_branch": "pr", "target_branch": "main", "web_url": "http://example.invalid/ops/erpops/-/merge_requests/7",
    })
    approved_by: list[str] = field(default_factory=list)
    diff_lines: set[int] | None = None   # Gitea: the new-file lines a review comment may sit on (None: any)
    issues: dict[int, str] = field(default_factory=dict)  # issue number → its state, as last set
    issue_data: dict[int, dict] = field(default_factory=dict)    # GET …/issues/{n} answers (GitHub)
    comment_data: dict[int, dict] = field(default_factory=dict)  # GET …/issues/comments/{id} answers
    pulls: dict[int, dict] = field(default_factory=dict)   # GitHub: GET /pulls/<n> answers
    comments: dict[int, list[dict]] = field(default_factory=dict)  # issue number → its comments (notes), oldest first


Route = tuple[str, str, str, Callable[["Forge", Recorded, re.Match], tuple[int, Any]]]


def _need(body: Any, *keys: str) -> bool:
    return isinstance(body, dict) and all(isinstance(body.get(k), str) and body[k] for k in keys)


def _comment(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if not _need(req.body, "body"):
        return 422, {"message": "body is required"}
    cid = server.next_id()
    comment = {"id": cid, "body": req.body["body"], "user": {"login": "erpops-bot"},
               "html_url": f"http://example.invalid/{m['repo']}/issues/{m['n']}#issuecomment-{cid}"}
    server.state.comments.setdefault(int(m["n"]), []).append(comment)
    return 201, comment


def _query(req: Recorded) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(req.query))


def _list_comments(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    """GitHub: ?per_page (default 30, at most 100) and ?page (from 1); Gitea: every comment at once."""
    found = server.state.comments.get(int(m["n"]), [])
    if "/api/v1/" in req.path:
        return 200, found
    q = _query(req)
    size, page = min(int(q.get("per_page", 30)), 100), int(q.get("page", 1))
    return 200, found[(page - 1) * size:page * size]


def _list_notes(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    """GitLab: an issue's notes, one page (no Link header: python-gitlab's iterator stops there)."""
    return 200, server.state.comments.get(int(m["iid"]), [])


def _pull(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if not _need(req.body, "title", "head", "base"):
        return 422, {"message": "title, head and base are required"}
    number = server.next_id()
    return 201, {"id": number + 5000, "number": number, "title": req.body["title"], "state": "open",
                 "head": {"ref": req.body["head"]}, "base": {"ref": req.body["base"]},
                 "html_url": f"http://example.invalid/{m['repo']}/pulls/{number}"}


def _get_pull(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    pull = server.state.pulls.get(int(m["n"]))
    return (200, pull) if pull else (404, {"message": "Not Found"})


def _status(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if not _need(req.body, "state") or req.body["state"] not in ("error", "failure", "pending", "success"):
        return 422, {"message": "state must be error, failure, pending or success"}
    return 201, {"id": server.next_id(), "state": req.body["state"], "context": req.body.get("context", "default"),
                 "target_url": req.body.get("target_url"), "sha": m["sha"]}


def _reviews(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    return 200, server.state.reviews


def _gitea_review(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    body = req.body
    if not isinstance(body, dict) or body.get("event") not in ("APPROVED", "REQUEST_CHANGES", "COMMENT", "PENDING"):
        return 422, {"message": "event must be a ReviewStateType"}
    for c in body.get("comments") or []:
        if not (_need(c, "path", "body") and isinstance(c.get("new_position"), int)):
            return 422, {"message": "a review comment needs path, body and new_position"}
        if server.state.diff_lines is not None and c["new_position"] not in server.state.diff_lines:
            return 422, {"message": "line is not part of the diff"}
    rid = server.next_id()
    return 200, {"id": rid, "body": body.get("body", ""), "state": body["event"], "commit_id": body.get("commit_id"),
                 "comments_count": len(body.get("comments") or []), "user": {"login": "erpops-bot"},
                 "html_url": f"http://example.invalid/{m['repo']}/pulls/{m['n']}#issuecomment-{rid}"}


def _mr(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if str(server.state.mr["iid"]) != m["iid"]:
        return 404, {"message": "404 Not found"}
    return 200, server.state.mr


def _note(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if not _need(req.body, "body"):
        return 400, {"message": "400 Bad request - body is missing"}
    note = {"id": server.next_id(), "body": req.body["body"], "noteable_iid": int(m["iid"]),
            "noteable_type": "MergeRequest" if m["kind"] == "merge_requests" else "Issue",
            "author": {"username": "project_42_bot"}, "system": False}
    if m["kind"] == "issues":
        server.state.comments.setdefault(int(m["iid"]), []).append(note)
    return 201, note


def _approvals(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    return 200, {"id": server.state.mr["id"], "iid": int(m["iid"]), "project_id": int(PROJECT_ID),
                 "approved": bool(server.state.approved_by),
                 "approved_by": [{"user": {"id": i, "username": u, "name": u}}
                                 for i, u in enumerate(server.state.approved_by, 1)]}


def _create_mr(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    if not _need(req.body, "source_branch", "target_branch", "title"):
        return 400, {"message": "400 Bad request - source_branch, target_branch, title are missing"}
    iid = server.next_id()
    return 201, {"id": iid + 9000, "iid": iid, "project_id": int(PROJECT_ID), "title": req.body["title"],
                 "description": req.body.get("description"), "source_branch": req.body["source_branch"],
                 "target_branch": req.body["target_branch"], "state": "opened",
                 "web_url": f"http://example.invalid/ops/erpops/-/merge_requests/{iid}"}


def _issue_state(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    """GitHub and Gitea: PATCH …/issues/{n} with `state` open or closed."""
    body = req.body
    if not isinstance(body, dict) or body.get("state") not in ("open", "closed"):
        return 422, {"message": "state must be open or closed"}
    n = int(m["n"])
    server.state.issues[n] = body["state"]
    return 200, {"number": n, "state": body["state"], "html_url": f"http://example.invalid/{m['repo']}/issues/{n}"}


def _gitlab_issue_state(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    """GitLab: PUT /projects/:id/issues/:iid with state_event close or reopen."""
    body = req.body
    if not isinstance(body, dict) or body.get("state_event") not in ("close", "reopen"):
        return 400, {"message": "400 Bad request - state_event does not have a valid value"}
    iid = int(m["iid"])
    server.state.issues[iid] = "closed" if body["state_event"] == "close" else "opened"
    return 200, {"id": iid + 7000, "iid": iid, "project_id": int(PROJECT_ID), "state": server.state.issues[iid],
                 "web_url": f"http://example.invalid/ops/erpops/-/issues/{iid}"}


def _get_issue(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    found = server.state.issue_data.get(int(m["n"]))
    return (200, found) if found else (404, {"message": "Not Found"})


def _get_comment(server: "Forge", req: Recorded, m: re.Match) -> tuple[int, Any]:
    found = server.state.comment_data.get(int(m["c"]))
    return (200, found) if found else (404, {"message": "Not Found"})


_REPO = r"(?P<repo>[^/]+/[^/]+)"
ROUTES: list[Route] = [
    ("github", "POST", rf"/api/v3/repos/{_REPO}/issues/(?P<n>\d+)/comments", _comment),
    ("github", "GET", rf"/api/v3/repos/{_REPO}/issues/(?P<n>\d+)/comments", _list_comments),
    ("github", "POST", rf"/api/v3/repos/{_REPO}/pulls", _pull),
    ("github", "GET", rf"/api/v3/repos/{_REPO}/pulls/(?P<n>\d+)/reviews", _reviews),
    ("github", "GET", rf"/api/v3/repos/{_REPO}/pulls/(?P<n>\d+)", _get_pull),
    ("github", "POST", rf"/api/v3/repos/{_REPO}/statuses/(?P<sha>[0-9a-f]{{40}})", _status),
    ("gitea", "POST", rf"/api/v1/repos/{_REPO}/issues/(?P<n>\d+)/comments", _comment),
    ("gitea", "GET", rf"/api/v1/repos/{_REPO}/issues/(?P<n>\d+)/comments", _list_comments),
    ("gitea", "POST", rf"/api/v1/repos/{_REPO}/pulls", _pull),
    ("gitea", "POST", rf"/api/v1/repos/{_REPO}/pulls/(?P<n>\d+)/reviews", _gitea_review),
    ("gitea", "GET", rf"/api/v1/repos/{_REPO}/pulls/(?P<n>\d+)/reviews", _reviews),
    ("gitlab", "GET", r"/api/v4/projects/(?P<id>\d+)/merge_requests/(?P<iid>\d+)", _mr),
    ("gitlab", "POST", r"/api/v4/projects/(?P<id>\d+)/(?P<kind>merge_requests|issues)/(?P<iid>\d+)/notes", _note),
    ("gitlab", "GET", r"/api/v4/projects/(?P<id>\d+)/merge_requests/(?P<iid>\d+)/approvals", _approvals),
    ("gitlab", "GET", r"/api/v4/projects/(?P<id>\d+)/issues/(?P<iid>\d+)/notes", _list_notes),
    ("gitlab", "POST", r"/api/v4/projects/(?P<id>\d+)/merge_requests", _create_mr),
    ("github", "PATCH", rf"/api/v3/repos/{_REPO}/issues/(?P<n>\d+)", _issue_state),
    ("github", "GET", rf"/api/v3/repos/{_REPO}/issues/(?P<n>\d+)", _get_issue),
    ("github", "GET", rf"/api/v3/repos/{_REPO}/issues/comments/(?P<c>\d+)", _get_comment),
    ("gitea", "PATCH", rf"/api/v1/repos/{_REPO}/issues/(?P<n>\d+)", _issue_state),
    ("gitlab", "PUT", r"/api/v4/projects/(?P<id>\d+)/issues/(?P<iid>\d+)", _gitlab_issue_state),
]


def _authorised(forge: str, headers: dict[str, str]) -> bool:
    if forge == "github":
        return headers.get("authorization") == f"Bearer {TOKEN}"
    if forge == "gitea":
        return headers.get("authorization") == f"token {TOKEN}"
    return TOKEN in (headers.get("private-token"), headers.get("job-token"))


class Forge:
    """The server: `url` to point the adapters at, `requests` as recorded, `state` to set up answers."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.state = State()
        self._ids = 100
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((HOST, 0), self._handler())
        self.url = f"http://{HOST}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def start(self) -> "Forge":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def calls(self, method: str | None = None) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests if method in (None, r.method)]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                raw = self.rfile.read(int(headers.get("content-length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = {"<not json>": raw.decode("utf-8", "replace")}
                req = Recorded(self.command, url.path, url.query, headers, body)
                server.requests.append(req)
                status, answer = 404, {"message": "Not Found"}
                for forge, method, pattern, handle in ROUTES:
                    m = re.fullmatch(pattern, url.path)
                    if m and method == self.command:
                        if not _authorised(forge, headers):
                            status, answer = 401, {"message": "401 Unauthorized"}
                        elif body is not None and "application/json" not in headers.get("content-type", ""):
                            status, answer = 415, {"message": "JSON bodies only"}
                        else:
                            status, answer = handle(server, req, m)
                        break
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        return Handler


def forge_env(forge: str, url: str, event_path: str | None = None, *, token: str | None = TOKEN,
              base: str = "", head: str = "", login: str = "li-gh") -> dict[str, str]:
    """The variables each forge's CI sets for a pull request job (pointed at the recording server)."""
    if forge == "github":
        env = {"GITHUB_ACTIONS": "true", "GITHUB_API_URL": f"{url}/api/v3", "GITHUB_REPOSITORY": OWNER_REPO,
               "GITHUB_SERVER_URL": "https://github.invalid"}
        if token:
            env["GITHUB_TOKEN"] = token
    elif forge == "gitea":
        # act_runner also sets GITHUB_ACTIONS=true and the GITHUB_* names, with the Gitea server's URL.
        env = {"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": url,
               "GITHUB_REPOSITORY": OWNER_REPO}
        if token:
            env["GITEA_TOKEN"] = token
    else:
        env = {"GITLAB_CI": "true", "CI_SERVER_URL": url, "CI_PROJECT_ID": PROJECT_ID, "CI_MERGE_REQUEST_IID": "7",
               "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head, "GITLAB_USER_LOGIN": login}
        if token:
            env["GITLAB_TOKEN"] = token
    if event_path and forge != "gitlab":
        env["GITHUB_EVENT_PATH"] = event_path
    return env


def write_event(path, number: int, base: str, head: str, login: str, created_at: str) -> str:
    """The pull_request event payload GitHub and Gitea write to $GITHUB_EVENT_PATH (its fields we read)."""
    payload = {"action": "opened", "number": number, "pull_request": {
        "number": number, "state": "open", "title": "工单更新", "user": {"login": login},
        "created_at": created_at, "base": {"ref": "main", "sha": base}, "head": {"ref": "pr", "sha": head},
    }}
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return str(path)


import pytest  # noqa: E402


@pytest.fixture
def no_ci(monkeypatch):
    """No CI variable of the machine the tests run on, and no proxy between us and 127.0.0.1."""
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", HOST)
    monkeypatch.setenv("no_proxy", HOST)


@pytest.fixture
def forge(no_ci):
    """A recording forge on 127.0.0.1, started for the test and stopped after it."""
    server = Forge().start()
    yield server
    server.stop()
