"""`make test` runs each test once (conftest.py, "Each test runs once"): when the self-copy's suite run is
selected, the tests it runs inside the copy without data are deselected here; a run without it runs all in place."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO_ROOT, SELFCOPY_INSIDE, SELFCOPY_RUN

FILES = ["tests/test_selfcopy.py", "tests/test_package.py", "tests/test_i18n.py", "tests/test_search_recall.py"]


def _collect(*args: str) -> tuple[int, list[str], str]:
    env = {k: v for k, v in os.environ.items() if k != SELFCOPY_INSIDE and not k.startswith("PYTEST_")}
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                         cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300)
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    return run.returncode, ids, run.stdout


def _files(ids: list[str]) -> set[str]:
    return {i.split("::")[0] for i in ids}


def test_with_the_self_copy_the_copied_tests_are_deselected_here():
    code, ids, out = _collect(*FILES)
    assert code == 0, out
    assert SELFCOPY_RUN in ids
    # What the copy does not run stays: the self-copy itself, the package tests, the browser-like recall tests.
    assert _files(ids) == {"tests/test_selfcopy.py", "tests/test_package.py", "tests/test_search_recall.py"}
    # test_i18n runs only in the copy: all its tests are deselected, and the count says so.
    in_place = _collect("tests/test_i18n.py")[1]
    assert in_place and f"{len(in_place)} deselected" in out


def test_without_the_self_copy_everything_runs_in_place():
    code, ids, out = _collect(*FILES, "-m", "not selfcopy")
    assert code == 0, out
    assert SELFCOPY_RUN not in ids
    assert _files(ids) == {"tests/test_package.py", "tests/test_i18n.py", "tests/test_search_recall.py"}
    assert "deselected" in out  # by -m only: the selfcopy tests
    assert not [i for i in ids if i.startswith("tests/test_selfcopy.py")]


def test_inside_the_copy_nothing_is_moved():
    env = {**os.environ, SELFCOPY_INSIDE: "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/test_i18n.py", "tests/test_selfcopy.py"], cwd=REPO_ROOT, capture_output=True,
                         text=True, env=env, timeout=300)
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    assert _files(ids) == {"tests/test_i18n.py"}, run.stdout  # the self-copy skips itself inside a copy
    assert "deselected" not in run.stdout
