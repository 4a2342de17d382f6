"""The working calendar as a living thing: declared years, the next-year warning, the error in an
uncovered year, `erpops calendar` and its import, and figures over an uncovered period."""
from __future__ import annotations

import datetime as dt
import json
import sys
import types

import pytest

from erpops import load
from erpops.policy import Calendar
from erpops.reports import form, markdown, period
from erpops.worktime import uncovered_years

CST = dt.timezone(dt.timedelta(hours=8))

# A small rulebook of its own (never the live policy.yaml): 2026 declared, two holidays, one make-up day.
POLICY = """\
# 制度（测试用）
tiers: [key-user, business-admin, erp-admin, vendor]
emergency_skip:
  priority: P1
  runbook_kind: contingency
  from: key-user
  to: erp-admin
ticket_types:
  fault:
    name: 系统故障/缺陷
    min_tier: key-user
ticket_prefixes:
  alpha: ALP
sla:
  warn_at: 0.8
  targets:
    P1:
      respond_hours: 0.5
      resolve_hours: 4
    P2:
      respond_hours: 2
      resolve_hours: 16
    P3:
      respond_hours: 4
      resolve_hours: 40
    P4:
      respond_hours: 8
      resolve_hours: 80
calendar:
  time_zone: Asia/Shanghai
  working_hours:
    - from: "08:30"
      until: "12:00"
    - from: "13:30"
      until: "17:30"
  working_weekdays: [1, 2, 3, 4, 5]
  # 已录入的年份
  years: [2026]
  holidays:
    - from: 2026-10-01
      until: 2026-10-07
      name: 国庆节
  # 调休上班日
  make_up_days:
    - date: 2026-10-10
      name: 国庆节调休
report:
  period: month
  due_day: 28
  close_day: 25
"""


def line_of(text: str, line: str, nth: int = 1) -> int:
    """1-based number of the `nth` line of `text` that equals `line`."""
    rows = [i for i, row in enumerate(text.splitlines(), 1) if row == line]
    return rows[nth - 1]


YEARS_LINE = line_of(POLICY, "  years: [2026]")
CALENDAR_LINE = line_of(POLICY, "calendar:")


@pytest.fixture
def ops(repo):
    repo.write("policy.yaml", POLICY)
    assert repo.read("policy.yaml").splitlines()[YEARS_LINE - 1] == "  years: [2026]"
    return repo


def check(cli, repo, now: str, *, rules: tuple[str, ...] = ("calendar-", "ticket-sla")):
    import os

    os.environ["ERPOPS_NOW"] = now
    r = cli("check", "--format", "json", cwd=repo.root)
    found = [(d["path"], d["line"], d["rule"], d["severity"]) for d in json.loads(r.out)["diagnostics"]
             if d["rule"].startswith(rules)]
    return r.code, found


@pytest.fixture(autouse=True)
def _restore_now(monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-25T12:00:00+08:00")


def test_a_declared_year_is_covered_and_no_other():
    cal = Calendar(years=frozenset({2026}))
    assert cal.covers(dt.date(2026, 12, 31)) and not cal.covers(dt.date(2027, 1, 1))
    assert not Calendar().covers(dt.date(2026, 6, 1))  # no list: nothing is covered


def test_no_warning_before_the_warn_day(cli, ops):
    assert check(cli, ops, "2026-10-31T23:30:00+08:00") == (0, [])


def test_next_year_warning_from_1_november_names_the_years_line(cli, ops):
    assert check(cli, ops, "2026-11-01T00:30:00+08:00") == (
        0, [("policy.yaml", YEARS_LINE, "calendar-next-year", "warning")])
    r = cli("check", cwd=ops.root)
    assert (f"policy.yaml:{YEARS_LINE}:3: 警告 [calendar-next-year] 工作日历尚未录入 2027 年（每年 11-01 起提醒）："
            "到 2027 年，SLA 和运维记录表会把节假日当作工作日计算。国务院办公厅通知发布后，请在 policy.yaml 的 "
            "calendar.holidays 和 calendar.make_up_days 中补充 2027 年的放假与调休，并把 2027 加入 calendar.years"
            "（或运行 erpops calendar import 2027）。已录入：2026。") in r.out


def test_the_warn_day_is_a_policy_key(cli, ops):
    ops.edit("policy.yaml", "  years: [2026]\n", "  years: [2026]\n  warn_next_year_from: \"12-15\"\n")
    assert check(cli, ops, "2026-12-14T12:00:00+08:00") == (0, [])
    assert check(cli, ops, "2026-12-15T08:00:00+08:00") == (
        0, [("policy.yaml", YEARS_LINE, "calendar-next-year", "warning")])


def test_a_malformed_warn_day_is_a_schema_error(cli, ops):
    ops.edit("policy.yaml", "  years: [2026]\n", "  years: [2026]\n  warn_next_year_from: \"13-01\"\n")
    code, found = check(cli, ops, "2026-06-01T12:00:00+08:00", rules=("schema",))
    assert (code, found) == (1, [("policy.yaml", YEARS_LINE + 1, "schema", "error")])


def test_a_day_in_an_uncovered_year_is_an_error(cli, ops):
    assert check(cli, ops, "2027-01-04T09:00:00+08:00") == (
        1, [("policy.yaml", YEARS_LINE, "calendar-not-covered", "error")])
    r = cli("check", "--lang", "en", cwd=ops.root)
    assert (f"policy.yaml:{YEARS_LINE}:3: error [calendar-not-covered] The working calendar does not cover 2027 "
            "(today is 2027-01-04)") in r.out


def test_the_uncovered_error_uses_the_calendars_time_zone(cli, ops):
    # 2026-12-31 16:30 UTC is already 2027-01-01 in Shanghai
    assert check(cli, ops, "2026-12-31T16:30:00+00:00")[1] == [
        ("policy.yaml", YEARS_LINE, "calendar-not-covered", "error")]


def test_a_calendar_without_years_covers_nothing(cli, ops):
    ops.edit("policy.yaml", "  # 已录入的年份\n  years: [2026]\n", "")
    assert check(cli, ops, "2026-06-01T12:00:00+08:00") == (
        1, [("policy.yaml", CALENDAR_LINE, "calendar-not-covered", "error"),
            ("policy.yaml", line_of(ops.read("policy.yaml"), "    - from: 2026-10-01"), "calendar-year-undeclared", "warning")])


def test_next_year_declared_means_no_warning(cli, ops):
    ops.edit("policy.yaml", "  years: [2026]\n", "  years: [2026, 2027]\n")
    ops.edit("policy.yaml", "      name: 国庆节\n", "      name: 国庆节\n    - from: 2027-01-01\n"
             "      until: 2027-01-01\n      name: 元旦\n")
    assert check(cli, ops, "2026-12-01T12:00:00+08:00") == (0, [])


def test_dates_of_an_undeclared_year_warn_at_the_first_of_them(cli, ops):
    ops.edit("policy.yaml", "      name: 国庆节\n", "      name: 国庆节\n    - from: 2027-01-01\n"
             "      until: 2027-01-01\n      name: 元旦\n    - from: 2027-02-06\n      until: 2027-02-14\n"
             "      name: 春节\n")
    assert check(cli, ops, "2026-06-01T12:00:00+08:00") == (
        0, [("policy.yaml", line_of(ops.read("policy.yaml"), "    - from: 2027-01-01"), "calendar-year-undeclared", "warning")])


def test_working_time_names_the_uncovered_years_it_runs_through():
    cal = Calendar(years=frozenset({2026}))
    at = lambda *a: dt.datetime(*a, tzinfo=CST)
    assert uncovered_years(cal, at(2026, 12, 1, 9), at(2026, 12, 31, 17)) == ()
    assert uncovered_years(cal, at(2026, 12, 30, 9), at(2028, 1, 4, 9)) == (2027, 2028)
    assert uncovered_years(cal, at(2025, 12, 31, 9), at(2026, 1, 2, 9)) == (2025,)


def _p1_ticket(cli, ops):
    import os

    os.environ["ERPOPS_NOW"] = "2026-12-31T09:00:00+08:00"
    made = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P1",
               "--title", "过账失败", "--symptom", "月末过账报错", "--by", "li-user", cwd=ops.root)
    assert made.code == 0, made.both
    (path,) = (ops.root / "tickets" / "alpha" / "2026").glob("ALP-*.yaml")
    return path


def test_an_sla_warning_over_an_uncovered_year_says_so_at_its_line(cli, ops):
    path = _p1_ticket(cli, ops)
    rel = path.relative_to(ops.root).as_posix()
    opened = path.read_text("utf-8").splitlines().index(next(
        ln for ln in path.read_text("utf-8").splitlines() if ln.startswith("opened:"))) + 1
    status = [ln.split(":")[0] for ln in path.read_text("utf-8").splitlines()].index("status") + 1
    # still in 2026: the breach, and no note
    code, found = check(cli, ops, "2026-12-31T16:00:00+08:00")
    assert ("ticket-sla-uncovered" not in {f[2] for f in found}) and (rel, status, "ticket-sla-breach", "warning") in found
    code, found = check(cli, ops, "2027-01-04T09:00:00+08:00")
    assert found == sorted([
        ("policy.yaml", YEARS_LINE, "calendar-not-covered", "error"),
        (rel, opened, "ticket-sla-breach", "warning"),
        (rel, status, "ticket-sla-breach", "warning"),
        (rel, opened, "ticket-sla-uncovered", "warning"),
    ])
    r = cli("check", cwd=ops.root)
    assert (f"{rel}:{opened}:1: 警告 [ticket-sla-uncovered] 此工单的 SLA 工时经过工作日历未录入的年份（2027）："
            "这些年份的节假日被当作工作日计算，该工单 SLA 警告中的工时可能偏多。请在 policy.yaml 中补充这些年份的节假日。") in r.out


def test_a_record_form_over_an_uncovered_period_says_so(cli, ops):
    _p1_ticket(cli, ops)
    loaded = load.load(ops.root)
    jan = form.build(loaded, "alpha", period.period(loaded.policy, "2027-01"), "zh")
    dec = form.build(loaded, "alpha", period.period(loaded.policy, "2026-12"), "zh")
    assert (jan.uncovered_years, dec.uncovered_years) == ((2027,), ())
    note = ("> 注意：policy.yaml 的工作日历没有录入 2027 年，本表的 SLA 用时和积压工时把这些年份的节假日当作工作日计算，"
            "可能偏多。补充这些年份的节假日与调休（calendar.years）后请重新生成本表。")
    assert note in markdown.form(jan, "zh")
    assert "policy.yaml 的工作日历没有录入" not in markdown.form(dec, "zh")
    en = markdown.form(form.build(loaded, "alpha", period.period(loaded.policy, "2027-01"), "en"), "en")
    assert "> Note: the working calendar in policy.yaml does not cover 2027;" in en


# --- erpops calendar -------------------------------------------------------------------------

def test_calendar_command_lists_the_years_covered(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-12-01T10:00:00+08:00")
    r = cli("calendar", cwd=ops.root)
    assert (r.code, r.out) == (0, (
        f"工作日历（policy.yaml:{CALENDAR_LINE}）：时区 Asia/Shanghai，工作日 1、2、3、4、5，工作时段 08:30–12:00、13:30–17:30。\n"
        "已录入的年份：\n"
        "  2026  节假日 1 段（7 天），调休上班 1 天\n"
        "今天 2026-12-01：已录入。\n"
        "2027 年尚未录入：国务院办公厅通知发布后请补充（erpops calendar import 2027）。\n"))


def test_calendar_command_in_english_and_in_an_uncovered_year(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2027-01-04T10:00:00+08:00")
    r = cli("calendar", "--lang", "en", cwd=ops.root)
    assert (r.code, r.out) == (1, (
        f"Working calendar (policy.yaml:{CALENDAR_LINE}): time zone Asia/Shanghai, working weekdays 1, 2, 3, 4, 5, "
        "working hours 08:30–12:00, 13:30–17:30.\n"
        "Years covered:\n"
        "  2026  1 holidays (7 days), 1 make-up working days\n"
        "Today 2027-01-04: 2027 is not covered; SLA figures count its holidays as working days.\n"))


def test_calendar_command_without_a_policy_is_a_usage_error(cli, repo):
    r = cli("calendar", cwd=repo.root)
    assert r.code == 2 and "policy.yaml" in r.err


FAKE_2027_HOLIDAYS = {  # what a package release with 2027 would hold (made up for the test only)
    **{dt.date(2027, 1, d): "New Year's Day" for d in (1, 2, 3)},
    **{dt.date(2027, 2, d): "Spring Festival" for d in range(6, 15)},
}
FAKE_2027_WORKDAYS = {dt.date(2027, 2, 20): "Spring Festival"}


def _fake_package(monkeypatch, holidays=FAKE_2027_HOLIDAYS, workdays=FAKE_2027_WORKDAYS):
    import enum

    class Holiday(enum.Enum):
        def __new__(cls, english, chinese):
            obj = object.__new__(cls)
            obj._value_ = english
            obj.chinese = chinese
            return obj

        new_years_day = "New Year's Day", "元旦"
        spring_festival = "Spring Festival", "春节"

    module = types.ModuleType("chinese_calendar")
    module.__version__ = "9.9.9"
    module.Holiday, module.holidays, module.workdays = Holiday, holidays, workdays
    monkeypatch.setitem(sys.modules, "chinese_calendar", module)


def test_import_appends_the_year_keeping_comments_and_layout(cli, ops, monkeypatch):
    _fake_package(monkeypatch)
    r = cli("calendar", "import", "2027", cwd=ops.root)
    assert (r.code, r.out) == (0, "已从 chinese-calendar 9.9.9 导入 2027 年：节假日 2 段，调休上班 1 天，写入 policy.yaml。"
                                  "请与国务院办公厅通知核对后再提交评审。\n")
    assert ops.read("policy.yaml") == POLICY.replace("  years: [2026]\n", "  years: [2026, 2027]\n").replace(
        "      name: 国庆节\n",
        "      name: 国庆节\n"
        "    - from: 2027-01-01\n      until: 2027-01-03\n      name: 元旦\n"
        "    - from: 2027-02-06\n      until: 2027-02-14\n      name: 春节\n").replace(
        "      name: 国庆节调休\n", "      name: 国庆节调休\n    - date: 2027-02-20\n      name: 春节调休\n")
    assert check(cli, ops, "2027-02-10T10:00:00+08:00") == (0, [])
    cal = load.load(ops.root).policy.calendar
    assert dt.date(2027, 2, 10) in cal.holidays and cal.is_working_day(dt.date(2027, 2, 20))


def test_import_of_a_year_already_covered_changes_nothing(cli, ops, monkeypatch):
    _fake_package(monkeypatch)
    r = cli("calendar", "import", "2026", cwd=ops.root)
    assert (r.code, r.out) == (0, "calendar.years 已包含 2026 年，未修改 policy.yaml。\n")
    assert ops.read("policy.yaml") == POLICY


def test_import_refuses_a_year_with_dates_already_typed_in(cli, ops, monkeypatch):
    _fake_package(monkeypatch)
    ops.edit("policy.yaml", "      name: 国庆节\n", "      name: 国庆节\n    - from: 2027-01-01\n"
             "      until: 2027-01-01\n      name: 元旦\n")
    before = ops.read("policy.yaml")
    r = cli("calendar", "import", "2027", cwd=ops.root)
    assert r.code == 1 and "已有 2027 年的节假日或调休日期" in r.err
    assert ops.read("policy.yaml") == before


def test_import_says_so_when_the_package_lacks_the_year(cli, ops, monkeypatch):
    _fake_package(monkeypatch)
    r = cli("calendar", "import", "2028", cwd=ops.root)
    assert (r.code, r.err) == (2, "chinese-calendar 9.9.9 没有 2028 年的数据（它覆盖到 2027 年）：请升级该包"
                                  "（pip install -U chinese-calendar），或按国务院办公厅通知手工补充 policy.yaml。\n")
    assert ops.read("policy.yaml") == POLICY


def test_import_without_the_package_says_how_to_install_it(cli, ops, monkeypatch):
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)  # import fails as if not installed
    r = cli("calendar", "import", "2027", "--lang", "en", cwd=ops.root)
    assert r.code == 2 and r.err.startswith("chinese-calendar is not installed, so nothing can be imported. "
                                            "Run: pip install \"erpops[calendar]\"")
    assert ops.read("policy.yaml") == POLICY


def test_import_of_an_impossible_year_is_a_usage_error(cli, ops):
    assert cli("calendar", "import", "0", cwd=ops.root).code == 2
    assert cli("calendar", "import", "twenty", cwd=ops.root).code == 2


def test_import_from_the_real_package_matches_the_2026_notice(cli, ops):
    pytest.importorskip("chinese_calendar")
    ops.write("policy.yaml", POLICY.replace("years: [2026]", "years: [2025]").replace("2026-10-", "2025-10-"))
    r = cli("calendar", "import", "2026", cwd=ops.root)
    assert r.code == 0, r.both
    cal = load.load(ops.root).policy.calendar
    # 国务院办公厅关于2026年部分节假日安排的通知: the 2026 holidays and make-up days
    ranges = [(dt.date(2026, 1, 1), 3), (dt.date(2026, 2, 15), 9), (dt.date(2026, 4, 4), 3), (dt.date(2026, 5, 1), 5),
              (dt.date(2026, 6, 19), 3), (dt.date(2026, 9, 25), 3), (dt.date(2026, 10, 1), 7)]
    expected = {first + dt.timedelta(days=i) for first, n in ranges for i in range(n)}
    assert {d for d in cal.holidays if d.year == 2026} == expected
    assert {d for d in cal.make_up_days if d.year == 2026} == {
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9),
        dt.date(2026, 9, 20), dt.date(2026, 10, 10)}
    assert cal.years == {2025, 2026}
