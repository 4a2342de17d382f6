"""The conftest audit hook notices a test reading the live data, and nothing else."""
from __future__ import annotations

import os

import conftest
from conftest import DEMO, REPO_ROOT


def _seen(event: str, path) -> list[str]:
    guard = conftest._GUARD
    saved = guard.hits
    guard.hits = []
    try:
        guard(event, (path, "r", 0))
        return guard.hits
    finally:
        guard.hits = saved


def test_opening_or_listing_live_data_is_noted():
    for event, path in (("open", REPO_ROOT / "tickets/production/2026/x.yaml"), ("open", REPO_ROOT / "policy.yaml"),
                        ("os.scandir", REPO_ROOT / "roster"), ("os.listdir", str(REPO_ROOT / "reports")),
                        ("open", os.fsencode(REPO_ROOT / "runbooks/common/a.md")), ("os.chdir", REPO_ROOT / "roster")):
        assert _seen(event, path) == [f"{event} {os.fsdecode(path)}"], (event, path)


def test_a_relative_path_is_taken_from_the_working_folder(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert _seen("open", "roster/people.yaml") == [f"open {REPO_ROOT / 'roster/people.yaml'}"]
    assert _seen("open", "policy.yaml") == [f"open {REPO_ROOT / 'policy.yaml'}"]


def test_the_demo_copy_the_package_and_lookalikes_are_not_live_data():
    for path in (DEMO / "tickets/production", DEMO / "policy.yaml", REPO_ROOT / "tools/erpops/load.py",
                 REPO_ROOT / "tickets-old/x.yaml", REPO_ROOT / "policy.yaml.bak", REPO_ROOT / "docs/index.md"):
        assert _seen("open", path) == [], path
    assert _seen("open", 3) == [] and _seen("os.stat", REPO_ROOT / "policy.yaml") == []
    assert _seen("open", "tickets") == []  # shutil.rmtree's dir_fd-relative names
