"""`erpops report monthly` reads only the tickets its forms can show (reports/needed.py), chosen
from the warm check's cache, and writes the same files as a full load does."""
from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from erpops.reports import needed
from reports_fixture import T4, build

OLD_CLOSED = "tickets/alpha/2026/ALP-20260302-OLDA.yaml"  # resolved in March: on no later form
OLD_REOPENED = "tickets/alpha/2026/ALP-20260305-OLDB.yaml"  # resolved in March, reopened in the period
OLD_OPEN = "tickets/alpha/2026/ALP-20260306-OLDC.yaml"  # opened in March, still open


def _old(tid: str, day: str) -> str:
    return (T4.replace("ALP-20260910-AAAA", tid).replace("2026-09-10", day)
            .replace("如何查询领料汇总", f"如何查询领料汇总（{tid[-4:]}）"))


@pytest.fixture
def for_forms(monkeypatch):
    """The ticket files the report asked the loader for (the warm check reads others again)."""
    from erpops import load

    seen: list[str] = []
    real = load.read_tickets

    def spy(root, paths, *args):
        seen.extend(paths)
        return real(root, paths, *args)

    monkeypatch.setattr(load, "read_tickets", spy)
    return seen


@pytest.fixture
def archive(repo, monkeypatch):
    """The hand-worked repository with three tickets of March, all files dated a day ago (so the
    cache trusts them: not racy), and the cache allowed."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ERPOPS_CACHE", raising=False)
    build(repo)
    repo.write(OLD_CLOSED, _old("ALP-20260302-OLDA", "2026-03-02"))
    repo.write(OLD_REOPENED, _old("ALP-20260305-OLDB", "2026-03-05")
               .replace("\n  at: 2026-03-05T14:30:00+08:00\n", "\n  at: 2026-10-13T10:00:00+08:00\n")
               .replace("resolution:\n", "  - event: reopen\n    at: 2026-10-13T09:00:00+08:00\n    by: zhou-user\n"
                        "    tier: key-user\n    note: 仍不会查询\n  - event: resolve\n    at: 2026-10-13T10:00:00+08:00\n"
                        "    by: li-user\n    tier: key-user\nresolution:\n"))
    repo.write(OLD_OPEN, _old("ALP-20260306-OLDC", "2026-03-06").replace("status: resolved\n", "status: open\n")
               .split("  - event: resolve\n")[0])
    past = time.time() - 86400
    for path in (repo.root / "tickets").rglob("*.yaml"):
        os.utime(path, (past, past))
    return repo


def test_the_month_reads_only_its_tickets_and_writes_what_a_full_load_writes(archive, cli, parsed, for_forms,
                                                                           monkeypatch, tmp_path):
    r = cli("check", "--repo", str(archive.root))
    assert (r.code, r.out.splitlines()[-1]) == (0, "检查了 15 个文件：0 个错误，10 个警告。")  # the forms may be built
    parsed.clear()
    r = cli("report", "monthly", "--month", "2026-10", "--format", "md,csv,xlsx", "--out", str(tmp_path / "fast"),
            "--repo", str(archive.root))
    assert r.code == 0, r.both
    assert for_forms == sorted(str(p.relative_to(archive.root)) for p in (archive.root / "tickets").rglob("*.yaml")
                               if p.name != "ALP-20260302-OLDA.yaml")
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    parsed.clear()
    r = cli("report", "monthly", "--month", "2026-10", "--format", "md,csv,xlsx", "--out", str(tmp_path / "full"),
            "--repo", str(archive.root))
    assert r.code == 0, r.both
    assert OLD_CLOSED in parsed  # the full load reads every ticket
    fast = {p.name: p.read_bytes() for p in (tmp_path / "fast" / "2026-10").iterdir()}
    full = {p.name: p.read_bytes() for p in (tmp_path / "full" / "2026-10").iterdir()}
    assert sorted(fast) == ["alpha.csv", "alpha.md", "alpha.xlsx"]
    assert fast == full
    md = fast["alpha.md"].decode()
    assert "ALP-20260305-OLDB" in md and "ALP-20260306-OLDC" in md and "ALP-20260302-OLDA" not in md


def test_an_edited_ticket_is_read_again_and_an_error_refuses_as_before(archive, cli, parsed, tmp_path):
    assert cli("check", "--repo", str(archive.root)).code == 0
    archive.edit(OLD_CLOSED, "priority: P4\n", "priority: P9\n")  # changed since the cache: read again
    parsed.clear()
    r = cli("report", "monthly", "--month", "2026-10", "--format", "md", "--out", str(tmp_path / "o"),
            "--repo", str(archive.root))
    assert r.code == 2 and OLD_CLOSED in parsed
    assert f"{OLD_CLOSED}:5:" in r.err and "[schema]" in r.err
    assert not (tmp_path / "o").exists()


TZ = dt.timezone(dt.timedelta(hours=8))
START, END = dt.datetime(2026, 9, 26, tzinfo=TZ), dt.datetime(2026, 10, 26, tzinfo=TZ)
SINCE = dt.datetime(2026, 7, 26, tzinfo=TZ)


def _row(sub: str, status: str, opened: str | None) -> tuple:
    return ("X-1", sub, "fault", status, opened, "t", False)


def test_ticket_paths_keeps_what_a_form_can_read():
    before = dt.datetime(2026, 9, 1, tzinfo=TZ).timestamp()
    known = {
        "a/unknown.yaml": None,  # not in the cache, changed or racy
        "a/not-a-ticket.yaml": (None, None),
        "a/other-subsystem.yaml": (_row("beta", "open", "2026-10-01T09:00:00+08:00"), None),
        "a/after-the-period.yaml": (_row("alpha", "open", "2026-10-26T00:00:00+08:00"), None),
        "a/old-closed.yaml": (_row("alpha", "closed", "2026-03-01T09:00:00+08:00"), before),
        "a/old-closed-event-in-period.yaml": (_row("alpha", "closed", "2026-03-01T09:00:00+08:00"),
                                              START.timestamp()),
        "a/old-open.yaml": (_row("alpha", "assigned", "2026-03-01T09:00:00+08:00"), before),
        "a/in-recurrence-window.yaml": (_row("alpha", "closed", "2026-07-26T00:00:00+08:00"), before),
        "a/naive-opened.yaml": (_row("alpha", "closed", "2026-03-01T09:00:00"), before),
        "a/no-events.yaml": (_row("alpha", "closed", "2026-03-01T09:00:00+08:00"), None),
    }
    assert needed.ticket_paths(known, ["alpha"], START, END, SINCE) == [
        "a/in-recurrence-window.yaml", "a/naive-opened.yaml", "a/no-events.yaml", "a/not-a-ticket.yaml",
        "a/old-closed-event-in-period.yaml", "a/old-open.yaml", "a/unknown.yaml"]
