"""No test depends on this repository's live data or on today: the suite passes, skipping nothing,
on a copy of the repository whose data is gone and whose clock is in 2027; and data grown into
December 2026 and 2027 is valid.

Each case copies the files `git ls-files` lists (and new, not ignored ones) into tmp_path and
changes the copy's roster/, policy.yaml, tickets/, runbooks/ and reports/. Deselect with
`-m "not selfcopy"`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import COPY_RESULTS, IN_PLACE_ONLY, REPO_ROOT, SELFCOPY_INSIDE, SHARED

pytestmark = pytest.mark.selfcopy

INSIDE = SELFCOPY_INSIDE

if os.environ.get(INSIDE):
    pytest.skip("already running inside a copy of the repository", allow_module_level=True)

# A plausible 2027 calendar, added to the copy's policy.yaml: test data, not the official notice.
HOLIDAYS_2027 = """\
    # 2027 年：测试数据（selfcopy 测试所加），不是国务院办公厅的通知。
    - from: 2027-01-01
      until: 2027-01-03
      name: 元旦
    - from: 2027-02-06
      until: 2027-02-14
      name: 春节
    - from: 2027-04-03
      until: 2027-04-05
      name: 清明节
    - from: 2027-05-01
      until: 2027-05-05
      name: 劳动节
    - from: 2027-06-09
      until: 2027-06-11
      name: 端午节
    - from: 2027-09-15
      until: 2027-09-17
      name: 中秋节
    - from: 2027-10-01
      until: 2027-10-07
      name: 国庆节
"""
MAKE_UP_2027 = """\
    # 2027 年：测试数据（selfcopy 测试所加）。
    - date: 2027-01-31
      name: 春节调休
    - date: 2027-02-20
      name: 春节调休
    - date: 2027-09-26
      name: 国庆节调休
    - date: 2027-10-09
      name: 国庆节调休
"""

# The clock of the grown copy: after every event added to it.
LATER = {"ERPOPS_NOW": "2027-01-08T16:00:00+08:00", "ERPOPS_TODAY": "2027-01-08"}


def _copy_repository(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO_ROOT, capture_output=True, check=True).stdout.decode("utf-8")
    for rel in sorted(set(filter(None, listed.split("\0")))):
        src = REPO_ROOT / rel
        if not src.is_file() and not src.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    if SHARED.is_dir():  # the organisation's document, which the roster data test compares with
        (dest.parent / "shared").symlink_to(SHARED, target_is_directory=True)
    return dest


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERPOPS_", "PYTEST_"))}
    return {**env, "PYTHONPATH": str(root / "tools"), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _erpops(root: Path, *args: str, **clock: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "erpops", *args], cwd=root, capture_output=True, text=True,
                          encoding="utf-8", env=_env(root, ERPOPS_LANG="en", **clock), timeout=300)


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _new_ticket(root: Path, at: str, subsystem: str, by: str, **fields: str) -> Path:
    folder = root / "tickets" / subsystem / at[:4]
    before = set(folder.glob("*.yaml")) if folder.is_dir() else set()
    _ok(_erpops(root, "ticket", "new", "--subsystem", subsystem, "--by", by, "--at", at,
                *[a for k, v in fields.items() for a in (f"--{k.replace('_', '-')}", v)],
                ERPOPS_NOW=at, ERPOPS_TODAY=at[:10]))
    (made,) = set(folder.glob("*.yaml")) - before
    return made


def _grow(root: Path) -> None:
    """Real-looking growth: a 2027 calendar, tickets filed, resolved and closed in December 2026 and
    in January 2027 with the CLI, one left open, and the record forms of the month 2026-11."""
    policy = root / "policy.yaml"
    text = policy.read_text("utf-8")
    assert text.count("  make_up_days:\n") == 1
    text = text.replace("  make_up_days:\n", HOLIDAYS_2027 + "  make_up_days:\n")
    head, tail = text.split("  make_up_days:\n")
    end = tail.index("\n\n") + 1  # the end of the make-up days list
    policy.write_text(head + "  make_up_days:\n" + tail[:end] + MAKE_UP_2027 + tail[end:], "utf-8")
    assert (policy.read_text("utf-8").count("  years: [2026]\n") == 1)
    policy.write_text(policy.read_text("utf-8").replace("  years: [2026]\n", "  years: [2026, 2027]\n"), "utf-8")
    # The forms of 2026-11 are made on their due day, before December's tickets exist: a ticket
    # dated after the clock is refused (ticket-event-future), as it would be on that day.
    _ok(_erpops(root, "report", "monthly", "--month", "2026-11", ERPOPS_TODAY="2026-11-28",
                ERPOPS_NOW="2026-11-28T09:00:00+08:00"))

    for opened, resolved, closed, title in (
            ("2026-12-01T09:05:00+08:00", "2026-12-01T10:30:00+08:00", "2026-12-01T15:00:00+08:00", "十二月的完工报告查询"),
            ("2027-01-04T10:00:00+08:00", "2027-01-04T11:30:00+08:00", "2027-01-05T09:00:00+08:00", "新年第一张工单：工序汇报查询")):
        by = _key_user(root, "production")
        tid = _new_ticket(root, opened, "production", by, type="operation-question", priority="P4", title=title,
                          symptom="不会查询工序完工报告", note="电话询问").stem
        _ok(_erpops(root, "ticket", "resolve", tid, "--by", by, "--at", resolved, "--summary", "演示了查询步骤",
                    "--root-cause", "不熟悉操作", ERPOPS_NOW=resolved))
        _ok(_erpops(root, "ticket", "close", tid, "--by", by, "--at", closed, ERPOPS_NOW=closed))
    _new_ticket(root, "2027-01-06T14:00:00+08:00", "finance", _key_user(root, "finance"), type="fault",
                priority="P3", title="月末凭证打印格式错位", symptom="打印凭证时金额列错位", impact="不影响记账")


def _key_user(root: Path, subsystem: str) -> str:
    for line in (root / "roster/subsystems" / f"{subsystem}.yaml").read_text("utf-8").splitlines():
        if line.startswith("    - "):
            return line.split()[1]
    raise AssertionError(f"no key user in {subsystem}")


def _break(root: Path) -> None:
    """Live data no test could use: tickets, runbooks and forms gone, roster and policy unreadable,
    one ticket of a subsystem that does not exist."""
    for name in ("tickets", "runbooks", "reports"):
        shutil.rmtree(root / name)
    (root / "roster/people.yaml").write_text("people: [\n", "utf-8")
    (root / "policy.yaml").write_text("tiers: {{\n", "utf-8")
    ghost = root / "tickets/nowhere/2027/NOW-20270105-AAAA.yaml"
    ghost.parent.mkdir(parents=True)
    ghost.write_text("id: NOW-20270105-AAAA\nsubsystem: nowhere\n", "utf-8")


# The copy's suite leaves out the browser tests: they build their sites from frozen fixtures under
# tests/fixtures/ in a subprocess, and take minutes; this file, which would copy itself; and the
# package tests, which build the wheel from the repository (marker `package`). Under `make test` the
# rest runs only in the copy (conftest.py, "Each test runs once").
LEFT_OUT = IN_PLACE_ONLY


def _files(root: Path) -> list[str]:
    """The copy's test files, in the suite's own (alphabetical) order."""
    return sorted(p.relative_to(root).as_posix() for p in (root / "tests").glob("test_*.py") if p.name not in LEFT_OUT)


def _start_suite(root: Path, tmp_path: Path, name: str, files: list[str]) -> subprocess.Popen:
    """One pytest over the copy, a worker per core (pytest-xdist). `--dist loadfile` hands out whole files in
    the suite's order as workers come free: each worker runs its files in that order, as `make test` would, and
    the slow files no longer leave a core idle the way two fixed halves did (measured: 19 and 13 minutes).
    (Out of order, test_loadpool ran after test_notify, whose apprise leaves its shared thread pool running,
    and the reader then rightly refused to fork.)"""
    env = _env(root, **{INSIDE: "1"}, **LATER)
    where = subprocess.run([sys.executable, "-c", "import erpops; print(erpops.__file__)"], cwd=root,
                           capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert Path(where).is_relative_to(root / "tools"), where
    workers = str(max(2, min(os.cpu_count() or 2, 8)))
    log = (tmp_path / f"{name}.log").open("w", encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not package",
         "-n", workers, "--dist", "loadfile",
         "--basetemp", str(tmp_path / f"{name}-tmp"), "--junitxml", str(tmp_path / f"{name}.xml"), *files],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)


def _failures(out: str, limit: int = 400) -> str:
    """The copy's log from its FAILURES/ERRORS section on (at most `limit` lines), or its last 60 lines."""
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("=") and (" FAILURES " in line or " ERRORS " in line)),
                 max(0, len(lines) - 60))
    shown = lines[start:start + limit]
    return "\n".join(shown + ([f"… {len(lines) - start - limit} more lines"] if len(lines) - start > limit else []))


def _skipped(junit: Path) -> list[str]:
    import xml.etree.ElementTree as ET

    return [f"{case.get('classname')}::{case.get('name')}: {skip.get('message')}"
            for case in ET.parse(junit).iter("testcase") for skip in case.iter("skipped")]


def test_grown_data_is_valid_into_2027(tmp_path):
    """Growth as it will come (a 2027 calendar, tickets of December and January, the forms of
    2026-11) is data the tools accept: `erpops check` finds nothing on the grown copy, on its later clock."""
    grown = _copy_repository(tmp_path / "grown" / "repo")
    _grow(grown)
    check = _erpops(grown, "check", **LATER)
    assert check.returncode == 0, check.stdout + check.stderr
    years = {p.parent.name for p in (grown / "tickets").glob("*/*/*.yaml")}
    assert {"2026", "2027"} <= years and (grown / "reports/2026-11/production.md").is_file()


def test_the_suite_passes_on_a_copy_without_its_data(tmp_path):
    """The suite, run in a copy whose live data is gone or unreadable and whose clock is in 2027,
    passes, and skips nothing: a test that passes with no data cannot depend on what the data holds,
    so no real ticket can turn it red, and no test hides behind a skip when the data is missing.
    (A second run on a grown copy would add nothing this run does not prove: it used to cost half
    of the suite's time.) One pytest runs the files, a worker per core. Under `make test`
    this is the only run of those tests (conftest.py, "Each test runs once"), so a failure here shows
    the failing test's whole report."""
    broken = _copy_repository(tmp_path / "broken" / "repo")
    _break(broken)
    assert _erpops(broken, "check").returncode == 2  # unusable: a test reading it could not pass

    started = time.perf_counter()
    files = _files(broken)
    proc = _start_suite(broken, tmp_path, "copy", files)
    try:
        proc.wait(timeout=1800)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = (tmp_path / "copy.log").read_text("utf-8")
    last = out.splitlines()[-1] if out.strip() else "(no output)"
    COPY_RESULTS.append(f"{len(files)} files: {last}")
    # The failures' reports, whole: under `make test` this is where a failing test is seen.
    assert proc.returncode == 0, f"the suite failed in the copy without data:\n{_failures(out)}"
    assert " passed" in out and " failed" not in out, _failures(out)
    skipped = [s for s in _skipped(tmp_path / "copy.xml")
               if SHARED.is_dir() or "is not beside this repository" not in s]  # a checkout without ../shared
    assert skipped == [], f"a test skipped on the copy without data: {skipped}"
    COPY_RESULTS.append(f"the run in the copy took {time.perf_counter() - started:.0f} s")
