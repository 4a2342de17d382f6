"""The cold check's shortcuts of this round give what the long way gives: the fast loader's tags,
the model moved to the collector's oldest generation after a pause, each event's subsystem in one
pass, and the console script's hard exit (its output, its exit code)."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import yaml

from erpops import repository
from erpops import ticket as ticket_model
from erpops.repository import paused_gc
from erpops.yamlio import _FastLoader, _loader, load_text
from tickets_fixture import PATH, SIMPLE, SIMPLE_PATH, TICKET, setup

MIXED = """\
plain: 12
quoted: '12'
double: "no"
block: |
  text
folded: >
  more
flow: [1, '2', {a: b}]
nested:
  - key: 2026-11-25
    other: 'NO'
  - []
  - {}
empty:
tagged: !!str 3
"""


def _tags(node: yaml.Node) -> list:
    out = [(type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out += _tags(k) + _tags(v)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            out += _tags(v)
    return out


def test_the_fast_loader_tags_every_node_as_pyyaml_does():
    assert _loader() is _FastLoader
    fast = yaml.compose(MIXED, Loader=_FastLoader)
    assert _tags(fast) == _tags(yaml.compose(MIXED, Loader=yaml.SafeLoader))
    assert _tags(fast) == _tags(yaml.compose(MIXED, Loader=yaml.CSafeLoader))
    tags = {tag for _, tag, _, _ in _tags(fast)}
    assert {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str",
            "tag:yaml.org,2002:int", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"} <= tags


def _doc(text: str, rel: str):
    doc, problems = load_text(text, rel)
    assert problems == []
    return doc


def test_a_pause_of_the_collector_moves_what_it_made_out_of_the_young_generation():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: only the outermost resumes the collector
            kept = [[i] for i in range(5000)]
        assert not gc.isenabled() and gc.get_count()[0] >= 5000
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 100  # in the oldest generation: the next young passes skip them
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()  # a caller's own pause is left as it was
    gc.enable()
    del kept


def test_a_host_that_froze_its_own_objects_keeps_them_frozen():
    """An application embedding erpops (a long-lived server) may have frozen its start-up objects:
    gc.unfreeze would hand them all back to the collector."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with paused_gc():
            made = [[i] for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del made


def test_a_cycle_made_during_a_pause_and_dropped_is_still_collected():
    class Node:
        pass

    with paused_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    assert gone() is not None
    gc.collect()
    assert gone() is None


def test_the_checked_model_is_held_until_the_process_ends(repo, cli, monkeypatch):
    monkeypatch.setenv("ERPOPS_CACHE", "0")  # each check a cold one
    setup(repo)
    repo.write(PATH, TICKET)
    assert cli("check", cwd=repo.root).code == 0
    kept = repository._KEPT
    assert len(kept) == 1 and [t.id for t in kept[0].tickets] == ["ALP-20261102-K7QF"]
    repo.write(SIMPLE_PATH, SIMPLE)
    assert cli("check", cwd=repo.root).code == 0
    assert len(repository._KEPT) == 1 and len(repository._KEPT[0].tickets) == 2  # only the last


def _console(root, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    script = os.path.join(os.path.dirname(sys.executable), "erpops")
    return subprocess.run([script, *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "ERPOPS_CACHE": "0", **(env or {})}, timeout=120)


def test_the_console_script_prints_and_exits_as_main_returns(repo, cli):
    setup(repo)
    repo.write(PATH, TICKET.replace("priority: P3", "priority: P9"))
    want = cli("check", "--format", "json", cwd=repo.root)
    got = _console(repo.root, "check", "--format", "json")
    assert (got.returncode, got.stdout) == (want.code, want.out) and want.code == 1
    assert "Traceback" not in got.stderr
    repo.write(PATH, TICKET)
    ok = _console(repo.root, "check")
    assert ok.returncode == 0 and ok.stdout.strip().endswith(cli("check", cwd=repo.root).out.strip().splitlines()[-1])
    bad = _console(repo.root, "no-such-command")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_console_script_into_a_closed_pipe_exits_without_a_traceback(repo):
    setup(repo)
    repo.write(PATH, TICKET.replace("priority: P3", "priority: P9"))
    script = os.path.join(os.path.dirname(sys.executable), "erpops")
    proc = subprocess.Popen([script, "check", "--format", "json"], cwd=repo.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "ERPOPS_CACHE": "0"})
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) in (0, 1, 2, 120) and "Traceback" not in err


def test_the_subsystem_of_each_event_is_subsystem_at_it():
    from erpops.rules.tickets import _subsystems

    moved = TICKET.replace("subsystem: alpha\n", "subsystem: gamma\n", 1).replace(
        "  - event: resolve\n",
        "  - event: move\n    at: 2026-11-02T10:10:00+08:00\n    by: qian-erp\n    tier: erp-admin\n    from: alpha\n"
        "  - event: comment\n    at: 2026-11-02T10:12:00+08:00\n    by: qian-erp\n    tier: erp-admin\n    note: x\n"
        "  - event: move\n    at: 2026-11-02T10:20:00+08:00\n    by: qian-erp\n    tier: erp-admin\n    from: beta\n"
        "  - event: move\n    at: 2026-11-02T10:25:00+08:00\n    by: qian-erp\n    tier: erp-admin\n"
        "  - event: resolve\n", 1)
    tk = ticket_model.build(_doc(moved, PATH))
    got = _subsystems(tk)
    assert got == [tk.subsystem_at(i) for i in range(len(tk.history))]
    assert got == ["alpha"] * 4 + ["beta"] * 2 + ["gamma"] * 3  # a move without `from` changes nothing


def test_the_console_script_never_exits_0_when_its_output_could_not_be_written(repo):
    """A full disk (/dev/full): the check's report is lost, so the exit code must not say all is well."""
    setup(repo)
    repo.write(PATH, TICKET)
    script = os.path.join(os.path.dirname(sys.executable), "erpops")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([script, "check", "--format", "json"], cwd=repo.root, stdout=full,
                              stderr=subprocess.PIPE, env={**os.environ, "ERPOPS_CACHE": "0"}, timeout=120)
    assert _console(repo.root, "check").returncode == 0  # the same check, written out, is clean
    from erpops.i18n import t

    said = t("cli.no-room", error="\0").split("\0")[0]
    assert (proc.returncode, said in proc.stderr.decode("utf-8")) == (2, True), proc.stderr.decode("utf-8")
