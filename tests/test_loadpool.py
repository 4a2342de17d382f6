"""Ticket files read on several processes give exactly what one process gives."""
from __future__ import annotations

import sys

import pytest

from conftest import DEMO, REPO_ROOT
from erpops import checks, load, loadpool

sys.path.insert(0, str(REPO_ROOT / "bench"))
import generate  # noqa: E402

NOW = "2026-11-20T16:00:00+08:00"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic") / "ops"
    generate.generate(root, 120, seed=3, years=2, now=NOW, source=DEMO)
    tickets = sorted((root / "tickets").rglob("*.yaml"))
    # Break a few files in different ways: syntax, schema, rule.
    tickets[5].write_text(tickets[5].read_text("utf-8") + "status: [unclosed\n", "utf-8")
    text = tickets[17].read_text("utf-8")
    tickets[17].write_text(text.replace("priority: ", "priority: P9\nx_priority: ", 1), "utf-8")
    text = tickets[40].read_text("utf-8")
    tickets[40].write_text(text.replace("\nassignee: ", "\nassignee: nobody-here\nx_assignee: ", 1), "utf-8")
    text = tickets[41].read_text("utf-8")
    tickets[41].write_text(text.replace("\nassignee: ", "\nassignee: nobody-here # ", 1), "utf-8")
    return root


def _snapshot(root, monkeypatch, jobs: str):
    monkeypatch.setenv("ERPOPS_JOBS", jobs)
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    repo = load.load(root)
    return (
        repo.diagnostics,
        checks.run_rules(repo),
        {rel: (doc.data, doc.text) for rel, doc in repo.documents.items()},
        repo.tickets,
    )


def test_parallel_reading_equals_serial_reading(synthetic, monkeypatch):
    monkeypatch.setattr(loadpool, "CHUNK", 7)  # this process and the workers each read a share
    # Whether this process may fork is test_a_process_with_other_threads_reads_alone's question. Here the
    # pool must run even if an earlier test file on this pytest-xdist worker left a daemon thread (a
    # loopback server) behind: it holds none of the locks the reader's children use.
    monkeypatch.setattr(loadpool, "can_fork", lambda: True)
    contexts = []
    real = loadpool.multiprocessing.get_context
    monkeypatch.setattr(loadpool.multiprocessing, "get_context", lambda m: contexts.append(m) or real(m))
    serial = _snapshot(synthetic, monkeypatch, "1")
    assert contexts == []
    for jobs in ("2", "3"):
        assert _snapshot(synthetic, monkeypatch, jobs) == serial
    assert contexts == ["fork", "fork"]  # the pool really ran
    assert sorted({d.rule for d in serial[0]}) == ["schema", "yaml-syntax"]
    assert {d.rule for d in serial[1] if d.path.startswith("tickets/")} == {
        "ticket-unknown-person", "ticket-history-consistent"}
    assert len(serial[3]) == 119  # the file with a syntax error gives no ticket


def test_small_repositories_stay_in_one_process(monkeypatch):
    monkeypatch.delenv("ERPOPS_JOBS", raising=False)
    monkeypatch.setattr(loadpool.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert loadpool.jobs(loadpool.MIN_PARALLEL - 1) == 1
    monkeypatch.setenv("ERPOPS_JOBS", "3")
    assert loadpool.jobs(10) == 3


def test_large_repositories_use_the_idle_cores(monkeypatch):
    monkeypatch.delenv("ERPOPS_JOBS", raising=False)
    monkeypatch.setattr(loadpool.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    for load_average, expected in ((0.0, 4), (0.3, 4), (1.0, 3), (2.9, 1), (3.6, 1), (9.0, 1)):
        monkeypatch.setattr(loadpool.os, "getloadavg", lambda la=load_average: (la, la, la))
        assert loadpool.jobs(20000) == expected, load_average


def test_a_process_with_other_threads_reads_alone(synthetic, monkeypatch):
    import threading

    monkeypatch.setenv("ERPOPS_JOBS", "2")
    before = threading.active_count()  # 1, unless an earlier file on this xdist worker left a thread
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not loadpool.can_fork()
        forked = []
        monkeypatch.setattr(loadpool.multiprocessing, "get_context", lambda *a: forked.append(a))
        results = list(loadpool.read_all(synthetic, ["roster/office.yaml"], "office", 1 << 20))
    finally:
        stop.set()
        other.join()
    assert forked == [] and results[0][0] is not None and results[0][1] == []
    assert threading.active_count() == before and loadpool.can_fork() == (before == 1)


def test_a_process_of_its_own_may_fork():
    """The test above may run on a pytest-xdist worker, whose own threads make can_fork() false there;
    a plain process, as `erpops check` is, may fork."""
    import subprocess

    got = subprocess.run([sys.executable, "-c", "from erpops import loadpool; print(loadpool.can_fork())"],
                         capture_output=True, text=True, timeout=60)
    assert (got.returncode, got.stdout.strip()) == (0, "True"), got.stderr
