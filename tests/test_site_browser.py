"""The built site in a real headless Chromium: search in Chinese, the org chart, no outside
requests, no script from user text. Skipped only when /usr/bin/chromium is missing."""
from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from urllib.parse import urlsplit

import pytest

from browser import CHROMIUM, Browser, Site, attributes, box, contrast, overlap, walk
from conftest import REPO_ROOT
from site_fixture import build as build_frozen, frozen_copy
from site_repo import XSS_IMG, XSS_SCRIPT, XSS_TICKET_ID, build, real_data_copy

TICKET = f"tickets/production/2026/{XSS_TICKET_ID}/"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")

ARTIFACTS = REPO_ROOT / "test-artifacts"

# Installed before any page script: records CSP violations and any alert() a page calls.
PROBE = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.blockedURI));
"""


READY = "键入以开始搜索"  # Material's zh "search.result.placeholder"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = real_data_copy(tmp_path_factory.mktemp("browser") / "ops")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    browser = Browser(profile=tmp_path_factory.mktemp("chromium-profile"))  # fresh, and pytest cleans it
    browser.call("Page.addScriptToEvaluateOnNewDocument", source=PROBE)
    try:
        yield browser, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        browser.close()
        server.shutdown()
        thread.join()


def search(browser: Browser, base: str, query: str) -> list[str]:
    """Type `query` into Material's search box on the home page; the result links, best first.

    Typing starts once the search worker has loaded its index (Material then replaces the
    "initialising" line with the "type to search" one), and ends with the key-up an input
    method sends, which is what makes Material read the box."""
    browser.open(base)
    browser.wait_for(f"document.querySelector('.md-search-result__meta').textContent.trim() === {READY!r}", 30)
    browser.evaluate("document.querySelector('input[data-md-component=search-query]').focus()")
    browser.call("Input.insertText", text=query)  # as an input method commits Chinese text …
    browser.call("Input.dispatchKeyEvent", type="keyUp", key="Process", code="", windowsVirtualKeyCode=229)
    try:
        return browser.wait_for(
            "(() => { const a = [...document.querySelectorAll('.md-search-result__item > a')];"
            " return a.length ? a.map(x => new URL(x.href).pathname) : null })()", timeout=15
        )
    except TimeoutError:
        state = browser.evaluate(
            "[document.querySelector('input[data-md-component=search-query]').value,"
            " document.activeElement && document.activeElement.outerHTML.slice(0, 80),"
            " document.querySelector('.md-search-result__meta').textContent,"
            " document.querySelector('.md-search-result').outerHTML.slice(0, 300)]"
        )
        raise AssertionError(state)


def test_search_finds_backup_in_the_backup_runbook(served):
    browser, base = served
    assert search(browser, base, "备份")[0] == "/runbooks/common/backup-restore/"


def test_search_finds_jiang_lizhang_on_the_production_page(served):
    browser, base = served
    assert "/subsystems/production/" in search(browser, base, "蒋立章")[:3]


def test_search_finds_approval_flow_in_the_responsibilities(served):
    browser, base = served
    # The October forms (in this copy since the reports landed) mention 审批流 often and rank first.
    assert "/rules/responsibilities/" in search(browser, base, "审批流")


def test_org_chart_renders_as_svg(served):
    browser, base = served
    browser.open(base + "organisation/")
    browser.wait_for("!!document.querySelector('div.mermaid')")  # Material swaps pre → div when drawn
    root = browser.call("DOM.getDocument", depth=-1, pierce=True)["root"]
    nodes = list(walk(root))  # the SVG is in a closed shadow root; pierce=True reaches it
    svgs = [n for n in nodes if n.get("nodeName", "").lower() == "svg"
            and attributes(n).get("aria-roledescription", "").startswith("flowchart")]
    assert len(svgs) == 1
    labels = {n["nodeValue"] for n in walk(svgs[0]) if n.get("nodeType") == 3}
    assert {"ERP运维管理办公室", "组长：蒋立章", "“生产系统”关键用户组"} <= labels


def test_search_finds_a_ticket_by_a_chinese_word_of_its_title(served):
    browser, base = served
    assert "/" + TICKET in search(browser, base, "叉车")[:3]


def test_report_charts_render_as_svg_pie_and_xychart(served):
    browser, base = served
    browser.open(base + "reports/2026-10/production/")
    browser.wait_for("document.querySelectorAll('div.mermaid').length === 2")
    kinds: list = []
    deadline = time.monotonic() + 15
    while len(kinds) < 2 and time.monotonic() < deadline:
        root = browser.call("DOM.getDocument", depth=-1, pierce=True)["root"]
        kinds = [attributes(n).get("aria-roledescription") for n in walk(root)
                 if n.get("nodeName", "").lower() == "svg"
                 and attributes(n).get("aria-roledescription") in ("pie", "xychart")]
        time.sleep(0.2)
    # The site draws the form's pie as horizontal bars too (erpops.site.charts).
    assert kinds == ["xychart", "xychart"]
    texts = {n["nodeValue"] for n in walk(root) if n.get("nodeType") == 3}
    assert {"按类型", "各层级解决的工单", "关键用户", "ERP 子系统管理员"} <= texts


def test_user_text_runs_no_script_and_shows_as_text(served):
    browser, base = served
    # The probe must be able to see an alert, or its silence below proves nothing.
    browser.open(base)
    browser.evaluate("setTimeout(() => alert('probe'), 0); 1")
    deadline = time.monotonic() + 10
    while not browser.dialogs and time.monotonic() < deadline:
        browser.evaluate("1")  # each call also reads the events that arrived meanwhile
        time.sleep(0.05)
    assert browser.dialogs == ["probe"]
    browser.dialogs.clear()
    for page in ("runbooks/production/xss-probe/", "runbooks/", "subsystems/production/", TICKET, "tickets/",
                 "tickets/status/open/", "tickets/subsystem/production/", "backlog/", ""):
        browser.open(base + page)
        time.sleep(0.3)
        shown = browser.evaluate("document.querySelector('article').innerText")
        assert XSS_SCRIPT in shown, page
        assert browser.evaluate("document.querySelectorAll('article script, article img[onerror]').length") == 0
    for page in ("runbooks/production/xss-probe/", TICKET, "backlog/"):
        browser.open(base + page)
        assert XSS_IMG in browser.evaluate("document.querySelector('article').innerText"), page
    browser.open(base + "organisation/")
    browser.wait_for("!!document.querySelector('div.mermaid')")
    chart = browser.call("DOM.getDocument", depth=-1, pierce=True)["root"]
    assert "组长：" + XSS_IMG in {n["nodeValue"] for n in walk(chart) if n.get("nodeType") == 3}
    assert not [n for n in walk(chart) if n.get("nodeName", "").lower() == "img"]
    found = search(browser, base, "星号")  # search results show the indexed title and text as HTML
    assert "/runbooks/production/xss-probe/" in found
    assert browser.evaluate("document.querySelectorAll('.md-search-result script, .md-search-result img').length") == 0
    assert XSS_SCRIPT in browser.evaluate("document.querySelector('.md-search-result').innerText")
    assert browser.evaluate("[...document.querySelectorAll('article a')]"
                            ".filter(a => /^\\s*javascript:/i.test(a.getAttribute('href') || '')).length") == 0
    assert browser.dialogs == []


def test_no_request_goes_to_any_host_but_the_site(served):
    browser, base = served
    browser.requests.clear()
    for page in ("", "organisation/", "subsystems/production/", "runbooks/common/backup-restore/",
                 "runbooks/production/xss-probe/", "contacts/", "rules/", "tickets/", TICKET,
                 "tickets/status/open/", "backlog/", "reports/", "reports/2026-10/production/",
                 "reports/2026-10/office-summary/"):
        browser.open(base + page)
        time.sleep(0.3)
        assert browser.evaluate("window.__violations") == [], page
    search(browser, base, "备份")
    hosts = {urlsplit(u).hostname for u in browser.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}
    assert any(u.endswith("/assets/erpops/mermaid.min.js") for u in browser.requests)
    assert all(urlsplit(u).scheme in ("http", "data", "blob") for u in browser.requests), json.dumps(browser.requests)


def test_home_page_screenshot_is_kept(served):
    browser, base = served
    browser.open(base)
    path = ARTIFACTS / "home.png"
    browser.screenshot(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


# --- charts people can read, a layout for its readers: the site of a frozen copy of the data ---

WIDTHS = (1366, 390)  # a laptop and a phone, as the issue looked at them


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    root = frozen_copy(tmp_path_factory.mktemp("frozen") / "ops")
    proc = build_frozen(root)
    assert proc.returncode == 0, proc.stderr
    site = Site(root / "site")
    browser = Browser(profile=tmp_path_factory.mktemp("chromium-frozen"))
    try:
        yield browser, site.base
    finally:
        browser.close()
        site.close()


def at_width(browser: Browser, width: int) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                 deviceScaleFactor=1, mobile=width < 500)


def charts(browser: Browser, url: str, count: int) -> list[list[tuple[str, tuple]]]:
    """Each xychart drawn on the page: its text labels with their boxes on the page."""
    browser.open(url)
    browser.wait_for(f"document.querySelectorAll('div.mermaid').length === {count}")
    deadline = time.monotonic() + 15
    while True:
        root = browser.call("DOM.getDocument", depth=-1, pierce=True)["root"]
        svgs = [n for n in walk(root) if n.get("nodeName", "").lower() == "svg"
                and attributes(n).get("aria-roledescription") == "xychart"]
        if len(svgs) == count or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(svgs) == count
    out = []
    for svg in svgs:
        labels = []
        for node in walk(svg):
            if node.get("nodeName", "").lower() == "text":
                text = "".join(c.get("nodeValue", "") for c in walk(node) if c.get("nodeType") == 3)
                labels.append((text, box(browser, node["nodeId"])))
        bars = {attributes(n).get("fill") for n in walk(svg) if n.get("nodeName", "").lower() == "rect"}
        out.append((labels, bars, box(browser, svg["nodeId"])))
    return out


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page, count", [("reports/2026-10/office-summary/", 1), ("reports/2026-10/production/", 2)])
def test_charts_have_whole_number_ticks_no_overlapping_labels_and_contrast(frozen, width, page, count):
    browser, base = frozen
    at_width(browser, width)
    for labels, fills, frame in charts(browser, base + page, count):
        assert all(b is not None for _, b in labels)
        ticks = [t for t, _ in labels if t.replace(".", "", 1).isdigit()]
        assert ticks and all(t.isdigit() for t in ticks), ticks  # no 0.1 … 0.9, no 2.2
        assert [int(t) for t in ticks] == list(range(0, int(ticks[-1]) + 1, int(ticks[1]) - int(ticks[0])))
        clashes = [(a, c) for i, (a, ba) in enumerate(labels) for c, bc in labels[i + 1:] if overlap(ba, bc)]
        assert clashes == []
        # Nothing drawn past the chart's edge (where it would be cut off) nor off the page.
        assert [t for t, b in labels if b[0] < frame[0] - 0.5 or b[2] > frame[2] + 0.5 or b[2] > width] == []
        assert min(b[3] - b[1] for _, b in labels) >= 12  # legible: no label drawn under 12 px
        bars = {f for f in fills if f and f.lower() != "#ffffff"}
        assert bars and all(contrast(_rgb(f), (255, 255, 255)) >= 3 for f in bars), bars


def _urgent_table(browser: Browser) -> str:
    return ("[...document.querySelectorAll('article table')]"
            ".find(t => [...t.querySelectorAll('th')].some(th => th.textContent.trim() === '时限'))")


def test_overdue_table_fits_at_1366_with_ids_on_one_line_and_states_in_colour(frozen):
    browser, base = frozen
    at_width(browser, 1366)
    browser.open(base)
    table = _urgent_table(browser)
    wrap = f"({table}).closest('.md-typeset__scrollwrap')"
    assert browser.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth")  # no sideways scroll
    assert browser.evaluate(f"({table}).getBoundingClientRect().right <= innerWidth")
    heights = browser.evaluate(
        f"[...({table}).querySelectorAll('.erpops-id')].map(e => [e.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(e).lineHeight)])")
    assert heights and all(h <= 1.5 * line for h, line in heights), heights  # one line each
    overdue = browser.evaluate(
        f"[...({table}).querySelectorAll('.erpops-state--overdue')].map(e => [e.textContent,"
        " getComputedStyle(e).color, getComputedStyle(e.closest('td')).color])")
    assert overdue and all(text == "已超时" and colour == "rgb(183, 28, 28)" != cell for text, colour, cell in overdue)


def test_at_390_tables_become_cards_and_nothing_scrolls_sideways(frozen):
    browser, base = frozen
    at_width(browser, 390)
    for page in ("", "tickets/", "reports/2026-10/production/"):
        browser.open(base + page)
        assert browser.evaluate("document.documentElement.scrollWidth <= innerWidth"), page
    browser.open(base)
    table = _urgent_table(browser)
    cells = browser.evaluate(
        f"[...({table}).querySelectorAll('tbody td')].map(td => [td.dataset.label,"
        " getComputedStyle(td).display, td.getBoundingClientRect().right])")
    assert cells and all(label and display == "block" and right <= 390 for label, display, right in cells)
    assert browser.evaluate(f"getComputedStyle(({table}).querySelector('thead')).display") == "none"
    ids = browser.evaluate("[...document.querySelectorAll('article .erpops-id')].map(e =>"
                           " e.getBoundingClientRect().height <= 1.5 * parseFloat(getComputedStyle(e).lineHeight))")
    assert ids and all(ids)


def test_footer_is_chinese_and_runbooks_have_one_title_and_tickets_say_when_they_are_due(frozen):
    browser, base = frozen
    at_width(browser, 1366)
    browser.open(base + "runbooks/common/mrp-run-failure/")
    footer = browser.evaluate("document.querySelector('.md-copyright').innerText")
    assert "ERP 运维管理办公室" in footer and "Made with" not in footer
    assert browser.evaluate("[...document.querySelectorAll('article h1')].map(h => h.firstChild.textContent.trim())") == [
        "MRP 运算失败"]
    browser.open(base + "tickets/production/2026/PRD-20261123-LFPR/")
    facts = browser.evaluate("[...document.querySelectorAll('article table tr')].map(r => r.innerText)")
    assert "解决期限\t2026-11-30 11:35" in facts and "响应期限\t2026-11-23 14:35" in facts
