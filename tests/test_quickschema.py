"""The quick schema path (jsonschema-rs): it may only say yes where the full validator finds nothing."""
from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path

import pytest

from conftest import DEMO
from erpops import load, schemas
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


def _ticket() -> dict:
    return next(d for d, n in _repository_documents() if n == "ticket").data


@pytest.mark.parametrize("field, value, valid", [
    ("opened", dt.datetime(2026, 11, 2, 9, tzinfo=CST), True),   # unquoted, where a time is asked for
    ("opened", "2026-11-02T09:00:00+08:00", True),                # quoted: a string of that format
    ("opened", dt.date(2026, 11, 2), False),                      # a date is no time
    ("title", dt.date(2026, 11, 2), False),                       # unquoted date where text is asked for
    ("title", dt.datetime(2026, 11, 2, 9, tzinfo=CST), False),
    ("title", {"\x00date": ""}, False),                           # our own mark, written by hand
])
def test_unquoted_dates_pass_exactly_where_the_schema_asks_for_dates(field, value, valid):
    data = _set(_ticket(), (field,), value)
    assert (_full_errors(data, "ticket") == []) == valid
    assert schemas.quick("ticket")(data) == valid


def test_what_json_cannot_hold_is_looked_at_closer():
    data = _ticket()
    assert schemas.quick("ticket")(data)
    assert not schemas.quick("ticket")({**data, 7: "a key that is a number"})
    assert not schemas.quick("ticket")(_set(data, ("priority",), 10**40))


def test_references_to_other_schema_files_resolve_to_ours():
    assert not schemas.quick("ticket")(_set(_ticket(), ("assignee",), "Not A Person Id"))
    with pytest.raises(ValueError):
        schemas._retrieve("https://example.com/evil.schema.json")
