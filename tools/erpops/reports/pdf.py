"""ReportData / OfficeData → PDF to print and sign, with WeasyPrint (HTML + CSS paged media).

Why WeasyPrint: a maintained Python library on PyPI that lays out CJK text with pango and the
system's fonts (Debian: fonts-noto-cjk), repeats table headers on each page, numbers pages, and
writes the same bytes for the same input. LibreOffice headless would be a 500 MB runtime that
converts the XLSX, whose layout we control less.

The layout is A4 landscape, text 9 pt or larger everywhere: the ticket table keeps the short
columns in a row and prints 现象, 原因, 处理措施 and 改进建议 in full in a detail row under it.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from erpops.errors import FatalError
from erpops.i18n import t
from erpops.reports import columns, office_tables
from erpops.reports.data import ReportData
from erpops.reports.office import OfficeData

if TYPE_CHECKING:
    from erpops.repository import Repository

MIN_POINTS = 9  # no text of a form is printed smaller (the tests measure the PDF)


def _weasyprint():
    """The library, or a FatalError saying what the machine lacks (pango is a system library)."""
    logging.getLogger("weasyprint").addHandler(logging.NullHandler())
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        import weasyprint
    except (ImportError, OSError) as e:
        raise FatalError(t("report.pdf.unavailable", error=str(e).splitlines()[0] if str(e) else type(e).__name__)) \
            from None
    return weasyprint


def available() -> bool:
    try:
        _weasyprint()
    except FatalError:
        return False
    return True


def organisation(repo: Repository, lang: str) -> str:
    """The form's letterhead: the department and the ops office, from roster/office.yaml."""
    office = repo.roster.office
    if office is None:
        return ""
    name = office.name_en if lang == "en" and office.name_en else office.name
    return t("report.pdf.org", lang, department=office.department, office=name).strip()


def _css_string(text: str) -> Markup:
    """`text` as a CSS string inside <style>: quotes and backslashes escaped, and no "<" that
    could close the style element (user text: the subsystem's and the office's names)."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def page_counter(lang: str) -> Markup:
    """The catalogue's "第 {page} 页 / 共 {pages} 页" as a CSS `content` value."""
    text = t("report.pdf.page", lang, page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for i, piece in enumerate(text.split("\x00")):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return Markup(" ".join(parts))


@lru_cache(maxsize=None)
def _env(lang: str):
    from erpops.site.context import environment

    env = environment(lang, markdown_inert=False)
    env.globals.update(text=columns.text, cell=lambda v, kind: office_tables.text(v, kind, lang),
                       page_counter=page_counter(lang), css_string=_css_string, MIN_POINTS=MIN_POINTS)
    return env


def _render(html: str, day: dt.date) -> bytes:
    weasyprint = _weasyprint()
    # WeasyPrint dates the PDF from the <meta> of the HTML; with the period's last day the
    # same form gives the same bytes whenever it is written.
    return weasyprint.HTML(string=html).write_pdf()


def form_html(data: ReportData, org: str, lang: str) -> str:
    rows = [(r, columns.named(r, lang)) for r in data.rows]
    return _env(lang).get_template("report/form.html.j2").render(
        d=data, org=org, rows=rows, main=columns.MAIN, detail=columns.DETAIL,
        respond=data.kept("respond"), resolve=data.kept("resolve"), stamp=f"{data.last.isoformat()}T00:00:00Z")


def form_pdf(data: ReportData, org: str, lang: str) -> bytes:
    return _render(form_html(data, org, lang), data.last)


def office_html(o: OfficeData, org: str, lang: str) -> str:
    return _env(lang).get_template("report/office.html.j2").render(
        o=o, org=org, tables=office_tables.tables(o, lang), stamp=f"{o.period.last.isoformat()}T00:00:00Z")


def office_pdf(o: OfficeData, org: str, lang: str) -> bytes:
    return _render(office_html(o, org, lang), o.period.last)
