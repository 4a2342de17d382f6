"""The `notify:` section of policy.yaml: which robot serves which subsystem (by the name of the
environment variable that holds its webhook, never the webhook itself), e-mail, the site's address,
the robots' rate limit. People choose a daily digest in roster/people.yaml (`notify: {digest: daily}`)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from erpops.model import Person
from erpops.policy import Policy

KINDS = ("wecom", "dingtalk", "feishu")
OFFICE = "office"
RATE_PER_MINUTE = 20  # WeCom, DingTalk and Feishu group robots each take 20 messages a minute
BATCH = 10  # notices joined into one robot message
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class Robot:
    name: str  # a subsystem code, or `office`
    kind: str  # wecom | dingtalk | feishu
    secret: str  # the environment variable that holds the webhook URL
    sign_secret: str | None = None  # DingTalk/Feishu signing secret's environment variable


@dataclass(frozen=True)
class NotifyConfig:
    robots: Mapping[str, Robot] = field(default_factory=dict)
    email_secret: str | None = None  # the environment variable with the mailto:// URL
    site_url: str | None = None
    issue_url: str | None = None  # e.g. https://github.com/org/ops/issues/{number}
    rate_per_minute: int = RATE_PER_MINUTE
    batch: int = BATCH
    digest_at: dt.time = dt.time(8, 30)

    def robot_for(self, subsystem: str | None) -> Robot | None:
        """The subsystem's robot; the office's where the subsystem has none."""
        return self.robots.get(subsystem or OFFICE) or self.robots.get(OFFICE)


def _env(v: Any) -> str | None:
    return v if isinstance(v, str) and ENV_NAME.match(v) else None


def _int(v: Any, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else default


def build(policy: Policy | None, site_url: str | None = None, issue_url: str | None = None) -> NotifyConfig:
    """The policy's `notify:`; `site_url` (mkdocs.yml) and `issue_url` (the forge) where it says none."""
    data = policy.src.doc.data if policy is not None and policy.src is not None else None
    d = data.get("notify") if isinstance(data, dict) else None
    d = d if isinstance(d, dict) else {}
    robots = {}
    for name, r in (d.get("robots") or {}).items() if isinstance(d.get("robots"), dict) else ():
        if isinstance(r, dict) and r.get("kind") in KINDS and _env(r.get("secret")):
            robots[str(name)] = Robot(str(name), r["kind"], r["secret"], _env(r.get("sign_secret")))
    email = d.get("email") if isinstance(d.get("email"), dict) else {}
    at = d.get("digest_at")
    try:
        digest_at = dt.time.fromisoformat(at) if isinstance(at, str) else dt.time(8, 30)
    except ValueError:
        digest_at = dt.time(8, 30)
    url = d.get("site_url") if isinstance(d.get("site_url"), str) else site_url
    return NotifyConfig(
        robots=robots, email_secret=_env(email.get("secret")),
        site_url=url.rstrip("/") + "/" if url else None,
        issue_url=d["issue_url"] if isinstance(d.get("issue_url"), str) and "{number}" in d["issue_url"] else issue_url,
        rate_per_minute=_int(d.get("rate_per_minute"), RATE_PER_MINUTE), batch=_int(d.get("batch"), BATCH),
        digest_at=digest_at,
    )


def digest(person: Person) -> bool:
    """Whether the person asked for one daily digest instead of a message each time."""
    doc, base = person.src.doc, person.src.base
    d = doc.data
    for k in base:
        try:
            d = d[k]
        except (KeyError, IndexError, TypeError):
            return False
    n = d.get("notify") if isinstance(d, dict) else None
    return isinstance(n, dict) and n.get("digest") == "daily"


MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def mobile(person: Person) -> str | None:
    """The person's mobile number (the one the robots @-mention), from the roster's phone."""
    if not person.phone:
        return None
    digits = re.sub(r"[\s()-]", "", person.phone)
    digits = digits[3:] if digits.startswith("+86") else digits
    return digits if MOBILE.match(digits) else None
