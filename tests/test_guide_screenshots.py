"""The key-user guide's screenshots, taken by a real headless Chromium: the ticket form (a local
mock rendered from .github/ISSUE_TEMPLATE/ticket.yml, which GitHub shows from YAML) and a ticket's
page on the internal site. Regenerated into tmp and checked; ERPOPS_WRITE_SCREENSHOTS=1 writes
them to docs/guide/img/ for committing."""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import struct
import threading

import pytest
import yaml

from browser import CHROMIUM, Browser
from conftest import REPO_ROOT
from form_mock import render

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")

IMG = REPO_ROOT / "docs" / "guide" / "img"
ASSET = "https://github.com/user-attachments/assets/3d0c9e57-6f1a-4b8e-9a55-0c2b7d41e8f2"
ATTACHED = f"attachments:\n  - name: 报错截图.png\n    url: {ASSET}\n"
GUIDE = REPO_ROOT / "docs" / "guide" / "key-user.md"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _keep(shot, name: str) -> None:
    data = shot.read_bytes()
    width, height = _png_size(data)
    assert 800 <= width <= 2000 and 400 <= height <= 4000 and len(data) > 10_000, (width, height, len(data))
    assert f"](img/{name})" in GUIDE.read_text("utf-8"), f"the guide shows {name}"
    if os.environ.get("ERPOPS_WRITE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, IMG / name)
    assert (IMG / name).exists(), f"docs/guide/img/{name} is committed"
    _png_size((IMG / name).read_bytes())


def _serve(folder):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_ticket_form_as_a_key_user_sees_it(tmp_path):
    form = yaml.safe_load((REPO_ROOT / ".github/ISSUE_TEMPLATE/ticket.yml").read_text("utf-8"))
    page = render(form)
    # Faithful: every field's label and every option, in the template's order.
    fields = [i for i in form["body"] if i["type"] != "markdown"]
    labels = re.findall(r"<label for=\"(\w+)\">([^<]+)", page)
    assert [lb[1].strip() for lb in labels[1:]] == [i["attributes"]["label"] for i in fields]
    for item in fields:
        for option in item["attributes"].get("options", []):
            assert f"<option>{option}</option>" in page
    (tmp_path / "form.html").write_text(page, "utf-8")
    server = _serve(tmp_path)
    browser = Browser(profile=tmp_path / "profile", width=1100, height=1900)
    try:
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/form.html")
        browser.wait_for("document.querySelectorAll('select').length === 3")
        shot = tmp_path / "ticket-form.png"
        browser.screenshot(shot)
    finally:
        browser.close()
        server.shutdown()
    _keep(shot, "ticket-form.png")


def test_a_tickets_page_on_the_internal_site(tmp_path):
    from site_fixture import build, frozen_copy

    root = frozen_copy(tmp_path / "ops")
    for name in ("ticket-form.png", "ticket-page.png"):  # the guide's images, before they first exist
        target = root / "docs" / "guide" / "img" / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((IMG / "ticket-form.png").read_bytes() if (IMG / "ticket-form.png").exists() else b"")
    # An open ticket made from the form, with the screenshot its reporter pasted.
    ticket = root / "tickets" / "decision-support" / "2026" / "DSS-20261124-NUBU.yaml"
    ticket.write_text(ticket.read_text("utf-8") + ATTACHED, "utf-8")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    rel = "tickets/decision-support/2026/DSS-20261124-NUBU"
    server = _serve(root / "site")
    browser = Browser(profile=tmp_path / "profile", width=1280, height=1000)
    try:
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/{rel}/")
        browser.wait_for("document.querySelector('article h1') !== null")
        links = browser.evaluate("[...document.querySelectorAll('article a[href^=\"https://\"]')].map(a => [a.textContent, a.href])")
        assert links == [["报错截图.png", ASSET]]
        shot = tmp_path / "ticket-page.png"
        browser.screenshot(shot)
    finally:
        browser.close()
        server.shutdown()
    _keep(shot, "ticket-page.png")
