"""The progress line: on a terminal only, never in CI, erased when done."""
from __future__ import annotations

import io

from erpops.progress import MIN_TOTAL, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream, total=MIN_TOTAL, steps=None):
    p = Progress("progress.loading", total, stream)
    for _ in range(steps if steps is not None else total):
        p.advance()
    p.close()
    return stream.getvalue()


def test_a_terminal_sees_the_count_then_a_clean_line(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    out = _run(Terminal())
    assert out.startswith("\r正在读取文件 1/500（0%）")
    assert f"\r正在读取文件 {MIN_TOTAL}/{MIN_TOTAL}（100%）" in out
    assert out.endswith("\r")
    assert out.rsplit("\r", 2)[-2].strip() == ""


def test_english_follows_the_language(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ERPOPS_LANG", "en")
    assert "\rReading files 500/500 (100%)" in _run(Terminal())


def test_silent_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert _run(Terminal()) == ""


def test_silent_when_not_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert _run(io.StringIO()) == ""


def test_silent_for_short_jobs(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert _run(Terminal(), total=MIN_TOTAL - 1) == ""


def test_erpops_check_prints_no_progress_into_a_pipe(cli, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    from conftest import DEMO
    result = cli("check", cwd=DEMO)
    assert result.code == 0
    assert "\r" not in result.err and "正在读取" not in result.err
