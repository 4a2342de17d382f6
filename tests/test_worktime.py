"""Working time by the calendar, checked against cases worked out by hand on the 2026 calendar."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import DEMO
from erpops import load
from erpops.policy import Calendar
from erpops.worktime import add_working_hours, working_hours

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def cal() -> Calendar:
    """The calendar of the demo policy.yaml, frozen (08:30–12:00, 13:30–17:30, 2026 holidays and 调休)."""
    policy = load.load(DEMO).policy
    assert policy is not None
    return policy.calendar


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.mark.parametrize("start, end, hours", [
    # one morning, Monday
    ("2026-11-02 09:00", "2026-11-02 11:00", 2.0),
    # across the lunch break: 11:00–12:00 and 13:30–14:30
    ("2026-11-02 11:00", "2026-11-02 14:30", 2.0),
    # a whole working day is 7.5 hours
    ("2026-11-02 00:00", "2026-11-03 00:00", 7.5),
    # Friday 16:30 → Monday 09:30: one hour each side of the weekend
    ("2026-11-06 16:30", "2026-11-09 09:30", 2.0),
    # Thursday 17:00 → Monday 09:00 over 中秋节 (Fri 25 Sept holiday, then the weekend)
    ("2026-09-24 17:00", "2026-09-28 09:00", 1.0),
    # Saturday 19 Sept → Monday 21 Sept 08:30: Sunday 20 Sept is a 调休 working day, 7.5 hours
    ("2026-09-19 10:00", "2026-09-21 08:30", 7.5),
    # 30 Sept 17:00 → 8 Oct 09:00: 国庆节 1–7 Oct in between
    ("2026-09-30 17:00", "2026-10-08 09:00", 1.0),
    # 9 Oct (Fri) 17:00 → 12 Oct (Mon) 08:30: Saturday 10 Oct is a 调休 working day
    ("2026-10-09 17:00", "2026-10-12 08:30", 8.0),
    # inside the lunch break and outside hours count nothing
    ("2026-11-02 12:10", "2026-11-02 13:20", 0.0),
    ("2026-11-02 18:00", "2026-11-03 08:00", 0.0),
    # end before start
    ("2026-11-03 10:00", "2026-11-02 10:00", 0.0),
])
def test_working_hours_between_two_instants(cal, start, end, hours):
    assert working_hours(cal, at(start), at(end)) == pytest.approx(hours)


def test_instants_in_another_zone_are_read_in_the_calendars_zone(cal):
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai
    end = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.timezone.utc)  # 11:00
    assert working_hours(cal, start, end) == pytest.approx(2.0)


@pytest.mark.parametrize("start, hours, result", [
    ("2026-11-02 09:00", 2, "2026-11-02 11:00"),
    # 11:00 + 2 h: one hour before lunch, one after
    ("2026-11-02 11:00", 2, "2026-11-02 14:30"),
    # ending exactly at the end of the morning
    ("2026-11-02 08:30", 3.5, "2026-11-02 12:00"),
    # from the evening: the clock starts next working morning
    ("2026-11-02 20:00", 0.5, "2026-11-03 09:00"),
    # 30 Sept 17:00 + 4 h: half an hour, then 国庆节, then 3.5 hours on 8 Oct
    ("2026-09-30 17:00", 4, "2026-10-08 12:00"),
    # a 调休 Saturday counts: 10 Oct 07:00 + 1 h
    ("2026-10-10 07:00", 1, "2026-10-10 09:30"),
    # Thursday 24 Sept 16:00 + 2 h skips 中秋节 and the weekend
    ("2026-09-24 16:00", 2, "2026-09-28 09:00"),
])
def test_adding_working_hours(cal, start, hours, result):
    assert add_working_hours(cal, at(start), hours) == at(result)


def test_adding_then_measuring_gives_the_hours_back(cal):
    start = at("2026-09-18 15:10")
    end = add_working_hours(cal, start, 40)
    assert working_hours(cal, start, end) == pytest.approx(40)


def test_a_naive_instant_is_refused(cal):
    with pytest.raises(ValueError):
        working_hours(cal, dt.datetime(2026, 11, 2, 9), at("2026-11-02 10:00"))


def test_a_calendar_without_working_days_does_not_loop_forever():
    with pytest.raises(ValueError):
        add_working_hours(Calendar(working_weekdays=frozenset()), at("2026-11-02 09:00"), 1)


def test_policy_calendar_holds_the_2026_dates(cal):
    assert cal.time_zone == "Asia/Shanghai"
    assert not cal.is_working_day(dt.date(2026, 10, 1))
    assert not cal.is_working_day(dt.date(2026, 9, 25))
    assert cal.is_working_day(dt.date(2026, 9, 20))  # Sunday, 调休
    assert cal.is_working_day(dt.date(2026, 10, 10))  # Saturday, 调休
    assert not cal.is_working_day(dt.date(2026, 10, 11))
    assert cal.is_working_day(dt.date(2026, 10, 8))
