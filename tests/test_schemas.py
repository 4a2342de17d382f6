"""The shipped schemas: valid 2020-12, every field explained, wired into the editor."""
from __future__ import annotations

import fnmatch
import json

import pytest
from jsonschema import Draft202012Validator

from conftest import DEMO, REPO_ROOT
from erpops import schemas


@pytest.mark.parametrize("name", schemas.names())
def test_schema_is_valid_draft_2020_12(name):
    s = schemas.schema(name)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(s)


def _resolve(name, node):
    ref = node.get("$ref")
    if not ref:
        return node
    file, _, pointer = ref.partition("#")
    target = schemas.schema(file.removesuffix(".schema.json") if file else name)
    for part in pointer.strip("/").split("/"):
        target = target[part]
    return target


def _properties(name, node, path=()):
    for key, sub in node.get("properties", {}).items():
        yield path + (key,), sub
        yield from _properties(name, _resolve(name, sub), path + (key,))
    for sub in node.get("$defs", {}).values():
        yield from _properties(name, sub, path)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _properties(name, _resolve(name, items), path + ("[]",))


@pytest.mark.parametrize("name", schemas.names())
def test_every_field_has_a_title_and_description(name):
    s = schemas.schema(name)
    assert s.get("title") and s.get("description")
    for path, sub in _properties(name, s):
        own = sub if "title" in sub else _resolve(name, sub)
        assert own.get("title") and own.get("description"), f"{name}: {'.'.join(path)}"


def test_vscode_maps_each_roster_file_to_its_schema():
    settings = json.loads((REPO_ROOT / ".vscode/settings.json").read_text("utf-8"))
    mapping = settings["yaml.schemas"]
    roster_files = [p.relative_to(DEMO).as_posix() for p in (DEMO / "roster").rglob("*.yaml")]
    for rel in roster_files:
        matched = [s for s, globs in mapping.items() if any(fnmatch.fnmatch(rel, g) for g in globs)]
        assert len(matched) == 1, rel
        assert (REPO_ROOT / matched[0]).is_file()
    assert "redhat.vscode-yaml" in json.loads(
        (REPO_ROOT / ".vscode/extensions.json").read_text("utf-8"))["recommendations"]


@pytest.mark.parametrize("written, ok", [
    ('"2026-11-02T09:30:00+08:00"', True),     # quoted, well formed: as the model reads it
    ('2026-11-02T09:30:00+08:00', True),       # unquoted: YAML's own date-time
    ('"2026-11-31T09:30:00+08:00"', False),    # no 31 November
    ('"2026-11-02T25:30:00+08:00"', False),
    ('"上午九点半"', False),
    ('"2026-11-02T09:30:00"', "ticket-time-zone"),  # read, but without its offset: one finding, not two
    ('"2026-11-02 09:30"', "ticket-time-zone"),
])
def test_a_quoted_event_time_is_checked_as_a_date_time(repo, cli, written, ok):
    """jsonschema checks `format: date-time` only with rfc3339-validator installed: erpops checks it
    as the model reads a time (schemas._instant)."""
    from tickets_fixture import PATH, TICKET, line, setup

    setup(repo)
    text = TICKET.replace("    at: 2026-11-02T09:30:00+08:00\n", f"    at: {written}\n", 1)
    repo.write(PATH, text)
    r = cli("check", "--repo", str(repo.root), "--format", "json")
    errors = [(d["path"], d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    at = line(text, f"at: {written}")
    assert errors == ([] if ok is True else [(PATH, at, ok or "schema")])
