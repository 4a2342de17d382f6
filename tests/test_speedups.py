"""The small speed-ups in shared modules change nothing but the time."""
from __future__ import annotations

import datetime as dt
import gc

import yaml

from erpops import load, yamlio

TEXT = """\
a: NO
b: "NO"
c: 0531
d: '0531'
e: 2026-11-03T09:15:00+08:00
f: 12:30
g: key-user
h: ~
i: 1.5
"""


def test_remembered_tags_give_what_pyyaml_gives():
    expected = yaml.load(TEXT, Loader=yaml.SafeLoader)
    for _ in range(3):  # the second and third reads come from the remembered tags
        doc, problems = yamlio.load_text(TEXT, "x.yaml")
        assert problems == []
        assert doc.data == expected
        assert [type(v) for v in doc.data.values()] == [type(v) for v in expected.values()]
    assert doc.data["a"] is False and doc.data["b"] == "NO" and doc.data["c"] == 345
    assert doc.data["e"] == dt.datetime(2026, 11, 3, 1, 15, tzinfo=dt.timezone.utc)
    assert doc.source_text(("f",)) == "12:30"


def test_the_tag_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(yamlio, "_TAGS", {})
    monkeypatch.setattr(yamlio, "_TAGS_MAX", 3)
    doc, _ = yamlio.load_text("- a\n- b\n- c\n- d\n- 5\n", "x.yaml")
    assert doc.data == ["a", "b", "c", "d", 5]
    assert len(yamlio._TAGS) == 3


def test_loading_pauses_the_cycle_collector_and_restores_it(repo):
    seen = []
    original = load._load

    def spy(*args):
        seen.append(gc.isenabled())
        return original(*args)

    assert gc.isenabled()
    load._load, saved = spy, load._load
    try:
        load.load(repo.root)
        assert seen == [False] and gc.isenabled()
        gc.disable()
        load.load(repo.root)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
        load._load = saved
