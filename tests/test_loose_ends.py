"""Loose ends of issue #12: each odd input is a finding at its file:line or a clear refusal, exit 1 or 2."""
from __future__ import annotations

import json

import pytest

from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

TID = "ALP-20261102-AB2C"


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    setup(repo)
    repo.write(SIMPLE_PATH, SIMPLE)
    return repo


def findings(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    return r.code, [(d["path"], d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"]
                    if d["severity"] == "error"]


def comment(cli, repo, *args):
    return cli("ticket", "comment", TID, "--by", "li-user", *args, cwd=repo.root)


# --- dates of year 1 and 9999 ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00",
                                   "9999-12-31T23:00:00-08:00"])
def test_an_opened_time_of_year_1_or_9999_is_refused_at_its_line(cli, ops, value):
    ops.edit(SIMPLE_PATH, "opened: 2026-11-02T09:00:00+08:00", f"opened: {value}")
    assert findings(cli, ops) == (2, [(SIMPLE_PATH, 9, "yaml-time-range")])
    r = cli("check", cwd=ops.root)
    assert f"{SIMPLE_PATH}:9:9: 错误 [yaml-time-range] 日期“{value}”超出可用范围（1900 至 2999 年），请检查年份。" in r.out


def test_an_event_time_of_year_1_is_refused_at_its_line(cli, ops):
    ops.edit(SIMPLE_PATH, "    at: 2026-11-02T09:20:00+08:00", "    at: 0001-01-01T00:00:00+08:00")
    assert findings(cli, ops) == (2, [(SIMPLE_PATH, 20, "yaml-time-range")])


def test_a_review_date_of_year_9999_is_refused_at_its_line(cli, ops):
    ops.edit("runbooks/common/stock-howto.md", "last_reviewed: 2026-10-01", "last_reviewed: 9999-12-31")
    assert findings(cli, ops) == (2, [("runbooks/common/stock-howto.md", 7, "yaml-time-range")])


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00+08:00", "0001-01-01T00:00:00+08:00"])
def test_at_of_year_1_or_9999_is_a_usage_error(cli, ops, value):
    before = ops.read(SIMPLE_PATH)
    r = comment(cli, ops, "--note", "x", "--at", value)
    assert (r.code, r.err) == (2, f"erpops: --at 的时间“{value}”超出可用范围（1900 至 2999 年），请检查年份。\n")
    assert ops.read(SIMPLE_PATH) == before


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_month_of_year_1_or_9999_is_a_usage_error(cli, ops, month, tmp_path):
    r = cli("report", "monthly", "--month", month, "--out", str(tmp_path / "out"), cwd=ops.root)
    assert (r.code, r.err) == (2, f"erpops: 月份“{month}”超出可用范围（1900 至 2999 年）。\n")
    assert not (tmp_path / "out").exists()


# --- events in the future ----------------------------------------------------------------------

def test_an_event_later_than_now_is_a_finding_of_check(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T09:10:00+08:00")
    assert findings(cli, ops) == (1, [(SIMPLE_PATH, 20, "ticket-event-future")])
    r = cli("check", cwd=ops.root)
    assert (f"{SIMPLE_PATH}:20:5: 错误 [ticket-event-future] 事件时间 2026-11-02T09:20:00+08:00 晚于现在"
            "（2026-11-02T09:10:00+08:00）：历史只记录已经发生的事件。") in r.out


def test_an_event_at_now_is_not_in_the_future(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T09:20:00+08:00")
    assert findings(cli, ops) == (0, [])


def test_at_later_than_now_is_refused_before_writing(cli, ops):
    before = ops.read(SIMPLE_PATH)
    r = comment(cli, ops, "--note", "x", "--at", "2026-11-03T09:01")
    assert (r.code, r.err) == (2, "erpops: --at 的时间“2026-11-03T09:01”晚于现在（2026-11-03T09:00:00+08:00）："
                                  "只能记录已经发生的事件。\n")
    assert ops.read(SIMPLE_PATH) == before
    assert comment(cli, ops, "--note", "x", "--at", "2026-11-03T09:00").code == 0
