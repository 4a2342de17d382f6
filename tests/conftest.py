"""Shared fixtures: a tiny valid ops repository in a temporary folder, and a CLI runner."""
from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from erpops import i18n
from erpops.cli import main

PEOPLE = """\
people:
  - id: zhao-admin
    name: 赵管理
    wecom: zhaoguanli
  - id: qian-erp
    name: 钱系统
    department: 信息管理部
    wecom: qianxitong
  - id: sun-lead
    name: 孙组长
    department: 信息管理部
    wecom: sunzuzhang
  - id: li-user
    name: 李用户
  - id: zhou-user
    name: 周用户
"""
OFFICE = """\
name: ERP运维管理办公室
department: 信息管理部
lead: sun-lead
members:
  - qian-erp
"""
ALPHA = """\
code: alpha
name: 甲系统
name_en: Alpha
business_admin: zhao-admin
erp_admin: qian-erp
key_user_group:
  leader: zhao-admin
  members:
    - li-user
    - zhou-user
"""
VENDOR = """\
name: 用友
on_site_support:
  period: 上线初期
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


class Repo:
    """A small ops repository on disk that a test can bend out of shape."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "ops")
    r.write("roster/people.yaml", PEOPLE)
    r.write("roster/office.yaml", OFFICE)
    r.write("roster/subsystems/alpha.yaml", ALPHA)
    r.write("roster/vendor.yaml", VENDOR)
    return r


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `erpops ARGS` in-process from a folder; return the exit code and what it printed."""

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        return Result(code, captured.out, captured.err)

    return run


# The day this repository's demo data was written: its SLA clocks and review dates are read as
# of then, so the suite gives the same verdicts on whatever day it runs.
PINNED_TODAY = "2026-11-25"
PINNED_NOW = "2026-11-25T12:00:00+08:00"


@pytest.fixture(autouse=True)
def _default_language(monkeypatch):
    monkeypatch.delenv("ERPOPS_LANG", raising=False)
    monkeypatch.setenv("ERPOPS_TODAY", PINNED_TODAY)
    monkeypatch.setenv("ERPOPS_NOW", PINNED_NOW)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture
def parsed(monkeypatch):
    """The ticket files the loader parses in this test (not those taken from a cache), in order."""
    from erpops import load

    seen: list[str] = []
    real = load.read_yaml

    def spy(files, rel, schema, max_bytes):
        if schema == "ticket":
            seen.append(rel)
        return real(files, rel, schema, max_bytes)

    monkeypatch.setattr(load, "read_yaml", spy)
    return seen


@pytest.fixture
def runner(tmp_path):
    """The folder a workflow step's runner files (summary, output, event payload) are written to."""
    folder = tmp_path / "runner"
    folder.mkdir()
    return folder


REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"

# The demo organisation as it stood on 2026-11-25: a frozen copy of roster/, policy.yaml, tickets/,
# runbooks/, reports/ and the generated .github files. Tests that need a real-sized organisation
# read this, never the repository's own (live) data, which changes with every real ticket.
DEMO = REPO_ROOT / "tests" / "fixtures" / "demo"

# The repository's live data: what its people edit from day to day. No test may read it.
_LIVE_FOLDERS = ("roster", "tickets", "runbooks", "reports", "improvements")
LIVE_DATA = tuple(str(REPO_ROOT / name) for name in (*_LIVE_FOLDERS, "policy.yaml"))


class _LiveDataGuard:
    """An audit hook that notes every open or listing of a path in the live data while a test runs."""

    def __init__(self) -> None:
        self.on = False
        self.hits: list[str] = []

    def __call__(self, event: str, args: tuple) -> None:
        if not self.on or event not in ("open", "os.listdir", "os.scandir", "os.chdir"):
            return
        path = args[0] if args else None
        if path is None or isinstance(path, int):
            return
        try:
            path = os.fsdecode(path)
            full = os.path.abspath(path)
        except (TypeError, ValueError, OSError):
            return
        if path in _LIVE_FOLDERS:
            return  # a bare folder name is opened relative to a dir_fd (shutil.rmtree), not to the cwd
        if any(full == live or full.startswith(live + os.sep) for live in LIVE_DATA):
            self.hits.append(f"{event} {full}")


_GUARD = _LiveDataGuard()
sys.addaudithook(_GUARD)


def _guarded(item: pytest.Item) -> bool:
    # The self-copy test copies the whole repository, live data included, on purpose.
    return item.get_closest_marker("selfcopy") is None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _GUARD.on = _guarded(item)
    yield
    _GUARD.on = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _GUARD.on = _guarded(item)
    yield
    _GUARD.on = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    _GUARD.on = _guarded(item)
    yield
    _GUARD.on = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _GUARD.hits:
        return
    hits, _GUARD.hits = _GUARD.hits, []
    report = outcome.get_result()
    report.outcome = "failed"
    unique = list(dict.fromkeys(hits))
    shown = "\n  ".join(unique[:10] + ([f"… and {len(unique) - 10} more"] if len(unique) > 10 else []))
    report.longrepr = (f"{item.nodeid} read the repository's live data during {call.when} "
                       f"(use conftest.DEMO, the frozen demo copy, instead):\n  {shown}")


# --- Each test runs once -----------------------------------------------------------------------
# tests/test_selfcopy.py runs the suite inside a copy of this repository whose data is gone and whose
# clock is in 2027, a pytest-xdist worker per core. When that run is among the selected
# tests (`make test`), running the same tests here as well proves nothing more and cost half of the
# suite's time: they are deselected here and run only in the copy, where a failure fails the
# self-copy test with the failing test's report. What the copy does not run stays here: the files
# below (they drive tests/fixtures/ in a subprocess for minutes, or would copy themselves) and the
# package tests (marker `package`, they build the wheel from this repository). A run that does not
# select the self-copy test (`pytest tests/test_x.py`, `-m "not selfcopy"`) runs everything in place.
SELFCOPY_INSIDE = "ERPOPS_SELFCOPY_INSIDE"  # set for the suite run in the copy, so that it does not copy itself
IN_PLACE_ONLY = ("test_site_browser.py", "test_search_recall.py", "test_selfcopy.py")
SELFCOPY_RUN = "tests/test_selfcopy.py::test_the_suite_passes_on_a_copy_without_its_data"
COPY_RESULTS: list[str] = []  # the last lines of the copy's runs, for the terminal summary


def runs_in_copy(item: pytest.Item) -> bool:
    return item.path.name not in IN_PLACE_ONLY and item.get_closest_marker("package") is None


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what they deselect
def pytest_collection_modifyitems(config, items):
    if os.environ.get(SELFCOPY_INSIDE) or not any(item.nodeid == SELFCOPY_RUN for item in items):
        return
    moved = [item for item in items if runs_in_copy(item)]
    if moved:
        items[:] = [item for item in items if not runs_in_copy(item)]
        config.hook.pytest_deselected(items=moved)
        config.stash[_MOVED] = len(moved)


_MOVED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    moved = config.stash.get(_MOVED, 0)
    if not moved:
        return
    terminalreporter.section("tests run in the copy without data (tests/test_selfcopy.py)")
    terminalreporter.line(f"{moved} tests were deselected here because the self-copy runs them (every test file "
                          f"but {', '.join(IN_PLACE_ONLY)}; not the package tests)")
    for line in COPY_RESULTS:
        terminalreporter.line(line)
