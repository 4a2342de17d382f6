"""A comment on a ticket's issue as the forge's event gives it, and the command its first line types:
`/补充 …`, `/确认`, `/升级 原因：… 影响：…` (Chinese first, English aliases). Parsing only; what a
command does is commands/ticket_comment.py's.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import t

ACTIONS = ("note", "confirm", "reopen", "escalate", "cancel", "assign", "resolve")
# The words a comment may start with (after `/`), Chinese first, each to what it does.
WORDS = {
    "补充": "note", "备注": "note", "note": "note", "comment": "note",
    "已解决": "confirm", "确认": "confirm", "confirm": "confirm",
    "未解决": "reopen", "重新打开": "reopen", "reopen": "reopen",
    "升级": "escalate", "上报": "escalate", "escalate": "escalate",
    "取消": "cancel", "cancel": "cancel",
    "指派": "assign", "分派": "assign", "assign": "assign",
    "解决": "resolve", "resolve": "resolve",
}
# Labelled parts inside the text: 原因：… 影响：… (English cause: … impact: …).
_LABELS = {"cause": ("原因", "根本原因", "root cause", "cause"), "impact": ("影响", "impact")}
_LABEL = re.compile(r"(根本原因|原因|影响|root cause|cause|impact)\s*[:：]", re.IGNORECASE)


@dataclass(frozen=True)
class Comment:
    """A comment on an issue as the forge's event says it."""

    forge: str
    issue: int
    id: int
    login: str
    body: str
    created_at: str | None
    is_pull: bool = False
    by_bot: bool = False


@dataclass(frozen=True)
class Command:
    action: str          # one of ACTIONS
    word: str            # as typed, for the answer
    text: str            # everything after the word, whitespace kept inside lines


def _gitlab_note(data: dict, path: Path) -> Comment:
    """GitLab's Note Hook (object_kind `note`) on an issue, in the shape of the others."""
    attrs, user, issue = data.get("object_attributes"), data.get("user"), data.get("issue")
    if not (isinstance(attrs, dict) and isinstance(user, dict) and isinstance(issue, dict)) \
            or not isinstance(issue.get("iid"), int) or not isinstance(attrs.get("id"), int) \
            or not isinstance(user.get("username"), str):
        raise FatalError(t("comment.not-a-comment", path=path))
    created = attrs.get("created_at")
    if isinstance(created, str) and created.endswith(" UTC"):   # the hook's "2026-11-30 08:00:00 UTC"
        created = created[:-4].replace(" ", "T") + "Z"
    return Comment("gitlab", issue["iid"], attrs["id"], user["username"], str(attrs.get("note") or ""),
                   created if isinstance(created, str) else None,
                   is_pull=attrs.get("noteable_type") != "Issue")


def read_event(path: Path, forge: str) -> Comment:
    """The comment in an `issue_comment` event (GitHub, Gitea/Forgejo) or a GitLab Note Hook."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise FatalError(t("comment.bad-event", path=path, reason=err)) from None
    if not isinstance(data, dict):
        raise FatalError(t("comment.not-a-comment", path=path))
    if forge == "gitlab":
        return _gitlab_note(data, path)
    issue, comment = data.get("issue"), data.get("comment")
    user = comment.get("user") if isinstance(comment, dict) else None
    if not (isinstance(issue, dict) and isinstance(comment, dict) and isinstance(user, dict)) \
            or not isinstance(issue.get("number"), int) or not isinstance(comment.get("id"), int) \
            or not isinstance(user.get("login"), str):
        raise FatalError(t("comment.not-a-comment", path=path))
    login = user["login"]
    created = comment.get("created_at")
    return Comment(forge, issue["number"], comment["id"], login, str(comment.get("body") or ""),
                   created if isinstance(created, str) else None, is_pull=bool(issue.get("pull_request")),
                   by_bot=user.get("type") == "Bot" or login.lower().endswith("[bot]"))


def parse(body: str) -> Command | None:
    """The command a comment starts with, or None when it does not start with `/` (not for us).
    An unknown word is a Command with action ""."""
    text = body.replace("\r\n", "\n").lstrip()
    if not text.startswith(("/", "／")):
        return None
    first, _, rest = text[1:].partition("\n")
    m = re.match(r"([^\s:：]*)[\s:：]*(.*)$", first.strip())
    word, tail = (m.group(1), m.group(2)) if m else ("", "")
    more = "\n".join(line.rstrip() for line in rest.splitlines()).strip()
    joined = "\n".join(p for p in (tail.strip(), more) if p)
    return Command(WORDS.get(word.lower(), WORDS.get(word, "")), word, joined)


def labelled(text: str) -> tuple[str, dict[str, str]]:
    """`text` split into what comes before the first label and the labelled parts:
    "MRP 报错 原因：未记账 影响：停线" → ("MRP 报错", {"cause": "未记账", "impact": "停线"})."""
    found = list(_LABEL.finditer(text))
    parts: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        word = m.group(1).lower()
        key = next(k for k, words in _LABELS.items() if word in words)
        value = " ".join(text[m.end():end].split())
        if value and key not in parts:
            parts[key] = value
    lead = " ".join(text[:found[0].start()].split()) if found else " ".join(text.split())
    return lead, parts
