"""erpops pages-guard: refuse to publish an internal site to GitHub Pages, which is public by default."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from erpops import siteconfig
from erpops.commands.check import append_summary
from erpops.errors import FatalError
from erpops.i18n import t

VARIABLE = "ERPOPS_PAGES_PRIVATE"


def _private(value: str | None) -> bool:
    """Only an explicit `true` says the Pages site is private; unset or `false` means public."""
    v = (value or "").strip().casefold()
    if v in ("", "false"):
        return False
    if v == "true":
        return True
    raise FatalError(t("pages-guard.bad-variable", name=VARIABLE, value=value))


def pages_guard(root: Path, pages_private: str | None, summary: Path | None = None,
                lang: str | None = None) -> int:
    config = siteconfig.read(root)
    private = _private(pages_private)
    if config.audience == "public":
        key, code = "pages-guard.public", 0
    elif private:
        key, code = "pages-guard.private", 0
    else:
        key, code = "pages-guard.refused", 1
    message = t(key, lang, path=config.path, name=VARIABLE)
    if code and os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(f"::error title=erpops pages-guard::{message}\n")
    (sys.stderr if code else sys.stdout).write(message + "\n")
    if summary is not None:
        append_summary(summary, f"## {t('pages-guard.title', lang)}\n\n{'❌' if code else '✅'} {message}\n")
    return code
