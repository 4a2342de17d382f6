"""A real `mkdocs build` over small repositories: what the site contains and what it never does."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import DEMO, REPO_ROOT
from site_repo import (ENV, MKDOCS, XSS_IMG, XSS_RUNBOOK, XSS_SCRIPT, XSS_TICKET_ID, add_site, build,
                       demo_copy, real_data_copy, write)
from tickets_fixture import PATH as TICKET_PATH, TICKET, setup as ticket_setup


def _site(repo) -> Path:
    add_site(repo.root)
    return repo.root / "site"


def _html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text("utf-8")


class _Tables(HTMLParser):
    """The cells of every table in the page's article, as text, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _rows(html: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def test_build_generates_the_organisation_page(repo):
    site = _site(repo)
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    html = _html(site, "organisation")
    assert "赵管理" in html and "钱系统" in html and "李用户、周用户" in html
    assert '<pre class="mermaid"><code>flowchart LR' in html


def test_invalid_data_stops_the_build_with_the_finding(repo):
    _site(repo)
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc = build(repo.root)
    assert proc.returncode == 1
    assert "roster/subsystems/alpha.yaml:7:3" in proc.stderr
    assert "roster-key-user-leader" in proc.stderr
    assert not (repo.root / "site" / "organisation").exists()


def test_user_text_is_escaped_and_cannot_break_a_table(repo):
    site = _site(repo)
    repo.edit("roster/people.yaml", "name: 李用户", f'name: "{XSS_SCRIPT}"')
    repo.edit("roster/people.yaml", "name: 赵管理", 'name: "赵|管理 *粗* [链](http://x.example)"')
    repo.edit("roster/people.yaml", "name: 周用户", f'name: "{XSS_IMG}"')
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    for page in ("organisation", "subsystems/alpha", "subsystems", "contacts", ""):
        html = (site / page / "index.html").read_text("utf-8")
        article = html[html.index("<article"):html.index("</article>")]
        assert "<script>alert" not in article and "<img src=x" not in article, page
        assert "x.example" not in article.replace("[链](http://x.example)", ""), page
    rows = _rows(_html(site, "subsystems/alpha").split("<article", 1)[1])
    assert ["业务系统管理员", "赵|管理 *粗* [链](http://x.example)", "企业微信 zhaoguanli"] in rows
    missing = "电话、企业微信未登记（在 roster/people.yaml 为此人添加 phone 或 wecom）"
    assert ["周用户"] not in rows and [XSS_IMG, missing] in rows
    organisation = _rows(_html(site, "organisation"))
    assert ["甲系统", "赵|管理 *粗* [链](http://x.example)", "钱系统", f"{XSS_SCRIPT}、{XSS_IMG}"] in organisation


def test_runbook_pages_render_the_body_and_neutralise_what_could_run(repo):
    site = _site(repo)
    write(repo.root, "runbooks/alpha/xss-probe.md", XSS_RUNBOOK.format(subsystem="alpha", owner="qian-erp"))
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    html = _html(site, "runbooks/alpha/xss-probe")
    article = html[html.index("<article"):html.index("</article>")]
    assert '<h2 id="现象">现象' in article  # the body's own heading, rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article and "<script" not in article
    assert "&lt;img src=x onerror=alert(1)&gt;" in article and "<img" not in article
    assert "javascript:" not in article.replace("(javascript:alert(1))", "")
    assert "<span>点我</span>" in article
    assert '<a href="http://example.com/x.png">外部图片</a>' in article
    assert "<h1" in article and article.count("<h1") == 1
    assert "<script>alert" not in html and "<img src=x" not in html  # nor in <title> or the header
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; | *星号* [链接](http://example.com) - ERP 运维</title>" in html


def test_public_site_never_shows_contact_data(repo):
    site = _site(repo)
    ticket_setup(repo)
    repo.write(TICKET_PATH, TICKET)
    repo.write("reports/2026-10/alpha.md", "# 甲系统 ERP系统运维记录表（2026-10）\n\n领料单审核报错\n")
    repo.write("reports/2026-10/alpha.csv", "工单号\nALP-20261102-K7QF\n")
    repo.edit("roster/people.yaml", "    name: 钱系统\n",  # the fixture has his wecom: qianxitong
              "    name: 钱系统\n    phone: '13800138000'\n    email: qian@example.com\n"
              "    github: qian-gh\n")
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    internal = _html(site, "subsystems/alpha")
    assert "13800138000" in internal and "qian@example.com" in internal and "qian-gh" in internal
    shutil.copy(REPO_ROOT / "mkdocs.public.yml", repo.root / "mkdocs.public.yml")
    proc = build(repo.root, "-f", "mkdocs.public.yml")
    assert proc.returncode == 0, proc.stderr
    site = repo.root / "site-public"
    everything = "".join(p.read_text("utf-8", errors="replace") for p in site.rglob("*") if p.suffix in (".html", ".json", ".xml"))
    for secret in ("13800138000", "qian@example.com", "qianxitong", "qian-gh"):
        assert secret not in everything
    assert "钱系统" in _html(site, "subsystems/alpha")
    # No ticket, form or backlog page, no download, and no trace of them in the search index.
    assert (repo.root / "site/tickets/alpha/2026/ALP-20261102-K7QF/index.html").exists()
    assert (repo.root / "site/reports/2026-10/alpha.csv").exists()
    assert not [p for p in site.rglob("*") if p.relative_to(site).parts[0] in ("tickets", "reports", "backlog")]
    assert not list(site.rglob("*.csv")) and not list(site.rglob("*.xlsx"))
    # mkdocs.public.yml inherits mkdocs.yml's nav; the plugin drops the internal sections from it.
    assert 'href="tickets/"' in _html(repo.root / "site", "") and 'href="tickets/"' not in _html(site, "")
    assert 'href="backlog/"' not in _html(site, "") and 'href="reports/"' not in _html(site, "")
    for secret in ("ALP-20261102-K7QF", "领料单审核报错", "调拨单须当日记账"):
        assert secret not in everything


def test_a_hand_written_page_with_a_generated_name_fails_the_strict_build(repo):
    _site(repo)
    repo.write("docs/index.md", "# 手写首页\n")
    proc = build(repo.root)
    assert proc.returncode == 1
    assert "docs/index.md 与 erpops 生成的页面同名" in proc.stderr


def test_mermaid_comes_from_the_site_and_only_where_there_is_a_diagram(repo):
    site = _site(repo)
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    vendored = REPO_ROOT / "tools/erpops/site/vendor/mermaid/mermaid.min.js"
    assert (site / "assets/erpops/mermaid.min.js").read_bytes() == vendored.read_bytes()
    assert '<script src="../assets/erpops/mermaid.min.js"></script><script src="../assets/javascripts/bundle.' \
        in _html(site, "organisation")
    assert "mermaid.min.js" not in _html(site, "contacts")
    for page in site.rglob("*.html"):
        html = page.read_text("utf-8")
        assert html.count('<meta http-equiv="Content-Security-Policy"') == 1, page
        external = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]*)"', html)
        assert external == [], (page, external)


def test_search_index_keeps_names_and_terms_as_words(repo):
    site = _site(repo)
    repo.edit("roster/people.yaml", "name: 孙组长", "name: 杨起运")
    write(repo.root, "docs/terms.md", "# 术语\n\n审批流配置由 ERP 系统管理员负责。\n")
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    words = {w for doc in index["docs"] for w in re.split(r"[\s\u200b\u3000、。，．？！；\-]+", doc["text"])}
    assert "杨起运" in words  # jieba alone cuts it into 杨 / 起运
    assert "审批流" in words  # jieba alone cuts it into 审批 / 流
    assert index["config"]["lang"] == ["zh"]


def test_serve_watches_the_data_folders_that_exist(repo):
    _site(repo)
    repo.write("runbooks/.keep", "")
    code = (
        "import sys; from mkdocs.config import load_config; "
        "c = load_config('mkdocs.yml'); c = c.plugins.on_config(c); print('\\n'.join(c.watch))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr
    watched = {Path(p).name for p in proc.stdout.split()}
    assert {"roster", "runbooks"} <= watched
    assert not {"tickets", "reports", "policy.yaml"} & watched


def test_english_site(repo):
    site = _site(repo)
    repo.write("mkdocs.yml", repo.read("mkdocs.yml").replace("      lang: zh\n      audience", "      lang: en\n      audience"))
    proc = build(repo.root)
    assert proc.returncode == 0, proc.stderr
    html = _html(site, "subsystems/alpha")
    assert re.search(r'<h1 id="alpha">Alpha<', html) and "Whom to call" in html and "出了问题" not in html


def test_the_demo_repository_site_builds_strict_without_warnings(tmp_path):
    root = demo_copy(tmp_path / "ops")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=root, capture_output=True, text=True, env=ENV,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr
    assert (tmp_path / "site/subsystems/production/index.html").exists()
    site = tmp_path / "site"
    tickets = sorted(root.glob("tickets/*/*/*.yaml"))
    assert tickets and all((site / t.relative_to(root).with_suffix("") / "index.html").exists() for t in tickets)
    for page in ("tickets/status/closed", "tickets/tier/erp-admin", "tickets/subsystem/production", "backlog",
                 "reports", "reports/2026-10/production", "reports/2026-09/office-summary"):
        assert (site / page / "index.html").exists(), page
    assert (site / "reports/2026-10/production.xlsx").read_bytes() == \
        (DEMO / "reports/2026-10/production.xlsx").read_bytes()


def test_a_runbook_fixture_copy_of_the_repository_builds(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    production = (root / "site/subsystems/production/index.html").read_text("utf-8")
    assert 'href="../../runbooks/common/backup-restore/"' in production  # common runbooks apply
    assert "数据备份与恢复" in production
    runbook = (root / "site/runbooks/production/xss-probe/index.html").read_text("utf-8")
    assert '<a href="../../common/backup-restore/">备份预案</a>' in runbook  # links between runbooks work
    sales = (root / "site/subsystems/sales/index.html").read_text("utf-8")
    assert "数据备份与恢复" in sales and "xss-probe" not in sales


def test_without_a_mermaid_fence_the_strict_build_says_the_chart_would_be_text(repo):
    _site(repo)
    text = repo.read("mkdocs.yml")
    start = text.index("  - pymdownx.superfences:")
    end = text.index("format: !!python/name:pymdownx.superfences.fence_code_format") + len(
        "format: !!python/name:pymdownx.superfences.fence_code_format\n")
    repo.write("mkdocs.yml", text[:start] + "  - pymdownx.superfences\n" + text[end:])
    proc = build(repo.root)
    assert proc.returncode == 1
    assert "mkdocs.yml 没有为 pymdownx.superfences 配置 mermaid 代码块" in proc.stderr


def test_ticket_and_form_pages_of_a_repository_copy(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    ticket = _html(site, f"tickets/production/2026/{XSS_TICKET_ID}")
    article = ticket[ticket.index("<article"):ticket.index("</article>")]
    assert "<script>alert" not in ticket and "<img src=x" not in ticket
    assert '<h1 id="alert1-叉车称重数据没有传到完工报告">&lt;script&gt;alert(1)&lt;/script&gt; 叉车称重数据没有传到完工报告<a' \
        in article
    assert ["现象", XSS_IMG] in _rows(article)
    assert ["2026-10-20 10:15", "提交", "迟圣峰", "关键用户", "", ""] in _rows(article)
    # Ticket pages are linked from the index pages, never from the navigation.
    index = _html(site, "tickets")
    link = f'href="production/2026/{XSS_TICKET_ID}/"'
    article = index[index.index("<article"):index.index("</article>")]
    assert article.count(link) == 1 and index.count(link) == 1
    assert XSS_TICKET_ID not in _html(site, "").split("<article", 1)[0]
    home = _rows(_html(site, ""))
    assert ["已超时", "1"] in home and ["未解决工单", "1"] in home
    # The committed form as handed in, with both charts and its downloads copied byte for byte.
    form = _html(site, "reports/2026-10/production")
    assert form.count('<pre class="mermaid"><code>') == 2 and "xychart-beta" in form
    assert "由 erpops report 生成" not in form and "&lt;!--" not in form
    for ext in ("csv", "xlsx"):
        assert f'href="../production.{ext}"' in form
        assert (site / f"reports/2026-10/production.{ext}").read_bytes() == \
            (DEMO / f"reports/2026-10/production.{ext}").read_bytes()
    assert (site / "reports/2026-10/office-summary/index.html").exists()
    # Search finds each ticket on its own page; the filter lists, which repeat every ticket, stay out.
    found = {doc["location"].split("#")[0] for doc in json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]}
    assert f"tickets/production/2026/{XSS_TICKET_ID}/" in found and "tickets/" in found
    assert not [loc for loc in found if loc.startswith(("tickets/status/", "tickets/tier/", "tickets/subsystem/"))]
    assert "tickets/status/open/" in {str(p.relative_to(site).parent) + "/" for p in site.rglob("index.html")}
    backlog = _html(site, "backlog")
    assert "&lt;img src=x onerror=alert(1)&gt; 完工数量超过订单数量时在界面给出提醒。" in backlog
    assert "<img src=x" not in backlog


def test_a_malformed_pinned_clock_stops_the_build_with_one_message(repo):
    _site(repo)
    ticket_setup(repo)
    proc = subprocess.run(MKDOCS, cwd=repo.root, capture_output=True, text=True,
                          env={**ENV, "ERPOPS_NOW": "2026-11-25 12:00"})
    assert proc.returncode == 1
    assert "环境变量 ERPOPS_NOW 的值“2026-11-25 12:00”不是带时区的时间" in proc.stderr
    assert "Traceback" not in proc.stderr
