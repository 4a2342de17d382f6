"""A small index of every ticket file, so that a one-ticket command need not read 20,000 of them.

`.erpops-cache/index-<hash>.marshal` maps each ticket file (tickets/<sub>/<YYYY>/<id>.yaml) to
what can be known of it without reading it — its size, mtime_ns, ctime_ns and inode — and to the
few fields the cross-ticket rules and `ticket list` need: id, subsystem, type, status, opened,
title, priority, tier, assignee (None: the file is not a valid ticket). A full load writes it; a
one-ticket command finds its ticket's path in it and reads, for the cross-ticket rules, only the
tickets that can change their verdict on that one (`related`).

Why stat, not content hashes or git's index: a hash needs every file read (what made the old
cache slow), and git's index says nothing about a work tree that is not a clone or has uncommitted
edits. A stat key is what git itself trusts for its index, with the same two safeguards:
- the key has ctime_ns and the inode besides size and mtime_ns: `git checkout`, an editor's
  save-by-rename and `touch -d` each change one of them even when size and mtime stay;
- racy entries: a file whose mtime falls in the same second as the index's writing (or later)
  may have changed again within the file system's mtime granularity without a new mtime; such an
  entry is never trusted and the file is read again (as git re-checks racily clean entries).
The stats are taken before the files are read, so an edit made while a full load runs is seen as a
change the next time. Every ticket file is stat'ed on each use (one `lstat` each, no reading):
added, deleted and changed files are read again and the index rewritten; when too many changed,
or the index is missing, unreadable or from another erpops version, the caller falls back to the
full load — never to a wrong answer.

Like doccache: marshal (no code runs on reading it), a hash of the code and schemas in its name,
never used in CI (`$CI`) or with ERPOPS_CACHE=0, links never followed, writes atomic.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from erpops import doccache

if TYPE_CHECKING:
    from erpops.ticket import Ticket

FORMAT = 2  # 2: rows are TicketRows (links_runbook added)
TICKETS = "tickets"
MAX_STALE = 200  # more changed files than this: a full load is as quick, and rewrites the index
# Fewer changed files than this are read again each time rather than the index rewritten: writing
# 4 MiB for 20,000 tickets costs more than reading a few files (one edit changes one file).
SAVE_AFTER = 20
WINDOW = dt.timedelta(days=30)  # rules/recurrence.WINDOW (checked by a test)
_CODE = ("ticketindex.py", "ticket.py", "load.py")

Key = tuple  # (size, mtime_ns, ctime_ns, inode)


class TicketRow(NamedTuple):
    """What both caches keep of one valid ticket file: this index, and each entry of the warm
    check's cache (checkcache.py). Stored as plain tuples in this order (marshal writes no
    NamedTuple, and 20,000 of them cost time to build): read them by the positions below."""

    id: str
    subsystem: str
    type: str
    status: str
    opened: str | None  # ISO text as the file has it, None if missing
    title: str
    priority: str
    tier: str
    assignee: str | None
    links_runbook: bool  # the ticket names a runbook


ID, SUBSYSTEM, TYPE, STATUS, OPENED = (TicketRow._fields.index(f) for f in ("id", "subsystem", "type", "status",
                                                                               "opened"))


class Row(NamedTuple):
    """What the index keeps of one valid ticket file, with its path (the TicketRow fields after it)."""

    path: str
    id: str
    subsystem: str
    type: str
    status: str
    opened: str | None
    title: str
    priority: str
    tier: str
    assignee: str | None
    links_runbook: bool

    @property
    def opened_at(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.opened) if self.opened else None


def row(tk: Ticket) -> tuple:
    """The TicketRow of `tk`, as a plain tuple. Words that repeat across tickets are interned:
    marshal then writes each once and refers back to it, a smaller file quicker to read."""
    o = tk.opened
    return (tk.id, _word(tk.subsystem), _word(tk.type), _word(tk.status),
            o.isoformat() if isinstance(o, dt.datetime) else None,
            tk.title, _word(tk.priority), _word(tk.tier), _word(tk.assignee), bool(tk.runbooks))


def _word(v: Any) -> Any:
    return sys.intern(v) if type(v) is str else v


@lru_cache(maxsize=None)
def _namespace() -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{FORMAT} {doccache._namespace()}".encode())
    for name in _CODE:
        try:
            h.update(resources.files("erpops").joinpath(name).read_bytes())
        except OSError:  # pragma: no cover - installed without sources
            h.update(name.encode())
    return h.hexdigest()


def path(root: Path) -> Path:
    return root / doccache.FOLDER / f"index-{_namespace()}.marshal"


def stat_tree(root: Path) -> dict[str, Key] | None:
    """Each regular .yaml file below tickets/ (links neither followed nor listed, as load.Files
    does) and its stat key; None when tickets/ itself is a link."""
    found = scan(root)
    return found[0] if found is not None else None


def scan(root: Path) -> tuple[dict[str, Key], list[str], list[str]] | None:
    """stat_tree, and the other files a full load would say something about: the regular files
    not named .yaml, and the links (files or folders), each a path from the root."""
    base = root / TICKETS
    if os.path.islink(base):
        return None
    out: dict[str, Key] = {}
    others: list[str] = []
    links: list[str] = []
    stack = [(str(base), TICKETS)]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.is_symlink():
                links.append(f"{rel}/{e.name}")
            elif e.is_dir(follow_symlinks=False):
                stack.append((e.path, f"{rel}/{e.name}"))
            elif e.name.endswith(".yaml") and e.is_file(follow_symlinks=False):
                s = e.stat(follow_symlinks=False)
                out[f"{rel}/{e.name}"] = (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)
            elif e.is_file(follow_symlinks=False):
                others.append(f"{rel}/{e.name}")
    return out, others, links


def racy(key: Key, written: int) -> bool:
    """Written within the second the index (cache) was, or later: not to be trusted."""
    return key[1] // 1_000_000_000 >= written // 1_000_000_000


class Index:
    """rel → row fields (None: not a valid ticket) of every ticket file, fresh as of its making.
    Rows stay plain tuples (see `row`) until asked for as Rows: 20,000 of them cost time."""

    def __init__(self, rows: dict[str, tuple | None]) -> None:
        self.rows = rows

    def tickets(self) -> list[Row]:
        """The valid tickets, in the order a full load has them (sorted paths)."""
        return [Row(rel, *r) for rel, r in sorted(self.rows.items()) if r is not None]

    def ids(self) -> set[str]:
        return {r[ID] for r in self.rows.values() if r is not None}

    def path_of(self, tid: str) -> str:
        """The file of the ticket `tid` exactly names: the first in path order, as the rules count."""
        return min(rel for rel, r in self.rows.items() if r is not None and r[ID] == tid)

    def related(self, tk: Ticket, exclude: Iterable[str]) -> list[str]:
        """The ticket files whose content can change a cross-ticket finding on `tk`: the same id
        (ticket-unique-id); the same subsystem and type opened within the recurrence window before
        it, or at a time that cannot be compared (ticket-recurring-without-runbook); the earliest
        opened (the calendar's SLA note looks at the first year any clock runs in). Sorted."""
        skip = set(exclude)
        out: set[str] = set()
        o = tk.opened if isinstance(tk.opened, dt.datetime) and tk.opened.tzinfo else None
        earliest: tuple[dt.datetime, str] | None = None
        for rel, r in self.rows.items():
            if r is None or rel in skip:
                continue
            when = _aware(r[OPENED])
            if when is not None and (earliest is None or (when, rel) < earliest):
                earliest = (when, rel)
            if r[ID] == tk.id:
                out.add(rel)
            elif r[SUBSYSTEM] == tk.subsystem and r[TYPE] == tk.type:
                if o is None or when is None or o - WINDOW <= when <= o:
                    out.add(rel)
        if earliest is not None:
            out.add(earliest[1])
        return sorted(out)


def _aware(text: str | None) -> dt.datetime | None:
    try:
        v = dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return v if v is not None and v.tzinfo is not None else None


def _read(root: Path) -> tuple[int, dict] | None:
    return doccache.read_stamped(root / doccache.FOLDER, path(root).name)


def save(root: Path, written: int, entries: dict[str, tuple[Key, tuple | None]]) -> None:
    """Write the index: `entries` rel → (stat key taken before reading, row or None)."""
    doccache.write_cache(root / doccache.FOLDER, path(root).name, (written, entries), stale="index-*.marshal")


def record(root: Path, written: int, stats: dict[str, Key] | None, tickets: Iterable[Ticket]) -> None:
    """After a full load of every ticket: write the index from the stats taken before reading."""
    if stats is None:
        return
    by_path = {}
    for tk in tickets:
        by_path.setdefault(tk.src.path, tk)
    save(root, written, {rel: (key, row(by_path[rel]) if rel in by_path else None) for rel, key in stats.items()})


def fresh(root: Path, max_bytes: int | None = None) -> Index | None:
    """The index, brought up to date with the ticket files on disk (changed, added and racy files
    read again, deleted ones dropped); None when there is none to trust: load everything."""
    if not doccache.enabled():
        return None
    found = _read(root)
    if found is None:
        return None
    written, entries = found
    started = time.time_ns()
    stats = stat_tree(root)
    if stats is None:
        return None
    second = written // 1_000_000_000
    todo = []
    for rel, key in stats.items():
        e = entries.get(rel)
        if e is None or e[0] != key or key[1] // 1_000_000_000 >= second:  # changed, new or racy
            todo.append(rel)
    gone = [rel for rel in entries if rel not in stats]
    if len(todo) > MAX_STALE:
        return None
    if todo or gone:
        from erpops import load
        from erpops import ticket as ticket_model
        from erpops.yamlio import MAX_BYTES

        files = load.Files(root)
        for rel in gone:
            del entries[rel]
        for rel in todo:
            doc, _problems = load.read_yaml(files, rel, "ticket", max_bytes or MAX_BYTES)
            tk = ticket_model.build(doc) if doc is not None else None
            entries[rel] = (stats[rel], row(tk) if tk is not None and tk.src.path == rel else None)
        if len(todo) + len(gone) > SAVE_AFTER:
            save(root, started, entries)
    try:
        rows = {rel: r for rel, (_key, r) in entries.items()}
    except (TypeError, ValueError):  # an entry of the wrong shape: not an index to trust
        return None
    if any(r is not None and (type(r) is not tuple or len(r) != len(Row._fields) - 1) for r in rows.values()):
        return None
    return Index(rows)
