"""erpops check: schemas and rules over the whole repository."""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import checkcache, output
from erpops.atomic import write_text
from erpops.diagnostics import Diagnostic, exit_code
from erpops.errors import FatalError
from erpops.i18n import t


def _selected(found: list[Diagnostic], root: Path, paths: list[Path]) -> list[Diagnostic]:
    if not paths:
        return found
    wanted = [p.resolve().relative_to(root).as_posix() for p in paths]
    return [
        d for d in found
        if any(w in (".", "") or d.path == w or d.path.startswith(w.rstrip("/") + "/") for w in wanted)
    ]


def append_summary(path: Path, markdown: str) -> None:
    """Add to a job summary file (GitHub's $GITHUB_STEP_SUMMARY is appended to, step by step)."""
    try:
        before = path.read_text("utf-8") if path.is_file() else ""
        write_text(path, before + ("\n" if before and not before.endswith("\n") else "") + markdown)
    except (OSError, UnicodeDecodeError) as err:
        raise FatalError(t("summary.unwritable", path=path, reason=err)) from None


def write_report(path: Path, text: str) -> None:
    """Write a report file for the CI (a Code Quality artifact) whole, or say why it cannot be."""
    try:
        write_text(path, text)
    except OSError as err:
        raise FatalError(t("summary.unwritable", path=path, reason=err)) from None


def check(root: Path, paths: list[Path], fmt: str = "text", lang: str | None = None,
          summary: Path | None = None, codequality: Path | None = None) -> int:
    every, files = checkcache.check(root)  # warm: only what changed is read again
    return report(every, files, root, paths, fmt, lang, summary, codequality)


def report(everything: list[Diagnostic], files: int, root: Path, paths: list[Path], fmt: str = "text",
           lang: str | None = None, summary: Path | None = None, codequality: Path | None = None) -> int:
    """check's output and exit code for findings already made (erpops gate shares one load)."""
    found = _selected(everything, root, paths)
    sys.stdout.write(output.RENDER[fmt](found, files, lang))
    if codequality is not None:
        write_report(codequality, output.codequality(found, files, lang))
    if summary is not None:
        append_summary(summary, output.markdown(found, files, lang))
    return exit_code(found)
