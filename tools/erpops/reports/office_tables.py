"""The office summary as tables: typed cells, one meaning per header, each header's definition.

Markdown, XLSX and PDF all render these, so the three say the same: a count is an int, a share a
float in 0..1, a figure that cannot be computed None ("no data"), everything else text.
"""
from __future__ import annotations

from dataclasses import dataclass

from erpops.i18n import t
from erpops.reports.office import OfficeData

TEXT, COUNT, SHARE = "text", "count", "share"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text | count | share
    definition: str | None = None


@dataclass(frozen=True)
class Table:
    key: str  # the table's id: subsystems, groups, people, trend-tickets, …
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def definitions(self) -> list[tuple[str, str]]:
        return [(c.header, c.definition) for c in self.columns if c.definition]


def _col(header: str, kind: str, lang: str, definition: str | None = None) -> Column:
    return Column(t(header, lang), kind, t(definition, lang) if definition else None)


def _state(h, lang: str) -> str | None:
    """"按时报送 2026-10-27": how the form was handed in and when; None (no data) when unknown."""
    if h is None:
        return None
    label = t(f"report.status.{h.state}", lang)
    return f"{label} {h.committed:%Y-%m-%d}" if h.committed else label


def subsystems(o: OfficeData, lang: str) -> Table:
    cols = (_col("report.office.subsystem", TEXT, lang),
            _col("report.summary.tickets", COUNT, lang, "report.def.tickets"),
            _col("report.summary.opened", COUNT, lang, "report.def.opened"),
            _col("report.summary.resolved", COUNT, lang, "report.def.resolved"),
            _col("report.summary.backlog", COUNT, lang, "report.def.backlog"),
            _col("report.summary.respond-met", COUNT, lang, "report.def.respond-met"),
            _col("report.summary.respond-counted", COUNT, lang, "report.def.respond-counted"),
            _col("report.summary.resolve-met", COUNT, lang, "report.def.resolve-met"),
            _col("report.summary.resolve-counted", COUNT, lang, "report.def.resolve-counted"),
            _col("report.office.tier1", SHARE, lang, "report.def.tier1"),
            _col("report.office.all-escalations", COUNT, lang, "report.def.all-escalations"),
            _col("report.office.form-state", TEXT, lang, "report.def.form-state"))
    rows = []
    for d in o.forms:
        h = o.handin.get(d.subsystem)
        tier1 = d.tiers[0].count if d.tiers else 0
        rows.append((d.subsystem_name, len(d.rows), d.opened, d.resolved, len(d.backlog), *d.kept("respond"),
                     *d.kept("resolve"), tier1 / d.resolved if d.resolved else None, d.escalations,
                     _state(h, lang)))
    return Table("subsystems", t("report.office.subsystems", lang), cols, tuple(rows))


def groups(o: OfficeData, lang: str) -> Table:
    cols = (_col("report.office.group", TEXT, lang),
            _col("report.office.leader", TEXT, lang),
            _col("report.summary.tickets", COUNT, lang, "report.def.tickets"),
            _col("report.summary.resolved", COUNT, lang, "report.def.resolved"),
            _col("report.office.tier1-count", COUNT, lang, "report.def.tier1-count"),
            _col("report.office.tier1", SHARE, lang, "report.def.tier1"),
            _col("report.summary.resolve-met", COUNT, lang, "report.def.resolve-met"),
            _col("report.summary.resolve-counted", COUNT, lang, "report.def.resolve-counted"),
            _col("report.office.resolve-rate", SHARE, lang, "report.def.resolve-rate"),
            _col("report.office.group-escalations", COUNT, lang, "report.def.group-escalations"),
            _col("report.office.form-state", TEXT, lang, "report.def.form-state"))
    rows = tuple((g.subsystem, g.leader, g.tickets, g.resolved, g.tier1, g.tier1_share, *g.resolve_kept,
                  g.kept_share, g.escalations, _state(o.handin.get(g.code), lang)) for g in o.groups)
    return Table("groups", t("report.office.groups", lang), cols, rows)


def people(o: OfficeData, lang: str) -> Table:
    cols = (_col("report.office.person", TEXT, lang),
            _col("report.office.held", COUNT, lang, "report.def.held"),
            _col("report.office.overdue", COUNT, lang, "report.def.overdue"),
            _col("report.office.at-risk", COUNT, lang, "report.def.at-risk"),
            _col("report.office.handled", COUNT, lang, "report.def.handled"),
            _col("report.office.resolved", COUNT, lang, "report.def.person-resolved"),
            _col("report.office.resolved-in-time", COUNT, lang, "report.def.resolved-in-time"),
            _col("report.office.person-escalations", COUNT, lang, "report.def.person-escalations"),
            _col("report.office.forms-due", COUNT, lang, "report.def.forms-due"),
            _col("report.office.forms-on-time", COUNT, lang, "report.def.forms-on-time"))
    rows = tuple((p.name, p.held, p.overdue, p.at_risk, p.handled, p.resolved, p.resolved_in_time, p.escalations,
                  p.forms_due, p.forms_on_time) for p in o.people)
    return Table("people", t("report.office.people", lang), cols, rows)


def trend(o: OfficeData, lang: str) -> list[Table]:
    out = []
    for key, kind, value in (("trend-tickets", COUNT, lambda c: c.tickets),
                             ("trend-tier1", SHARE, lambda c: c.tier1_share),
                             ("trend-kept", SHARE, lambda c: c.kept_share)):
        cols = (_col("report.office.group", TEXT, lang),) + tuple(Column(m, kind) for m in o.trend_months)
        rows = tuple((r.subsystem, *(value(c) for c in r.cells)) for r in o.trend)
        out.append(Table(key, t(f"report.office.{key}", lang), cols, rows))
    return out


def tables(o: OfficeData, lang: str) -> list[Table]:
    return [subsystems(o, lang), groups(o, lang), people(o, lang), *trend(o, lang)]


def text(value: object, kind: str, lang: str) -> str:
    """A cell as a person reads it: shares as whole percents, None as "no data"."""
    if value is None:
        return t("report.no-data", lang)
    if kind == SHARE:
        return f"{value * 100:.0f}%"
    return str(value)
