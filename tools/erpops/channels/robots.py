"""Apprise plugins for what apprise's own WeCom and Feishu robots leave out: WeCom's
`mentioned_mobile_list` (apprise's wecombot posts text only) and Feishu's signed requests
(`timestamp` + `sign` in the body); and for DingTalk, whose apprise plugin (2.2) URL-encodes the
signature before handing it to requests, which encodes it again (the robot answers "sign not
match"), and which takes an HTTP 200 carrying an errcode for success. They subclass apprise's
plugins, so apprise's URL parsing, throttling, logging and `notify_url` stay in force; e-mail is
apprise's own."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import requests
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot


def _post(plugin, url: str, payload: dict, params: dict | None = None) -> bool:
    """POST the JSON; a robot answers HTTP 200 with a non-zero errcode/code when it refuses."""
    plugin.throttle()
    try:
        r = requests.post(url, params=params, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                          headers={"User-Agent": plugin.app_id, "Content-Type": "application/json; charset=utf-8"},
                          verify=plugin.verify_certificate, timeout=plugin.request_timeout,
                          allow_redirects=plugin.redirects)
    except requests.RequestException as e:
        plugin.logger.warning(f"{plugin.service_name}: connection error: {e}")
        return False
    try:
        answer = r.json()
    except ValueError:
        answer = {}
    code = answer.get("errcode", answer.get("code", 0)) if isinstance(answer, dict) else 0
    if r.status_code != requests.codes.ok or code not in (0, None):
        msg = answer.get("errmsg", answer.get("msg", "")) if isinstance(answer, dict) else ""
        plugin.logger.warning(f"{plugin.service_name}: HTTP {r.status_code}, code {code} {msg}".rstrip())
        return False
    return True


class WeComRobot(NotifyWeComBot):
    """WeCom group robot text that @-mentions people by mobile number."""

    def __init__(self, key: str, mobiles: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(key=key, **kwargs)
        self.mobiles = list(mobiles)

    def send(self, body, title="", notify_type=None, **kwargs):
        payload = {"msgtype": "text", "text": {"content": body}}
        if self.mobiles:
            payload["text"]["mentioned_mobile_list"] = self.mobiles
        return _post(self, self.api_url, payload)


def feishu_sign(secret: str, timestamp: str) -> str:
    """Feishu's signature: HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message, base64."""
    mac = hmac.new(f"{timestamp}\n{secret}".encode("utf-8"), b"", digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


class FeishuRobot(NotifyFeishu):
    """Feishu group robot text, signed when the robot has a signing secret."""

    def __init__(self, token: str, secret: str | None = None, **kwargs) -> None:
        super().__init__(token=token, **kwargs)
        self.secret = secret

    def send(self, body, title="", notify_type=None, **kwargs):
        payload: dict = {"msg_type": "text", "content": {"text": body}}
        if self.secret:
            ts = str(int(time.time()))
            payload.update(timestamp=ts, sign=feishu_sign(self.secret, ts))
        return _post(self, self.notify_url.format(token=self.token), payload)


def dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk's signature: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret
    (sent in the query, URL-encoded once)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), digestmod=hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


class DingTalkRobot(NotifyDingTalk):
    """DingTalk group robot text that @-mentions people by mobile number, signed when it has a secret."""

    def send(self, body, title="", notify_type=None, **kwargs):
        # DingTalk shows a mention only where the number is also written in the text.
        mentions = " ".join(f"@{m}" for m in self.targets)
        payload = {"msgtype": "text", "text": {"content": f"{body}\n{mentions}" if mentions else body},
                   "at": {"atMobiles": list(self.targets), "isAtAll": False}}
        params = None
        if self.secret:
            ts = str(round(time.time() * 1000))
            params = {"timestamp": ts, "sign": dingtalk_sign(self.secret, ts)}
        return _post(self, self.notify_url.format(token=self.token), payload, params)
