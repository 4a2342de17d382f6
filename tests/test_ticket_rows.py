"""One row type for both caches: ticketindex.TicketRow names what the ticket index and the warm
check's cache keep of a ticket, and both keep the same plain tuple."""
from __future__ import annotations

from erpops import checkcache, load, ticketindex
from erpops.checkcache import ROW
from tickets_fixture import PATH, TICKET, setup


def test_both_caches_keep_the_same_named_row(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    setup(repo)
    repo.write(PATH, TICKET)
    model = load.load(repo.root)
    tk = next(t for t in model.tickets if t.src.path == PATH)
    plain = ticketindex.row(tk)
    assert type(plain) is tuple and len(plain) == len(ticketindex.TicketRow._fields)
    named = ticketindex.TicketRow(*plain)
    assert (named.id, named.subsystem, named.type, named.status, named.title, named.priority, named.tier,
            named.assignee, named.links_runbook) == (tk.id, tk.subsystem, tk.type, tk.status, tk.title, tk.priority,
                                                     tk.tier, tk.assignee, bool(tk.runbooks))
    assert named.opened == tk.opened.isoformat()
    assert [plain[i] for i in (ticketindex.ID, ticketindex.SUBSYSTEM, ticketindex.TYPE, ticketindex.STATUS,
                               ticketindex.OPENED)] == [tk.id, tk.subsystem, tk.type, tk.status, tk.opened.isoformat()]
    entry, _, _ = checkcache._entry(model, (0, 0, 0, 0), tk, True, [], tk.opened)
    assert entry[ROW] == plain
    assert ticketindex.Row(PATH, *plain).opened_at == tk.opened
