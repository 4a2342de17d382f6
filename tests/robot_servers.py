"""Stand-ins on 127.0.0.1 for the WeCom, DingTalk and Feishu group robots and for an SMTP server,
each checking a request the way the vendor documents it: WeCom by the key in the query, DingTalk
by timestamp + sign in the query (base64 HMAC-SHA256 of "timestamp\\nsecret" keyed with the
secret), Feishu by timestamp + sign in the body (base64 HMAC-SHA256 keyed with "timestamp\\nsecret"
over nothing). A refused request is answered the vendor's way (HTTP 200, errcode ≠ 0)."""
from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "wecom-key-0001"
DING_TOKEN = "dingtoken0001"
DING_SECRET = "SEC" + "0123456789abcdef" * 4
FEISHU_TOKEN = "feishu-token-0001"
FEISHU_SECRET = "feishu-sign-secret"


@dataclass
class Robots:
    port: int = 0
    received: list[tuple[str, dict]] = field(default_factory=list)  # (robot, JSON body) accepted
    refused: list[tuple[str, str]] = field(default_factory=list)  # (robot, why)
    fail_next: int = 0  # answer this many requests with HTTP 500 first

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def texts(self, robot: str) -> list[str]:
        out = []
        for name, body in self.received:
            if name == robot:
                out.append(body["text"]["content"] if "text" in body and "content" in body["text"]
                           else body.get("content", {}).get("text"))
        return out


def _ding_sign(ts: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _feishu_sign(ts: str, secret: str) -> str:
    mac = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def _handler(state: Robots):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _answer(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.fail_next:
                state.fail_next -= 1
                return self._answer(500, {"errcode": -1, "errmsg": "busy"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self._answer(400, {"errcode": 40001, "errmsg": "not json"})
            now_ms = time.time() * 1000
            if url.path == "/cgi-bin/webhook/send":
                robot, why = "wecom", None if q.get("key") == WECOM_KEY else "key"
                if body.get("msgtype") != "text":
                    why = "msgtype"
            elif url.path == "/robot/send":
                robot, ts = "dingtalk", q.get("timestamp", "")
                if q.get("access_token") != DING_TOKEN:
                    why = "token"
                elif not ts.isdigit() or abs(now_ms - int(ts)) > 3600_000:
                    why = "timestamp"
                else:
                    why = None if q.get("sign") == _ding_sign(ts, DING_SECRET) else "sign"
            elif url.path.rstrip("/") == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}":
                robot, ts = "feishu", str(body.get("timestamp", ""))
                if not ts.isdigit() or abs(now_ms / 1000 - int(ts)) > 3600:
                    why = "timestamp"
                else:
                    why = None if body.get("sign") == _feishu_sign(ts, FEISHU_SECRET) else "sign"
            else:
                return self._answer(404, {"errcode": 404, "errmsg": "no such robot"})
            if why:
                state.refused.append((robot, why))
                return self._answer(200, {"errcode": 310000, "code": 19021, "errmsg": f"bad {why}"})
            state.received.append((robot, body))
            return self._answer(200, {"errcode": 0, "code": 0, "errmsg": "ok"})

    return Handler


@contextmanager
def robots():
    state = Robots()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    port: int = 0
    messages: list[email.message.EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it is given."""
    from aiosmtpd.controller import Controller

    box = Mailbox(_free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            box.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
