"""The GitHub-style event payload ($GITHUB_EVENT_PATH) that GitHub Actions and Gitea/Forgejo Actions write."""
from __future__ import annotations

import json
from pathlib import Path

from erpops.forges.base import Env, ForgeError, PullRequest, need, number
from erpops.i18n import t


def pull_request(env: Env, forge: str) -> PullRequest:
    """base.sha, head.sha, user.login and created_at of the payload's `pull_request`."""
    path = need(env, "GITHUB_EVENT_PATH")
    try:
        event = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise ForgeError(t("forge.bad-payload", forge=forge, path=path, reason=err)) from None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pr, dict):
        raise ForgeError(t("forge.no-pull-request", forge=forge, path=path))

    def text(*keys: str) -> str | None:
        value: object = pr
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return str(value) if isinstance(value, (str, int)) and str(value) else None

    return PullRequest(number=number(pr.get("number") or event.get("number")), base=text("base", "sha"),
                       head=text("head", "sha"), author=text("user", "login"), opened_at=text("created_at"))


def latest_approvals(reviews: object, skip=lambda review: False) -> frozenset[str]:
    """Who approves now: each reviewer's last deciding review (approve, request changes, dismissed)."""
    last: dict[str, str] = {}
    for review in reviews if isinstance(reviews, list) else []:
        if not isinstance(review, dict) or skip(review):
            continue
        user = review.get("user") if isinstance(review.get("user"), dict) else {}
        login, state = str(user.get("login") or "").lower(), str(review.get("state") or "").upper()
        if login and state in ("APPROVED", "CHANGES_REQUESTED", "REQUEST_CHANGES", "DISMISSED"):
            last[login] = state
    return frozenset(login for login, state in last.items() if state == "APPROVED")
