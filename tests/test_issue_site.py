"""The internal site's ticket page links to the issue the ticket was filed from."""
from __future__ import annotations

import datetime as dt

from erpops import load
from erpops.site import pages
from issue_fixture import ISSUE_PATH, ISSUE_TICKET
from tickets_fixture import CST, setup

PAGE = ISSUE_PATH[:-5] + ".md"


def _page(repo, text=ISSUE_TICKET):
    setup(repo)
    repo.write(ISSUE_PATH, text)
    built = pages.build(load.load(repo.root), today=dt.date(2026, 11, 3),
                        now=dt.datetime(2026, 11, 2, 12, 0, tzinfo=CST))
    return built[PAGE].splitlines()


def test_the_ticket_page_links_to_its_issue(repo):
    assert "| 议题 | [\\#7](https://github.com/ops/erpops/issues/7) |" in _page(repo)


def test_an_odd_issue_address_cannot_break_out_of_the_link(repo):
    text = ISSUE_TICKET.replace("url: https://github.com/ops/erpops/issues/7",
                                'url: "https://x.invalid/a)<script>"')
    lines = _page(repo, text)
    (row,) = [ln for ln in lines if ln.startswith("| 议题 |")]
    assert row == "| 议题 | [\\#7](https://x.invalid/a%29%3Cscript%3E) |"


def test_a_ticket_without_an_issue_has_no_issue_row(repo):
    text = ISSUE_TICKET.replace("issue:\n  forge: github\n  number: 7\n  url: https://github.com/ops/erpops/issues/7\n", "")
    assert not [ln for ln in _page(repo, text) if ln.startswith("| 议题 |")]
