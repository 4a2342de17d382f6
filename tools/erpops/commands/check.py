"""erpops check: schemas and rules over the whole repository."""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import load, output
from erpops.checks import diagnostics
from erpops.diagnostics import Diagnostic, exit_code


def _selected(found: list[Diagnostic], root: Path, paths: list[Path]) -> list[Diagnostic]:
    if not paths:
        return found
    wanted = [p.resolve().relative_to(root).as_posix() for p in paths]
    return [
        d for d in found
        if any(w in (".", "") or d.path == w or d.path.startswith(w.rstrip("/") + "/") for w in wanted)
    ]


def check(root: Path, paths: list[Path], fmt: str = "text", lang: str | None = None) -> int:
    repo = load.load(root)
    found = _selected(diagnostics(repo), root, paths)
    sys.stdout.write(output.RENDER[fmt](found, repo.files, lang))
    return exit_code(found)
