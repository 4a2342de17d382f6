"""What the site reads of a settled ticket, so that a warm build need not read 20,000 ticket files.

Of a generated repository's tickets nearly all are closed or cancelled: their files do not change,
and neither do their rows in the lists, their counts, their feedback in the backlog, nor their own
pages (the page store keeps them). The warm check's cache (checkcache.Entry.site) keeps, for each
closed or cancelled ticket file, the `summary` below, under the file's stat key; the site's warm
model (checkcache.check_site) gives a `Settled` stub for every such ticket whose file is unchanged,
and a full Ticket for the others (changed, new, racy, unfinished: those the warm check reads anyway).

A stub has the Ticket attributes the site's sections read of every ticket (tests/test_site_summary.py
builds sites from both and compares them byte for byte), `digest` (the page store's key of its page,
sections/tickets.ticket_key, which a full ticket computes from its file's text) and `last_day` (for
sections/tickets.archived): never its history. Where a section must make the ticket's own page
(its key changed, or the store lost the file), `full` reads that one file, as `ticket show` does.
Like the cache holding them: marshal of plain values, no code runs on reading.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from pathlib import Path
from typing import NamedTuple

from erpops.ticket import Feedback, Ticket

SETTLED = ("closed", "cancelled")  # checkcache.SETTLED: the statuses a summary is kept for


def text_digest(text: str) -> bytes:
    """The digest of a ticket file's text: what its page is keyed by (not the text, 2 KB a ticket)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def summary(tk: Ticket, text: str) -> bytes | None:
    """What the site reads of `tk` (read from a file holding `text`): plain values, packed with
    marshal into one bytes object; None for a ticket that is not closed or cancelled (the site reads
    those in full). Packed, because `erpops check` reads the same cache and never these fields:
    20,000 bytes objects cost it nothing to load, 20,000 tuples of 14 values a third of a second."""
    if tk.status not in SETTLED:
        return None
    hold = tk.hold
    last = tk.history[-1].at if tk.history else None
    return marshal.dumps((tk.id, tk.title, tk.subsystem, tk.type, tk.priority, tk.status,
                          hold.reason if hold is not None else None, tk.tier, tk.assignee,
                          tk.opened.isoformat() if tk.opened is not None else None,
                          last.date().isoformat() if last is not None else None,
                          tuple(tk.runbooks), tuple((f.kind, f.text) for f in tk.feedback), text_digest(text)))


class Where(NamedTuple):
    """A stub's `src`: the file's path (what the sections read), and the root to read it from."""

    path: str
    root: Path


class Held(NamedTuple):
    """A stub's `hold`: its reason only (what a list row shows)."""

    reason: str


class Settled(NamedTuple):
    id: str
    title: str
    subsystem: str
    type: str
    priority: str
    status: str
    hold: Held | None
    tier: str
    assignee: str | None
    opened: dt.datetime | None
    last_day: dt.date | None  # the date of its last event (None: no event, or no time on it)
    runbooks: tuple
    feedback: tuple
    digest: bytes
    src: Where


_NO_FEEDBACK: tuple = ()


def stub(root: Path, rel: str, packed: bytes) -> Settled:
    """The Settled of the file `rel` from its `summary`."""
    (tid, title, subsystem, kind, priority, status, hold, tier, assignee, opened, last, books, feedback,
     digest) = marshal.loads(packed)
    return Settled(tid, title, subsystem, kind, priority, status, None if hold is None else Held(hold), tier,
                   assignee, dt.datetime.fromisoformat(opened) if opened is not None else None,
                   dt.date.fromisoformat(last) if last is not None else None, tuple(books),
                   tuple(Feedback(k, v) for k, v in feedback) if feedback else _NO_FEEDBACK, digest, Where(rel, root))


loaded = 0  # how many stubs were read in full in this process (tests count them)


def full(tk: Ticket | Settled) -> Ticket:
    """`tk` itself, or for a stub the Ticket its file holds (one file read: its page is made)."""
    global loaded
    if not isinstance(tk, Settled):
        return tk
    from erpops import load
    from erpops import ticket as ticket_model
    from erpops.errors import FatalError
    from erpops.i18n import t
    from erpops.yamlio import MAX_BYTES

    loaded += 1
    doc, _problems = load.read_yaml(load.Files(tk.src.root), tk.src.path, "ticket", MAX_BYTES)
    found = ticket_model.build(doc) if doc is not None else None
    if found is None:  # changed or gone since the warm check looked at it: build again
        raise FatalError(t("site.ticket-changed-meanwhile", path=tk.src.path))
    return found


def stubs(tickets) -> list[Settled]:
    return [tk for tk in tickets if type(tk) is Settled]
