"""pr-owner-approval: the gate's own code-owner check, where the forge does not enforce CODEOWNERS
(GitLab CE/JiHu without Premium, Gitea/Forgejo branch protection without it).

Pure: the base roster's owner sections (as codeowners.py computes them), the changed paths and who
approved in, Diagnostics out. As on GitHub the last matching pattern decides a path's owners, one
approval of any of them suffices, a section whose people have no login has no owner, and the pull
request's author does not approve their own change.
"""
from __future__ import annotations

import re
from functools import lru_cache

from erpops.codeowners import Section, sections
from erpops.diagnostics import Diagnostic
from erpops.model import Roster

RULE = "pr-owner-approval"


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS pattern as a regex over a repository path: `/x` anchored, `x/` a folder,
    `*` within one path segment, a bare `*` everything."""
    if pattern == "*":
        return re.compile(r".+")
    anchored = pattern.startswith("/")
    body = pattern.strip("/")
    folder = pattern.endswith("/")
    parts = "".join("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in body)
    prefix = "" if anchored else r"(?:.*/)?"
    return re.compile(prefix + parts + (r"/.+" if folder else r"(?:/.+)?"))


def matches(pattern: str, path: str) -> bool:
    return _regex(pattern).fullmatch(path) is not None


def owner_of(found: tuple[Section, ...], path: str) -> Section | None:
    """The section whose pattern matches `path` last (the one GitHub would take)."""
    owner = None
    for section in found:
        if any(matches(p, path) for p in section.patterns):
            owner = section
    return owner


def check(roster: Roster, changed: list[str], approved: frozenset[str], author: str | None,
          lang: str = "zh") -> list[Diagnostic]:
    """One finding per owner section that a changed path needs and no owner other than the author approved."""
    found = sections(roster, lang)
    needed: dict[int, list[str]] = {}
    for path in sorted(set(changed)):
        section = owner_of(found, path)
        if section is not None and section.logins:
            needed.setdefault(found.index(section), []).append(path)
    me = (author or "").lower()
    who = {login.lower() for login in approved} - {me}
    out = []
    for index, paths in sorted(needed.items(), key=lambda item: item[1][0]):
        owners = tuple(login for login in found[index].logins if login.lower() != me)
        if who & {login.lower() for login in owners}:
            continue
        if owners:
            out.append(Diagnostic.make(paths[0], 1, RULE, files=len(paths), owners=tuple(f"@{o}" for o in owners)))
        else:  # the author is the only owner: nobody else can approve
            out.append(Diagnostic.make(paths[0], 1, RULE, key=f"rule.{RULE}.author-only", files=len(paths),
                                       author=f"@{author}"))
    return out
