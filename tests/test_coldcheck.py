"""The cold check's shortcuts give what the long way gives: timestamps, aliases, links, conflicts."""
from __future__ import annotations

import datetime as dt
import os

import pytest
import yaml

from erpops import load
from erpops.yamlio import load_text


def _value(text: str):
    doc, problems = load_text(f"at: {text}\n", "x.yaml")
    return (doc.data["at"] if doc else None), [(d.line, d.column, d.rule) for d in problems]


@pytest.mark.parametrize("text", [
    "2026-11-25", "2026-11-25T12:00:00+08:00", "2026-11-25T12:00:00Z", "2026-11-25 12:00:00",
    "2026-11-25T12:00:00-05:30", "2026-11-25t12:00:00+00:00", "2026-11-25T12:00:00-00:00",
    # the forms the fast path leaves to PyYAML
    "2026-11-25T12:00:00.5+08:00", "2026-11-25 12:00:00 +8", "2026-1-5 1:02:03", "2026-11-25T12:00:00+08",
])
def test_a_timestamp_is_the_value_pyyaml_gives(text):
    value, problems = _value(text)
    expected = yaml.load(f"at: {text}\n", Loader=yaml.CSafeLoader)["at"]
    assert problems == []
    assert (type(value), value, repr(value)) == (type(expected), expected, repr(expected))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["2026-02-30", "2026-11-25T24:00:00+08:00", "2026-11-25T12:00:00+99:00"])
def test_an_impossible_timestamp_is_refused_at_its_line(text):
    assert _value(text) == (None, [(1, 5, "yaml-tag")])


@pytest.mark.parametrize("text, found", [
    ("1899-12-31", [(1, 5, "yaml-time-range")]), ("1900-01-01", []),
    ("2999-12-31T23:00:00-02:00", [(1, 5, "yaml-time-range")]), ("2999-12-31T23:00:00+02:00", []),
    ("2998-12-31T23:00:00-02:00", []), ("1900-01-01T01:00:00+02:00", [(1, 5, "yaml-time-range")]),
])
def test_the_year_range_at_its_edges(text, found):
    assert _value(text)[1] == found


def test_an_alias_is_refused_and_a_star_in_text_is_only_text():
    doc, problems = load_text("a: &x [1]\nb: '*x'\nc:\n  - *x\n", "x.yaml")
    assert doc is None and [(d.line, d.column, d.rule) for d in problems] == [(4, 3, "yaml-alias")]
    doc, problems = load_text("a: &x 1\nb: \"**bold**\"\nc: [a*b]\n", "x.yaml")
    assert problems == [] and doc.data == {"a": 1, "b": "**bold**", "c": ["a*b"]}


def test_an_aliased_scalar_in_a_list_is_refused():
    doc, problems = load_text("a: &x one\nb: [two, *x]\n", "x.yaml")
    assert doc is None and [(d.line, d.column, d.rule) for d in problems] == [(2, 8, "yaml-alias")]


def test_files_refuse_a_linked_file_and_a_linked_folder_every_time(tmp_path):
    (tmp_path / "real/sub").mkdir(parents=True)
    (tmp_path / "real/sub/a.yaml").write_text("a: 1\n")
    (tmp_path / "t/x").mkdir(parents=True)
    (tmp_path / "t/x/b.yaml").write_text("b: 1\n")
    (tmp_path / "t/x/link.yaml").symlink_to(tmp_path / "real/sub/a.yaml")
    (tmp_path / "t/y").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "t/fifo").mkdir()
    os.mkfifo(tmp_path / "t/fifo/pipe.yaml")
    files = load.Files(tmp_path)
    assert files.under("t") == ["t/x/b.yaml"]
    assert files.read_bytes("t/x/b.yaml") == b"b: 1\n"
    for rel in ("t/x/link.yaml", "t/y/sub/a.yaml", "t/y/sub/a.yaml"):  # twice: the folder's answer is kept
        assert files.is_link(rel)
        with pytest.raises(load.LinkRefused):
            files.read_bytes(rel)
    assert not files.is_link("t/x/b.yaml") and files.links("t") == ["t/x/link.yaml", "t/y"]
    with pytest.raises(FileNotFoundError):
        files.read_bytes("t/x/missing.yaml")
    assert files.under("t/y") == [] and files.under("nowhere") == []


def test_clocks_asked_again_follow_the_ticket_the_policy_and_now(tmp_path):
    import dataclasses
    import shutil

    from conftest import DEMO
    from erpops.rules.ticket_sla import _clocks, clocks

    shutil.copytree(DEMO, tmp_path / "demo")
    repo = load.load(tmp_path / "demo")
    p = repo.policy
    now = dt.datetime(2026, 11, 25, 12, tzinfo=p.calendar.tz)
    later = now + dt.timedelta(days=3)
    none = dataclasses.replace(p, sla={})
    counted = 0
    for tk in repo.tickets:
        first = clocks(p, tk, now)
        counted += bool(first)
        assert clocks(p, tk, now) is first and first == _clocks(p, tk, now)
        assert clocks(p, tk, later) == _clocks(p, tk, later)
        assert clocks(none, tk, later) == ()
        assert clocks(p, tk, now.astimezone(dt.timezone.utc)) == _clocks(p, tk, now.astimezone(dt.timezone.utc))
        copy = dataclasses.replace(tk, priority="P1")
        assert clocks(p, copy, now) == _clocks(p, copy, now)
    assert counted > 10


def test_the_loader_without_resolver_calls_composes_the_same_nodes(monkeypatch):
    from erpops import yamlio

    text = "a: [1, {b: x, c: [2026-11-25, '3']}]\nd: {e: ~, f: NO}\n"
    assert yamlio._loader() is yamlio._FastLoader
    plain, fast = yaml.compose(text, Loader=yamlio._Loader), yaml.compose(text, Loader=yamlio._FastLoader)
    assert repr(fast) == repr(plain)
    # a path resolver registered on the loader: the loader that calls it is used
    monkeypatch.setattr(yamlio._Loader, "yaml_path_resolvers", {("x",): "y"})
    assert yamlio._loader() is yamlio._Loader
