"""erpops calendar: which years the working calendar covers; import a year from chinese-calendar.

The import is a text edit of policy.yaml like the ticket edits (comments and layout kept, the
file replaced atomically) and goes through review like any other change of the rulebook.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from erpops import clock, edits, load
from erpops.atomic import write_text
from erpops.i18n import t
from erpops.policy import Policy, build
from erpops.yamlio import load_text


def _policy(root: Path) -> Policy | None:
    repo = load.load_files(load.Files(root), root, ticket_paths=[])
    return repo.policy


def _entries(p: Policy) -> tuple[list[dict], list[dict]]:
    cal = p.src.doc.data.get("calendar") if isinstance(p.src.doc.data, dict) else None
    cal = cal if isinstance(cal, dict) else {}
    pick = lambda k: [x for x in cal.get(k) or [] if isinstance(x, dict)] if isinstance(cal.get(k), list) else []
    return pick("holidays"), pick("make_up_days")


def _year_of(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text[:4]) if len(text) >= 10 and text[:4].isdigit() and text[4] == "-" else None


def show(root: Path, lang: str | None = None) -> int:
    """Print the calendar's years; exit 1 when today's year is not covered, like `check`."""
    p = _policy(root)
    if p is None or p.src is None:
        sys.stderr.write(t("calendar.import-no-policy", lang, path=root / load.POLICY) + "\n")
        return 2
    cal = p.calendar
    holidays, make_up = _entries(p)
    ranges = Counter(_year_of(h.get("from")) for h in holidays)
    days = Counter(d.year for d in cal.holidays)
    worked = Counter(d.year for d in cal.make_up_days)
    sep = t("list.sep", lang)
    hours = sep.join(f"{a:%H:%M}–{b:%H:%M}" for a, b in cal.working_hours)
    out = [t("calendar.title", lang, line=p.src.line("calendar"), tz=cal.time_zone,
             weekdays=sep.join(map(str, sorted(cal.working_weekdays))), hours=hours),
           t("calendar.covered", lang)]
    out += [t("calendar.year-line", lang, year=y, holidays=ranges[y], days=days[y], make_up=worked[y])
            for y in sorted(cal.years)] or [t("calendar.year-empty", lang)]
    undeclared = sorted({y for y in list(ranges) + list(worked) if y is not None} - cal.years)
    if undeclared:
        out.append(t("calendar.undeclared", lang, years=sep.join(map(str, undeclared))))
    today = clock.now(cal.tz).date()
    if cal.covers(today):
        out.append(t("calendar.status-ok", lang, today=today.isoformat()))
    else:
        out.append(t("calendar.status-missing", lang, today=today.isoformat(), year=today.year))
    if cal.covers(today) and today.year + 1 not in cal.years:
        out.append(t("calendar.status-next", lang, year=today.year + 1))
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if cal.covers(today) else 1


def year_from_package(module: Any, year: int, lang: str | None = None) -> tuple[list[dict], list[dict]]:
    """`year`'s holidays (consecutive days of one holiday as one range) and make-up working days,
    as chinese-calendar (`module`) has them; names in Chinese, as the notice writes them."""
    names = {h.value: getattr(h, "chinese", h.value) for h in module.Holiday}
    days = sorted(d for d in module.holidays if d.year == year)
    ranges: list[dict] = []
    for d in days:
        name = names.get(module.holidays[d], module.holidays[d])
        last = ranges[-1] if ranges else None
        if last and last["name"] == name and last["until"] + dt.timedelta(days=1) == d:
            last["until"] = d
        else:
            ranges.append({"from": d, "until": d, "name": name})
    worked = [{"date": d, "name": t("calendar.make-up-name", lang, name=names.get(module.workdays[d], module.workdays[d]))}
              for d in sorted(d for d in module.workdays if d.year == year)]
    return ranges, worked


def import_year(root: Path, year: int, lang: str | None = None) -> int:
    """Append `year` from chinese-calendar to policy.yaml and list it in calendar.years."""
    if not 1 <= year <= 9999:
        sys.stderr.write(t("calendar.import-bad-year", lang, year=year) + "\n")
        return 2
    p = _policy(root)
    if p is None or p.src is None:
        sys.stderr.write(t("calendar.import-no-policy", lang, path=root / load.POLICY) + "\n")
        return 2
    if year in p.calendar.years:
        sys.stdout.write(t("calendar.import-already", lang, year=year) + "\n")
        return 0
    holidays, make_up = _entries(p)
    if any(_year_of(x.get("from")) == year or _year_of(x.get("until")) == year for x in holidays) or \
            any(_year_of(x.get("date")) == year for x in make_up):
        sys.stderr.write(t("calendar.import-has-dates", lang, year=year) + "\n")
        return 1
    try:
        import chinese_calendar as module
    except ImportError:
        sys.stderr.write(t("calendar.import-no-package", lang) + "\n")
        return 2
    version = getattr(module, "__version__", "?")
    ranges, worked = year_from_package(module, year, lang)
    if not ranges:
        last = max((d.year for d in module.holidays), default="?")
        sys.stderr.write(t("calendar.import-no-year", lang, version=version, year=year, last=last) + "\n")
        return 2
    path = root / load.POLICY
    text = path.read_text("utf-8")
    field = "calendar.holidays"
    try:
        for r in ranges:
            text = edits.append_item(text, ("calendar", "holidays"), r)
        field = "calendar.make_up_days"
        for w in worked:
            text = edits.append_item(text, ("calendar", "make_up_days"), w)
        field = "calendar.years"
        text = edits.set_flow_list(text, ("calendar", "years"), sorted(p.calendar.years | {year}),
                                   after="working_weekdays")
    except edits.EditError:
        sys.stderr.write(t("calendar.import-shape", lang, field=field) + "\n")
        return 2
    if not _verified(text, year, len(worked)):
        sys.stderr.write(t("calendar.import-shape", lang, field="calendar") + "\n")
        return 2
    write_text(path, text)
    sys.stdout.write(t("calendar.imported", lang, version=version, year=year,
                       holidays=len(ranges), make_up=len(worked)) + "\n")
    return 0


def _verified(text: str, year: int, worked: int) -> bool:
    """The edited text reads back with the year covered and every make-up day in place."""
    doc, problems = load_text(text, load.POLICY)
    p = build(doc) if doc is not None and not problems else None
    return p is not None and year in p.calendar.years and \
        sum(1 for d in p.calendar.make_up_days if d.year == year) == worked
