"""The record form's figures on a small fixed repository, each worked out by hand (reports_fixture.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops import load
from erpops.errors import FatalError
from erpops.policy import Policy
from erpops.reports import form, period
from erpops.reports.data import Count
from reports_fixture import build

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def loaded(repo):
    return load.load(build(repo).root)


def form_of(loaded, month: str):
    return form.build(loaded, "alpha", period.period(loaded.policy, month), "zh")


def test_period_runs_from_the_26th_before_to_the_25th_and_is_due_the_28th():
    p = period.period(Policy(), "2026-10")
    assert (p.first, p.last, p.due) == (dt.date(2026, 9, 26), dt.date(2026, 10, 25), dt.date(2026, 10, 28))
    assert p.start == dt.datetime(2026, 9, 26, tzinfo=CST) and p.end == dt.datetime(2026, 10, 26, tzinfo=CST)
    jan = period.period(Policy(), "2027-01")
    assert (jan.first, jan.last) == (dt.date(2026, 12, 26), dt.date(2027, 1, 25))
    assert jan.previous(Policy()).month == "2026-12"


def test_latest_closed_period_is_this_month_only_after_the_close_day():
    assert period.latest_closed(Policy(), dt.date(2026, 11, 25)).month == "2026-10"
    assert period.latest_closed(Policy(), dt.date(2026, 11, 26)).month == "2026-11"
    assert period.latest_closed(Policy(), dt.date(2026, 1, 3)).month == "2025-12"


def test_bad_month_is_a_user_error():
    with pytest.raises(FatalError, match="2026-13"):
        period.period(Policy(), "2026-13")


def test_ticket_table_of_2026_10(loaded):
    d = form_of(loaded, "2026-10")
    assert [r.id for r in d.rows] == ["ALP-20260924-BBBB", "ALP-20261009-CCCC", "ALP-20261012-DDDD",
                                      "ALP-20261023-EEEE"]
    t1, t2, t6, t3 = d.rows
    assert (t1.no, t1.date, t1.reporter, t1.type) == (1, dt.date(2026, 9, 24), "二车间 张师傅（李用户 代报）", "系统故障/缺陷")
    assert (t1.symptom, t1.cause, t1.tier, t1.handler) == ("审核领料单提示库存不足", "调拨单未记账", "关键用户", "李用户")
    assert (t1.measures, t1.status, t1.overdue) == ("重算现存量后审核通过", "已解决", False)
    # across the 中秋 holiday and the weekend: 1 h on 09-24 plus 2 h on 09-28
    assert t1.resolved_at == dt.datetime(2026, 9, 28, 10, 30, tzinfo=CST) and t1.hours == pytest.approx(3.0)
    # the make-up Saturday 10-10 counts: 1.5 h on Friday plus 1.5 h on Saturday
    assert (t2.tier, t2.handler, t2.hours, t2.overdue) == ("业务系统管理员", "赵管理", pytest.approx(3.0), False)
    assert t2.cause == "客户档案缺少税号" and t2.reporter == "周用户"
    assert (t6.status, t6.hours, t6.suggestions) == ("已关闭", pytest.approx(0.5), "流程：培训材料补充打印步骤")
    # as it stood at the end of the period: escalated, not yet resolved, over the 4 h of a P1
    assert (t3.status, t3.tier, t3.handler, t3.resolved_at) == ("已上报", "业务系统管理员", "赵管理", None)
    assert (t3.cause, t3.measures, t3.hours, t3.overdue) == ("早上开机后登录", "", pytest.approx(7.0), True)


def test_counts_of_2026_10(loaded):
    d = form_of(loaded, "2026-10")
    assert d.by_type == (Count("operation-question", "操作咨询", 1), Count("fault", "系统故障/缺陷", 3))
    assert [(c.key, c.count) for c in d.by_priority] == [("P1", 1), ("P2", 1), ("P3", 1), ("P4", 1)]
    assert [(c.label, c.count) for c in d.by_status] == [("已上报", 1), ("已解决", 2), ("已关闭", 1)]
    assert (d.opened, d.resolved, d.escalations) == (3, 3, 2)
    assert [(s.tier, s.count) for s in d.tiers] == [("key-user", 2), ("business-admin", 1), ("erp-admin", 0),
                                                    ("vendor", 0)]
    assert [s.share for s in d.tiers] == pytest.approx([2 / 3, 1 / 3, 0, 0])


def test_sla_of_2026_10_in_working_time(loaded):
    d = form_of(loaded, "2026-10")
    by = {s.priority: s for s in d.sla}
    p1, p2, p3, p4 = by["P1"], by["P2"], by["P3"], by["P4"]
    assert (p1.respond_met, p1.respond_breached, p1.respond_avg) == (1, 0, pytest.approx(1 / 3))
    assert (p1.resolve_met, p1.resolve_breached, p1.resolve_running, p1.resolve_avg) == (0, 1, 0, None)
    assert (p2.respond_avg, p2.resolve_met, p2.resolve_avg) == (pytest.approx(0.5), 1, pytest.approx(3.0))
    # T1's clocks stopped on 09-28, in this period: counted here, not in 2026-09
    assert (p3.respond_met, p3.respond_avg, p3.resolve_met, p3.resolve_avg) == (1, pytest.approx(3.0), 1,
                                                                                pytest.approx(3.0))
    assert (p4.respond_target, p4.resolve_target, p4.resolve_met, p4.resolve_avg) == (8, 80, 1, pytest.approx(0.5))
    assert d.kept("respond") == (4, 4) and d.kept("resolve") == (3, 4)


def test_backlog_feedback_runbooks_and_recurrence_of_2026_10(loaded):
    d = form_of(loaded, "2026-10")
    assert [(b.id, b.tier, b.handler, b.opened, b.age_days) for b in d.backlog] == [
        ("ALP-20261023-EEEE", "业务系统管理员", "赵管理", dt.date(2026, 10, 23), 2)]
    assert d.backlog[0].age_hours == pytest.approx(7.0) and d.backlog_oldest_days == 2
    assert [(f.id, f.kind, f.text) for f in d.feedback] == [("ALP-20261012-DDDD", "流程", "培训材料补充打印步骤")]
    assert [(r.id, r.tickets) for r in d.runbooks] == [("stock-howto", ("ALP-20260924-BBBB", "ALP-20261023-EEEE"))]
    assert [(r.kind, r.tickets) for r in d.recurring] == [("runbook", ("ALP-20260924-BBBB", "ALP-20261023-EEEE"))]


def test_ticket_open_across_two_periods_is_on_both_forms(loaded):
    d = form_of(loaded, "2026-09")
    assert [r.id for r in d.rows] == ["ALP-20260910-AAAA", "ALP-20260924-BBBB"]
    assert (d.opened, d.resolved) == (2, 1)
    t1 = d.rows[1]
    assert (t1.status, t1.resolved_at, t1.hours, t1.measures) == ("已提交", None, pytest.approx(1.0), "")
    assert [(b.id, b.age_days, b.age_hours) for b in d.backlog] == [("ALP-20260924-BBBB", 1, pytest.approx(1.0))]
    p3 = {s.priority: s for s in d.sla}["P3"]
    assert (p3.respond_met, p3.respond_running, p3.resolve_running, p3.respond_avg) == (0, 1, 1, None)
    assert [(s.tier, s.count) for s in d.tiers][0] == ("key-user", 1)
    assert d.recurring == ()  # T3 came after the end of this period


def test_ticket_resolved_before_the_period_is_not_on_the_form(loaded):
    assert "ALP-20260910-AAAA" not in [r.id for r in form_of(loaded, "2026-10").rows]
    assert form_of(loaded, "2026-08").rows == ()


def test_reopened_ticket_counts_as_recurring(repo):
    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "status: closed\n", "status: reopened\n")
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "resolution:\n",
              "  - event: reopen\n    at: 2026-10-13T09:00:00+08:00\n    by: zhou-user\n    tier: key-user\n"
              "    note: 仍找不到\nresolution:\n")
    d = form_of(load.load(repo.root), "2026-10")
    assert [(r.kind, r.tickets) for r in d.recurring][-1] == ("reopened", ("ALP-20261012-DDDD",))
    assert [b.id for b in d.backlog] == ["ALP-20261012-DDDD", "ALP-20261023-EEEE"]


def test_period_must_close_before_the_form_is_due(repo, cli):
    build(repo)
    repo.edit("policy.yaml", "  close_day: 25\n", "  close_day: 28\n")
    r = cli("check", "--repo", str(repo.root))
    line = repo.read("policy.yaml").splitlines().index("  close_day: 28") + 1
    assert r.code == 1
    assert (f"policy.yaml:{line}:3: 错误 [report-close-before-due] 统计期截止日 close_day（28 日）须早于报送截止日 "
            "due_day（28 日）：否则记录表在统计期结束前就要交。") in r.out
