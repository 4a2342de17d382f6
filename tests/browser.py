"""Headless Chromium driven over the DevTools protocol, with no dependency beyond the stdlib.

`Browser` starts /usr/bin/chromium with a fresh profile and a DevTools port, opens one page and
speaks the protocol over a minimal WebSocket client (RFC 6455: text frames, client masking).
It records every network request the page makes, so a test can assert where they went.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
)


class WebSocket:
    def __init__(self, url: str, timeout: float = 30) -> None:
        rest = url.split("://", 1)[1]
        hostport, path = rest.split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            response += chunk
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            raise ConnectionError(response.decode("latin-1"))
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = first & 0x0F
            if opcode in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode()
            elif opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")

    def close(self) -> None:
        self.sock.close()


class Browser:
    """One headless Chromium with one page; `requests` holds every URL the page asked for."""

    def __init__(self, profile: Path | None = None, width: int = 1280, height: int = 900) -> None:
        self.profile = str(profile) if profile else tempfile.mkdtemp(prefix="erpops-chromium-")
        self.own_profile = profile is None
        self.proc = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port = self._port()
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events: list[dict] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")

    def _port(self) -> int:
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited before DevTools was ready")
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def _event(self, message: dict) -> None:
        self.events.append(message)
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(message["params"]["message"])
            self.ws.send(json.dumps({"id": -1, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": True}}))

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == my_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._event(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def open(self, url: str, timeout: float = 20) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'", timeout)

    def wait_for(self, expression: str, timeout: float = 20):
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout}s: {expression}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.own_profile:
                shutil.rmtree(self.profile, ignore_errors=True)


def walk(node: dict):
    """Every node of a DOM.getDocument(pierce=True) tree, closed shadow roots included."""
    yield node
    for key in ("children", "shadowRoots"):
        for child in node.get(key, ()):
            yield from walk(child)
    if "contentDocument" in node:
        yield from walk(node["contentDocument"])


def attributes(node: dict) -> dict:
    values = node.get("attributes", [])
    return dict(zip(values[::2], values[1::2]))


class Site:
    """A built site served on 127.0.0.1 only (an ephemeral port), for as long as it is open."""

    def __init__(self, directory: Path) -> None:
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join()


SEARCH_READY = "键入以开始搜索"  # Material's zh "search.result.placeholder"
_BOX = "document.querySelector('input[data-md-component=search-query]')"
_RESULTS = ("(() => { const a = [...document.querySelectorAll('.md-search-result__item > a')];"
            " return a.length ? a.map(x => new URL(x.href).pathname) : null })()")


def search_again(browser: Browser, base: str, query: str, timeout: float = 15) -> list[str]:
    """Type `query` into the search box of the page already open (the home page opened once, its
    index loaded), after clearing what the last query left; the result links, best first."""
    if not browser.evaluate(f"location.href === {base!r} && !!{_BOX}"):
        browser.open(base)
        browser.wait_for(f"document.querySelector('.md-search-result__meta').textContent.trim() === "
                         f"{SEARCH_READY!r}", 30)
    browser.evaluate(f"(() => {{ const box = {_BOX}; box.focus(); box.value = '';"
                     " box.dispatchEvent(new Event('input', {bubbles: true}));"
                     " box.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true})); })()")
    browser.wait_for("document.querySelectorAll('.md-search-result__item').length === 0", timeout)
    browser.call("Input.insertText", text=query)  # as an input method commits Chinese text …
    browser.call("Input.dispatchKeyEvent", type="keyUp", key="Process", code="", windowsVirtualKeyCode=229)
    try:
        return browser.wait_for(_RESULTS, timeout)
    except TimeoutError:
        raise AssertionError(f"no result for {query!r}: "
                             + browser.evaluate("document.querySelector('.md-search-result__meta').textContent"))


def box(browser: Browser, node_id: int) -> tuple[float, float, float, float] | None:
    """The border box of a DOM node on the page (left, top, right, bottom), or None if not drawn."""
    try:
        quad = browser.call("DOM.getBoxModel", nodeId=node_id)["model"]["border"]
    except RuntimeError:
        return None
    xs, ys = quad[0::2], quad[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes share more than a hair (0.5 px) of area."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours."""
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
