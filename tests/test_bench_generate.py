"""The benchmark's synthetic repository: valid under every rule, and the same for the same seed."""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

from conftest import DEMO, REPO_ROOT
from erpops import checks, load

sys.path.insert(0, str(REPO_ROOT / "bench"))
import generate  # noqa: E402

NOW = "2026-11-20T16:00:00+08:00"


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_generated_repository_breaks_no_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    monkeypatch.setenv("ERPOPS_TODAY", NOW[:10])
    plans = generate.generate(tmp_path / "ops", 400, seed=1, years=5, now=NOW, source=DEMO)
    repo = load.load(tmp_path / "ops")
    found = checks.diagnostics(repo)
    assert [d for d in found if d.is_error or d.path.startswith("tickets/")] == []
    assert len(repo.tickets) == 400
    assert {t.subsystem for t in repo.tickets} == set(repo.roster.subsystems)
    assert {t.opened.year for t in repo.tickets} == {2021, 2022, 2023, 2024, 2025, 2026}
    sizes = Counter(len(t.history) for t in repo.tickets)
    assert min(sizes) >= 1 and max(sizes) == 6 and sizes[2] and sizes[3] and sizes[4] and sizes[5]
    assert {t.status for t in repo.tickets} >= {"closed", "cancelled"}
    # Tickets whose reporter never confirmed are closed by the office once the policy's wait is over.
    assert any(e.kind == "close" and e.note == generate.UNCONFIRMED for t in repo.tickets for e in t.history)
    assert [p.id for p in plans] == [t.id for t in repo.tickets]


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    generate.generate(tmp_path / "a", 50, seed=7, now=NOW, source=DEMO)
    generate.generate(tmp_path / "b", 50, seed=7, now=NOW, source=DEMO)
    generate.generate(tmp_path / "c", 50, seed=8, now=NOW, source=DEMO)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_the_git_history_has_one_commit_per_ticket_event(tmp_path):
    plans = generate.generate(tmp_path / "ops", 30, seed=2, now=NOW, git=True, source=DEMO)
    git = ["git", "-C", str(tmp_path / "ops")]
    commits = subprocess.run(git + ["rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True)
    assert int(commits.stdout) == 1 + sum(len(p.events) for p in plans)
    status = subprocess.run(git + ["status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""  # the work tree is the last commit
    first = plans[0]
    log = subprocess.run(git + ["log", "--format=%s", "--", first.path], capture_output=True, text=True, check=True)
    assert log.stdout.splitlines()[-1] == f"{first.id}: open"
    assert len(log.stdout.splitlines()) == len(first.events)


def test_the_benchmark_pull_request_appends_one_valid_event(tmp_path, monkeypatch):
    import run

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    monkeypatch.setenv("ERPOPS_TODAY", NOW[:10])
    root = tmp_path / "ops"
    generate.generate(root, 40, seed=4, now=NOW, git=True, source=DEMO)
    before = {t.id: t for t in load.load(root).tickets}
    changed = run.pull_request(root)
    git = ["git", "-C", str(root)]
    diff = subprocess.run(git + ["diff", "--name-only", "main", "pr"], capture_output=True, text=True, check=True)
    assert diff.stdout.splitlines() == [changed]
    subprocess.run(git + ["checkout", "-q", "pr"], check=True)
    repo = load.load(root)
    assert [d for d in checks.diagnostics(repo) if d.path.startswith("tickets/")] == []
    after = next(t for t in repo.tickets if t.src.path == changed)
    old = before[after.id]
    assert after.history[:-1] == old.history and after.history[-1].kind == "comment"
    assert after.status == old.status == "closed"


def test_the_quick_bench_prints_every_row_its_floor_and_every_target(tmp_path):
    """The shape of `bench/run.py --quick` (never its timings): every row of the table in order,
    each a median with its runs and its ratio to a floor, every command exiting 0, every target judged."""
    import run

    proc = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "run.py"), "--quick", "--tickets", "40",
                           "--organisation", str(DEMO), "--work", str(tmp_path / "bench")],
                          capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("figure "))
    assert [c.strip() for c in lines[head].split("|")] == [
        "figure", "cpu s", "wall s", "peak MiB", "× floor (cpu)", "exit", "runs (cpu s)", "note"]
    rows = [([c.strip() for c in line.split("|")] + [""])[:8] for line in lines[head + 2:] if " | " in line]
    assert [r[0] for r in rows] == [name.format(big=80) for name in run.ROWS]
    for r in rows:
        assert r[5] == "0", r  # every command, and every step of the CI, succeeded
        assert r[6] == "1: " + r[1], r  # one run in quick mode: the median is that run
        float(r[1]), float(r[2]), float(r[3])
        if r[0] != "check-jsonschema (schema only)":
            assert re.fullmatch(r"\d+\.\d\d× (import|read|parse|markdown)", r[4]), r
    assert [r[4] for r in rows[:4]] == ["1.00× import", "1.00× read", "1.00× parse", "1.00× markdown"]
    assert [r[4].split()[-1] for r in rows[4:9]] == ["import"] * 5
    ci = rows[run.ROWS.index("CI of a one-ticket pull request (Data gate steps)")]
    assert "Check what the pull request changes" in ci[7]
    verdicts = [line.strip() for line in lines if line.startswith("  [")]
    assert len(verdicts) == 10
    assert all(re.match(r"\[(met|NOT MET)\] ", v) for v in verdicts), verdicts
    assert "not built yet" not in proc.stdout


def _figures(run, big: int, check_mib: float | None, site_mib: float | None) -> tuple[dict, dict]:
    floors = {k: run.Figure(name, name, k, runs=[run.Run(1.0, 1.0, 10.0, 0)]) for k, name in run.FLOORS.items()}
    by = {f.name: f for f in floors.values()}
    for row, mib in zip(run.ROWS[-2:], (check_mib, site_mib)):
        f = run.Figure(run.row_name(row, big), "x", "parse")
        if mib is not None:
            f.runs.append(run.Run(1.0, 1.0, mib, 0))
        by[f.name] = f
    return by, floors


def test_memory_rows_skipped_say_so_and_are_not_judged():
    import run

    assert [run.row_name(n, 0) for n in run.ROWS[-2:]] == [
        "peak memory: erpops check (skipped)", "peak memory: mkdocs build (skipped)"]
    assert [run.row_name(n, 40000) for n in run.ROWS[-2:]] == [
        "peak memory: erpops check at 40000", "peak memory: mkdocs build at 40000"]
    by, floors = _figures(run, 0, None, None)
    last = run.targets(by, floors, 0)[-1]
    assert (last.target, last.measured, last.met) == (
        "peak memory < 1 GiB at N tickets (check, site build)", "skipped (--memory-tickets 0)", None)


def test_memory_target_takes_the_larger_of_check_and_site_build():
    import run

    by, floors = _figures(run, 40000, 700.0, 1100.0)
    last = run.targets(by, floors, 40000)[-1]
    assert (last.target, last.met) == ("peak memory < 1 GiB at 40000 tickets (check, site build)", False)
    assert last.measured == "1100.00 MiB (limit 1023.99 MiB)"
    by, floors = _figures(run, 40000, 700.0, 900.0)
    assert run.targets(by, floors, 40000)[-1].met is True
    by, floors = _figures(run, 40000, 700.0, None)  # --skip-site: the check alone is not the target
    last = run.targets(by, floors, 40000)[-1]
    assert (last.measured, last.met) == ("700 MiB, check only (--skip-site)", None)
