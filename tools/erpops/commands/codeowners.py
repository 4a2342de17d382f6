"""erpops codeowners: write the forge's CODEOWNERS from the roster (github, gitlab or gitea dialect), or
check that it is up to date."""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from erpops import load, output, siteconfig
from erpops.atomic import write_text
from erpops.checks import roster_policy_diagnostics
from erpops.codeowners import PATHS, Codeowners, key, person_name, render
from erpops.diagnostics import exit_code
from erpops.errors import FatalError
from erpops.i18n import language, t
from erpops.repository import Repository


def _roster_problems(root: Path):
    """The roster's own errors: owners generated from a roster that is wrong would be wrong too."""
    repo = load.load_roster_policy(root)
    return repo, roster_errors(roster_policy_diagnostics(repo))


def roster_errors(found):
    return [d for d in found if d.is_error and d.path.startswith("roster/")]


def _report_without_login(result: Codeowners, repo: Repository, lang: str) -> None:
    missing = result.without_login
    if not missing:
        return
    sys.stdout.write(t(key("report-without-login", result.forge), lang, count=len(missing)) + "\n")
    for pid in missing:
        sys.stdout.write(f"  {person_name(repo.roster, pid, lang)}\n")


def codeowners(root: Path, check: bool = False, lang: str | None = None, forge: str | None = None) -> int:
    """`forge`: github, gitlab or gitea; None: the policy's `forge:` (default github)."""
    repo, problems = _roster_problems(root)
    return of(root, repo, problems, check, lang, forge)


def of(root: Path, repo: load.Repository, problems, check: bool = False, lang: str | None = None,
       forge: str | None = None) -> int:
    """codeowners over a loaded repository and its roster's errors (erpops gate shares one load)."""
    lang = language(lang)
    forge = forge or (repo.policy.forge if repo.policy else None) or "github"
    PATH = PATHS[forge]
    if problems:
        sys.stderr.write(output.text(problems, repo.files, lang))
        sys.stderr.write(t("codeowners.roster-invalid", lang) + "\n")
        return exit_code(problems)
    # The file is part of the repository, so it is written in the repository's language (the
    # site's), not in whatever language the person running the command prefers.
    result = render(repo.roster, siteconfig.read(root).lang, forge)
    target = root / PATH
    try:
        current = target.read_text("utf-8") if target.is_file() else None
    except (OSError, UnicodeDecodeError):
        current = ""
    if check:
        if current == result.text:
            sys.stdout.write(t("codeowners.up-to-date", lang, path=PATH) + "\n")
            _report_without_login(result, repo, lang)
            return 0
        key = "codeowners.missing" if current is None else "codeowners.stale"
        sys.stderr.write(t(key, lang, path=PATH) + "\n")
        sys.stdout.writelines(difflib.unified_diff(
            (current or "").splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=f"a/{PATH}" if current is not None else "/dev/null", tofile=f"b/{PATH}"))
        return 1
    if current != result.text:
        try:
            write_text(target, result.text)
        except OSError as err:
            raise FatalError(t("codeowners.unwritable", lang, path=PATH, reason=err)) from None
        sys.stdout.write(t("codeowners.written", lang, path=PATH, patterns=result.patterns,
                           unowned=result.unowned_patterns) + "\n")
    else:
        sys.stdout.write(t("codeowners.unchanged", lang, path=PATH) + "\n")
    _report_without_login(result, repo, lang)
    return 0
