"""The warm check: `erpops check` without reading the tickets that did not change.

`.erpops-cache/check-<hash>.marshal` keeps, for each ticket file, its stat key, what reading it
found, the few fields the cross-ticket rules need (id, subsystem, type, status, opened, title,
whether it links a runbook) and the findings of every rule that looks at that ticket alone. A warm
run stats every ticket file, reads the roster, policy, runbooks and improvement items (a few dozen
files: their text is the context every ticket's findings were computed in, so any change there
means a cold run), and then reads again only
- the ticket files that are new or changed, or whose entry is racy (see below);
- the tickets whose findings depend on the time: the unfinished ones and the resolved ones (SLA
  clocks running, confirmation waits), and any with an event after now. A closed or cancelled
  ticket whose clocks have all stopped and whose events are all past gives the same findings at
  any later time, so its entry is reused;
- the tickets a cross-ticket finding must point into (a repeated id) and those improvement
  items name.
The cross-ticket rules (ticket-unique-id, ticket-recurring-without-runbook, the calendar's SLA
note) run over the cached fields; the policy, roster, runbook and improvement rules run as in a cold
check. The result equals a cold run's (tests/test_checkcache.py compares them on bent repositories).

For each closed or cancelled ticket the entry also keeps what the site reads of it
(erpops.ticketsummary): with `check_loading(summaries=True)` the site takes its model from the warm
check — the tickets read anyway in full, every other settled one as a stub — instead of loading
20,000 tickets after checking them (tests/test_site_summary.py).

Why a stat key (size, mtime_ns, ctime_ns, inode) and not content hashes or git's index: reading
every file to hash it is what made the content-hash cache (doccache.py) slow at 20,000 tickets,
and git's index is not there in an export or a work tree with uncommitted edits. ctime and the
inode change on `git checkout`, on an editor's save-by-rename and on `touch -d`, even when size and
mtime are kept. Racy edits — a file changed again within the file system's mtime granularity
after it was stat'ed — are handled as git does: an entry whose mtime is not older (in whole
seconds) than the cache's writing is not trusted and the file is read again. The stats are taken
before any file is read, so a change made during a run shows as a change in the next.

Safe as doccache is: marshal (no code runs on reading it), a hash of every module and schema
of erpops in its name, never used in CI (`$CI`) or with ERPOPS_CACHE=0, written atomically, never
through a link (a link anywhere among the tickets means a cold run, which reports it). Anything
odd — no cache, a corrupt one, too many changed files, naive times — means a cold run.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from erpops import __version__, clock, doccache, load, schemas, ticketindex, ticketsummary
from erpops import ticket as ticket_model
from erpops.diagnostics import Diagnostic
from erpops.repository import Repository, keep_to_exit, paused_gc
from erpops.rules import calendar, improvements, recurrence, reports, roster, runbooks, secrets, tickets
from erpops.rules.ticket_sla import clocks
from erpops.ticket import Ticket
from erpops.yamlio import MAX_BYTES

FORMAT = 3  # 2: entries have `site`; 3: packed
SETTLED = ticketsummary.SETTLED  # statuses whose findings may stop depending on the time


@lru_cache(maxsize=None)
def _namespace() -> str:
    """A hash of the code and schemas: a rule changed, the cache starts afresh."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{FORMAT} {__version__} {sys.version} {marshal.version}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    for name in schemas.names():
        h.update(schemas.text(name).encode("utf-8"))
    return h.hexdigest()


def path(root: Path) -> Path:
    return root / doccache.FOLDER / f"check-{_namespace()}.marshal"


def _context(repo: Repository) -> bytes:
    """What every ticket's findings were computed in: the non-ticket files' text and problems."""
    h = hashlib.blake2b(digest_size=20)
    for rel, doc in sorted(repo.documents.items()):
        h.update(f"{rel}\0{len(doc.text)}\0".encode())
        h.update(doc.text.encode("utf-8", "surrogatepass"))
    for d in sorted(repo.diagnostics):
        h.update(repr(_flat(d)).encode())
    return h.digest()


def _flat(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.column, d.rule, d.severity, d.args, d.key)


def _diag(t: tuple) -> Diagnostic:
    return Diagnostic(t[0], t[1], t[2], t[3], t[4], tuple(tuple(a) for a in t[5]), t[6])


class Entry(NamedTuple):
    key: tuple  # stat key taken before reading
    row: tuple | None  # a ticketindex.TicketRow as a plain tuple; None: no ticket
    has_doc: bool  # parsed into a Document (counts as a file checked)
    problems: list  # what reading it found (flat Diagnostics)
    found: list  # per-ticket rules (flat Diagnostics), valid while `stable`
    uncovered: list  # calendar.sla_uncovered_one (flat), valid while `stable`
    stable: bool  # findings the same at any time not before `last`
    last: float | None  # the latest aware event, as a POSIX time
    site: bytes | None  # a closed or cancelled ticket: what the site reads of it, packed (ticketsummary.summary)


KEY, ROW, HAS_DOC, PROBLEMS, FOUND, UNCOVERED, STABLE, LAST, SITE = range(9)


def _last(tk: Ticket) -> float | None:
    times = [e.at.timestamp() for e in tk.history if isinstance(e.at, dt.datetime) and e.at.tzinfo]
    return max(times) if times else None


def _entry(repo: Repository, key: tuple, tk: Ticket | None, has_doc: bool, problems: list[Diagnostic],
           now: dt.datetime, text: str | None = None) -> tuple[Entry, list[Diagnostic], list[Diagnostic]]:
    """The cache entry of one ticket file (`text`: what it holds), and its per-ticket findings and
    SLA-calendar notes."""
    if tk is None:
        return Entry(key, None, has_doc, [_flat(d) for d in problems], [], [], False, None, None), [], []
    found = tickets.per_ticket(repo, tk, now)
    unc = list(calendar.sla_uncovered_one(repo.policy, tk, now))
    last = _last(tk)
    stable = (tk.status in SETTLED and (last is None or last <= now.timestamp())
              and not any(c.running for c in clocks(repo.policy, tk, now)))
    entry = Entry(key, ticketindex.row(tk), has_doc, [_flat(d) for d in problems], [_flat(d) for d in found],
                  [_flat(d) for d in unc], stable, last,
                  ticketsummary.summary(tk, text) if text is not None else None)
    return entry, found, unc


def _others(repo: Repository, now: dt.datetime) -> list[Diagnostic]:
    """The rules that are not about tickets (improvement items name some: `repo.tickets` has those)."""
    return (roster.check(repo.roster) + runbooks.check(repo) + reports.check(repo)
            + calendar.check_policy(repo, now) + improvements.check(repo, now) + secrets.check(repo))


def _read(root: Path) -> tuple[int, dict] | None:
    return doccache.read_stamped(root / doccache.FOLDER, path(root).name)


def _save(root: Path, written: int, context: bytes, entries: dict[str, Entry]) -> None:
    doccache.write_cache(root / doccache.FOLDER, path(root).name,
                         (written, {"context": context, "entries": {rel: tuple(e) for rel, e in entries.items()}}),
                         stale="check-*.marshal")


def check(root: Path, now: dt.datetime | None = None) -> tuple[list[Diagnostic], int]:
    """Every finding of `erpops check` (checks.diagnostics of the full load) and the number of
    files checked: from the cache where it can be trusted, else by a cold run that refills it."""
    with paused_gc():
        if not doccache.enabled():
            repo = load.load(root)
            keep_to_exit(repo)
            return _cold(repo, now), repo.files
        started = time.time_ns()
        scanned = ticketindex.scan(root)
        warm = _warm(root, now, started, scanned) if scanned is not None else None
        if warm is not None:
            return warm
        repo = load.load(root)
        keep_to_exit(repo)
        if scanned is None or repo.policy is None or repo.policy.src is None \
                or any(d.is_input and d.is_error for d in repo.diagnostics):
            return _cold(repo, now), repo.files
        return _fill(repo, started, scanned[0], now), repo.files


def check_loading(root: Path, loader, now: dt.datetime | None = None, *,
                  summaries: bool = False) -> tuple[list[Diagnostic], int, Repository]:
    """`check(root)` for a caller that needs the model too (the site): `loader(root)` loads
    it, and a cold run checks that one load instead of making its own.

    `summaries` (the site): where the warm check can be trusted, the model comes from it instead
    of `loader`: the tickets it read in full (changed, new, racy, unfinished ones) as Tickets, every
    other closed or cancelled ticket as a ticketsummary.Settled stub, in the loader's order, with
    the non-ticket files' Documents and those of the ticket files read, and what reading every
    ticket file found."""
    with paused_gc():
        if not doccache.enabled():
            repo = loader(root)
            return _cold(repo, now), repo.files, repo
        started = time.time_ns()
        scanned = ticketindex.scan(root)
        model: list[Repository] | None = [] if summaries else None
        warm = _warm(root, now, started, scanned, model) if scanned is not None else None
        if warm is not None:
            return warm[0], warm[1], model[0] if model is not None else loader(root)
        repo = loader(root)
        if scanned is None or repo.policy is None or repo.policy.src is None \
                or any(d.is_input and d.is_error for d in repo.diagnostics):
            return _cold(repo, now), repo.files, repo
        return _fill(repo, started, scanned[0], now), repo.files, repo


def _now(repo: Repository, now: dt.datetime | None) -> dt.datetime:
    return now or clock.now(repo.policy.calendar.tz if repo.policy else dt.timezone.utc)


def _cold(repo: Repository, now: dt.datetime | None) -> list[Diagnostic]:
    from erpops import checks

    return checks.diagnostics(repo, _now(repo, now) if repo.policy else now)


def _fill(repo: Repository, started: int, stats: dict[str, tuple], now: dt.datetime | None) -> list[Diagnostic]:
    """A cold run that writes the cache as it goes: checks.diagnostics(repo), assembled from each
    ticket's findings (one entry per ticket file, with its stat taken before reading)."""
    now = _now(repo, now)
    problems: dict[str, list[Diagnostic]] = {}
    for d in repo.diagnostics:
        if d.path in stats:
            problems.setdefault(d.path, []).append(d)
    found = list(repo.diagnostics)
    uncovered: list[Diagnostic] = []
    entries: dict[str, Entry] = {}
    for tk in repo.tickets:
        rel = tk.src.path
        doc = repo.documents.get(rel)
        entry, per, unc = _entry(repo, stats.get(rel), tk, True, problems.get(rel, []), now,
                                 doc.text if doc is not None else None)
        found += per
        uncovered += unc
        if rel in stats:
            entries[rel] = entry
    for rel, key in stats.items():
        if rel not in entries:
            entries[rel] = _entry(repo, key, None, rel in repo.documents, problems.get(rel, []), now)[0]
    if calendar.any_uncovered(repo.policy, [tk.opened for tk in repo.tickets if _aware(tk.opened)], now):
        found += uncovered
    found += tickets.unique_ids(repo)
    found += recurrence.check(repo, now)
    found += _others(repo, now)
    context = dataclasses.replace(repo, documents={r: d for r, d in repo.documents.items() if r not in stats},
                                  diagnostics=[d for d in repo.diagnostics if d.path not in stats], tickets=[])
    _save(repo.root, started, _context(context), entries)
    return found


def _aware(v: Any) -> bool:
    return isinstance(v, dt.datetime) and v.tzinfo is not None


class _Src:
    """A ticket's Source read only when a finding needs a line in it (a repeated id, a recurrence)."""

    def __init__(self, root: Path, rel: str, values: dict[str, str]) -> None:
        self.root, self.path, self.values = root, rel, values

    def position(self, *fields: Any) -> tuple[int, int]:
        try:
            text = load.Files(self.root).read_bytes(self.path).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
        if text is not None and len(fields) == 1 and fields[0] in self.values:
            # A top-level key at the start of a line, holding the value the cache has: its line.
            found = re.search(rf"^{fields[0]}[ \t]*:[ \t]*(.*)$", text, re.M)
            if found and found.group(1).strip() == self.values[fields[0]]:
                return text.count("\n", 0, found.start()) + 1, 1
        doc, _ = load.read_yaml(load.Files(self.root), self.path, "ticket", MAX_BYTES)
        return doc.position(tuple(fields)) if doc is not None else (1, 1)


class _Stub(NamedTuple):
    """What the cross-ticket rules read of a ticket."""

    id: str
    subsystem: str
    type: str
    status: str
    opened: dt.datetime | None
    title: str
    runbooks: tuple
    src: _Src


def _stub(root: Path, rel: str, row: tuple) -> _Stub:
    r = ticketindex.TicketRow(*row)
    when = dt.datetime.fromisoformat(r.opened) if r.opened else None
    return _Stub(r.id, r.subsystem, r.type, r.status, when, r.title, ("-",) if r.links_runbook else (),
                 _Src(root, rel, {"id": r.id, "title": r.title}))


def _warm(root: Path, now: dt.datetime | None, started: int, scanned,
          model: list | None = None) -> tuple[list[Diagnostic], int] | None:
    """The findings and the number of files checked, from the cache; None: a cold run is needed.
    With `model` (a list), the site's model of the repository is appended to it (check_loading)."""
    stats, others, links = scanned
    if links or any(load._misnamed_ticket(rel) for rel in others):
        return None  # the cold run reports them
    cached = _read(root)
    if cached is None:
        return None
    written, data = cached
    ctx = load.load_context(root)
    if ctx.policy is None or ctx.policy.src is None or any(d.is_input and d.is_error for d in ctx.diagnostics):
        return None
    context = _context(ctx)
    try:
        if data["context"] != context:
            return None
        entries = data["entries"]  # rel → the fields of an Entry, as plain tuples (quicker)
        if not isinstance(entries, dict):
            return None
    except (KeyError, TypeError):
        return None
    now = _now(ctx, now)
    stamp = now.timestamp()
    second = written // 1_000_000_000
    todo = []
    for rel, key in stats.items():
        e = entries.get(rel)
        if e is None or e[KEY] != key or key[1] // 1_000_000_000 >= second:  # changed, new or racy
            todo.append(rel)
    if len(todo) > ticketindex.MAX_STALE:
        return None
    dirty = bool(todo) or any(rel not in stats for rel in entries)
    entries = {rel: e for rel, e in entries.items() if rel in stats}
    files = load.Files(root)
    built: dict[str, Ticket] = {}
    docs: dict[str, Any] = {}  # the ticket files read, for the site's model

    def read(rel: str) -> tuple[Ticket | None, Any, list[Diagnostic]]:
        doc, problems = load.read_yaml(files, rel, "ticket", MAX_BYTES)
        tk = ticket_model.build(doc) if doc is not None else None
        tk = tk if tk is not None and tk.src.path == rel else None
        if tk is not None:
            built[rel] = tk
        if doc is not None and model is not None:
            docs[rel] = doc
        return tk, doc, problems

    for rel in todo:
        tk, doc, problems = read(rel)
        entries[rel] = _entry(ctx, stats[rel], tk, doc is not None, problems, now,
                              doc.text if doc is not None else None)[0]
    rows = {rel: e[ROW] for rel, e in sorted(entries.items()) if e[ROW] is not None}
    loaded = [d for rel in sorted(entries) for d in map(_diag, entries[rel][PROBLEMS])]
    count = len(ctx.documents) + sum(1 for e in entries.values() if e[HAS_DOC])
    if any(d.is_input and d.is_error for d in loaded):
        return None  # as a cold run: only what loading found (it reports it best)
    found = list(ctx.diagnostics) + loaded
    # Per ticket: cached where nothing can have changed, else run again now.
    uncovered: list[Diagnostic] = []
    for rel, e in entries.items():
        if e[ROW] is None:
            continue
        if e[STABLE] and (e[LAST] is None or e[LAST] <= stamp):
            found += map(_diag, e[FOUND])
            uncovered += map(_diag, e[UNCOVERED])
            continue
        tk = built.get(rel) or read(rel)[0]
        if tk is None:
            return None  # changed while we looked: the cold run decides
        found += tickets.per_ticket(ctx, tk, now)
        uncovered += calendar.sla_uncovered_one(ctx.policy, tk, now)
    opened = []
    for r in rows.values():
        when = dt.datetime.fromisoformat(r[ticketindex.OPENED]) if r[ticketindex.OPENED] else None
        if when is not None and when.tzinfo is None:
            return None  # naive times: the cold run does what it does with them
        opened.append(when)
    if calendar.any_uncovered(ctx.policy, [o for o in opened if o is not None], now):
        found += uncovered
    # Across tickets: ids, recurrences, the tickets improvement items name.
    ids: dict[str, list[str]] = {}
    for rel, r in rows.items():
        ids.setdefault(r[ticketindex.ID], []).append(rel)
    repeated = [_stub(root, rel, rows[rel]) for rels in ids.values() if len(rels) > 1 for rel in rels]
    found += tickets.unique_ids(dataclasses.replace(ctx, tickets=repeated))
    since = now - 2 * recurrence.WINDOW
    recent = [_stub(root, rel, r) for (rel, r), o in zip(rows.items(), opened) if o is not None and o >= since]
    found += recurrence.check(dataclasses.replace(ctx, tickets=recent), now)
    named = {r.ticket for i in ctx.improvements for r in i.tickets}
    referred = []
    for tid in sorted(named):
        if tid in ids:
            tk = built.get(ids[tid][0]) or read(ids[tid][0])[0]
            if tk is None:
                return None
            referred.append(tk)
    found += _others(dataclasses.replace(ctx, tickets=referred), now)
    if dirty and (len(todo) > ticketindex.SAVE_AFTER or len(entries) != len(data["entries"])):
        _save(root, started, context, entries)  # a few changed files: cheaper to read again next time
    if model is not None:
        kept: list = []
        for rel in sorted(entries):  # the loader's order
            e = entries[rel]
            if e[ROW] is None:
                continue
            tk = built.get(rel)
            if tk is None:
                tk = ticketsummary.stub(root, rel, e[SITE]) if e[SITE] is not None else read(rel)[0]
                if tk is None:
                    return None  # changed while we looked: the cold run decides
            kept.append(tk)
        model.append(dataclasses.replace(ctx, documents={**ctx.documents, **docs},
                                         diagnostics=list(ctx.diagnostics) + loaded, tickets=kept))
    return found, count


def current(root: Path) -> dict[str, tuple[tuple | None, float | None] | None] | None:
    """For each ticket file on disk: (row, last) from the cache when its entry matches the file's
    stat and is not racy, else None (unknown: read the file). None when there is no cache to trust.
    What a command that needs some tickets selects them by (erpops report monthly)."""
    if not doccache.enabled():
        return None
    scanned = ticketindex.scan(root)
    cached = _read(root)
    if scanned is None or cached is None:
        return None
    written, data = cached
    try:
        entries = data["entries"]
        out: dict[str, tuple[tuple | None, float | None] | None] = {}
        for rel, key in scanned[0].items():
            e = entries.get(rel)
            trusted = e is not None and e[KEY] == key and not ticketindex.racy(key, written)
            out[rel] = (e[ROW], e[LAST]) if trusted else None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None
    return out
