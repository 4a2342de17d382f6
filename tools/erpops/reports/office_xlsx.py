"""The office's monthly summary as a workbook for the archive: one sheet per table of
erpops.reports.office_tables (numbers stay numbers, shares are formatted 0%, "no data" is said),
and a sheet of definitions."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from erpops.i18n import t
from erpops.reports import office_tables
from erpops.reports.office import OfficeData
from erpops.reports.office_tables import SHARE, TEXT, Table
from erpops.reports.tabular import fixed_times, print_setup, table

_SHEETS = {"subsystems": "report.office.subsystems", "groups": "report.office.groups",
           "people": "report.office.people"}


def _cells(tb: Table, lang: str) -> list[list[object]]:
    no_data = t("report.no-data", lang)
    return [[no_data if v is None else v for v in row] for row in tb.rows]


def _widths(tb: Table) -> list[int]:
    return [16 if c.kind == TEXT else 11 for c in tb.columns]


def xlsx_bytes(o: OfficeData, lang: str) -> bytes:
    title = t("report.office.title", lang, month=o.month)
    wb = Workbook()
    all_tables = office_tables.tables(o, lang)
    main, trend = all_tables[:3], all_tables[3:]
    for i, tb in enumerate(main):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = t(_SHEETS[tb.key], lang)[:31]
        table(ws, tb.headers, _cells(tb, lang), _widths(tb))
        for col, c in enumerate(tb.columns, 1):
            if c.kind == SHARE:
                for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                    row[0].number_format = "0%"
        print_setup(ws, title)
    ws = wb.create_sheet(t("report.office.trend-sheet", lang)[:31])
    metric = t("report.office.metric", lang)
    rows = [[tb.title, *r] for tb in trend for r in _cells(tb, lang)]
    table(ws, [metric, *trend[0].headers], rows, [24, 16] + [10] * len(o.trend_months))
    kinds = [tb.columns[-1].kind for tb in trend for _ in tb.rows]
    for r, kind in enumerate(kinds, 2):
        if kind == SHARE:
            for c in ws[r][2:]:
                c.number_format = "0%"
    print_setup(ws, title)
    ws = wb.create_sheet(t("report.office.definitions-sheet", lang)[:31])
    seen: dict[str, str] = {}
    for tb in all_tables:
        for header, text in tb.definitions:
            seen.setdefault(header, text)
    seen[t("report.office.trend", lang, n=len(o.trend_months))] = t("report.def.trend", lang)
    table(ws, [metric, t("report.office.definition", lang)], [[h, d] for h, d in seen.items()], [24, 90])
    print_setup(ws, title)
    wb.properties.title = title
    wb.properties.creator = "erpops"
    wb.properties.created = dt.datetime.combine(o.period.last, dt.time(0))
    out = io.BytesIO()
    wb.save(out)
    return fixed_times(out.getvalue(), o.period.last)
