"""The office's monthly summary as a workbook for the archive: subsystems, key-user groups, people."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from erpops.i18n import t
from erpops.reports.office import OfficeData
from erpops.reports.tabular import fixed_times, print_setup, table


def _kept(pair: tuple[int, int]) -> str:
    return f"{pair[0]} / {pair[1]}"


def _subsystems(o: OfficeData, lang: str) -> tuple[list[str], list[list[object]]]:
    keys = ("report.office.subsystem", "report.summary.tickets", "report.summary.opened", "report.summary.resolved",
            "report.summary.backlog", "report.office.respond-kept", "report.office.resolve-kept",
            "report.office.tier1", "report.office.escalations", "report.office.form")
    rows = []
    for d in o.forms:
        h = o.handin.get(d.subsystem)
        state = t(f"report.status.{h.state}", lang) if h else "-"
        if h and h.committed:
            state += f" {h.committed:%Y-%m-%d %H:%M}"
        rows.append([d.subsystem_name, len(d.rows), d.opened, d.resolved, len(d.backlog), _kept(d.kept("respond")),
                     _kept(d.kept("resolve")), round(d.tiers[0].share, 3) if d.resolved and d.tiers else None,
                     d.escalations, state])
    return [t(k, lang) for k in keys], rows


def _groups(o: OfficeData, lang: str) -> tuple[list[str], list[list[object]]]:
    keys = ("report.office.group", "report.office.leader", "report.summary.tickets", "report.summary.resolved",
            "report.office.tier1", "report.office.escalations", "report.office.resolve-kept")
    rows = [[g.subsystem, g.leader, g.tickets, g.resolved, round(g.tier1_share, 3) if g.resolved else None,
             g.escalations, _kept(g.resolve_kept)] for g in o.groups]
    return [t(k, lang) for k in keys], rows


def _people(o: OfficeData, lang: str) -> tuple[list[str], list[list[object]]]:
    keys = ("report.office.person", "report.office.handled", "report.office.resolved", "report.office.resolve-kept",
            "report.office.escalations", "report.office.forms")
    rows = [[p.name, p.handled, p.resolved, p.resolved_in_time, p.escalations,
             _kept((p.forms_on_time, p.forms_due)) if p.forms_due else None] for p in o.people]
    return [t(k, lang) for k in keys], rows


def xlsx_bytes(o: OfficeData, lang: str) -> bytes:
    title = t("report.office.title", lang, month=o.month)
    wb = Workbook()
    sheets = (("report.office.subsystems", _subsystems, [16] + [12] * 9),
              ("report.office.groups", _groups, [16, 12, 12, 12, 14, 12, 12]),
              ("report.office.people", _people, [14, 12, 12, 12, 12, 14]))
    for i, (key, rows_of, widths) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = t(key, lang)[:31]
        headers, rows = rows_of(o, lang)
        table(ws, headers, rows, widths)
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, float):
                    c.number_format = "0%"
        print_setup(ws, title)
    wb.properties.title = title
    wb.properties.creator = "erpops"
    wb.properties.created = dt.datetime.combine(o.period.last, dt.time(0))
    out = io.BytesIO()
    wb.save(out)
    return fixed_times(out.getvalue(), o.period.last)
