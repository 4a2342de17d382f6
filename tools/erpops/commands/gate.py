"""erpops gate: the data gate of the CI over one load of the repository.

`erpops check`, `erpops codeowners --check` and `erpops issue-form --check` each load and check the
whole repository (at 20,000 tickets, seconds each); the gate loads it once and runs all three on
that load, and with `--base` the pull-request gate too (which reads only the changed tickets, from
Git). Each part writes what its own command writes; the exit code is the worst of theirs
(2 before 1 before 0), and every part runs even when one before it failed, so one CI run shows all.
"""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import load
from erpops.checks import diagnostics
from erpops.commands import check, codeowners, issue_form, pr_check
from erpops.i18n import t


def worst(codes: list[int]) -> int:
    return 2 if 2 in codes else max(codes, default=0)


def gate(root: Path, fmt: str = "text", lang: str | None = None, summary: Path | None = None,
         forge: str | None = None, base: str | None = None, head: str | None = None, login: str | None = None,
         acting_for: str | None = None, opened_at: str | None = None) -> int:
    """`forge`: the dialect of CODEOWNERS and the ticket form (None: the policy's). Without `base`
    (a push to main) the pull-request gate is left out."""
    repo = load.load(root)
    found = diagnostics(repo)
    codes = {"check": check.report(found, repo.files, root, [], fmt, lang, summary)}
    sys.stdout.flush()
    codes["codeowners"] = codeowners.of(root, repo, codeowners.roster_errors(found), True, lang, forge)
    codes["issue-form"] = issue_form.of(root, repo, found, True, lang, forge)
    if base:
        sys.stdout.flush()
        codes["pr-check"] = pr_check.pr_check(root, base, head, login, fmt, lang, summary,
                                              acting_for=acting_for, opened_at=opened_at)
    failed = [name for name, code in codes.items() if code]
    if failed:
        sys.stderr.write(t("gate.failed", lang, parts=", ".join(failed)) + "\n")
    return worst(list(codes.values()))
