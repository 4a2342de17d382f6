"""The improvement items on the office's pages: the site's backlog page (items with state, owner,
due, overdue in colour and words; below them the feedback not yet raised) and the 改进事项 section
of the office's monthly summary (as of the period's end), on tmp repositories with pinned clocks."""
from __future__ import annotations

import datetime as dt

from erpops import load
from erpops.site import pages
from improvements_fixture import ITEM, ITEM_PATH, item_event, setup_items
from prcheck_fixture import GitOps
from tickets_fixture import CST, PATH, TICKET

ROW = ("| IMP\\-20261103\\-K7QF | 调拨单须当日记账 | 流程 | 已采纳 | 赵管理 | 2026\\-11\\-20 🔴 已逾期 5 天 "
       "| [ALP\\-20261102\\-K7QF](tickets/alpha/2026/ALP-20261102-K7QF.md) |")


def _page(repo, today=dt.date(2026, 11, 25)):
    out = pages.build(load.load(repo.root), today=today, now=dt.datetime(2026, 11, 25, 12, tzinfo=CST))
    return out["backlog.md"].splitlines(), out["index.md"].splitlines()


def test_the_backlog_page_lists_items_with_the_overdue_marked_in_colour_and_words(repo):
    setup_items(repo)
    page, home = _page(repo)
    top = page.index("## 改进事项")
    assert page[top + 2] == "共 1 项，其中 1 项已逾期。状态、负责人和期限记录在 improvements/ 中，用 erpops improvement 修改。"
    assert page[top + 6] == ROW
    # The feedback behind the item is raised: nothing is left below.
    below = page.index("## 尚未立项的反馈")
    assert top < below and page[below + 2].endswith("共 0 条。")
    assert page[page.index("### 流程") + 2] == "暂无。"
    assert "| 改进事项 | 1 |" in home and "| 逾期事项 | 1 |" in home


def test_an_item_not_yet_due_has_no_mark(repo):
    setup_items(repo)
    page, _ = _page(repo, today=dt.date(2026, 11, 20))
    assert ROW.replace(" 🔴 已逾期 5 天", "") in page
    assert not [ln for ln in page if "🔴" in ln]


def test_feedback_not_yet_raised_is_listed_below_the_items(repo):
    setup_items(repo, item=None)
    page, _ = _page(repo)
    assert page[page.index("## 改进事项") + 2] == "暂无改进事项。"
    process = page.index("### 流程")
    assert page[process + 4].startswith("| 调拨单须当日记账 | [ALP\\-20261102\\-K7QF](tickets/alpha/2026/ALP-20261102-K7QF.md) |")


def test_item_text_is_escaped_on_the_page(repo):
    setup_items(repo, ITEM.replace("title: 调拨单须当日记账", 'title: "<script>x</script> | [a](javascript:1)"'))
    page, _ = _page(repo)
    row = next(ln for ln in page if ln.startswith("| IMP"))
    assert "&lt;script&gt;x&lt;/script&gt; \\| \\[a\\]\\(javascript:1\\)" in row and "<script" not in row


def _office(repo, cli, monkeypatch) -> list[str]:
    ops = GitOps(repo)
    ops.commit("data", "2026-11-26T09:00:00+08:00")
    monkeypatch.setenv("ERPOPS_TODAY", "2026-12-01")
    monkeypatch.setenv("ERPOPS_NOW", "2026-12-01T09:00:00+08:00")
    res = cli("report", "office", "--month", "2026-11", "--repo", str(repo.root))
    assert res.code == 0, res.both
    md = (repo.root / "reports/2026-11/office-summary.md").read_text("utf-8").splitlines()
    return md[md.index("## 改进事项"):]


def test_the_office_summary_counts_items_by_state_at_the_period_end_and_lists_the_overdue(repo, cli, monkeypatch):
    setup_items(repo)
    # Done, but only after the period (26 Oct – 25 Nov) ended: still accepted, and overdue, in November's summary.
    repo.write(ITEM_PATH, ITEM.replace("status: accepted", "status: done")
               + item_event("done", "2026-11-27T09:00:00+08:00", "zhao-admin"))
    # Proposed after the period: not in it.
    later = "improvements/2026/IMP-20261127-ABCD.yaml"
    repo.write(later, ITEM.replace("IMP-20261103-K7QF", "IMP-20261127-ABCD").replace("2026-11-03T", "2026-11-27T")
               .replace("feedback: 1", "feedback: 2"))
    repo.write(PATH, TICKET + "  - kind: system\n    text: 记账前提醒\n")
    assert _office(repo, cli, monkeypatch) == [
        "## 改进事项",
        "",
        "| 状态 | 数量 |",
        "|---|---:|",
        "| 已提出 | 0 |",
        "| 已采纳 | 1 |",
        "| 实施中 | 0 |",
        "| 已完成 | 0 |",
        "| 不采纳 | 0 |",
        "",
        "### 逾期未完成",
        "",
        "| 编号 | 事项 | 负责人 | 期限 | 状态 |",
        "|---|---|---|---|---|",
        "| IMP-20261103-K7QF | 调拨单须当日记账 | 赵管理 | 2026-11-20 🔴 已逾期 6 天 | 已采纳 |",
    ]


def test_the_office_summary_says_when_there_are_no_items(repo, cli, monkeypatch):
    setup_items(repo, item=None)
    assert _office(repo, cli, monkeypatch) == ["## 改进事项", "", "本期末没有改进事项。"]
