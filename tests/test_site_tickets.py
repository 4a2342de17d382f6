"""Ticket, record-form and backlog pages without MkDocs: facts, timeline, filters, SLA states
on the home dashboard at a pinned instant, and the internal-only rule."""
from __future__ import annotations

import datetime as dt
import os
import subprocess

from erpops import load
from erpops.site import pages
from erpops.site.context import PUBLIC
from tickets_fixture import CST, PATH, SIMPLE, SIMPLE_PATH, TICKET, setup

TODAY = dt.date(2026, 11, 3)
PAGE = "tickets/alpha/2026/ALP-20261102-K7QF.md"
OPEN_PAGE = "tickets/alpha/2026/ALP-20261102-OPEN.md"
OPEN_PATH = "tickets/alpha/2026/ALP-20261102-OPEN.yaml"
# P3 (respond within 4 working hours), opened 09:00 and not yet touched by anyone.
OPEN = """\
id: ALP-20261102-OPEN
title: 月末结账按钮灰色
subsystem: alpha
type: fault
priority: P3
status: open
reporter:
  person: zhou-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
feedback:
  - kind: system
    text: 结账前自动检查未审核单据
"""


def _repo(repo, *tickets: tuple[str, str]):
    setup(repo)
    for path, text in tickets or ((PATH, TICKET), (SIMPLE_PATH, SIMPLE), (OPEN_PATH, OPEN)):
        repo.write(path, text)
    return load.load(repo.root)


def _build(loaded, hour: int = 12, day: int = 2, **kw):
    return pages.build(loaded, today=TODAY, now=dt.datetime(2026, 11, day, hour, 0, tzinfo=CST), **kw)


def tr(*cells, right=()) -> str:
    """A table row exactly as the HTML pages write it."""
    return "<tr>\n" + "".join(f'<td style="text-align: right;">{c}</td>\n' if i in right else f"<td>{c}</td>\n"
                              for i, c in enumerate(cells)) + "</tr>\n"


def test_a_ticket_page_has_its_facts_timeline_resolution_feedback_and_runbooks(repo):
    page = _build(_repo(repo))[PAGE]
    # HTML after front matter (erpops.site.html): MkDocs gets it as it is, Python-Markdown never parses it.
    assert page.startswith('---\ntitle: "领料单审核报错“库存不足”"\nhide: ["toc"]\n---\n<!-- erpops:html -->\n'
                           '<h1 id="领料单审核报错库存不足">领料单审核报错“库存不足”<a class="headerlink" '
                           'href="#领料单审核报错库存不足" title="Permanent link">&para;</a></h1>\n<table>\n<thead>\n'
                           "<tr>\n<th>项目</th>\n<th>内容</th>\n</tr>\n</thead>\n<tbody>\n" + tr("工单号", "ALP-20261102-K7QF"))
    assert tr("子系统", '<a href="../../../../subsystems/alpha/">甲系统</a>') in page
    assert tr("类型", "系统故障/缺陷") in page and tr("状态", "已关闭") in page
    assert tr("层级", "ERP 系统管理员") in page and tr("处理人", "钱系统") in page
    assert tr("报告人", "二车间 张师傅（由 李用户 代为提交）") in page
    timeline = page[page.index('<h2 id="处理记录">'):]
    timeline = timeline[timeline.index("<tbody>\n") + 8:timeline.index("</tbody>")]
    assert timeline == "".join((
        tr("2026-11-02 09:00", "提交", "李用户", "关键用户", "", "张师傅电话报告"),
        tr("2026-11-02 09:30", "上报", "李用户", "业务系统管理员", "赵管理", ""),
        tr("2026-11-02 10:00", "上报", "赵管理", "ERP 系统管理员", "钱系统", ""),
        tr("2026-11-02 11:00", "解决", "钱系统", "ERP 系统管理员", "", "重算现存量后审核通过"),
        tr("2026-11-02 14:00", "关闭", "李用户", "ERP 系统管理员", "", ""),
    ))
    assert tr("根本原因", "调拨单未记账，现存量不足") in page and tr("解决人", "钱系统") in page
    assert tr("流程", "调拨单须当日记账") in page
    assert '<li><a href="../../../../runbooks/common/stock-howto/">stock-howto（stock-howto）</a></li>' in page
    # P3 resolve: 09:00 → 11:00 = 2 working hours of 40, stopped; due 40 working hours after
    # opening (7.5 a day: Mon 09:00 → next Mon 11:30), respond 4 hours after (lunch 12:00-13:30).
    assert tr("解决", "2.0", "40", "2026-11-09 11:30", "已停止", "否", "", right=(1, 2)) in page
    assert tr("响应期限", "2026-11-02 14:30") in page and tr("解决期限", "2026-11-09 11:30") in page
    assert page.endswith('<p><a href="../../../">工单</a></p>\n')


def test_tickets_finished_over_a_year_ago_leave_the_search_index(repo):
    loaded = _repo(repo)
    assert "search:" not in _build(loaded)[PAGE]
    later = pages.build(loaded, today=TODAY + dt.timedelta(days=366),
                        now=dt.datetime(2027, 11, 4, 12, 0, tzinfo=CST))
    assert later[PAGE].startswith('---\ntitle: "领料单审核报错“库存不足”"\nsearch: {"exclude": true}\n')
    assert "search:" not in later[OPEN_PAGE]  # still open: always searchable


def test_index_counts_link_to_the_filter_pages_and_lists_the_open_tickets(repo):
    out = _build(_repo(repo))
    index = out["tickets/index.md"]
    assert tr('<a href="status/closed/">已关闭</a>', 0, 1, right=(1, 2)) in index
    assert tr('<a href="status/open/">已提交</a>', 1, 1, right=(1, 2)) in index
    assert tr('<a href="tier/key-user/">关键用户</a>', 1, 2, right=(1, 2)) in index
    assert tr('<a href="subsystem/alpha/">甲系统</a>', 1, 3, right=(1, 2)) in index
    assert tr("P3", 1, 2, right=(1, 2)) in index and tr("P4", 0, 1, right=(1, 2)) in index
    open_rows = index[index.index('<h2 id="未解决">'):index.index('<h2 id="按状态">')]
    assert open_rows.count("<tr>") == 2  # the heading row and the one open ticket
    assert tr('<a href="alpha/2026/ALP-20261102-OPEN/">ALP-20261102-OPEN</a>', "月末结账按钮灰色", "甲系统", "P3",
              "已提交", "关键用户", "李用户", "2026-11-02 09:00", "") in open_rows
    closed = out["tickets/status/closed.md"]
    assert '<a href="../../alpha/2026/ALP-20261102-K7QF/">ALP-20261102-K7QF</a>' in closed and "OPEN" not in closed
    assert closed.startswith('---\ntitle: "状态为“已关闭”的工单"\nsearch: {"exclude": true}\nhide: ["toc"]\n---\n')
    assert "ALP-20261102-AB2C" in out["tickets/status/resolved.md"]
    assert "K7QF" in out["tickets/tier/erp-admin.md"] and "K7QF" not in out["tickets/tier/key-user.md"]
    assert "<p>没有工单。</p>" in out["tickets/status/reopened.md"]
    assert out["tickets/subsystem/alpha.md"].count('<td><a href="../../alpha/2026/ALP') == 3
    # The subsystem's page (Markdown) lists its open tickets only.
    alpha = out["subsystems/alpha.md"]
    assert "[ALP\\-20261102\\-OPEN](../tickets/alpha/2026/ALP-20261102-OPEN.md)" in alpha and "K7QF" not in alpha


def test_links_follow_the_url_style_of_the_site(repo):
    out = _build(_repo(repo), directory_urls=False)
    assert tr('<a href="status/closed.html">已关闭</a>', 0, 1, right=(1, 2)) in out["tickets/index.md"]
    assert '<a href="../../../subsystems/alpha.html">甲系统</a>' in out[PAGE]


def test_home_shows_overdue_and_at_risk_tickets_at_the_pinned_instant(repo):
    loaded = _repo(repo)
    # 09:00–12:00 = 3.0 of 4 respond hours: below 80%, neither at risk nor overdue.
    home = _build(loaded, hour=12)["index.md"]
    assert "| 未解决工单 | 1 |" in home and "| 已超时 | 0 |" in home and "| 即将超时 | 0 |" in home
    # + 13:30–14:00 = 3.5 hours: at risk.
    home = _build(loaded, hour=14)["index.md"]
    assert "| 即将超时 | 1 |" in home and "| 已超时 | 0 |" in home
    assert "| 已提交 | 关键用户 | 李用户 | 2026\\-11\\-02 09:00 | 即将超时 |" in home
    # next morning 09:00: 3 + 4 + 0.5 = 7.5 hours: overdue.
    home = _build(loaded, hour=9, day=3)["index.md"]
    assert "| 已超时 | 1 |" in home and "| 即将超时 | 0 |" in home
    assert "| [甲系统](tickets/subsystem/alpha.md) | 1 |" in home  # open by subsystem
    assert "| [关键用户](tickets/tier/key-user.md) | 1 |" in home and "| P3 | 1 |" in home


def test_the_plugin_clock_is_the_pinned_one(repo, monkeypatch):
    loaded = _repo(repo)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T14:00:00+08:00")
    ctx = pages.context(loaded)
    assert ctx.today == dt.date(2026, 11, 3) and ctx.now == dt.datetime(2026, 11, 2, 14, tzinfo=CST)
    assert "| 即将超时 | 1 |" in pages.build(loaded)["index.md"]


def test_backlog_groups_feedback_by_kind_with_links_to_tickets(repo):
    page = _build(_repo(repo))["backlog.md"].splitlines()
    system, organisation, process = page.index("### 系统"), page.index("### 组织"), page.index("### 流程")
    assert system < organisation < process
    assert page[system + 4] == ("| 结账前自动检查未审核单据 | [ALP\\-20261102\\-OPEN](tickets/alpha/2026/ALP-20261102-OPEN.md) "
                                "| 月末结账按钮灰色 | 甲系统 | 已提交 |")
    assert page[organisation + 2] == "暂无。"
    assert page[process + 4].startswith("| 调拨单须当日记账 | [ALP\\-20261102\\-K7QF]")


def test_ticket_text_is_escaped_in_every_listing(repo):
    xss = OPEN.replace("title: 月末结账按钮灰色", 'title: "<script>alert(1)</script> | [x](javascript:alert(1))"')
    out = _build(_repo(repo, (OPEN_PATH, xss)), hour=14)  # at risk: on the home page too
    row = "&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\| \\[x\\]\\(javascript:alert\\(1\\)\\)"
    for page in ("backlog.md", "index.md", "subsystems/alpha.md"):  # Markdown pages
        assert row in out[page], page
        assert "<script" not in out[page], page
    cell = "<td>&lt;script&gt;alert(1)&lt;/script&gt; | [x](javascript:alert(1))</td>"
    for page in ("tickets/index.md", "tickets/status/open.md"):  # HTML pages: never parsed as Markdown
        assert cell in out[page], page
        assert "<script" not in out[page], page
    ticket = out["tickets/alpha/2026/ALP-20261102-OPEN.md"]
    assert ticket.startswith('---\ntitle: "&lt;script&gt;alert(1)&lt;/script&gt; | [x](javascript:alert(1))"\n')
    assert ('<h1 id="alert1--xjavascriptalert1">&lt;script&gt;alert(1)&lt;/script&gt; | [x](javascript:alert(1))'
            '<a class="headerlink"') in ticket
    assert "<script" not in ticket


def test_no_ticket_report_or_backlog_page_on_the_public_site(repo):
    loaded = _repo(repo)
    repo.write("reports/2026-10/alpha.md", "# 表\n")
    public = _build(loaded, audience=PUBLIC)
    assert not [p for p in public if p.startswith(("tickets/", "reports/")) or p == "backlog.md"]
    assert not any("ALP" in text or "结账" in text for text in public.values())
    assert "tickets/" not in public["index.md"] and "reports/" not in public["index.md"]
    assert pages.downloads(loaded, PUBLIC) == {}


FORM = """\
<!-- 由 erpops report 生成，请勿手工修改；如需更正请修改工单后重新生成。 -->
# 甲系统 ERP系统运维记录表（2026-10）

```mermaid
pie showData title 按类型
    "系统故障/缺陷" : 1
```

| 序号 | 工单号 | 现象 |
|---|---|---|
| 1 | ALP-20261102-K7QF | 提到 ALP-20261102-NONE 与 XALP-20261102-K7QF |
"""


def _git(root, *args, date="2026-10-27T10:00:00+08:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_reports_show_the_committed_forms_downloads_and_hand_in_state(repo):
    loaded = _repo(repo)
    repo.write("reports/2026-10/alpha.md", FORM)
    (repo.root / "reports/2026-10/alpha.csv").write_bytes(b"a,b\n")
    (repo.root / "reports/2026-10/alpha.xlsx").write_bytes(b"PK\x03\x04")
    repo.write("reports/2026-10/office-summary.md", "# 运维管理办公室月度汇总（2026-10）\n")
    repo.write("reports/2026-09/alpha.md", "# 九月\n")
    out = _build(loaded)
    form = out["reports/2026-10/alpha.md"]
    assert form.startswith("# 甲系统 ERP系统运维记录表（2026-10）\n")  # the generated-file comment is dropped
    # The form's pie is drawn as horizontal bars on the site (erpops.site.charts), from its numbers.
    assert '```mermaid\npie showData' not in form
    assert ('xychart-beta horizontal\n    title "按类型"\n    x-axis ["系统故障/缺陷"]\n'
            '    y-axis 0 --> 10\n    bar [1]\n```') in form
    assert "下载：[alpha\\.csv](alpha.csv) · [alpha\\.xlsx](alpha.xlsx)" in form
    # Ticket ids in the form's rows link to the tickets; unknown ids and longer words stay text.
    assert ("| 1 | [ALP\\-20261102\\-K7QF](../../tickets/alpha/2026/ALP-20261102-K7QF.md) "
            "| 提到 ALP-20261102-NONE 与 XALP-20261102-K7QF |") in form
    index = out["reports/index.md"]
    assert index.index("## 2026\\-10") < index.index("## 2026\\-09")
    assert "| [甲系统](2026-10/alpha.md) | [alpha\\.csv](2026-10/alpha.csv) · [alpha\\.xlsx](2026-10/alpha.xlsx) |  |" in index
    assert "月度汇总： [运维管理办公室月度汇总](2026-10/office-summary.md)" in index
    assert pages.downloads(loaded) == {"reports/2026-10/alpha.csv": repo.root / "reports/2026-10/alpha.csv",
                                       "reports/2026-10/alpha.xlsx": repo.root / "reports/2026-10/alpha.xlsx"}
    assert "[2026\\-10](../reports/2026-10/alpha.md) · [2026\\-09](../reports/2026-09/alpha.md)" in out["subsystems/alpha.md"]
    # Committed in Git before the due day (the 28th): handed in on time.
    _git(repo.root, "init", "-q")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-qm", "forms")
    out = _build(loaded)
    assert "| [甲系统](2026-10/alpha.md) | [alpha\\.csv](2026-10/alpha.csv) · [alpha\\.xlsx](2026-10/alpha.xlsx) | 按时报送 2026\\-10\\-27 |" \
        in out["reports/index.md"]
    assert "| 已报送（按时 / 已报送 / 应报送） | 1 / 1 / 1 |" in out["index.md"]
    assert "| [甲系统](reports/2026-10/alpha.md) | 按时报送 2026\\-10\\-27 |" in out["index.md"]


def test_the_public_nav_drops_the_internal_sections_and_empty_groups():
    nav = ["index.md", "tickets/index.md", {"记录": ["reports/index.md", "backlog.md"]},
           {"办法": ["rules/index.md", {"工单": "tickets/index.md"}]}]
    assert pages.hidden_pages(PUBLIC) == {"tickets/index.md", "reports/index.md", "backlog.md"}
    assert pages.prune_nav(nav, pages.hidden_pages(PUBLIC)) == ["index.md", {"办法": ["rules/index.md"]}]
    assert pages.prune_nav(nav, pages.hidden_pages("internal")) == nav


def test_a_shallow_clone_shows_no_hand_in_state(repo, tmp_path):
    """A shallow clone (the Pages workflow's default checkout) has one commit that seems to add
    every form, late: the site says nothing rather than that."""
    _repo(repo)
    repo.write("reports/2026-10/alpha.md", FORM)
    _git(repo.root, "init", "-q")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-qm", "forms")
    _git(repo.root, "commit", "-qm", "later", "--allow-empty", date="2026-11-20T10:00:00+08:00")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    out = _build(load.load(clone))
    assert "| [甲系统](2026-10/alpha.md) |  |  |" in out["reports/index.md"]
    assert "逾期" not in out["reports/index.md"] and "按时报送" not in out["reports/index.md"]


def test_english_ticket_pages(repo):
    out = _build(_repo(repo), hour=14, lang="en")
    page = out[PAGE]
    assert tr("Type", "Fault or bug") in page and tr("Status", "closed") in page  # the CLI's catalogue words
    assert tr("2026-11-02 09:30", "escalate", "李用户", "business-system admin", "赵管理", "") in page
    assert tr('<a href="status/open/">open</a>', 1, 1, right=(1, 2)) in out["tickets/index.md"]
    assert "| At risk | 1 |" in out["index.md"].splitlines()


def test_a_form_saved_in_another_encoding_still_shows(repo):
    loaded = _repo(repo)
    (repo.root / "reports/2026-10").mkdir(parents=True)
    (repo.root / "reports/2026-10/alpha.md").write_bytes("# 甲系统\n".encode("gbk"))
    (repo.root / "reports/2026-10/office-summary.md").write_bytes("\ufeff# 汇总\n".encode("utf-8"))
    out = _build(loaded)
    assert out["reports/2026-10/alpha.md"].startswith("# \ufffd")
    assert out["reports/2026-10/office-summary.md"].startswith("# 汇总\n")
