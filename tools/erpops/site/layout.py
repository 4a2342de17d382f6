"""The site's pages laid out for their readers: marks the built HTML so that the site's stylesheet
(site/css/erpops.css) can keep ticket ids on one line, show states in colour beside their text,
and turn wide tables into one card per row on a phone."""
from __future__ import annotations

import functools
import html as _html
import re
from importlib import resources
from pathlib import Path

from erpops.i18n import t

CSS_URI = "assets/erpops/erpops.css"
# A ticket id as the pages show it: PRD-20261020-TCBS (also the runbook-less HR-… of two letters).
_ID = re.compile(r">([A-Z][A-Z0-9]{1,7}-\d{8}-[A-Z0-9]{4})<")
# States shown in colour (with their text, never colour alone): class → catalogue key.
STATES = {"overdue": "site.sla-overdue", "at-risk": "site.sla-at-risk", "review-overdue": "site.review-overdue"}
# Tables with at least this many columns become cards on a phone; narrower ones fit as they are.
WIDE = 4
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_TD = re.compile(r"<td(?=[\s>])")
_TAG = re.compile(r"<[^>]+>")


# A page with a table of this many columns gives the table-of-contents column to its content.
WIDE_PAGE = 7
_HEADER_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$", re.MULTILINE)


def needs_width(markdown: str) -> bool:
    """Whether a page has a table too wide for the content column beside the table of contents."""
    return any(m.group(0).count("|") - 1 >= WIDE_PAGE for m in _HEADER_RULE.finditer(markdown))


def css_file() -> Path:
    return Path(str(resources.files("erpops").joinpath("site", "css", "erpops.css")))


def mark_ids(page: str) -> str:
    return _ID.sub(r'><span class="erpops-id">\1</span><', page)


@functools.lru_cache(maxsize=None)
def _state_marks(lang: str) -> tuple[tuple[str, str], ...]:
    """Each state's cell as the pages write it, and as marked (catalogue lookups once per language)."""
    marks = []
    for name, key in STATES.items():
        label = _html.escape(t(key, lang), quote=False)
        marks.append((f"<td>{label}</td>",
                       f'<td><span class="erpops-state erpops-state--{name}">{label}</span></td>'))
    return tuple(marks)


def mark_states(page: str, lang: str) -> str:
    for cell, marked in _state_marks(lang):
        if cell in page:
            page = page.replace(cell, marked)
    return page


def _each(text: str, opening: str, closing: str, inner) -> str:
    """`re.sub(opening + "(.*?)" + closing, lambda m: inner(m.group(1)), text, flags=re.DOTALL)`
    for two literal strings, with str.find: a lazy `.*?` steps through the text a character at a
    time (it was most of laying out a page)."""
    start = text.find(opening)
    if start < 0:
        return text
    out, pos, skip = [], 0, len(opening)
    while start >= 0:
        end = text.find(closing, start + skip)
        if end < 0:
            break
        out.append(text[pos:start])
        out.append(inner(text[start + skip:end]))
        pos = end + len(closing)
        start = text.find(opening, pos)
    out.append(text[pos:])
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _labels(heads: tuple[str, ...]) -> tuple[str, ...] | None:
    """The cells' openings of a table with these headings (as written), or None if it is narrow."""
    found = [_html.unescape(_TAG.sub("", h)).strip() for h in heads]
    if len(found) < WIDE:
        return None
    return tuple(f'<td data-label="{_html.escape(h)}"' for h in found)


def _labelled(table: str) -> str:
    """A table (its text between <table> and </table>), with its cells labelled if it is wide."""
    labels = _labels(tuple(_TH.findall(table))) if table.count("<th") >= WIDE else None
    if labels is None:
        return f"<table>{table}</table>"
    spare = '<td data-label=""'

    def row(cells: str) -> str:  # the i-th cell's "<td" gets the i-th heading (split/join: one pass)
        parts = _TD.split(cells)
        n = len(parts) - 1
        out = [""] * (2 * n + 1)
        out[0::2] = parts
        out[1::2] = labels[:n] if n <= len(labels) else labels + (spare,) * (n - len(labels))
        return "<tr>" + "".join(out) + "</tr>"

    body = _each(table, "<tbody>", "</tbody>", lambda rows: "<tbody>" + _each(rows, "<tr>", "</tr>", row) + "</tbody>")
    return f"<table data-erpops-wide>{body}</table>"


def label_tables(page: str) -> str:
    """Each cell of a wide table carries its column's heading (shown before it on a phone)."""
    return _each(page, "<table>", "</table>", _labelled)


def lay_out(page: str, lang: str) -> str:
    return label_tables(mark_states(mark_ids(page), lang))
