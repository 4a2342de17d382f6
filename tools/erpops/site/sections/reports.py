"""The monthly record forms (internal sites only): per month and subsystem the committed form as
handed in (reports/<YYYY-MM>/<subsystem>.md, its charts included), its CSV, XLSX and PDF as downloads,
the office summary, and whether each form was handed in on time.

The committed Markdown is the record the subsystem handed in, so the site shows it as it is
rather than regenerating it from today's tickets. Raw HTML in it (the "generated, do not edit"
comment, or anything a hand edit added) is dropped or shown as text (erpops.site.safe_markdown).
"""
from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from erpops.errors import FatalError
from erpops.repository import Repository
from erpops.reports import handin
from erpops.reports.period import period
from erpops.site import charts
from erpops.site.context import INTERNAL, Context
from erpops.site.panel import Figure, Panel

AUDIENCES = (INTERNAL,)
INDEX = "reports/index.md"
FOLDER = "reports"
OFFICE = "office-summary"
DOWNLOADS = ("csv", "xlsx", "pdf")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_COMMENT = re.compile(r"\A\s*<!--.*?-->\s*", re.DOTALL)
_TICKET_ID = re.compile(r"(?<![\w\[/-])([A-Z]{2,4}-\d{8}-[A-Z2-7]{4})(?![\w\]-])")


def months(repo: Repository) -> list[str]:
    """The months that have a folder of forms, newest first."""
    folder = repo.root / FOLDER
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir()
                   if p.is_dir() and not p.is_symlink() and _MONTH.match(p.name)), reverse=True)


def path(month: str, code: str) -> str:
    return f"{FOLDER}/{month}/{code}.md"


def _forms(repo: Repository, month: str) -> list[str]:
    """The names (subsystem codes, the office summary) with a committed Markdown form in `month`."""
    folder = repo.root / FOLDER / month
    return sorted(p.stem for p in folder.glob("*.md") if p.is_file() and not p.is_symlink())  # links: never followed


def form_text(repo: Repository, month: str, code: str) -> str:
    # Generated forms are UTF-8; a hand-edited one in another encoding still shows (with �), the
    # site build does not stop on a record that `erpops check` does not own.
    text = (repo.root / FOLDER / month / f"{code}.md").read_bytes().decode("utf-8-sig", errors="replace")
    return _COMMENT.sub("", text, count=1)


def link_tickets(ctx: Context, text: str, here: str) -> str:
    """Ticket ids in the form's table rows become links to the tickets' pages (ids only: the
    pattern admits no character that Markdown or HTML would read)."""
    from erpops.site.sections import tickets  # imported late like the other cross-links

    known = tickets.by_id(ctx)

    def repl(m: re.Match) -> str:
        found = known.get(m.group(1))
        return str(ctx.link(m.group(1), tickets.path(found), here)) if found is not None else m.group(1)

    return "\n".join(_TICKET_ID.sub(repl, line) if line.startswith("|") else line for line in text.split("\n"))


def _standing(ctx: Context, month: str) -> handin.Standing | None:
    """Hand-in state of `month`'s forms from the Git history (handin.standing, as `erpops report
    status` computes it); None when that history cannot tell: not a Git repository, no git, or a
    shallow clone (where every form would look added by the one commit it has, so late)."""
    policy = ctx.repo.policy
    if policy is None or _history(ctx) is None:
        return None
    key = ("standing", month)
    if key not in ctx.cache:
        try:
            ctx.cache[key] = handin.standing(ctx.repo, ctx.today, month)
        except FatalError:
            ctx.cache[key] = None
    return ctx.cache[key]


def _handins(ctx: Context, month: str) -> dict[str, handin.HandIn]:
    found = _standing(ctx, month)
    return {h.subsystem: h for h in found.states} if found else {}


def current_month(ctx: Context) -> str | None:
    """The month whose forms are due next or overdue (handin.current), listed even before any is in."""
    return handin.current(ctx.repo, ctx.today).month if ctx.repo.policy is not None else None


def _history(ctx: Context) -> bool | None:
    """True when the repository's full Git history is at hand (checked once per build)."""
    if "git-history" not in ctx.cache:
        ctx.cache["git-history"] = _full_history(ctx.repo.root)
    return ctx.cache["git-history"]


def _full_history(root: Path) -> bool | None:
    try:
        import git
    except ImportError:  # GitPython without a git executable
        return None
    try:
        shallow = git.Repo(root, search_parent_directories=False).git.rev_parse("--is-shallow-repository")
    except git.GitError:  # not a Git repository, or git refuses it
        return None
    return True if shallow.strip() == "false" else None


def _name(ctx: Context, code: str) -> str:
    if code == OFFICE:
        return ctx.t("site.office-summary")
    s = ctx.repo.roster.subsystems.get(code)
    return s.display(ctx.lang) if s else code


def _downloads(ctx: Context, month: str, code: str, here: str) -> list:
    folder = ctx.repo.root / FOLDER / month
    return [ctx.link(f"{code}.{ext}", f"{FOLDER}/{month}/{code}.{ext}", here)
            for ext in DOWNLOADS if (folder / f"{code}.{ext}").is_file()]


def _handin_label(ctx: Context, h: handin.HandIn | None) -> str:
    if h is None:
        return ""
    label = ctx.t(f"report.status.{h.state}")
    return f"{label} {h.committed:%Y-%m-%d}" if h.committed else label


def month_rows(ctx: Context, month: str, here: str) -> dict:
    names = _forms(ctx.repo, month)
    states = _handins(ctx, month)
    codes = [s.code for s in ctx.repo.roster.subsystem_list]
    order = [c for c in codes if c in names or c in states] + [n for n in names if n not in codes and n != OFFICE]
    standing = _standing(ctx, month)
    chase = standing.chase if standing else {}
    rows = []
    for code in order:
        rows.append({
            "name": ctx.link(_name(ctx, code), path(month, code), here) if code in names else _name(ctx, code),
            "downloads": _downloads(ctx, month, code, here),
            "handin": _handin_label(ctx, states.get(code)),
            "chase": ctx.names(chase.get(code, ())),
        })
    office = ctx.link(_name(ctx, OFFICE), path(month, OFFICE), here) if OFFICE in names else None
    return {"month": month, "rows": rows, "forms": sum(1 for n in names if n != OFFICE), "office": office,
            "office_downloads": _downloads(ctx, month, OFFICE, here) if office else [],
            "handed_in": sum(1 for h in states.values() if h.state in (handin.ON_TIME, handin.LATE)),
            "on_time": sum(1 for h in states.values() if h.state == handin.ON_TIME),
            "late": sum(1 for h in states.values() if h.state == handin.LATE),
            "missing": sum(1 for h in states.values() if h.state in (handin.MISSING, handin.PENDING)),
            "expected": len(states), "chase": bool(chase),
            "due": period(ctx.repo.policy, month).due if ctx.repo.policy else None}


def listed(ctx: Context) -> list[str]:
    """The months on the forms page, newest first: every month with forms, and the current one."""
    now = current_month(ctx)
    return sorted(set(months(ctx.repo)) | ({now} if now else set()), reverse=True)


def pages(ctx: Context) -> dict[str, str]:
    found = listed(ctx)
    out = {INDEX: ctx.render("reports/index.md.j2", months=[month_rows(ctx, m, INDEX) for m in found],
                             current=current_month(ctx))}
    for month in found:
        for code in _forms(ctx.repo, month):
            here = path(month, code)
            out[here] = ctx.render(
                "reports/page.md.j2",
                # The committed form, Markdown on purpose (tables, mermaid charts); made safe by
                # erpops.site.safe_markdown like every page.
                body=Markup(charts.readable(link_tickets(ctx, form_text(ctx.repo, month, code), here))),
                downloads=_downloads(ctx, month, code, here),
                index=ctx.link(ctx.t("site.reports"), INDEX, here),
            )
    return out


def downloads(repo: Repository) -> dict[str, Path]:
    out = {}
    for month in months(repo):
        for p in sorted((repo.root / FOLDER / month).iterdir()):
            if p.is_file() and p.suffix.lstrip(".") in DOWNLOADS:
                out[f"{FOLDER}/{month}/{p.name}"] = p
    return out


def panel(ctx: Context) -> Panel | None:
    """The current period (handin.current: due next or overdue): each subsystem's form handed in,
    late or missing, and whom to chase; the office summary."""
    month = current_month(ctx)
    if month is None:
        return Panel(ctx.t("site.reports"), INDEX, (Figure(ctx.t("site.count-report-months"), 0),))
    m = month_rows(ctx, month, "index.md")
    known = bool(m["expected"])
    return Panel(
        ctx.t("site.reports"), INDEX,
        (
            Figure(ctx.t("site.current-period"), ctx.t("site.period-due", month=m["month"], due=m["due"])),
            Figure(ctx.t("site.count-forms"), m["forms"]),
            Figure(ctx.t("site.count-handed-in"),
                   ctx.t("site.handed-in-of", on_time=m["on_time"], handed_in=m["handed_in"],
                         expected=m["expected"]) if known else "-"),
            Figure(ctx.t("site.count-late"), m["late"] if known else "-"),
            Figure(ctx.t("site.count-missing"), m["missing"] if known else "-"),
        ),
        Markup(ctx.render("reports/panel.md.j2", m=m)),
    )
