"""erpops issue-form: write the GitHub ticket form from the roster and the policy, or check it."""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from erpops import issueform, load, output, siteconfig
from erpops.atomic import write_text
from erpops.checks import roster_policy_diagnostics
from erpops.diagnostics import exit_code
from erpops.errors import FatalError
from erpops.i18n import language, t
from erpops.repository import Repository


def issue_form(root: Path, check: bool = False, lang: str | None = None, forge: str | None = None) -> int:
    """`forge`: github, gitlab or gitea; None: the policy's `forge:` (default github)."""
    repo = load.load_roster_policy(root)
    return of(root, repo, roster_policy_diagnostics(repo), check, lang, forge)


def of(root: Path, repo: Repository, found, check: bool = False, lang: str | None = None,
       forge: str | None = None) -> int:
    """issue-form over a loaded repository and its findings (erpops gate shares one load)."""
    lang = language(lang)
    problems = [d for d in found if d.is_error and d.path.startswith(("roster/", "policy.yaml"))]
    if problems or repo.policy is None:
        sys.stderr.write(output.text(problems, repo.files, lang))
        sys.stderr.write(t("issueform.data-invalid", lang) + "\n")
        return exit_code(problems) or 2
    # Written in the repository's language (the site's), like CODEOWNERS.
    repo_lang = siteconfig.read(root).lang
    wanted = issueform.render_files(repo.roster, repo.policy, repo_lang, forge or repo.policy.forge or "github")
    stale = 0
    for rel, text in wanted.items():
        target = root / rel
        try:
            current = target.read_text("utf-8") if target.is_file() else None
        except (OSError, UnicodeDecodeError):
            current = ""
        if current == text:
            sys.stdout.write(t("issueform.up-to-date", lang, path=rel) + "\n")
            continue
        if check:
            stale += 1
            sys.stderr.write(t("issueform.missing" if current is None else "issueform.stale", lang, path=rel) + "\n")
            sys.stdout.writelines(difflib.unified_diff(
                (current or "").splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"a/{rel}" if current is not None else "/dev/null", tofile=f"b/{rel}"))
            continue
        try:
            write_text(target, text)
        except OSError as err:
            raise FatalError(t("issueform.unwritable", lang, path=rel, reason=err)) from None
        sys.stdout.write(t("issueform.written", lang, path=rel) + "\n")
    return 1 if stale else 0
