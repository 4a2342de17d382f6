"""CODEOWNERS from the roster: who GitHub asks to review a change to each part of the repository.

Pure: a Roster in, the file's text and what it could not express out. GitHub reads the file
top to bottom and the LAST matching pattern wins, one line per pattern with all its owners,
so the catch-all comes first and the per-subsystem folders last. A pattern whose people have
no GitHub login is still written, bare: GitHub then treats those files as having no code owner
(anyone with write access may approve), which is the truth until the roster names a login.
"""
from __future__ import annotations

from dataclasses import dataclass

from erpops.i18n import t
from erpops.model import Roster, Subsystem

PATH = ".github/CODEOWNERS"

# What the ops office owns besides everything not named below (`*`).
OFFICE_PATTERNS = ("/roster/", "/policy.yaml", "/.github/", "/tools/", "/runbooks/common/")


def subsystem_patterns(code: str) -> tuple[str, ...]:
    return (f"/tickets/{code}/", f"/runbooks/{code}/", f"/reports/*/{code}.*")


@dataclass(frozen=True)
class Section:
    """Patterns that share one set of owners, and the people behind them."""

    title: str
    patterns: tuple[str, ...]
    people: tuple[str, ...]          # person ids, in roster order, no repeats
    logins: tuple[str, ...]          # the GitHub logins of those who have one
    without_login: tuple[str, ...]   # person ids with no login (or not in the roster)


@dataclass(frozen=True)
class Codeowners:
    sections: tuple[Section, ...]
    text: str

    @property
    def without_login(self) -> tuple[str, ...]:
        """Everyone named as an owner who cannot be one on GitHub, each once."""
        return _unique(pid for s in self.sections for pid in s.without_login)

    @property
    def patterns(self) -> int:
        return sum(len(s.patterns) for s in self.sections)

    @property
    def unowned_patterns(self) -> int:
        return sum(len(s.patterns) for s in self.sections if not s.logins)


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _section(roster: Roster, title: str, patterns: tuple[str, ...], people) -> Section:
    people = _unique(people)
    logins, without = [], []
    for pid in people:
        person = roster.people.get(pid)
        if person is not None and person.github:
            logins.append(person.github)
        else:
            without.append(pid)
    return Section(title, patterns, people, _unique(logins), tuple(without))


def sections(roster: Roster, lang: str) -> tuple[Section, ...]:
    office = roster.office
    staff = office.staff if office else ()
    if office is None:
        office_name = t("codeowners.office", lang)
    else:
        office_name = office.name_en if lang == "en" and office.name_en else office.name
    out = [
        _section(roster, t("codeowners.default", lang, office=office_name), ("*",), staff),
        _section(roster, t("codeowners.office-section", lang, office=office_name), OFFICE_PATTERNS, staff),
    ]
    for s in sorted(roster.subsystem_list, key=lambda s: s.code):
        out.append(_section(roster, _subsystem_title(roster, s, lang), subsystem_patterns(s.code),
                            (*s.business_admins, *s.erp_admins)))
    return tuple(out)


def person_name(roster: Roster, pid: str, lang: str) -> str:
    """`Name (id)`, or the id marked as unknown: nobody is dropped for not being in the roster."""
    person = roster.people.get(pid)
    if person is None:
        return t("codeowners.unknown-person", lang, id=pid)
    return t("codeowners.person", lang, name=person.display(lang), id=pid)


def _names(roster: Roster, ids, lang: str) -> str:
    return t("list.sep", lang).join(person_name(roster, pid, lang) for pid in ids) or t("who.none", lang)


def _subsystem_title(roster: Roster, s: Subsystem, lang: str) -> str:
    return t("codeowners.subsystem-section", lang, name=s.display(lang), code=s.code,
             business=_names(roster, s.business_admins, lang), erp=_names(roster, s.erp_admins, lang))


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines())


def render(roster: Roster, lang: str) -> Codeowners:
    found = sections(roster, lang)
    lines = [_comment(t("codeowners.header", lang, path=PATH)), ""]
    for s in found:
        lines.append(_comment(s.title))
        if s.people:
            lines.append(_comment(t("codeowners.owners", lang, people=_names(roster, s.people, lang))))
        if s.without_login:
            lines.append(_comment(t("codeowners.without-login", lang,
                                    people=_names(roster, s.without_login, lang))))
        if not s.logins:
            lines.append(_comment(t("codeowners.no-owner", lang)))
        owners = "".join(f" @{login}" for login in s.logins)
        lines += [f"{pattern}{owners}" for pattern in s.patterns]
        lines.append("")
    return Codeowners(found, "\n".join(lines).rstrip("\n") + "\n")
