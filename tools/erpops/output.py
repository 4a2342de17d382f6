"""Formatters: one list of Diagnostics rendered for a person, for tools, or for GitHub."""
from __future__ import annotations

import json
from typing import Iterable

from erpops.diagnostics import Diagnostic, exit_code
from erpops.i18n import t

FORMATS = ("text", "json", "github")


def counts(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def summary(diagnostics: list[Diagnostic], files: int, lang: str | None = None) -> str:
    errors, warnings = counts(diagnostics)
    if not errors and not warnings:
        return t("check.clean", lang, files=files)
    return t("check.summary", lang, files=files, errors=errors, warnings=warnings)


def text(diagnostics: list[Diagnostic], files: int, lang: str | None = None) -> str:
    lines = [
        f"{d.path}:{d.line}:{d.column}: {t('severity.' + d.severity, lang)} [{d.rule}] {d.message(lang)}"
        for d in sorted(diagnostics)
    ]
    lines.append(summary(diagnostics, files, lang))
    return "\n".join(lines) + "\n"


def as_json(diagnostics: list[Diagnostic], files: int, lang: str | None = None) -> str:
    errors, warnings = counts(diagnostics)
    payload = {
        "diagnostics": [
            {
                "path": d.path, "line": d.line, "column": d.column, "rule": d.rule,
                "severity": d.severity, "message": d.message(lang),
            }
            for d in sorted(diagnostics)
        ],
        "summary": {"files": files, "errors": errors, "warnings": warnings},
        "exit_code": exit_code(diagnostics),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: list[Diagnostic], files: int, lang: str | None = None) -> str:
    """Workflow commands that GitHub shows inline on the pull request's files."""
    lines = []
    for d in sorted(diagnostics):
        props = [f"file={_escape_property(d.path)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={_escape_property(d.rule)}")
        lines.append(f"::{d.severity} {','.join(props)}::{_escape_data(d.message(lang))}")
    lines.append(summary(diagnostics, files, lang))
    return "\n".join(lines) + "\n"


_MARKDOWN_ROWS = 200


def _cell(value: object) -> str:
    """Table-cell text that no finding can break out of: no pipes, no newlines, no HTML."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown(diagnostics: list[Diagnostic], files: int, lang: str | None = None,
             title_key: str = "summary.title") -> str:
    """A Markdown report for a CI job summary: the count, then a table of the findings."""
    errors, warnings = counts(diagnostics)
    mark = "❌" if errors else ("⚠️" if warnings else "✅")
    lines = [f"## {t(title_key, lang)}", "", f"{mark} {_cell(summary(diagnostics, files, lang))}"]
    found = sorted(diagnostics)
    if found:
        lines += ["", "| " + " | ".join(t("summary.column." + c, lang) for c in
                                         ("file", "line", "severity", "rule", "message")) + " |",
                  "|---|---:|---|---|---|"]
        lines += [
            f"| {_cell(d.path)} | {d.line} | {_cell(t('severity.' + d.severity, lang))} | "
            f"{_cell(d.rule)} | {_cell(d.message(lang))} |"
            for d in found[:_MARKDOWN_ROWS]
        ]
        if len(found) > _MARKDOWN_ROWS:
            lines += ["", t("summary.more", lang, count=len(found) - _MARKDOWN_ROWS)]
    return "\n".join(lines) + "\n"


RENDER = {"text": text, "json": as_json, "github": github}
