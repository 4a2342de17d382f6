"""The quick schema path: it may only say yes where the full validator finds nothing."""
from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path

import pytest

from conftest import DEMO
from erpops import fastschema, load, schemas
from erpops.yamlio import Document

CST = dt.timezone(dt.timedelta(hours=8))
ODD_VALUES = [None, True, 0, 1.5, "", " ", "X", "key-user", "P9", "2026-13-01", dt.date(2026, 1, 2),
              dt.datetime(2026, 1, 2, 9, 0), dt.datetime(2026, 1, 2, 9, 0, tzinfo=CST), [], {}, ["a", "a"],
              {"x": 1}, "not-a-person id"]


def _full_errors(data, name: str) -> list:
    return list(schemas.validator(name).iter_errors(data))


def _leaves(data, path=()):
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, path + (i,))


def _set(data, path, value):
    if not path:
        return value
    out = copy.deepcopy(data)
    node = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


def _delete(data, path):
    out = copy.deepcopy(data)
    node = out
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]
    return out


def _mutations(data, rng: random.Random, count: int):
    paths = [p for p in _leaves(data) if p]
    for _ in range(count):
        path = rng.choice(paths)
        roll = rng.random()
        if roll < 0.2:
            yield _delete(data, path)
        elif roll < 0.3 and isinstance(data, dict):
            yield {**data, "unexpected": "x"}
        else:
            yield _set(data, path, rng.choice(ODD_VALUES))


def _repository_documents() -> list[tuple[Document, str]]:
    repo = load.load(DEMO)
    kinds = {"roster/people.yaml": "people", "roster/office.yaml": "office", "roster/vendor.yaml": "vendor",
             "policy.yaml": "policy"}
    out = []
    for rel, doc in sorted(repo.documents.items()):
        name = kinds.get(rel) or ("subsystem" if rel.startswith("roster/subsystems/") else
                                  "ticket" if rel.startswith("tickets/") else "runbook")
        out.append((doc, name))
    return out


def test_every_valid_document_of_the_repository_takes_the_quick_path():
    docs = _repository_documents()
    slow = [d.path for d, name in docs if name != "policy" and not schemas.quick(name)(d.data)]
    assert slow == []
    assert all(_full_errors(d.data, name) == [] for d, name in docs)


@pytest.mark.parametrize("name", ["ticket", "runbook", "people", "subsystem", "office", "vendor"])
def test_quick_yes_never_hides_an_error(name):
    rng = random.Random(name)
    samples = [d.data for d, n in _repository_documents() if n == name][:6]
    assert samples
    said_no = 0
    for data in samples:
        for bad in _mutations(data, rng, 150):
            errors = _full_errors(bad, name)
            if schemas.quick(name)(bad):
                assert errors == [], (bad, errors)
            else:
                said_no += 1
    assert said_no > 0


def test_a_ticket_with_a_schema_error_gets_the_same_diagnostics_as_before(tmp_path):
    doc = next(d for d, n in _repository_documents() if n == "ticket")
    text = doc.text.replace("priority: ", "priority: P9 #", 1)
    bad = Document(doc.path, _set(doc.data, ("priority",), "P9"), text)
    found = schemas.validate(bad, "ticket")
    assert [(d.rule, d.key, d.line) for d in found] == [("schema", "schema.enum", doc.line(("priority",)))]


def _compile(schema: dict, others: dict | None = None):
    return fastschema.Compiler({"main.json": schema, **(others or {})}).compile("main.json")


def test_one_of_counts_exactly_one_match():
    check = _compile({"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]})
    assert check({"a": 1}) and check({"b": 1})
    assert not check({"a": 1, "b": 2}) and not check({})


def test_if_then_applies_only_when_the_condition_holds():
    check = _compile({"if": {"properties": {"event": {"enum": ["assign"]}}}, "then": {"required": ["assignee"]}})
    assert check({"event": "comment"})
    assert not check({"event": "assign"})
    assert check({"event": "assign", "assignee": "x"})


def test_an_unknown_keyword_always_asks_the_full_validator():
    assert not _compile({"type": "string", "contentEncoding": "base64"})("x")
    # Inside oneOf a cautious answer could count wrong, so the whole oneOf asks too.
    assert not _compile({"oneOf": [{"uniqueItems": True}, {"type": "string"}]})("x")


def test_references_into_another_file_and_back_resolve_there():
    defs = {"$defs": {"id": {"type": "string", "pattern": "^[a-z]+$"}, "ids": {"type": "array", "items": {"$ref": "#/$defs/id"}}}}
    check = _compile({"properties": {"who": {"$ref": "defs.json#/$defs/ids"}}}, {"defs.json": defs})
    assert check({"who": ["abc"]})
    assert not check({"who": ["ABC"]})


def test_recursive_references_are_cautious_but_terminate():
    check = _compile({"$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
                      "$ref": "#/$defs/node"})
    assert check({"child": {"child": {}}})
    assert not check({"child": 3})


def test_unquoted_dates_pass_where_the_schema_asks_for_dates():
    check = _compile({"type": "string", "format": "date-time"})
    assert check(dt.datetime(2026, 1, 2, 9, tzinfo=CST))
    assert not check(dt.date(2026, 1, 2))
    assert _compile({"type": "string", "format": "date"})(dt.date(2026, 1, 2))
