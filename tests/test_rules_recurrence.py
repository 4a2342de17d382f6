"""防范预警: the same problem three times in 30 days with no runbook linked is an early warning."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops.rules.recurrence import similar
from tickets_fixture import CST, SIMPLE, findings, setup

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST)


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-25T09:00:00+08:00")
    return setup(repo)


def ask(ops, day: str, suffix: str, title: str, type_: str = "operation-question", month: str = "11") -> str:
    """A key-user question resolved at tier 1 on 2026-<month>-<day>, with no runbook linked."""
    tid = f"ALP-2026{month}{day}-{suffix}"
    text = (SIMPLE.replace("ALP-20261102-AB2C", tid).replace("2026-11-02", f"2026-{month}-{day}")
            .replace("如何查询本月领料汇总", title).replace("operation-question", type_))
    path = f"tickets/alpha/2026/{tid}.yaml"
    ops.write(path, text)
    return path


def recurring(ops, now=NOW):
    return [f for f in findings(ops, now) if f[2] == "ticket-recurring-without-runbook"]


def test_third_similar_ticket_within_30_days_is_an_early_warning(ops):
    ask(ops, "02", "AAAA", "如何查询本月领料汇总")
    ask(ops, "10", "BBBB", "怎样查询本月的领料汇总表")
    assert recurring(ops) == []
    third = ask(ops, "20", "CCCC", "查询领料汇总")
    assert recurring(ops) == [(third, 2, "ticket-recurring-without-runbook", "warning")]
    # an early warning is about now: two months on, the old cluster is history
    assert recurring(ops, NOW + dt.timedelta(days=60)) == []


def test_a_linked_runbook_or_another_type_is_no_recurrence(ops):
    ask(ops, "02", "AAAA", "如何查询本月领料汇总")
    ask(ops, "10", "BBBB", "怎样查询本月的领料汇总表")
    third = ask(ops, "20", "CCCC", "查询领料汇总", type_="fault")
    assert recurring(ops) == []  # another type
    ops.write(third, ops.read(third).replace("type: fault", "type: operation-question")
              .replace("symptom:", "runbooks:\n  - stock-howto\nsymptom:"))
    assert recurring(ops) == []  # it links a runbook


def test_three_similar_tickets_spread_over_more_than_30_days_are_no_recurrence(ops):
    ask(ops, "01", "AAAA", "如何查询本月领料汇总", month="10")
    ask(ops, "20", "BBBB", "怎样查询本月的领料汇总表", month="10")
    ask(ops, "05", "CCCC", "查询领料汇总")  # 35 days after the first
    assert recurring(ops) == []


def test_unrelated_titles_do_not_add_up(ops):
    ask(ops, "02", "AAAA", "如何查询本月领料汇总")
    ask(ops, "10", "BBBB", "打印模板缺少签字栏")
    ask(ops, "20", "CCCC", "凭证无法记账")
    assert recurring(ops) == []


@pytest.mark.parametrize("a, b, same", [
    ("如何查询本月领料汇总", "怎样查询本月的领料汇总表", True),
    ("MRP 运算失败", "MRP运算失败，提示 BOM 循环", True),
    ("如何查询本月领料汇总", "凭证无法记账", False),
])
def test_similar_titles(a, b, same):
    assert similar(a, b) is same
