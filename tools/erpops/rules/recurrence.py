"""Prevention and early warning: the same problem keeps coming back and no runbook covers it."""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Iterator

from erpops import clock
from erpops.diagnostics import WARNING, Diagnostic
from erpops.rules import at
from erpops.ticket import Ticket

if TYPE_CHECKING:
    from erpops.repository import Repository

WINDOW = dt.timedelta(days=30)
TIMES = 3
SIMILAR = 0.5
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _bigrams(text: str) -> frozenset[str]:
    text = _NOISE.sub("", text.casefold())
    return frozenset({text[i : i + 2] for i in range(len(text) - 1)} or {text})


def similar(a: str, b: str) -> bool:
    """Two titles name the same problem: most of their character pairs are shared, or most of
    one reads in order in the other (Chinese has no spaces to split words on)."""
    return _similar(a, _bigrams(a), b, _bigrams(b))


def _similar(a: str, x: frozenset[str], b: str, y: frozenset[str]) -> bool:
    if len(x & y) / len(x | y) >= SIMILAR:
        return True
    ordered = SequenceMatcher(None, _NOISE.sub("", a), _NOISE.sub("", b), autojunk=False)
    return ordered.quick_ratio() >= SIMILAR and ordered.ratio() >= SIMILAR


def recurring_without_runbook(repo: Repository, now: dt.datetime) -> Iterator[Diagnostic]:
    """A problem that recurs (same subsystem and type, a similar title) three times within 30 days
    with no linked runbook is an early warning: write a runbook for it, or link the one that fits.
    It warns about what is happening now: tickets opened in the 30 days up to `now`."""
    groups: dict[tuple[str, str], list[Ticket]] = defaultdict(list)
    for t in repo.tickets:
        if t.opened is not None and not t.runbooks and t.status != "cancelled":
            groups[(t.subsystem, t.type)].append(t)
    for tickets in groups.values():
        tickets.sort(key=lambda t: (t.opened, t.id))
        opened = [t.opened for t in tickets]
        for i in range(bisect_left(opened, now - WINDOW), bisect_right(opened, now)):
            t = tickets[i]
            pairs = _bigrams(t.title)
            earlier = [e for e in tickets[bisect_left(opened, t.opened - WINDOW) : i]
                       if _similar(e.title, _bigrams(e.title), t.title, pairs)]
            if len(earlier) + 1 >= TIMES:
                yield at(t.src, ("title",), "ticket-recurring-without-runbook", WARNING,
                         count=len(earlier) + 1, days=WINDOW.days,
                         others=tuple(e.id for e in earlier))


def check(repo: Repository, now: dt.datetime | None = None) -> list[Diagnostic]:
    if repo.policy is None:
        return []
    return list(recurring_without_runbook(repo, now or clock.now(repo.policy.calendar.tz)))
