"""A ticket page says by when the ticket is due: its respond and resolve deadlines in working
time, moved on by a hold that paused the clock, and none while such a hold lasts. Worked out by
hand on the holds fixture's calendar (09:00–12:00, 13:00–17:00, Wed 4 Nov 2026 a holiday; P3:
respond 4 h, resolve 8 h)."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops import load
from erpops.site import pages
from holds_fixture import ev, opened, path, setup, ticket

TID = "ALP-20261102-HLDA"
PAGE = f"tickets/alpha/2026/{TID}.md"
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def ops(repo):
    return setup(repo)


def _page(ops, events, now: str, **kw) -> str:
    ops.write(path(TID), ticket(TID, events, **kw))
    built = pages.build(load.load(ops.root), "zh", today=dt.date(2026, 11, 5),
                        now=dt.datetime.fromisoformat(now).replace(tzinfo=CST))
    return built[PAGE]


def tr(*cells) -> str:
    """A table row as the ticket page (HTML) writes it; the used and limit hours align right."""
    right = (1, 2) if len(cells) == 7 else ()
    return "<tr>\n" + "".join(f'<td style="text-align: right;">{c}</td>\n' if i in right else f"<td>{c}</td>\n"
                              for i, c in enumerate(cells)) + "</tr>\n"


def test_a_hold_that_paused_the_clock_moves_the_resolve_deadline_on(ops):
    events = [opened(), ev("assign", "02T10:00", assignee="li-user"),
              ev("hold", "02T11:00", reason="reporter", note="请报告人提供单据号"),
              ev("resume", "05T10:00", by="li-user", note="报告人已答复"), ev("resolve", "05T15:00")]
    page = _page(ops, events, "2026-11-05T16:00", status="resolved", resolved="2026-11-05T15:00:00+08:00")
    # Respond: Mon 09:00 + 4 h = 09–12, 13–14. Resolve: 8 h + 13 h paused = 21 h: Mon 7, Tue 7,
    # Wed holiday, Thu 7 → Thu 17:00.
    assert tr("响应期限", "2026-11-02 14:00") in page
    assert tr("解决期限", "2026-11-05 17:00") in page
    assert tr("解决", "6.0", "8", "2026-11-05 17:00", "已停止", "否", "已暂停 13.0 小时（等待报告人答复）") in page


def test_a_ticket_on_hold_has_no_resolve_deadline_until_it_resumes(ops):
    events = [opened(), ev("hold", "02T10:00", reason="vendor", note="等待用友补丁")]
    page = _page(ops, events, "2026-11-05T12:00")
    assert tr("解决期限", "挂起中，恢复后顺延") in page
    assert tr("响应期限", "2026-11-02 14:00") in page
