"""Formatters: one list of Diagnostics rendered for a person, for tools, for GitHub or for GitLab."""
from __future__ import annotations

import hashlib
import json
from typing import Iterable

from erpops.diagnostics import Diagnostic, exit_code
from erpops.i18n import t

FORMATS = ("text", "json", "github", "codequality")


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


# GitLab Code Quality severities (info, minor, major, critical, blocker): a rule violation is major,
# a warning minor, a file that cannot be read at all critical.
_CQ_SEVERITY = {"error": "major", "warning": "minor"}


def fingerprint(d: Diagnostic, occurrence: int = 0) -> str:
    """A stable id of one finding: rule, path, line, column and the English message (so that the
    language of the run does not change it); `occurrence` tells identical findings apart."""
    key = "\0".join((d.rule, d.path, str(d.line), str(d.column), d.message("en"), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def codequality_issues(diagnostics: list[Diagnostic], lang: str | None = None) -> list[dict]:
    """The findings as GitLab Code Quality issues (a subset of the Code Climate spec)."""
    issues, seen = [], {}
    for d in sorted(diagnostics):
        base = fingerprint(d)
        seen[base] = seen.get(base, -1) + 1
        issues.append({
            "description": d.message(lang),
            "check_name": d.rule,
            "fingerprint": fingerprint(d, seen[base]) if seen[base] else base,
            "severity": "critical" if d.is_error and d.is_input else _CQ_SEVERITY.get(d.severity, "info"),
            "location": {"path": d.path, "lines": {"begin": max(d.line, 1)}},
        })
    return issues


def codequality(diagnostics: list[Diagnostic], files: int = 0, lang: str | None = None) -> str:
    """A GitLab Code Quality report (artifacts:reports:codequality): a JSON array, nothing else."""
    return json.dumps(codequality_issues(diagnostics, lang), ensure_ascii=False, indent=2) + "\n"


RENDER = {"text": text, "json": as_json, "github": github, "codequality": codequality}
