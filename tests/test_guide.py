"""The user guide (docs/guide/): its examples are valid and its commands exist."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import DEMO, REPO_ROOT
from erpops import load
from erpops.checks import diagnostics
from erpops.cli import reference

GUIDE = REPO_ROOT / "docs" / "guide"
PAGES = ["index.md", "key-user.md", "admin.md", "office.md", "forges.md"]


def _blocks(page: str, lang: str) -> list[str]:
    text = (GUIDE / page).read_text("utf-8")
    return [re.sub(r"(?m)^    ", "", b) for b in re.findall(rf"```{lang}\n(.*?)```", text, re.S)]


def test_the_ticket_written_by_hand_in_the_guide_passes_the_check(tmp_path):
    (block,) = _blocks("admin.md", "yaml")
    for name in ("roster", "runbooks", "policy.yaml"):
        src = DEMO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    path = tmp_path / "tickets/production/2026/PRD-20261103-AB3C.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(block, "utf-8")
    repo = load.load(tmp_path)
    errors = [(d.path, d.line, d.rule) for d in diagnostics(repo) if d.is_error]
    assert errors == []
    assert [t.id for t in repo.tickets] == ["PRD-20261103-AB3C"]


def _commands_in(page: str) -> list[str]:
    text = (GUIDE / page).read_text("utf-8")
    return re.findall(r"erpops ((?:[a-z][a-z-]+ ?)+)", text)


@pytest.mark.parametrize("page", PAGES)
def test_every_command_the_guide_names_exists(page):
    known = {c["path"].removeprefix("erpops ") for c in reference()}
    options = {c["path"].removeprefix("erpops "): {o for p in c["params"] for o in p["opts"]} for c in reference()}
    named = _commands_in(page)
    for words in named:
        parts = words.split()
        while parts and " ".join(parts) not in known:
            parts.pop()
        assert parts, f"{page}: erpops {words}"
    for line in re.findall(r"erpops [^\n`|]*", (GUIDE / page).read_text("utf-8")):
        words = line.split()[1:]
        cmd = []
        for w in words:
            if " ".join(cmd + [w]) in known:
                cmd.append(w)
            else:
                break
        for flag in re.findall(r"(?<!\w)(--[a-z][a-z-]*)", line):
            assert flag in options[" ".join(cmd)] | {"--help"}, f"{page}: {line}"
