"""CODEOWNERS from the roster: who the forge asks to review a change to each part of the repository.

Three dialects, one set of sections (`forge`: github | gitlab | gitea):
- github (.github/CODEOWNERS): gitignore-like patterns, the last match in the file wins;
- gitlab (.gitlab/CODEOWNERS): the same globs (fnmatch, FNM_PATHNAME|FNM_DOTMATCH), grouped in
  `[sections]`: each section that has a matching entry applies (its last match wins), a required
  section `[name][1]` needs one of its owners' approval, an optional one `^[name]` none. The
  catch-all is optional, so a ticket needs its subsystem's people only, as on GitHub;
- gitea (.gitea/CODEOWNERS, also Forgejo): Go regular expressions anchored as `^...$`, a leading
  `!` matches every path the expression does not, and every matching line applies (no "last
  wins"), so the catch-all is written as the negation of the subsystems' folders. A line needs an
  owner (Gitea warns on a bare pattern), so a pattern nobody can own is written as a comment.

Pure: a Roster in, the file's text and what it could not express out. GitHub reads the file
top to bottom and the LAST matching pattern wins, one line per pattern with all its owners,
so the catch-all comes first and the per-subsystem folders last. A pattern whose people have
no GitHub login is still written, bare: GitHub then treats those files as having no code owner
(anyone with write access may approve), which is the truth until the roster names a login.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from erpops.i18n import t
from erpops.model import Roster, Subsystem

PATH = ".github/CODEOWNERS"
FORGES = ("github", "gitlab", "gitea")
PATHS = {"github": PATH, "gitlab": ".gitlab/CODEOWNERS", "gitea": ".gitea/CODEOWNERS"}

# What the ops office owns besides everything not named below (`*`).
OFFICE_PATTERNS = ("/roster/", "/policy.yaml", "/.github/", "/tools/", "/runbooks/common/")
# GitLab: the catch-all section is optional, so its CI files are named among the office's.
GITLAB_OFFICE = (*OFFICE_PATTERNS[:3], "/.gitlab/", "/.gitlab-ci.yml", "/.gitea/", *OFFICE_PATTERNS[3:])


# Gitea: every matching line applies, so "everything else" is said as a negation.
GITEA_DEFAULT = "!(tickets|runbooks|reports)/.*"
GITEA_OFFICE = ("roster/.*", r"policy\.yaml", r"\.gitea/.*", "tools/.*", "runbooks/common/.*")


def subsystem_patterns(code: str, forge: str = "github") -> tuple[str, ...]:
    if forge == "gitea":
        code = _go_quote(code)
        return (f"tickets/{code}/.*", f"runbooks/{code}/.*", rf"reports/[^/]+/{code}\..*")
    return (f"/tickets/{code}/", f"/runbooks/{code}/", f"/reports/*/{code}.*")


def _go_quote(text: str) -> str:
    """A literal inside a Go regular expression."""
    return re.sub(r"([.+*?()|\[\]{}^$\\])", r"\\\1", text)


def gitea_escape(pattern: str) -> str:
    """Gitea's CODEOWNERS line syntax: `\\`, `#` and space are escaped with a backslash."""
    return re.sub(r"([\\# ])", r"\\\1", pattern)


@dataclass(frozen=True)
class Section:
    """Patterns that share one set of owners, and the people behind them."""

    title: str
    key: str                         # the section's id: default, office or the subsystem's code
    patterns: tuple[str, ...]
    people: tuple[str, ...]          # person ids, in roster order, no repeats
    logins: tuple[str, ...]          # the GitHub logins of those who have one
    without_login: tuple[str, ...]   # person ids with no login (or not in the roster)
    optional: bool = False           # GitLab: a section whose approval is not required


@dataclass(frozen=True)
class Codeowners:
    sections: tuple[Section, ...]
    text: str
    forge: str = "github"

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


def login(person, forge: str) -> str | None:
    """The person's account on that forge: the roster's github, gitlab or gitea field."""
    return getattr(person, forge, None) if person is not None and forge in FORGES else None


def _section(roster: Roster, title: str, key: str, patterns: tuple[str, ...], people, forge: str,
             optional: bool = False) -> Section:
    people = _unique(people)
    logins, without = [], []
    for pid in people:
        name = login(roster.people.get(pid), forge)
        if name:
            logins.append(name)
        else:
            without.append(pid)
    return Section(title, key, patterns, people, _unique(logins), tuple(without), optional)


def sections(roster: Roster, lang: str, forge: str = "github") -> tuple[Section, ...]:
    office = roster.office
    staff = office.staff if office else ()
    if office is None:
        office_name = t("codeowners.office", lang)
    else:
        office_name = office.name_en if lang == "en" and office.name_en else office.name
    gitea = forge == "gitea"
    out = [
        _section(roster, t("codeowners.default", lang, office=office_name), "default",
                 (GITEA_DEFAULT,) if gitea else ("*",), staff, forge, optional=forge == "gitlab"),
        _section(roster, t("codeowners.office-section", lang, office=office_name), "office",
                 {"gitea": GITEA_OFFICE, "gitlab": GITLAB_OFFICE}.get(forge, OFFICE_PATTERNS), staff, forge),
    ]
    for s in sorted(roster.subsystem_list, key=lambda s: s.code):
        out.append(_section(roster, _subsystem_title(roster, s, lang), s.code, subsystem_patterns(s.code, forge),
                            (*s.business_admins, *s.erp_admins), forge))
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


def key(name: str, forge: str) -> str:
    """The catalogue key of a forge-specific text: GitHub's are the original ones."""
    return f"codeowners.{name}" if forge == "github" else f"codeowners.{forge}.{name}"


def _heading(s: Section) -> str:
    """GitLab's section heading: `[name][1]` needs one approval from its owners, `^[name]` none."""
    return f"^[{s.key}]" if s.optional else f"[{s.key}][1]"


def _entry(pattern: str, s: Section, forge: str) -> str:
    owners = "".join(f" @{name}" for name in s.logins)
    if forge == "gitea":
        pattern = gitea_escape(pattern)
        return f"{pattern}{owners}" if owners else f"# {pattern}"
    return f"{pattern}{owners}"


def render(roster: Roster, lang: str, forge: str = "github") -> Codeowners:
    found = sections(roster, lang, forge)
    lines = [_comment(t(key("header", forge), lang, path=PATHS[forge])), ""]
    for s in found:
        lines.append(_comment(s.title))
        if s.people:
            lines.append(_comment(t("codeowners.owners", lang, people=_names(roster, s.people, lang))))
        if s.without_login:
            lines.append(_comment(t(key("without-login", forge), lang,
                                    people=_names(roster, s.without_login, lang))))
        if not s.logins:
            lines.append(_comment(t(key("no-owner", forge), lang)))
        if forge == "gitlab":
            lines.append(_heading(s))
        lines += [_entry(pattern, s, forge) for pattern in s.patterns]
        lines.append("")
    return Codeowners(found, "\n".join(lines).rstrip("\n") + "\n", forge)
