"""The loaded repository as one record: what rules, reports and the site read. `load.py` builds it."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from erpops.diagnostics import Diagnostic
from erpops.improvement import Improvement
from erpops.model import Roster, Runbook
from erpops.policy import Policy
from erpops.ticket import Ticket
from erpops.yamlio import Document

if TYPE_CHECKING:
    from erpops.ticketindex import Index


@dataclass
class Repository:
    root: Path
    roster: Roster
    documents: dict[str, Document] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    runbooks: dict[str, Runbook] = field(default_factory=dict)
    # Every runbook read, duplicates included, so that a rule can report a reused id.
    runbook_list: list[Runbook] = field(default_factory=list)
    policy: Policy | None = None
    tickets: list[Ticket] = field(default_factory=list)  # duplicates kept for the rules to report
    improvements: list[Improvement] = field(default_factory=list)  # improvements/<YYYY>/<id>.yaml, duplicates kept
    # Set when only some tickets were read (a one-ticket command): every ticket file, for the
    # cross-ticket rules (ticketindex.Index.related). None: `tickets` holds every ticket.
    index: Index | None = field(default=None, compare=False, repr=False)

    @property
    def files(self) -> int:
        return len(self.documents)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while building a large model.

    A repository is millions of small objects without reference cycles (plain data, frozen
    records), freed by reference counting alone. While they pile up, the cycle collector would
    walk all of them again and again: on 20,000 tickets that doubled the time of a check.

    The objects made meanwhile are then moved to the collector's oldest generation before it
    resumes (`gc.freeze` then `gc.unfreeze`: two list splices): else they are all in its youngest
    generation, and its next passes walk every one of them to find no cycle (2.4 of the 94 s of a
    profiled check of 20,000 tickets). The oldest generation is walked only at a full pass, as rarely as for any object
    that lived long; a long-lived process (`mkdocs serve`) still collects a cycle among them there.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not gc.get_freeze_count():  # a host's own frozen objects are not ours to unfreeze
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_KEPT: list[Repository] = []


def keep_to_exit(repo: Repository) -> None:
    """Hold `repo` (the last one given) until the process ends.

    A command that has checked a full model is about to end: freeing it object by object costs
    ~0.8 CPU s at 20,000 tickets (profiled), and the console script (`cli.script`) ends the process without
    that. Holding only the last one bounds what a long-lived caller (the tests) keeps.
    """
    _KEPT[:] = [repo]
