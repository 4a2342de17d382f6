"""The site's pages laid out for their readers: marks the built HTML so that the site's stylesheet
(site/css/erpops.css) can keep ticket ids on one line, show states in colour beside their text,
and turn wide tables into one card per row on a phone."""
from __future__ import annotations

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
_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.DOTALL)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
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


def mark_states(page: str, lang: str) -> str:
    for name, key in STATES.items():
        label = _html.escape(t(key, lang), quote=False)
        page = page.replace(f"<td>{label}</td>",
                            f'<td><span class="erpops-state erpops-state--{name}">{label}</span></td>')
    return page


def _labelled(match: re.Match) -> str:
    table = match.group(1)
    heads = [_html.unescape(_TAG.sub("", h)).strip() for h in _TH.findall(table)]
    if len(heads) < WIDE:
        return match.group(0)

    labels = [f'<td data-label="{_html.escape(h)}"' for h in heads]
    spare = '<td data-label=""'

    def row(m: re.Match) -> str:  # the i-th cell's "<td" gets the i-th heading (split/join: one pass)
        parts = _TD.split(m.group(1))
        out = [parts[0]]
        for i, rest in enumerate(parts[1:]):
            out.append(labels[i] if i < len(labels) else spare)
            out.append(rest)
        return "<tr>" + "".join(out) + "</tr>"

    body = _TBODY.sub(lambda m: "<tbody>" + _ROW.sub(row, m.group(1)) + "</tbody>", table)
    return f"<table data-erpops-wide>{body}</table>"


def label_tables(page: str) -> str:
    """Each cell of a wide table carries its column's heading (shown before it on a phone)."""
    return _TABLE.sub(_labelled, page)


def lay_out(page: str, lang: str) -> str:
    return label_tables(mark_states(mark_ids(page), lang))
