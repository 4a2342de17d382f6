"""erpops publish: copy the built site (site/) to a folder a web server serves, for forges without
a Pages service. The folder is replaced all at once: the copy is made beside it and swapped in by
renames, so the web server never serves half of an old and half of a new site."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import language, t


def publish(root: Path, to: Path, site: Path | None = None, lang: str | None = None) -> int:
    lang = language(lang)
    source = site or root / "site"
    if not (source / "index.html").is_file():
        raise FatalError(t("publish.no-site", lang, path=source))
    target = Path(os.path.abspath(to))
    if target.exists() and not target.is_dir():
        raise FatalError(t("publish.not-a-folder", lang, path=target))
    if target == Path(os.path.abspath(source)) or Path(os.path.abspath(source)) in target.parents:
        raise FatalError(t("publish.inside-site", lang, path=target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".new"))
    except OSError as err:
        raise FatalError(t("publish.unwritable", lang, path=target, reason=err)) from None
    old = stage.with_suffix(".old")
    try:
        shutil.copytree(source, stage, dirs_exist_ok=True)
        os.chmod(stage, 0o755)
        if target.exists():
            os.rename(target, old)
        os.rename(stage, target)
    except OSError as err:
        shutil.rmtree(stage, ignore_errors=True)
        if old.exists() and not target.exists():
            os.rename(old, target)
        raise FatalError(t("publish.unwritable", lang, path=target, reason=err)) from None
    shutil.rmtree(old, ignore_errors=True)
    files = sum(len(f) for _, _, f in os.walk(target))
    sys.stdout.write(t("publish.done", lang, path=target, files=files) + "\n")
    return 0
