"""ReportData → Markdown for the site (MkDocs Material: tables and mermaid charts)."""
from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from erpops.reports import columns
from erpops.reports.data import ReportData
from erpops.site.context import environment

_MERMAID_UNSAFE = re.compile(r"[\"'`<>&#;:{}\[\]()|\\\r\n]")
# What starts inline Markdown inside a line (a link or image, emphasis, code, an escape); `<` and
# `&` are HTML-escaped after. Characters that matter only at a line's start (#, -, +, 1.) are
# left alone: user text in a form never starts a line, and ticket ids stay as written.
_INLINE = re.compile(r"[\\`*_\[\]]")


def inert(value: object) -> str:
    """`value` with a backslash before each character that could start inline Markdown, so that
    `[x](http://evil)` shows as those characters and never as a link (HTML escaping comes after)."""
    return _INLINE.sub(lambda m: "\\" + m.group(0), str(value))


def _finalize(value: object) -> object:
    """Every plain `{{ value }}` of a form is inert for Markdown; Markup (cells, labels) is trusted."""
    return value if isinstance(value, Markup) else inert(value)


def cell(value: object) -> Markup:
    """Table-cell text that nothing a user typed can break out of: inert for Markdown, escaped for
    HTML, no pipes, no newlines."""
    text = str(escape(inert(columns.text(value))))
    return Markup(text.replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def label(value: object) -> Markup:
    """A label inside a mermaid chart: only characters that cannot end the string or inject markup."""
    return Markup(_MERMAID_UNSAFE.sub(" ", str(value)).strip() or "-")


def hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


@lru_cache(maxsize=None)
def _env(lang: str):
    """One environment per language: compiling the form template again for each subsystem
    took most of the time of `report monthly` after loading."""
    env = environment(lang, markdown_inert=False)
    # Not the site's finalize (it escapes every `-` and `.`, which would change every committed
    # form and hide ticket ids from the site's links): only what starts inline Markdown.
    env.finalize = _finalize
    env.filters.update(cell=cell, label=label, hours=hours, percent=percent)
    return env


def form(data: ReportData, lang: str) -> str:
    rows = [[cell(v) for v in columns.values(r, lang)] for r in data.rows]
    return _env(lang).get_template("report/form.md.j2").render(
        d=data, headers=columns.headers(lang), rows=rows,
        respond=data.kept("respond"), resolve=data.kept("resolve"),
    )


def render(template: str, lang: str, **context: object) -> str:
    return _env(lang).get_template(template).render(**context)
