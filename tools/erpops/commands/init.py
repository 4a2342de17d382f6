"""erpops init: a new, valid ops repository in an empty folder, written all at once or not at all."""
from __future__ import annotations

import json
import errno
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from erpops import __version__, issueform, load, schemas
from erpops.atomic import write_text
from erpops.checks import diagnostics
from erpops.codeowners import FORGES, PATHS as CODEOWNERS, render
from erpops.diagnostics import exit_code
from erpops.errors import FatalError
from erpops.i18n import language, t

TEMPLATES = "templates/init"
SCHEMAS = ".erpops/schemas"
# Where CI and pre-commit install erpops from: a placeholder the README tells to replace.
TOOL_URL = "https://github.com/YOUR-ORG/erpops"
TOOL_REV = f"v{__version__}"
UNSAFE = "<>&\"'`"


def _out_name(rel: str) -> str:
    """Template names avoid dot-files (package globs skip them): `dot-github` → `.github`."""
    parts = [("." + p[4:]) if p.startswith("dot-") else p for p in rel.split("/")]
    name = "/".join(parts)
    return name[:-3] if name.endswith(".j2") else name


def _walk(folder, prefix: str = ""):
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, rel + "/")
        elif entry.name != "__init__.py":
            yield rel, entry


def files(lang: str, org: str, forge: str = "github") -> dict[str, str]:
    """{path in the new repository: text}, before CODEOWNERS and the schemas: the common files, the
    language's, and the forge's CI (GitHub's workflows are in common/dot-github/; GitLab's and
    Gitea's in forge-gitlab/ and forge-gitea/)."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = lambda v: json.dumps(v, ensure_ascii=False)  # a JSON string is YAML
    values = {"org": org, "version": __version__, "tool_url": TOOL_URL, "tool_rev": TOOL_REV}
    root = resources.files("erpops").joinpath(TEMPLATES)
    out: dict[str, str] = {}
    for part in ("common", lang, f"forge-{forge}"):
        if not root.joinpath(part).is_dir():
            continue
        for rel, entry in _walk(root.joinpath(part)):
            if part == "common" and forge != "github" and rel.startswith("dot-github/"):
                continue
            text = entry.read_text("utf-8")
            if rel.endswith(".j2"):
                text = env.from_string(text).render(**values)
            out[_out_name(rel)] = text
    if forge != "github":  # the default of `erpops codeowners` and `erpops issue-form` in the new repository
        comment = "".join(f"# {line}\n" for line in t("init.forge-comment", lang).splitlines())
        out["policy.yaml"] = out["policy.yaml"].rstrip("\n") + f"\n\n{comment}forge: {forge}\n"
    return out


def _refuse(target: Path, lang: str) -> None:
    if target.is_dir():
        if any(target.iterdir()):
            raise FatalError(t("init.not-empty", lang, path=target))
    elif target.exists():
        raise FatalError(t("init.not-a-folder", lang, path=target))


def _fill(stage: Path, target: Path) -> None:
    """Move what `stage` holds into the empty folder `target`, which stays the same folder: the shell
    or Explorer window of the person who typed `erpops init .` is in it (replacing it left them in a
    deleted folder). An entry that appeared in `target` meanwhile is never overwritten: then
    everything moved so far goes back and nothing is left in `target` (FileExistsError)."""
    moved: list[str] = []
    try:
        for name in sorted(os.listdir(stage)):
            if os.path.lexists(target / name):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target / name))
            os.rename(stage / name, target / name)
            moved.append(name)
    except OSError:
        for name in reversed(moved):
            try:
                os.rename(target / name, stage / name)
            except OSError:
                pass
        raise
    os.rmdir(stage)


def _build(stage: Path, lang: str, org: str, forge: str = "github") -> list:
    for rel, text in files(lang, org, forge).items():
        write_text(stage / rel, text)
    for name in schemas.names():
        write_text(stage / SCHEMAS / f"{name}.schema.json", schemas.text(name))
    repo = load.load(stage)
    found = diagnostics(repo)
    if exit_code(found):  # the templates are ours: an invalid result is a bug, not a user error
        raise RuntimeError("erpops init produced an invalid repository: "
                           + "; ".join(f"{d.path}:{d.line} {d.rule}" for d in found))
    write_text(stage / CODEOWNERS[forge], render(repo.roster, lang, forge).text)
    for rel, text in issueform.render_files(repo.roster, repo.policy, lang, forge).items():
        write_text(stage / rel, text)
    return found


def init(target: Path, lang: str | None = None, org: str | None = None, forge: str = "github") -> int:
    lang = language(lang)
    if forge not in FORGES:
        raise FatalError(t("init.bad-forge", lang, forge=forge, allowed=" | ".join(FORGES)))
    target = Path(os.path.abspath(target))
    org = (org or "").strip() or t("init.default-org", lang)
    if any(c in UNSAFE for c in org) or not org.isprintable():
        # The theme puts site_name into HTML attributes unescaped: keep markup out of it.
        raise FatalError(t("init.bad-org", lang, org=org, chars=" ".join(UNSAFE)))
    _refuse(target, lang)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".init"))
    except OSError as err:
        raise FatalError(t("init.unwritable", lang, path=target, reason=err)) from None
    try:
        warnings = _build(stage, lang, org, forge)
        if target.is_dir():
            _fill(stage, target)
        else:
            os.chmod(stage, 0o755)
            os.rename(stage, target)
    except OSError as err:
        shutil.rmtree(stage, ignore_errors=True)
        raise FatalError(t("init.unwritable", lang, path=target, reason=err)) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    sys.stdout.write(t("init.created", lang, path=target, org=org) + "\n")
    if warnings:
        sys.stdout.write(t("init.warnings", lang, count=len(warnings)) + "\n")
        for d in warnings:
            sys.stdout.write(f"  {d.path}:{d.line}: [{d.rule}] {d.message(lang)}\n")
    sys.stdout.write(t("init.next", lang, url=TOOL_URL) + "\n")
    return 0
