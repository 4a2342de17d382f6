"""Edits of one ticket at the same time take turns: N edits leave N events, or clear refusals."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from erpops import atomic
from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

TID = "ALP-20261102-AB2C"
LOCK = "tickets/alpha/2026/.ALP-20261102-AB2C.yaml.lock"


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    setup(repo)
    repo.write(SIMPLE_PATH, SIMPLE)
    return repo


def erpops(root: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "erpops", *args], cwd=root, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "ERPOPS_JOBS": "1", **env})


def comments(repo) -> list[str]:
    return re.findall(r"note: (n\d+)", repo.read(SIMPLE_PATH))


def test_parallel_comments_on_one_ticket_are_all_kept_or_refused_by_name(ops):
    n = 8
    procs = [erpops(ops.root, "ticket", "comment", TID, "--note", f"n{i}", "--by", "li-user") for i in range(n)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    written = [i for i, (code, out, err) in enumerate(results) if code == 0]
    refused = [(code, err) for code, out, err in results if code != 0]
    kept = comments(ops)
    assert len(kept) + len(refused) == n
    assert sorted(kept) == sorted(f"n{i}" for i in written)
    for code, err in refused:
        assert code == 2
        assert f"未写入 {SIMPLE_PATH}：另一个 erpops 正在修改这张工单" in err
    assert not (ops.root / LOCK).exists()
    assert ops.read(SIMPLE_PATH).count("- event: comment") == len(kept)


def test_an_edit_waits_for_the_lock_then_refuses_naming_the_file(ops):
    before = ops.read(SIMPLE_PATH)
    with atomic.locked(ops.root / SIMPLE_PATH):
        p = erpops(ops.root, "ticket", "comment", TID, "--note", "n1", "--by", "li-user",
                   ERPOPS_LOCK_TIMEOUT="0.5")
        code, (out, err) = p.wait(timeout=60), p.communicate()
    assert code == 2
    assert err == (f"erpops: 未写入 {SIMPLE_PATH}：另一个 erpops 正在修改这张工单，等待 0.5 秒后仍未结束"
                   f"（锁文件 {LOCK}）。请稍后重试；文件保持原样。\n")
    assert ops.read(SIMPLE_PATH) == before


def test_the_lock_of_a_killed_edit_does_not_block(ops):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from erpops import atomic\n"
         "with atomic.locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)",
         str(ops.root / SIMPLE_PATH)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert (ops.root / LOCK).exists()  # left behind, but no longer locked
    p = erpops(ops.root, "ticket", "comment", TID, "--note", "n1", "--by", "li-user", ERPOPS_LOCK_TIMEOUT="5")
    code, (out, err) = p.wait(timeout=60), p.communicate()
    assert code == 0, err  # a lock still held would have timed out after 5 s with the lock's message
    assert comments(ops) == ["n1"]
    assert not (ops.root / LOCK).exists()


def test_an_edit_that_landed_after_loading_is_built_upon_not_lost(cli, ops, monkeypatch):
    """The repository is read before the lock is taken: the file is read again inside it."""
    from erpops.commands import ticket as command

    real = command.editing

    def meanwhile(repo, rel):
        ops.edit(SIMPLE_PATH, "    tier: key-user\nresolution:", "    tier: key-user\n"
                 "  - event: comment\n    at: 2026-11-02T10:00:00+08:00\n    by: li-user\n    tier: key-user\n"
                 "    note: n0\nresolution:")
        return real(repo, rel)

    monkeypatch.setattr(command, "editing", meanwhile)
    r = cli("ticket", "comment", TID, "--note", "n1", "--by", "li-user", "--at", "2026-11-02T11:00", cwd=ops.root)
    assert r.code == 0, r.err
    assert comments(ops) == ["n0", "n1"]


def test_a_change_just_before_the_rename_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"a: 1\n")
    with pytest.raises(atomic.Changed):
        atomic.write_bytes(path, b"a: 2\n", expected=b"a: 0\n")
    assert path.read_bytes() == b"a: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]  # no temporary file left
    atomic.write_bytes(path, b"a: 2\n", expected=b"a: 1\n")
    assert path.read_bytes() == b"a: 2\n"


def test_a_change_during_the_edit_is_a_clear_refusal(cli, ops, monkeypatch):
    from erpops.commands import ticket as command

    real = command.write_text

    def racing(path, text, expected=None):
        path.write_text(path.read_text("utf-8") + "# by hand\n", "utf-8")
        return real(path, text, expected)

    monkeypatch.setattr(command, "write_text", racing)
    r = cli("ticket", "comment", TID, "--note", "n1", "--by", "li-user", cwd=ops.root)
    assert r.code == 2
    assert r.err == (f"erpops: 未写入 {SIMPLE_PATH}：读取之后文件已被改动（或已无法读取），"
                     "为免覆盖他人的修改，请重新执行命令。\n")
    assert comments(ops) == []
    assert ops.read(SIMPLE_PATH).endswith("# by hand\n")
