"""Generated organisations for the cache and one-ticket-path tests: bench/generate.py's tickets
over the frozen demo, its clock pinned, the loader's switches set as these tests need them."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from conftest import DEMO, REPO_ROOT
from erpops import doccache

sys.path.insert(0, str(REPO_ROOT / "bench"))
import generate  # noqa: E402

NOW = "2026-11-20T16:00:00+08:00"


def generated(tmp_path: Path, monkeypatch, tickets: int, seed: int, *, cache: bool = True,
              aged: str | None = None) -> Path:
    """`tickets` generated tickets in tmp_path/ops, read by one process at NOW, outside CI, with
    the document cache on from 10 files (`cache=False`: ERPOPS_CACHE=0). `aged`: a glob under the
    root whose files are dated an hour back, written long before any cache (so not racy)."""
    monkeypatch.setattr(doccache, "MIN_FILES", 10)
    monkeypatch.delenv("CI", raising=False)
    if cache:
        monkeypatch.delenv("ERPOPS_CACHE", raising=False)
    else:
        monkeypatch.setenv("ERPOPS_CACHE", "0")
    monkeypatch.setenv("ERPOPS_JOBS", "1")
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    root = tmp_path / "ops"
    generate.generate(root, tickets, seed=seed, now=NOW, source=DEMO)
    if aged is not None:
        hour_ago = time.time() - 3600
        for path in root.glob(aged):
            os.utime(path, (hour_ago, hour_ago), follow_symlinks=False)
    return root
