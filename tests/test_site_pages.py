"""The page builder without MkDocs: escaping, audiences, review status, the org chart, search words."""
from __future__ import annotations

import datetime as dt
import types

import markdown
import pytest

from erpops import load
from erpops.site import escape, pages, search
from erpops.site.context import INTERNAL, PUBLIC
from erpops.site.panel import Figure, Panel
from erpops.site.safe_markdown import SafeMarkdown, is_local, is_safe_link
from erpops.site.sections import organisation, runbooks
from site_repo import BACKUP_RUNBOOK, write

TODAY = dt.date(2026, 11, 25)


def _render(md_text: str) -> str:
    return markdown.markdown(md_text, extensions=["tables", SafeMarkdown()])


@pytest.mark.parametrize("value", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "a | b", "*粗* _斜_ `码`",
    "[链接](http://example.com)", "![图](x.png)", "# 标题", "1. 列表", "- 项", "\\ 反斜杠", "&lt;已转义&gt;",
    "{: .cls}", "<http://example.com>",
])
def test_escaped_text_renders_as_exactly_its_characters_in_a_table_cell(value):
    html = _render(f"| h |\n|---|\n| {escape.text(value)} |\n")
    cell = html.split("<td>", 1)[1].split("</td>", 1)[0]
    assert cell == str(escape.escape(value)).replace("&#34;", "&quot;").replace("&#39;", "'")
    assert html.count("<td>") == 1 and "<a" not in html and "<img" not in html and "<code>" not in html


def test_links_keep_their_target_and_escape_their_text():
    html = _render(str(escape.link("[x](y) <b>", "subsystems/alpha.md")))
    assert html == '<p><a href="subsystems/alpha.md">[x](y) &lt;b&gt;</a></p>'


def test_mermaid_labels_cannot_leave_their_quotes():
    label = escape.mermaid_label('甲"]\nclick g0 call alert(1)\n%%<b>')
    assert label == "甲#34;#93; click g0 call alert#40;1#41; #37;#37;#60;b#62;"
    assert not set('"[]()<>%\n') & set(label)


@pytest.mark.parametrize("url, safe", [
    ("https://example.com", True), ("mailto:a@b.c", True), ("../x.md", True), ("#frag", True),
    ("javascript:alert(1)", False), (" JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False),
    ("data:text/html,<script>", False), ("vbscript:x", False),
])
def test_only_links_that_cannot_run_code_are_kept(url, safe):
    assert is_safe_link(url) is safe


@pytest.mark.parametrize("url, local", [
    ("img/a.png", True), ("../a.png", True), ("http://example.com/a.png", False),
    ("//example.com/a.png", False), ("\\\\example.com/a.png", False), ("data:image/png;base64,xx", False),
])
def test_only_images_on_the_site_are_loaded(url, local):
    assert is_local(url) is local


def test_raw_html_in_markdown_is_shown_as_text():
    html = _render("<div onclick=alert(1)>x</div>\n\nbefore <b>bold</b> after")
    assert html == ("<p>&lt;div onclick=alert(1)&gt;x&lt;/div&gt;</p>\n"
                    "<p>before &lt;b&gt;bold&lt;/b&gt; after</p>")


def _runbook_repo(repo, last_reviewed: str, interval: int = 180):
    text = BACKUP_RUNBOOK.format(owner="qian-erp").replace("2026-10-15", last_reviewed)
    text = text.replace("review_interval_days: 180", f"review_interval_days: {interval}")
    write(repo.root, "runbooks/common/backup-restore.md", text)
    return load.load(repo.root)


@pytest.mark.parametrize("last, status", [("2026-05-29", "current"), ("2026-05-28", "overdue")])
def test_a_runbook_is_overdue_the_day_after_its_interval_ends(repo, last, status):
    loaded = _runbook_repo(repo, last)
    assert runbooks.review_status(loaded.runbooks["backup-restore"], TODAY) == status
    out = pages.build(loaded, today=TODAY)
    label = {"current": "有效", "overdue": "已逾期"}[status]
    assert f"| 评审状态 | {label} |" in out["runbooks/common/backup-restore.md"]
    assert f"| 评审已逾期 | {int(status == 'overdue')} |" in out["index.md"]


def test_common_runbooks_apply_to_every_subsystem(repo):
    out = pages.build(_runbook_repo(repo, "2026-06-01"), today=TODAY)
    assert "[数据备份与恢复](../runbooks/common/backup\\-restore.md)" not in out["subsystems/alpha.md"]
    assert "[数据备份与恢复](../runbooks/common/backup-restore.md)" in out["subsystems/alpha.md"]
    assert "## 适用于全部子系统" in out["runbooks/index.md"]


def test_contacts_show_on_the_internal_site_only(repo):
    repo.edit("roster/people.yaml", "    name: 钱系统\n", "    name: 钱系统\n    phone: '13800138000'\n")
    repo.edit("roster/vendor.yaml", "name: 用友\n", "name: 用友\nhotline: '4006600588'\n")
    loaded = load.load(repo.root)
    internal = pages.build(loaded, audience=INTERNAL)
    public = pages.build(loaded, audience=PUBLIC)
    assert "电话 [13800138000](tel:13800138000)" in internal["subsystems/alpha.md"]
    assert "| ERP 系统管理员 | 钱系统 | 电话 [13800138000](tel:13800138000)、企业微信 qianxitong |" in internal["contacts.md"]
    assert "| 软件供应商 | 用友（只能由 ERP 系统管理员联系） | 服务热线 [4006600588](tel:4006600588) |" in internal["contacts.md"]
    assert not any("13800138000" in page or "4006600588" in page for page in public.values())
    internal_only = {p for p in internal if p.startswith(("tickets/", "reports/")) or p == "backlog.md"}
    assert {"tickets/index.md", "reports/index.md", "backlog.md"} <= internal_only
    assert set(public) == set(internal) - internal_only


def test_sections_for_one_audience_stay_off_the_other_site(repo, monkeypatch):
    secret = types.SimpleNamespace(
        AUDIENCES=(INTERNAL,),
        pages=lambda ctx: {"tickets/index.md": "# 工单\n"},
        panel=lambda ctx: Panel("工单", "tickets/index.md", (Figure("未关闭", 3),)),
    )
    monkeypatch.setattr(pages, "SECTIONS", pages.SECTIONS + (secret,))
    loaded = load.load(repo.root)
    internal = pages.build(loaded, audience=INTERNAL)
    assert "tickets/index.md" in internal and "## [工单](tickets/index.md)\n" in internal["index.md"]
    assert "| 未关闭 | 3 |" in internal["index.md"]
    public = pages.build(loaded, audience=PUBLIC)
    assert "tickets/index.md" not in public and "工单" not in public["index.md"]


def test_org_chart_goes_office_then_admin_group_then_key_user_groups(repo):
    ctx = pages.Context(load.load(repo.root))
    assert str(organisation.org_chart(ctx)).splitlines() == [
        "flowchart LR",
        '  office["ERP运维管理办公室<br>组长#65306;孙组长"]',
        '  admins["ERP 系统管理员小组#65288;业务系统管理员与 ERP 子系统管理员#65289;"]',
        "  office --> admins",
        '  admins --> g0["#8220;甲系统#8221;关键用户组<br>组长#65306;赵管理"]',
        '  vendor["软件供应商#65306;用友"]',
        "  admins -.- vendor",
    ]


def test_english_pages(repo):
    out = pages.build(load.load(repo.root), lang="en")
    assert out["subsystems/alpha.md"].startswith("# Alpha\n")
    assert "| key user | 赵管理 \\(leader of the key\\-user group\\) |" in out["subsystems/alpha.md"]
    assert out["index.md"].startswith("# Overview\n")


def test_search_words_are_names_and_terms(repo):
    loaded = _runbook_repo(repo, "2026-06-01")
    words = search.words(loaded)
    assert {"赵管理", "钱系统", "甲系统", "用友", "审批流", "备份", "恢复"} <= words
    assert "alpha" not in words and "Alpha" not in words


def test_the_vendored_mermaid_is_the_one_its_readme_names():
    import hashlib
    import re as _re

    from erpops.site import assets

    data = assets.mermaid_file().read_bytes()
    readme = (assets.mermaid_file().parent / "README.md").read_text("utf-8")
    assert hashlib.sha256(data).hexdigest() == _re.search(r"sha256 `([0-9a-f]{64})`", readme).group(1)
    assert f"{len(data):,} bytes" in readme
    assert (assets.mermaid_file().parent / "LICENSE").read_text("utf-8").startswith("The MIT License")


GOLDEN = __import__("pathlib").Path(__file__).parent / "site_golden"


@pytest.mark.parametrize("page, golden", [
    ("subsystems/alpha.md", "subsystem-alpha.md"),
    ("runbooks/index.md", "runbooks-index.md"),
    ("runbooks/common/backup-restore.md", "runbook-backup-restore.md"),
])
def test_pages_match_their_golden_files(repo, page, golden):
    """The Markdown of whole pages; regenerate with ERPOPS_UPDATE_GOLDEN=1 after a deliberate change."""
    repo.edit("roster/people.yaml", "    name: 钱系统\n",
              "    name: 钱系统\n    phone: '13800138000'\n    email: qian@example.com\n")
    out = pages.build(_runbook_repo(repo, "2026-06-01"), today=TODAY)[page]
    path = GOLDEN / golden
    if __import__("os").environ.get("ERPOPS_UPDATE_GOLDEN"):
        path.write_text(out, "utf-8")
    assert out == path.read_text("utf-8")
