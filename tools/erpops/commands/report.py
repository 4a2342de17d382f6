"""erpops report monthly / office / status: write the record forms, the office's summary, and
list which forms were handed in."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from erpops import checkcache, checks, clock, doccache, load
from erpops.atomic import write_bytes
from erpops.diagnostics import Diagnostic
from erpops.errors import FatalError
from erpops.i18n import language, t
from erpops.repository import Repository
from erpops.reports import form, handin, markdown, needed, office, office_tables, office_xlsx, pdf, tabular
from erpops.reports.period import Period, latest_closed, period

FORMATS = ("md", "csv", "xlsx", "pdf")
OFFICE_FORMATS = ("md", "xlsx", "pdf")
# What `report monthly --check` compares when no --format is given: the PDF is a rendering of the
# same figures whose bytes also depend on the machine's fonts and pango, so a form printed on the
# admin's machine is not "stale" on CI's.
CHECKED = ("md", "csv", "xlsx")


def _refuse(found: list[Diagnostic]) -> None:
    errors = sorted(d for d in found if d.is_error)
    if errors:
        for d in errors:
            sys.stderr.write(f"{d.path}:{d.line}:{d.column}: [{d.rule}] {d.message()}\n")
        raise FatalError(t("report.fix-first", count=len(errors)))


def _repo(root: Path) -> Repository:
    """The repository, refused while it breaks a rule: a form must not be built on data CI rejects."""
    repo = load.load(root)
    _refuse(checks.diagnostics(repo))
    if repo.policy is None:
        raise FatalError(t("report.no-policy"))
    return repo


def _month(root: Path, month: str | None, subsystems: list[str]) -> tuple[Repository, Period]:
    """The repository as the month's forms need it, and the period. Refused as `_repo` does, but
    checked by the warm check (checkcache) and with only the tickets the forms can read
    (reports/needed.py); without a cache to trust (CI, ERPOPS_CACHE=0) a full load, as `_repo`."""
    known = None
    if doccache.enabled():
        found, _files = checkcache.check(root)
        _refuse(found)
        known = checkcache.current(root)
    if known is None:
        repo = _repo(root) if not doccache.enabled() else load.load(root)
        if repo.policy is None:
            raise FatalError(t("report.no-policy"))
        _known(repo, subsystems)
        return repo, _period(repo, month)
    ctx = load.load_context(root)
    if ctx.policy is None:
        raise FatalError(t("report.no-policy"))
    _known(ctx, subsystems)
    p = _period(ctx, month)
    paths = needed.ticket_paths(known, subsystems or form.codes(ctx), p.start, p.end, form.recur_start(ctx, p))
    return dataclasses.replace(ctx, tickets=load.read_tickets(root, paths)), p


def _known(repo: Repository, subsystems: list[str]) -> None:
    known = form.codes(repo)
    for code in subsystems:
        if code not in known:
            raise FatalError(t("report.unknown-subsystem", subsystem=code))


def _period(repo: Repository, month: str | None) -> Period:
    p = period(repo.policy, month) if month else latest_closed(repo.policy, clock.today())
    if not p.closed(clock.today()):
        sys.stderr.write(t("report.not-closed", month=p.month, first=p.first, last=p.last) + "\n")
    return p


def formats(values: tuple[str, ...] | list[str], allowed: tuple[str, ...] = FORMATS,
            default: tuple[str, ...] | None = None) -> list[str]:
    """`md,csv` and repeated flags alike, in the order of `allowed`; `default` (all of them) when none is given."""
    chosen = {f.strip().lower() for v in values for f in v.split(",") if f.strip()}
    for f in sorted(chosen - set(allowed)):
        raise FatalError(t("report.bad-format", value=f, allowed=", ".join(allowed)))
    return [f for f in allowed if f in chosen] or list(default or allowed)


def _out(root: Path, out: Path | None, p: Period) -> Path:
    base = out if out is not None else root / "reports"
    return (base if base.is_absolute() else Path.cwd() / base) / p.month


def _show(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def monthly(root: Path, month: str | None, subsystems: list[str], fmts: list[str], out: Path | None,
            check_only: bool = False) -> int:
    repo, p = _month(root, month, subsystems)
    known = form.codes(repo)
    lang = language()
    folder = _out(root, out, p)
    org = pdf.organisation(repo, lang)
    # Everything is computed before the first file is written: a failure leaves no half set.
    files: list[tuple[Path, bytes]] = []
    for code in subsystems or known:
        data = form.build(repo, code, p, lang)
        for f in fmts:
            body = {"md": lambda: markdown.form(data, lang).encode("utf-8"),
                    "csv": lambda: tabular.csv_bytes(data, lang),
                    "xlsx": lambda: tabular.xlsx_bytes(data, lang),
                    "pdf": lambda: pdf.form_pdf(data, org, lang)}[f]()
            files.append((folder / f"{code}.{f}", body))
    if check_only:
        stale = [path for path, body in files if not path.is_file() or path.read_bytes() != body]
        for path in stale:
            sys.stdout.write(t("report.stale", path=_show(root, path)) + "\n")
        sys.stdout.write(t("report.stale-count" if stale else "report.current", count=len(stale), month=p.month) + "\n")
        return 1 if stale else 0
    for path, body in files:
        write_bytes(path, body)
        sys.stdout.write(t("report.written", path=_show(root, path)) + "\n")
    return 0


def office_summary(root: Path, month: str | None, fmts: list[str], out: Path | None) -> int:
    repo = _repo(root)
    p = _period(repo, month)
    lang = language()
    states = handin.status(root, form.codes(repo), p, clock.today())
    data = office.build(repo, p, states, lang)
    folder = _out(root, out, p)
    files = []
    if "md" in fmts:
        files.append((folder / "office-summary.md", markdown.render(
            "report/office.md.j2", lang, o=data, tables=office_tables.tables(data, lang),
            cells=lambda v, kind: office_tables.text(v, kind, lang)).encode()))
    if "xlsx" in fmts:
        files.append((folder / "office-summary.xlsx", office_xlsx.xlsx_bytes(data, lang)))
    if "pdf" in fmts:
        files.append((folder / "office-summary.pdf", pdf.office_pdf(data, pdf.organisation(repo, lang), lang)))
    for path, body in files:
        write_bytes(path, body)
        sys.stdout.write(t("report.written", path=_show(root, path)) + "\n")
    return 0


def status(root: Path, month: str | None) -> int:
    repo = _repo(root)
    found = handin.standing(repo, clock.today(), month)
    p, states = found.period, found.states
    lines = [t("report.status.title", month=p.month, due=p.due)]
    width = max((len(h.subsystem) for h in states), default=0)
    for h in states:
        detail = t("report.status.committed", at=h.committed.strftime("%Y-%m-%d %H:%M"), commit=h.commit) \
            if h.committed else ""
        if found.chase.get(h.subsystem):
            detail = t("report.status.chase", who=t("list.sep").join(
                form.person(repo, pid, language()) for pid in found.chase[h.subsystem]))
        lines.append(t("report.status.line", subsystem=h.subsystem.ljust(width),
                       state=t(f"report.status.{h.state}"), detail=detail).rstrip())
    lines.append(t("report.status.count", on_time=found.count(handin.ON_TIME), late=found.count(handin.LATE),
                   missing=found.count(handin.MISSING), pending=found.count(handin.PENDING)))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
