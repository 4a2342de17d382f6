"""Read many YAML files of one kind on every core: the same results as one by one, in order.

Parsing YAML is most of the time `erpops check` takes on a large repository. Each file is read,
parsed and schema-checked on its own (`load.read_yaml` is a pure function of the file), so the
work splits into chunks over a process pool. Small repositories, one core, or `ERPOPS_JOBS=1`
keep to this process: starting workers costs more than it saves below a few thousand files.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path
from typing import Iterator

from erpops import doccache, schemas
from erpops.diagnostics import Diagnostic
from erpops.progress import Progress
from erpops.yamlio import Document

MIN_PARALLEL = 2000  # files; below this one process is faster
CHUNK = 250

Result = tuple[Document | None, list[Diagnostic]]


def jobs(count: int) -> int:
    """How many processes to use for `count` files: $ERPOPS_JOBS, else one per idle core when worth it.

    Cores that other programs keep busy (the load average) are not counted: on a shared machine
    a second process only waits for a core, and handing results between processes costs time.
    """
    wanted = os.environ.get("ERPOPS_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    if count < MIN_PARALLEL:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average on this system
        busy = 0.0
    return max(1, min(cores, round(cores - busy + 0.25)))


def can_fork() -> bool:
    """Forking is safe only without other threads (`mkdocs serve` has some: a lock they hold
    would stay locked forever in the child)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _chunk(args: tuple[str, list[str], str, int]) -> list[Result]:
    from erpops.load import Files, read_yaml

    root, rels, schema, max_bytes = args
    files = Files(Path(root))
    return [read_yaml(files, rel, schema, max_bytes) for rel in rels]


def read_all(root: Path, rels: list[str], schema: str, max_bytes: int) -> Iterator[Result]:
    """`load.read_yaml` of each of `rels`, in their order; from `.erpops-cache/` where it can."""
    progress = Progress("progress.loading", len(rels))
    try:
        if len(rels) < doccache.MIN_FILES or not doccache.enabled():
            yield from _read(root, rels, schema, max_bytes, progress)
            return
        from erpops.load import Files

        files = Files(root)  # never follows a symbolic link, for the cache key either
        cache = doccache.Cache(root, schema)
        done: dict[int, Result] = {}
        keys: dict[int, bytes] = {}
        for i, rel in enumerate(rels):
            try:
                raw = files.read_bytes(rel)
            except OSError:
                continue  # read_yaml says why
            key = doccache.digest(raw)
            doc = cache.document(key, raw, rel, max_bytes)
            if doc is not None:
                done[i] = (doc, [])
                progress.advance()
            else:
                keys[i] = key
        todo = [i for i in range(len(rels)) if i not in done]
        for i, result in zip(todo, _read(root, [rels[i] for i in todo], schema, max_bytes, progress)):
            done[i] = result
            doc, problems = result
            if doc is not None and not problems and i in keys:
                cache.put(keys[i], doc.data)
        cache.save()
        for i in range(len(rels)):
            yield done.pop(i)
    finally:
        progress.close()


def _read(root: Path, rels: list[str], schema: str, max_bytes: int, progress: Progress) -> Iterator[Result]:
    from erpops.load import Files, read_yaml

    files = Files(root)
    n = jobs(len(rels))
    if n <= 1 or not can_fork():
        for rel in rels:
            yield read_yaml(files, rel, schema, max_bytes)
            progress.advance()
        return
    # Compile the schema checks once, here, so that every forked worker inherits them.
    schemas.quick(schema)
    schemas.validator(schema)
    chunks = [(str(root), rels[i:i + CHUNK], schema, max_bytes) for i in range(0, len(rels), CHUNK)]
    # This process reads the first share itself while n - 1 workers read the rest.
    own = len(chunks) // n
    with multiprocessing.get_context("fork").Pool(n - 1) as pool:
        theirs = pool.imap(_chunk, chunks[own:])
        for _, part, _, _ in chunks[:own]:
            for rel in part:
                yield read_yaml(files, rel, schema, max_bytes)
            progress.advance(len(part))
        for results in theirs:
            yield from results
            progress.advance(len(results))
