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


def _row(lines, label):
    """The value cell of a facts row (the page is HTML: <td>label</td> then <td>value</td>)."""
    return [lines[i + 1] for i, ln in enumerate(lines) if ln == f"<td>{label}</td>"]


def test_the_ticket_page_links_to_its_issue(repo):
    assert _row(_page(repo), "议题") == ['<td><a href="https://github.com/ops/erpops/issues/7">#7</a></td>']


def test_an_odd_issue_address_cannot_break_out_of_the_link(repo):
    text = ISSUE_TICKET.replace("url: https://github.com/ops/erpops/issues/7",
                                'url: "https://x.invalid/a)<script>"')
    # Not an address of plain URL characters: shown as text, never as a link.
    assert _row(_page(repo, text), "议题") == ["<td>#7</td>"]


def test_a_ticket_without_an_issue_has_no_issue_row(repo):
    text = ISSUE_TICKET.replace("issue:\n  forge: github\n  number: 7\n  url: https://github.com/ops/erpops/issues/7\n", "")
    assert _row(_page(repo, text), "议题") == []
