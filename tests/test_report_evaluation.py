"""The office's 考核评价, worked out by hand on a small repository: what each person holds at the
period's end (open, overdue, at risk) beside what they did, each group's share resolved at its
tier, SLA kept, form on time and escalations out, "no data" where nothing can be computed, and
the trend over the last periods.

Period 2026-10 = 09-26..10-25 (working hours 08:30-12:00, 13:30-17:30; 10-01..07 holiday).
Besides the five tickets of reports_fixture (T1..T4, T6), two more:
- T7, P3 fault opened 09-21 by li-user for zhou-user, never touched again: zhou-user did nothing
  in 2026-10 but holds a ticket whose respond (4 h) and resolve (40 h) targets passed long ago.
- T8, P2 fault opened 10-22 09:00 by li-user for himself, answered at 09:10: at the period's end
  its resolve clock has used 10-22 and 10-23 (7 h each) = 14 h of 16, past warn_at 0.8 (12.8 h):
  at risk, not overdue.
"""
from __future__ import annotations

import datetime as dt

import git
import openpyxl
import pytest

from erpops import load
from erpops.reports import handin, office
from erpops.reports.period import period
from reports_fixture import build

CST = dt.timezone(dt.timedelta(hours=8))

T7 = """\
id: ALP-20260921-GGGG
title: 生产订单无法下达
subsystem: alpha
type: fault
priority: P3
status: open
reporter:
  person: zhou-user
opened: 2026-09-21T09:00:00+08:00
tier: key-user
assignee: zhou-user
symptom: 下达时提示物料清单未审核
history:
  - event: open
    at: 2026-09-21T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: zhou-user
"""

T8 = """\
id: ALP-20261022-HHHH
title: 采购入库单无法保存
subsystem: alpha
type: fault
priority: P2
status: open
reporter:
  person: zhou-user
opened: 2026-10-22T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 保存时提示供应商已停用
history:
  - event: open
    at: 2026-10-22T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
  - event: comment
    at: 2026-10-22T09:10:00+08:00
    by: li-user
    tier: key-user
    note: 正在核对供应商档案
"""


@pytest.fixture
def evaluated(repo):
    """The repository in Git, alpha's 2026-10 form handed in on 10-27 (on time)."""
    build(repo)
    repo.write("tickets/alpha/2026/ALP-20260921-GGGG.yaml", T7)
    repo.write("tickets/alpha/2026/ALP-20261022-HHHH.yaml", T8)
    g = git.Repo.init(repo.root)
    actor = git.Actor("赵管理", "zhao@example.com")

    def commit(paths, when, message):
        g.index.add(paths)
        g.index.commit(message, author=actor, committer=actor, author_date=when, commit_date=when)

    commit([str(p.relative_to(repo.root)) for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts],
           dt.datetime(2026, 10, 1, 9, tzinfo=CST), "Ops repository")
    repo.write("reports/2026-10/alpha.md", "# alpha\n")
    commit(["reports/2026-10/alpha.md"], dt.datetime(2026, 10, 27, 18, tzinfo=CST), "Hand in alpha")
    return repo


def _office(repo) -> office.OfficeData:
    r = load.load(repo.root)
    p = period(r.policy, "2026-10")
    return office.build(r, p, handin.status(repo.root, ["alpha"], p, dt.date(2026, 11, 25)), "zh")


def test_people_are_shown_with_what_they_hold_beside_what_they_did(evaluated):
    people = {p.id: p for p in _office(evaluated).people}
    # zhao-admin: holds T3 (P1, 7 h of 4 at the end: overdue), resolved T2 in time, writes alpha's form
    assert people["zhao-admin"] == office.PersonRow(
        "zhao-admin", "赵管理", held=1, overdue=1, at_risk=0, handled=1, resolved=1, resolved_in_time=1,
        escalations=0, forms_on_time=1, forms_due=1)
    # zhou-user: nothing done in the period, but holds the overdue T7; writes no form: no data
    assert people["zhou-user"] == office.PersonRow(
        "zhou-user", "周用户", held=1, overdue=1, at_risk=0, handled=0, resolved=0, resolved_in_time=0,
        escalations=0, forms_on_time=None, forms_due=0)
    # li-user: holds T8 (at risk); handled T1, T2, T6, T3, T8; resolved T1 and T6 in time; escalated T2, T3
    assert people["li-user"] == office.PersonRow(
        "li-user", "李用户", held=1, overdue=0, at_risk=1, handled=5, resolved=2, resolved_in_time=2,
        escalations=2, forms_on_time=None, forms_due=0)
    # the holders of overdue tickets first
    assert [p.id for p in _office(evaluated).people] == ["zhao-admin", "zhou-user", "li-user"]


def test_the_group_is_evaluated_on_its_tier_sla_form_and_escalations(evaluated):
    o = _office(evaluated)
    (g,) = o.groups
    # six tickets on the form (T1, T2, T6, T3, T7, T8); resolved T1, T2, T6, two of them (T1, T6) by
    # the key-user tier; resolve clocks: T1, T2, T6 met, T3 and T7 past target = 3 of 5; T8 runs
    # within target and is not counted; T2 and T3 escalated out of the key-user tier
    assert (g.tickets, g.resolved, g.tier1, g.tier1_share) == (6, 3, 2, 2 / 3)
    assert (g.resolve_kept, g.kept_share, g.escalations, g.form_state) == ((3, 5), 0.6, 2, "on-time")
    (d,) = o.forms
    assert (d.opened, d.resolved, len(d.backlog), d.kept("respond")) == (4, 3, 3, (5, 6))


def test_the_trend_covers_the_last_six_periods(evaluated):
    o = _office(evaluated)
    assert o.trend_months == ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
    (row,) = o.trend
    # 2026-09 (08-26..09-25): T4, T7 and T1 (opened 09-24); only T4 resolved, by the key-user
    # tier, in 0.5 h of 80; T1 and T7 still run within target at its end
    assert [(c.tickets, c.tier1_share, c.kept_share) for c in row.cells] == [
        (0, None, None), (0, None, None), (0, None, None), (0, None, None), (3, 1.0, 1.0), (6, 2 / 3, 0.6)]


def test_the_office_files_say_no_data_and_define_every_header(evaluated, cli, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "office", "--month", "2026-10", "--format", "md,xlsx", "--repo", str(evaluated.root))
    assert r.code == 0, r.both
    md = (evaluated.root / "reports/2026-10/office-summary.md").read_text("utf-8")
    assert ("| 人员 | 期末持有 | 其中已超时 | 其中临近超时 | 本期经手工单 | 本人解决 | 其中按时解决 | 本人上报次数 "
            "| 应报记录表 | 按时报送记录表 |") in md
    assert "| 周用户 | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 无数据 |" in md
    assert "| 李用户 | 1 | 0 | 1 | 5 | 2 | 2 | 2 | 0 | 无数据 |" in md
    assert "| 甲系统 | 赵管理 | 6 | 3 | 2 | 67% | 3 | 5 | 60% | 2 | 按时报送 2026-10-27 |" in md
    assert "| 甲系统 | 无数据 | 无数据 | 无数据 | 无数据 | 100% | 67% |" in md  # trend of the key-user share
    # every header of the three tables has one meaning, defined under its table
    sections = md.split("\n## ")[1:4]
    for section in sections:
        header = next(line for line in section.splitlines() if line.startswith("| "))
        names = [h.strip() for h in header.strip("|").split("|")]
        defined = {line.split("**")[1] for line in section.splitlines() if line.startswith("- **")}
        assert len(names) == len(set(names))
        assert set(names) - defined <= {"子系统", "关键用户组", "组长", "人员"}, section[:20]
    assert "上报次数" not in [h.strip() for line in md.splitlines() if line.startswith("| ") for h in line.split("|")]
    wb = openpyxl.load_workbook(evaluated.root / "reports/2026-10/office-summary.xlsx")
    rows = {r[0]: r[1:] for r in wb["人员考核"].iter_rows(min_row=2, values_only=True)}
    assert rows["周用户"] == (1, 1, 0, 0, 0, 0, 0, 0, "无数据")
    groups = wb["关键用户组考核"]
    assert [groups.cell(2, c).value for c in (6, 9)] == [2 / 3, 0.6]
    assert groups.cell(2, 6).number_format == groups.cell(2, 9).number_format == "0%"
