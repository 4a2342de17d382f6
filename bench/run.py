"""Measure erpops on a synthetic five-year repository and print the figures side by side.

    python bench/run.py --tickets 20000

Each figure is one subprocess, timed by the wall clock, its peak memory taken as the largest
sum of resident memory over the process and its children (sampled every 20 ms; pages a forked
worker shares with its parent are counted twice, so this errs high) or the kernel's
ru_maxrss, whichever is larger. Commands that do not exist yet on this branch are listed as
such, never estimated.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BIN = Path(sys.executable).parent
SCHEMA = REPO_ROOT / "tools" / "erpops" / "schemas" / "ticket.schema.json"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Figure:
    name: str
    command: str
    seconds: float | None = None
    cpu: float | None = None  # user + system seconds of the process and its children
    peak_mib: float | None = None
    code: int | None = None
    note: str = ""


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += parents.get(pid, [])
    return out


def measure(fig: Figure, argv: list[str], cwd: Path, env: dict[str, str]) -> Figure:
    started = time.perf_counter()
    with open(cwd.parent / "bench-output.log", "ab") as log:
        log.write(f"\n$ {fig.command}\n".encode())
        log.flush()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=log)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(_rss(p) for p in _tree(proc.pid)))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        fig.seconds = time.perf_counter() - started
        fig.cpu = usage.ru_utime + usage.ru_stime
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    fig.code = proc.returncode
    fig.peak_mib = max(peak, usage.ru_maxrss * 1024) / 2**20
    return fig


def best(runs: int, fig: Figure, argv: list[str], cwd: Path, env: dict[str, str]) -> Figure:
    """The fastest of `runs` runs (the machine is shared: the slower runs measure the neighbours)."""
    tries = [measure(Figure(fig.name, fig.command, note=fig.note), argv, cwd, env) for _ in range(runs)]
    out = min(tries, key=lambda f: f.seconds or 0)
    out.peak_mib = max(f.peak_mib or 0 for f in tries)
    if runs > 1:
        out.note = (out.note + "; " if out.note else "") + f"best of {runs}: " + ", ".join(
            f"{f.seconds:.2f}" for f in tries)
    return out


def rounds(runs: int, specs: list[tuple[Figure, list[str], dict[str, str]]], cwd: Path) -> list[Figure]:
    """Each figure the fastest of `runs`, taken in turns (a busy minute then slows every figure,
    not just the one measured during it)."""
    tries: list[list[Figure]] = [[] for _ in specs]
    for _ in range(runs):
        for got, (fig, argv, env) in zip(tries, specs):
            got.append(measure(Figure(fig.name, fig.command, note=fig.note), argv, cwd, env))
    out = []
    for got in tries:
        fastest = min(got, key=lambda f: f.seconds or 0)
        fastest.peak_mib = max(f.peak_mib or 0 for f in got)
        if runs > 1:
            fastest.note = (fastest.note + "; " if fastest.note else "") + f"best of {runs}: " + ", ".join(
                f"{f.seconds:.2f}" for f in got)
        out.append(fastest)
    return out


def exists(argv: list[str], cwd: Path, env: dict[str, str]) -> bool:
    return subprocess.run(argv + ["--help"], cwd=cwd, env=env, capture_output=True).returncode == 0


def pull_request(root: Path) -> str:
    """A branch `pr` that appends one comment to one closed ticket, for `erpops pr-check`."""
    git = ["git", "-C", str(root)]
    closed = [p for p in sorted((root / "tickets").rglob("*.yaml")) if "\nstatus: closed\n" in p.read_text("utf-8")]
    ticket = closed[len(closed) // 2]
    subprocess.run(git + ["checkout", "-q", "-b", "pr"], check=True)
    text = ticket.read_text("utf-8")
    field = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line and not line.startswith(" "))
    insert = (f"  - event: comment\n    at: {generate.NOW}\n    by: {field['assignee']}\n"
              f"    tier: {field['tier']}\n    note: 补充说明处理经过。\n")
    head, sep, tail = text.partition("\nresolution:\n")
    ticket.write_text(head + "\n" + insert.rstrip("\n") + sep + tail, "utf-8")
    subprocess.run(git + ["commit", "-q", "-am", "comment on one ticket"], check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.invalid",
                        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.invalid",
                        # committed when the comment says it was written: pr-check refuses events
                        # far from their commit time
                        "GIT_AUTHOR_DATE": generate.NOW, "GIT_COMMITTER_DATE": generate.NOW})
    subprocess.run(git + ["checkout", "-q", "main"], check=True)
    return ticket.relative_to(root).as_posix()


def fmt_s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def table(figs: list[Figure], cj: Figure | None, floor: Figure | None) -> str:
    head = ("figure", "wall s", "cpu s", "peak MiB", "vs check-jsonschema", "vs parse floor", "exit", "note")
    rows = [head]
    for f in figs:
        if f.seconds is None:
            rows.append((f.name, "n/a", "n/a", "n/a", "", "", "", f.note))
            continue
        ours = f.name.startswith("erpops check")
        vs_cj = f"{cj.seconds / f.seconds:.1f}× faster" if ours and cj and cj.seconds else ""
        vs_floor = f"{f.seconds / floor.seconds:.2f}×" if ours and floor and floor.seconds else ""
        rows.append((f.name, fmt_s(f.seconds), fmt_s(f.cpu), f"{f.peak_mib:.0f}", vs_cj, vs_floor,
                     str(f.code), f.note))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for i, r in enumerate(rows):
        lines.append(" | ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="erpops benchmarks on a synthetic repository")
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--work", type=Path, help="folder for the repository, the site and the commands' output"
                    " (default: bench/out/tickets-N, emptied first)")
    ap.add_argument("--git", choices=("auto", "yes", "no"), default="auto",
                    help="write a git history (auto: when `erpops pr-check` exists)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each quick figure; the fastest counts")
    ap.add_argument("--skip-check-jsonschema", action="store_true", help="leave out the slowest figure")
    args = ap.parse_args(argv)

    work = args.work or HERE / "out" / f"tickets-{args.tickets}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root = work / "ops"
    env = {**os.environ, "ERPOPS_NOW": generate.NOW, "ERPOPS_TODAY": generate.NOW[:10]}
    env.pop("ERPOPS_JOBS", None)
    erpops = [str(BIN / "erpops")]
    have_pr = exists(erpops + ["pr-check"], REPO_ROOT, env)
    have_report = exists(erpops + ["report", "monthly"], REPO_ROOT, env)
    git = args.git == "yes" or (args.git == "auto" and have_pr)

    started = time.perf_counter()
    plans = generate.generate(root, args.tickets, seed=args.seed, git=git)
    gen_s = time.perf_counter() - started
    events = sum(len(p.events) for p in plans)
    files = sorted(p.relative_to(root).as_posix() for p in (root / "tickets").rglob("*.yaml"))
    print(f"repository: {len(files)} tickets, {events} events, 11 subsystems, 5 years in {root}"
          f" (generated in {gen_s:.1f} s{', with one git commit per event' if git else ''})")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    py = sys.executable
    figs: list[Figure] = []
    n = args.repeat
    cold = {**env, "ERPOPS_CACHE": "0"}
    cores = len(os.sched_getaffinity(0))
    floor_read, floor, check, forced, serial = rounds(n, [
        (Figure("floor: read the files", "python bench/floor.py read"),
         [py, str(HERE / "floor.py"), "read", str(root)], env),
        (Figure("floor: read + parse (libyaml CSafeLoader)", "python bench/floor.py parse"),
         [py, str(HERE / "floor.py"), "parse", str(root)], env),
        (Figure("erpops check (everything), no cache", "ERPOPS_CACHE=0 erpops check", note="processes: auto"),
         erpops + ["check"], cold),
        (Figure(f"erpops check, no cache, {cores} processes", f"ERPOPS_CACHE=0 ERPOPS_JOBS={cores} erpops check"),
         erpops + ["check"], {**cold, "ERPOPS_JOBS": str(cores)}),
        (Figure("erpops check, no cache, one process", "ERPOPS_CACHE=0 ERPOPS_JOBS=1 erpops check"),
         erpops + ["check"], {**cold, "ERPOPS_JOBS": "1"}),
    ], root)
    figs += [floor_read, floor]
    shutil.rmtree(root / ".erpops-cache", ignore_errors=True)
    filling = measure(Figure("erpops check, writing .erpops-cache", "erpops check (first run)"),
                      erpops + ["check"], root, env)
    warm = best(n, Figure("erpops check, warm .erpops-cache", "erpops check (next runs)"),
                erpops + ["check"], root, env)
    figs += [check, forced, serial, filling, warm]
    cj = None
    if args.skip_check_jsonschema:
        figs.append(Figure("check-jsonschema (schema only)", "", note="skipped (--skip-check-jsonschema)"))
    else:
        cj = measure(Figure("check-jsonschema (schema only)",
                            f"check-jsonschema --schemafile {SCHEMA.relative_to(REPO_ROOT)} <{len(files)} files>"),
                     [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), *files], root, env)
        figs.append(cj)

    if have_pr:
        changed = pull_request(root)
        figs.append(measure(Figure("erpops pr-check (one ticket changed)", "erpops pr-check --base main --head pr",
                                   note=changed), erpops + ["pr-check", "--base", "main", "--head", "pr"], root, env))
    else:
        figs.append(Figure("erpops pr-check (one ticket changed)", "", note="n/a (not built yet)"))
    if have_report:
        out = work / "reports"
        figs.append(measure(Figure("erpops report monthly (2026-10)", "erpops report monthly --month 2026-10"),
                            erpops + ["report", "monthly", "--month", "2026-10", "--out", str(out)], root, env))
    else:
        figs.append(Figure("erpops report monthly (one month)", "", note="n/a (not built yet)"))

    site = work / "site"
    mk = measure(Figure("mkdocs build (full site), no cache", "ERPOPS_CACHE=0 mkdocs build"),
                 [str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], root, cold)
    pages = len(list(site.rglob("*.html"))) if site.is_dir() else 0
    mk.note = f"{pages} pages, {pages / mk.seconds:.1f} pages/s" if mk.seconds else ""
    figs.append(mk)

    print()
    print(table(figs, cj, floor))
    print()
    if cj and cj.seconds:
        print(f"erpops check vs check-jsonschema: {cj.seconds / check.seconds:.1f}× faster by the wall clock, "
              f"{cj.cpu / check.cpu:.1f}× by CPU time (target ≥ 10×)")
    print(f"erpops check vs parse floor: {check.seconds / floor.seconds:.2f}× by the wall clock, "
          f"{check.cpu / floor.cpu:.2f}× by CPU time (target ≤ 2×); "
          f"one process: {serial.seconds / floor.seconds:.2f}× / {serial.cpu / floor.cpu:.2f}×; "
          f"warm cache: {warm.seconds / floor.seconds:.2f}× / {warm.cpu / floor.cpu:.2f}×")
    worst = max(f.peak_mib for f in figs if f.peak_mib is not None)
    print(f"largest peak memory: {worst:.0f} MiB (target < 1024 MiB)")
    print(f"commands' output: {work / 'bench-output.log'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
