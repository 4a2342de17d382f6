"""ReportData → CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX (openpyxl, A4 landscape)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from erpops.i18n import t
from erpops.reports import columns
from erpops.reports.data import ReportData

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(data: ReportData, lang: str) -> bytes:
    """The ticket table: one header row, one row per ticket, CRLF line ends, BOM first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns.headers(lang))
    for r in data.rows:
        writer.writerow([_inert(columns.text(v)) for v in columns.values(r, lang)])
    return (BOM + out.getvalue()).encode("utf-8")


_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


LINE_HEIGHT = 15.0  # points per wrapped line of the default 11 pt font


def text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: a Chinese (wide) character counts as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines(value: object, width: float) -> int:
    """How many lines a wrapped cell of `width` columns needs for `value`."""
    if value is None:
        return 1
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in columns.text(value).split("\n"))


def print_setup(ws, title: str) -> None:
    """A4 landscape, fit to one page wide, header row repeated on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"


def table(ws, headers: list[str], rows: list[list[object]], widths: list[int]) -> None:
    ws.append(headers)
    for c in ws[1]:
        c.font, c.fill, c.alignment = _HEAD_FONT, _HEAD_FILL, Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append(row)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = _WRAP
            if c.data_type == "f":  # text a user typed that starts with "=" stays text
                c.data_type = "s"
            if isinstance(c.value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(c.value, dt.date):
                c.number_format = "yyyy-mm-dd"
            elif isinstance(c.value, float):
                c.number_format = "0.0"
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right")
    # Row heights from the wrapped text: Excel grows rows by itself on opening, but LibreOffice
    # and WPS print the stored height, which would cut long 现象 / 原因 text to one line.
    for r, row in enumerate(ws.iter_rows(), 1):
        need = max(lines(c.value, widths[i] if i < len(widths) else 10) for i, c in enumerate(row))
        ws.row_dimensions[r].height = need * LINE_HEIGHT
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def summary_rows(data: ReportData, lang: str) -> list[list[object]]:
    """The summary as (section, item, value, unit) lines: one figure per line, numbers as numbers."""
    def sec(key: str) -> str:
        return t(f"report.section.{key}", lang)

    def unit(key: str) -> str:
        return t(f"report.unit.{key}", lang)

    respond, resolve = data.kept("respond"), data.kept("resolve")
    s = sec("summary")
    rows: list[list[object]] = [
        [s, t("report.field.period", lang), f"{data.first} — {data.last}", None],
        [s, t("report.field.due", lang), data.due, None],
        [s, t("report.summary.tickets", lang), len(data.rows), unit("tickets")],
        [s, t("report.summary.opened", lang), data.opened, unit("tickets")],
        [s, t("report.summary.resolved", lang), data.resolved, unit("tickets")],
        [s, t("report.summary.escalations", lang), data.escalations, unit("times")],
        [s, t("report.summary.respond-met", lang), respond[0], unit("clocks")],
        [s, t("report.summary.respond-counted", lang), respond[1], unit("clocks")],
        [s, t("report.summary.resolve-met", lang), resolve[0], unit("clocks")],
        [s, t("report.summary.resolve-counted", lang), resolve[1], unit("clocks")],
        [s, t("report.summary.backlog", lang), len(data.backlog), unit("tickets")],
    ]
    rows += [[sec("by-type"), c.label, c.count, unit("tickets")] for c in data.by_type]
    rows += [[sec("by-priority"), c.label, c.count, unit("tickets")] for c in data.by_priority]
    rows += [[sec("by-status"), c.label, c.count, unit("tickets")] for c in data.by_status]
    for share in data.tiers:
        rows.append([sec("tiers"), share.label, share.count, unit("tickets")])
        rows.append([sec("tiers"), f"{share.label} {t('report.field.share', lang)}",
                     share.share if data.resolved else t("report.no-data", lang), unit("share")])
    for r in data.sla:
        for what in ("respond", "resolve"):
            head = f"{r.priority} {t(f'report.sla.{what}-target', lang)}"
            rows.append([sec("sla"), head, getattr(r, f"{what}_target"), unit("hours")])
            for k in ("met", "breached", "running"):
                rows.append([sec("sla"), f"{head} {t(f'report.sla.{k}', lang)}", getattr(r, f"{what}_{k}"),
                             unit("clocks")])
            avg = getattr(r, f"{what}_avg")
            rows.append([sec("sla"), f"{head} {t('report.sla.avg', lang)}",
                         t("report.no-data", lang) if avg is None else round(avg, 1), unit("hours")])
    for b in data.backlog:
        rows.append([sec("backlog"), f"{b.id} {b.title} {t('report.backlog.days', lang)}", b.age_days, unit("days")])
        rows.append([sec("backlog"), f"{b.id} {b.title} {t('report.backlog.hours', lang)}", round(b.age_hours, 1),
                     unit("hours")])
    rows += [[sec("feedback"), f"{f.id} {f.kind}", f.text, None] for f in data.feedback]
    rows += [[sec("runbooks"), f"{r.title} ({r.id})", ", ".join(r.tickets), None] for r in data.runbooks]
    rows += [[sec("recurring"), r.label, ", ".join(r.tickets), None] for r in data.recurring]
    return rows


def xlsx_bytes(data: ReportData, lang: str) -> bytes:
    title = t("report.form.title", lang, subsystem=data.subsystem_name, month=data.month)
    wb = Workbook()
    ws = wb.active
    ws.title = t("report.form.sheet", lang)
    table(ws, columns.headers(lang), [columns.values(r, lang) for r in data.rows], list(columns.WIDTHS))
    print_setup(ws, title)
    ws2 = wb.create_sheet(t("report.form.summary-sheet", lang))
    table(ws2, [t("report.field.kind", lang), t("report.field.item", lang), t("report.field.value", lang),
                t("report.field.unit", lang)], summary_rows(data, lang), [22, 44, 40, 12])
    for c in ws2["C"][1:]:
        if isinstance(c.value, float) and ws2.cell(c.row, 4).value == t("report.unit.share", lang):
            c.number_format = "0%"
        elif isinstance(c.value, int):
            c.number_format = "0"
    print_setup(ws2, title)
    wb.properties.title = title
    wb.properties.creator = "erpops"
    # Fixed timestamps keep the file the same when nothing in the form changed.
    wb.properties.created = dt.datetime.combine(data.last, dt.time(0))
    out = io.BytesIO()
    wb.save(out)
    return fixed_times(out.getvalue(), data.last)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fixed_times(xlsx: bytes, day: dt.date) -> bytes:
    """The same archive with every member, and the workbook's `modified` (openpyxl sets it to now
    on save), dated `day`, so that regenerating an unchanged form changes no byte."""
    stamp = f"{day.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            member = zipfile.ZipInfo(info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, body)
    return out.getvalue()
