"""Robot webhooks and signing secrets never live in the repository: the policy names the
environment variable (a forge secret) that holds them. This rule finds one written anyway in
roster/ or policy.yaml — a WeCom, DingTalk or Feishu webhook, a DingTalk `SEC…` signing secret,
a mail URL with a password — and reports the line, without repeating the secret."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from erpops.diagnostics import Diagnostic

if TYPE_CHECKING:
    from erpops.repository import Repository

PATTERNS = (
    ("qyapi.weixin.qq.com/cgi-bin/webhook/send?key=", re.compile(r"qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=\w")),
    ("oapi.dingtalk.com/robot/send?access_token=", re.compile(r"oapi\.dingtalk\.com/robot/send\?access_token=\w")),
    ("open.feishu.cn/open-apis/bot/v2/hook/", re.compile(r"open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/\w")),
    ("wecombot:// dingtalk:// feishu:// lark://", re.compile(r"\b(?:wecombot|dingtalk|feishu|lark)://\w")),
    ("SEC…", re.compile(r"\bSEC[0-9a-f]{32,}\b")),
    ("mailto://user:password@", re.compile(r"\bmailtos?://[^\s:/@]+:[^\s@/]+@")),
)


def _scanned(path: str) -> bool:
    return path == "policy.yaml" or path.startswith("roster/")


def secrets_in_repo(repo: Repository) -> Iterator[Diagnostic]:
    for path, doc in sorted(repo.documents.items()):
        if not _scanned(path):
            continue
        for n, line in enumerate(doc.text.splitlines(), start=1 + doc.line_offset):
            for what, pattern in PATTERNS:
                if pattern.search(line):
                    yield Diagnostic.make(path, n, "notify-secret-in-repo", what=what)
                    break


def check(repo: Repository) -> list[Diagnostic]:
    return list(secrets_in_repo(repo))
