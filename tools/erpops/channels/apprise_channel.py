"""The channel through apprise: a robot's webhook (as the vendor gives it, or apprise's own URL)
or a mailto:// URL, read from the environment variable the policy names."""
from __future__ import annotations

import logging
import re
from typing import Mapping
from urllib.parse import parse_qs, quote, urlsplit

import apprise

from erpops.channels import Delivery
from erpops.channels.robots import DingTalkRobot, FeishuRobot, WeComRobot
from erpops.i18n import t
from erpops.notify.plan import EMAIL, Message

TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def _token(url: str, schemes: tuple[str, ...], query: str | None, path_prefix: str | None) -> tuple[str | None, dict]:
    """The robot's token from its vendor URL or an apprise URL, and the query's other values."""
    parts = urlsplit(url.strip())
    qs = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme in schemes:
        token = (parts.netloc.rsplit("@", 1)[-1] + parts.path).strip("/")
        if "@" in parts.netloc and "secret" not in qs:
            qs["secret"] = parts.netloc.split("@", 1)[0]
    elif query:
        token = qs.pop(query, None)
    elif path_prefix and parts.path.startswith(path_prefix):
        token = parts.path[len(path_prefix):].strip("/")
    else:
        token = None
    return (token if token and TOKEN.match(token) else None), qs


class AppriseChannel:
    """Sends a Message through apprise; the reason of a failure is what apprise logged."""

    def _plugin(self, m: Message, env: Mapping[str, str]):
        url = env.get(m.secret, "").strip()
        if not url:
            raise ValueError(t("notify.no-secret", name=m.secret))
        sign = env.get(m.sign_secret, "").strip() if m.sign_secret else ""
        if m.kind == "wecom":
            key, _ = _token(url, ("wecombot",), "key", None)
            if key:
                return WeComRobot(key=key, mobiles=m.mobiles)
        elif m.kind == "dingtalk":
            token, qs = _token(url, ("dingtalk",), "access_token", None)
            if token:
                return DingTalkRobot(token=token, secret=sign or qs.get("secret") or None, targets=list(m.mobiles))
        elif m.kind == "feishu":
            token, qs = _token(url, ("feishu", "lark"), None, "/open-apis/bot/v2/hook/")
            if token:
                return FeishuRobot(token=token, secret=sign or qs.get("secret") or None)
        elif m.kind == EMAIL:
            if not url.startswith(("mailto://", "mailtos://")) or not m.address:
                raise ValueError(t("notify.bad-url", name=m.secret, kind=m.kind))
            sep = "&" if "?" in url else "?"
            return url + f"{sep}to={quote(m.address)}&format=text"
        raise ValueError(t("notify.bad-url", name=m.secret, kind=m.kind))

    def send(self, message: Message, env: Mapping[str, str]) -> Delivery:
        try:
            plugin = self._plugin(message, env)
        except (ValueError, TypeError, apprise.exception.AppriseException) as err:
            return Delivery(False, str(err))
        a = apprise.Apprise()
        if not a.add(plugin):
            return Delivery(False, t("notify.bad-url", name=message.secret, kind=message.kind))
        with apprise.LogCapture(level=logging.WARNING) as logs:
            ok = a.notify(body=message.body, title=message.subject if message.kind == EMAIL else "",
                          body_format=apprise.NotifyFormat.TEXT)
            text = logs.getvalue().strip()
        reason = " ".join(text.splitlines()[-1:]) if text else ""
        return Delivery(bool(ok), "" if ok else (reason or t("notify.refused")))
