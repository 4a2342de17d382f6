"""The forge's part of pr-check: which forge, the owners' approval, the Code Quality file, the posted note."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from erpops import i18n, output
from erpops.diagnostics import Diagnostic
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.load import POLICY
from erpops.policy import build
from erpops.yamlio import load_bytes

if TYPE_CHECKING:  # the forge layer and the check are imported when a pull request needs them
    from erpops import forges


def policy_forge(root: Path) -> str | None:
    """`forge:` of the checked-out policy.yaml (consulted only outside a CI the forge is known from)."""
    try:
        doc, _ = load_bytes((root / POLICY).read_bytes(), POLICY)
    except OSError:
        return None
    policy = build(doc)
    return policy.forge if policy is not None else None


def site(root: Path, forge: str | None, needed: bool) -> forges.Forge | None:
    """The forge named by --forge (or "auto"); an error when --post or --owner-approval need one."""
    if not forge:
        if needed:
            raise FatalError(t("forge.needed"))
        return None
    from erpops import forges

    return forges.make(forges.choose(forge, os.environ, policy_forge(root)))


def owner_findings(done, site: forges.Forge | None, pr: forges.PullRequest | None, login: str | None,
                   asked: bool, lang: str | None) -> list[Diagnostic]:
    """pr-owner-approval, when --owner-approval or the BASE policy's pr_gate.owner_approval asks for it."""
    policy = done.rules.policy
    if not (asked or (policy is not None and policy.owner_approval)):
        return []
    if site is None or pr is None or pr.number is None:
        raise FatalError(t("forge.approval-needs-forge"))
    from erpops.forges import approval

    return approval.check(done.rules.roster, list(done.changed), site.approvers(pr), login,
                          i18n.language(lang))


def write_codequality(path: Path, found: list[Diagnostic], lang: str | None) -> None:
    from erpops.commands.check import write_report

    write_report(path, output.codequality(found, 0, lang))


def post(site: forges.Forge, pr: forges.PullRequest, found: list[Diagnostic], markdown: str) -> None:
    from erpops import forges

    if pr.number is None:
        raise FatalError(t("forge.no-number", forge=site.name))
    try:
        posted = site.post_findings(pr, found, markdown)
    except forges.ForgeError as err:
        # The verdict stands (it is printed and is the exit code); only its copy on the forge is missing.
        sys.stderr.write(t("forge.post-failed", forge=site.name, reason=err) + "\n")
        return
    sys.stderr.write(t("forge.posted", forge=site.name, number=pr.number, url=posted.url or "") + "\n")
