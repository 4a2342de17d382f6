"""The model a `mkdocs serve` process keeps between rebuilds, brought up to date by stat.

MkDocs keeps the plugin across `serve` rebuilds (it defines on_startup), so the repository the last
build loaded is still in memory when a file changes. Instead of loading 20,000 tickets again, a
rebuild stats every ticket file (ticketindex.scan: one lstat each, nothing read) and reads only
those whose stat key changed, or whose key is racy (its mtime not older, in whole seconds, than
the last load: it may have changed again unseen, as ticketindex explains), drops the deleted ones,
and reads the files every ticket's page is made in (roster, policy, runbooks, improvement items:
load.load_context, a few dozen files) afresh. Anything odd — a link among the tickets, a misnamed
ticket file, a problem reading one, too many changed files — means a full load, as before.

The result is what load.load would give (tests/test_site_reload.py compares them): the tickets
sorted by path, each ticket file's Document, and every problem reading found.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from erpops import load, ticketindex
from erpops.repository import Repository, paused_gc
from erpops.yamlio import MAX_BYTES


@dataclasses.dataclass
class Kept:
    repo: Repository | None = None
    stats: dict | None = None
    started: int = 0
    reread: list = dataclasses.field(default_factory=list)  # the ticket files read by the last `load`

    def load(self, root: Path) -> Repository:
        started = time.time_ns()
        scanned = ticketindex.scan(root)
        repo = self._update(root, scanned) if self.repo is not None and self.repo.root == root else None
        if repo is None:
            repo = load.load(root)
            self.reread = None  # everything
        if scanned is not None and not scanned[2] and not scanned[1]:
            self.repo, self.stats, self.started = repo, scanned[0], started
        else:  # links or other files among the tickets: the loader reports them, every time
            self.repo, self.stats = None, None
        return repo

    def _update(self, root: Path, scanned) -> Repository | None:
        if scanned is None or scanned[1] or scanned[2] or self.stats is None:
            return None
        stats, old = scanned[0], self.stats
        todo = [rel for rel, key in stats.items() if old.get(rel) != key or ticketindex.racy(key, self.started)]
        gone = [rel for rel in old if rel not in stats]
        if len(todo) + len(gone) > ticketindex.MAX_STALE:
            return None
        prev = self.repo
        tickets = {tk.src.path: tk for tk in prev.tickets}
        if len(tickets) != len(prev.tickets):
            return None
        ctx = load.load_context(root)
        skip = set(todo) | set(gone)
        # Ticket files' Documents and problems, kept for the unchanged files, read for the others.
        documents = {rel: doc for rel, doc in prev.documents.items() if rel in old and rel not in skip}
        problems = [d for d in prev.diagnostics if d.path in old and d.path not in skip]
        files = load.Files(root)
        with paused_gc():
            for rel in gone:
                tickets.pop(rel, None)
            for rel, doc, found, tk in load.read_ticket_files(files, todo, MAX_BYTES):
                tickets.pop(rel, None)
                problems += found
                if doc is not None:
                    documents[rel] = doc
                if tk is not None:
                    tickets[rel] = tk
        self.reread = sorted(todo)
        documents.update(ctx.documents)
        # The loader's order: the roster, runbooks, policy and improvements' problems, the tickets'.
        diagnostics = list(ctx.diagnostics) + sorted(problems, key=lambda d: d.path)
        return dataclasses.replace(ctx, documents=documents, diagnostics=diagnostics,
                                   tickets=[tickets[rel] for rel in sorted(tickets)])
