"""The plugin's loading in a rebuild: the findings come from the warm check (checkcache) and, between
`mkdocs serve` rebuilds, the model from the kept one (erpops.site.reload); both equal a cold run's,
an edit that breaks a rule included."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from site_repo import ENV, XSS_TICKET, real_data_copy

from erpops import load
from erpops.checks import diagnostics
from erpops.site.plugin import ErpopsPlugin

# The page store and the caches as on a developer's machine (off in CI unless asked for).
LOCAL = {k: v for k, v in ENV.items() if k not in ("CI", "ERPOPS_CACHE")}
DIRTY = [sys.executable, "-m", "mkdocs", "build", "--dirty", "--no-strict"]
PAST = 1_700_000_000


def _errors(stderr: str) -> list[str]:
    """The erpops findings of a failed build, without MkDocs' own lines."""
    return [ln for ln in stderr.splitlines() if re.match(r"\S+\.(yaml|md):\d+", ln.strip())]


def _break_rule(root) -> None:
    path = root / XSS_TICKET
    path.write_text(path.read_text("utf-8").replace("assignee: chi-shengfeng\n", "assignee: no-such-person\n", 1),
                    "utf-8")


def test_a_dirty_build_fails_on_a_broken_rule_as_a_cold_build_does(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    first = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env=LOCAL)
    assert first.returncode == 0, first.stderr
    assert (root / ".erpops-cache").is_dir()  # the warm check's cache was written
    _break_rule(root)
    warm = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env=LOCAL)
    cold = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env={**LOCAL, "ERPOPS_CACHE": "0"})
    assert warm.returncode == cold.returncode == 1
    assert _errors(warm.stderr) == _errors(cold.stderr) != []
    assert any("no-such-person" in ln for ln in _errors(warm.stderr))


def test_serve_rebuilds_read_the_edited_ticket_only_and_find_what_a_cold_check_finds(tmp_path, monkeypatch):
    for name in ("CI", "ERPOPS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ERPOPS_NOW", ENV["ERPOPS_NOW"])
    monkeypatch.setenv("ERPOPS_TODAY", ENV["ERPOPS_TODAY"])
    root = real_data_copy(tmp_path / "ops")
    for p in (root / "tickets").rglob("*.yaml"):
        os.utime(p, (PAST, PAST))
    plugin = ErpopsPlugin()  # one object across rebuilds, as `mkdocs serve` keeps it
    repo, found, _count = plugin._load(root)
    assert plugin.kept.reread is None and sorted(found) == sorted(diagnostics(load.load(root)))
    _break_rule(root)
    repo, found, _count = plugin._load(root)
    assert plugin.kept.reread == [XSS_TICKET]
    cold = diagnostics(load.load(root))
    assert sorted(found) == sorted(cold) and any(d.is_error for d in found)
    assert repo.tickets == load.load(root).tickets


def test_a_cold_build_loads_the_repository_once_for_the_check_and_the_pages(tmp_path, monkeypatch):
    from erpops import checkcache

    for name in ("CI", "ERPOPS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    root = real_data_copy(tmp_path / "ops")
    calls = []

    def loader(r):
        calls.append(r)
        return load.load(r)

    found, count, repo = checkcache.check_loading(root, loader)  # no cache yet: cold, filling it
    assert len(calls) == 1 and (found, count) == checkcache.check(root) and repo.files == count
    found, count, repo = checkcache.check_loading(root, loader)  # warm
    assert len(calls) == 2 and sorted(found) == sorted(diagnostics(load.load(root)))
