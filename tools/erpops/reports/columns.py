"""The columns of the form's ticket table, shared by the Markdown, CSV and XLSX writers."""
from __future__ import annotations

import datetime as dt

from erpops.i18n import t
from erpops.reports.data import Row

COLUMNS = ("no", "id", "date", "reporter", "type", "symptom", "cause", "tier", "handler", "measures",
           "status", "resolved_at", "hours", "overdue", "suggestions")
# Widths in characters for the spreadsheet (a Chinese character counts as two). They add up to 167,
# which fit-to-width prints on A4 landscape at about 84 %: the 11 pt text stays above 9 pt. Long
# text wraps (row heights are set from it) instead of widening its column.
WIDTHS = (4, 18, 11, 11, 10, 18, 15, 8, 8, 18, 7, 16, 6, 5, 12)
# The columns of the PDF's main table; the others (现象, 原因, 处理措施, 改进建议) are printed
# in full in a detail row under each ticket.
MAIN = ("no", "id", "date", "reporter", "type", "tier", "handler", "status", "resolved_at", "hours", "overdue")
DETAIL = ("symptom", "cause", "measures", "suggestions")


def headers(lang: str) -> list[str]:
    return [t(f"report.col.{c}", lang) for c in COLUMNS]


def named(row: Row, lang: str) -> dict[str, object]:
    """The typed cell values of `row` by column name."""
    return dict(zip(COLUMNS, values(row, lang)))


def values(row: Row, lang: str) -> list[object]:
    """Typed cell values: int, date, naive local datetime, hours rounded to 0.1, text."""
    resolved = row.resolved_at.replace(tzinfo=None) if row.resolved_at else None
    return [row.no, row.id, row.date, row.reporter, row.type, row.symptom, row.cause, row.tier, row.handler,
            row.measures, row.status, resolved, round(row.hours, 1),
            t("report.yes" if row.overdue else "report.no", lang), row.suggestions]


def text(value: object) -> str:
    """A cell value as text, as the CSV and Markdown show it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
