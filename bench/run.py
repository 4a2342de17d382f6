"""Measure erpops on a synthetic five-year repository and print each figure beside its floor and target.

    python bench/run.py --tickets 20000                # the full run (medians of 3; see bench/README.md)
    python bench/run.py --quick                        # 100 tickets, one run each: the table's shape
    python bench/run.py --from /work/bench20k-git      # clone a repository generate.py wrote, not generate

Each figure is one subprocess (or, for the CI of a pull request, one per workflow step), timed by
CPU seconds (user + system, its children included) and the wall clock; its peak memory is the largest
sum of resident memory over the process tree (sampled every 20 ms; pages a forked worker shares
with its parent are counted twice, so this errs high) or the kernel's ru_maxrss, whichever is larger.
Every figure is the median of `--repeat` runs (default 3), taken in turns where they are compared
with each other, except a figure whose first run takes over `--slow` CPU seconds: that one runs once
(the table says how many runs each figure had). Each figure is printed as a ratio to a floor
measured in the same run: the import floor, read, read + parse, python-markdown over the same pages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BIN = Path(sys.executable).parent
SCHEMA = REPO_ROOT / "tools" / "erpops" / "schemas" / "ticket.schema.json"
CI_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GIB = 1024

# The rows of the table, in order (tests/test_bench_generate.py compares the quick run with them).
FLOORS = {
    "import": "floor: import erpops.cli",
    "read": "floor: read the files",
    "parse": "floor: read + parse (libyaml CSafeLoader)",
    "markdown": "floor: python-markdown over the generated pages",
}
ROWS = (
    *FLOORS.values(),
    "erpops who production",
    "erpops ticket show ID",
    "erpops ticket list",
    "erpops ticket comment ID --note x (a copy)",
    "erpops ticket reopen ID (a copy)",
    "erpops check, no cache (processes: auto)",
    "erpops check, no cache, one process",
    "erpops check, writing .erpops-cache",
    "erpops check, warm .erpops-cache",
    "check-jsonschema (schema only)",
    "erpops pr-check (one ticket changed)",
    "erpops report monthly (2026-10)",
    "mkdocs build (full site)",
    "mkdocs build again after one ticket edit",
    "CI of a one-ticket pull request (Data gate steps)",
    "peak memory: erpops check at {big}",
    "peak memory: mkdocs build at {big}",
)
# The target's one-ticket commands (`ticket list` lists them all: not one of them).
ONE_TICKET = ("erpops who production", "erpops ticket show ID", "erpops ticket comment ID --note x (a copy)",
              "erpops ticket reopen ID (a copy)", "erpops pr-check (one ticket changed)")


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float
    code: int


@dataclass
class Figure:
    name: str
    command: str
    floor: str | None = None  # key of FLOORS this figure is a ratio to
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def cpu(self) -> float | None:
        return statistics.median(r.cpu for r in self.runs) if self.runs else None

    @property
    def wall(self) -> float | None:
        return statistics.median(r.wall for r in self.runs) if self.runs else None

    @property
    def peak_mib(self) -> float | None:
        return max(r.peak_mib for r in self.runs) if self.runs else None

    @property
    def code(self) -> int | None:
        return max((r.code for r in self.runs), key=abs) if self.runs else None


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


def measure(label: str, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> Run:
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"\n$ {label}\n".encode())
        out.flush()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=out)
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
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss * 1024) / 2**20, proc.returncode)


@dataclass
class Bench:
    root: Path
    work: Path
    repeat: int
    slow: float
    env: dict[str, str]

    @property
    def log(self) -> Path:
        return self.work / "bench-output.log"

    def run(self, fig: Figure, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            before: Callable[[], None] | None = None) -> Figure:
        """`repeat` runs (one if the first is slow), `before` called untimed before each."""
        for i in range(self.repeat):
            if before is not None:
                before()
            fig.runs.append(measure(fig.command, argv, cwd or self.root, env or self.env, self.log))
            if fig.runs[0].cpu > self.slow:
                break
        return fig

    def turns(self, specs: list[tuple[Figure, list[str], dict[str, str]]]) -> list[Figure]:
        """Figures compared with each other, run in turns: a busy minute slows them all alike."""
        for i in range(self.repeat):
            for fig, argv, env in specs:
                if i and fig.runs[0].cpu > self.slow:
                    continue
                fig.runs.append(measure(fig.command, argv, self.root, env, self.log))
        return [fig for fig, _, _ in specs]


def _git(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, **kw)


_COMMITTER = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.invalid",
              "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.invalid",
              # committed when the comment says it was written: pr-check refuses events
              # far from their commit time
              "GIT_AUTHOR_DATE": generate.NOW, "GIT_COMMITTER_DATE": generate.NOW}


def pull_request(root: Path) -> str:
    """A branch `pr` that appends one comment to one closed ticket, for `erpops pr-check`."""
    git = ["git", "-C", str(root)]
    closed = [p for p in sorted((root / "tickets").rglob("*.yaml")) if "\nstatus: closed\n" in p.read_text("utf-8")]
    ticket = closed[len(closed) // 2]
    subprocess.run(git + ["checkout", "-q", "-b", "pr"], check=True)
    text = ticket.read_text("utf-8")
    field_ = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line and not line.startswith(" "))
    insert = (f"  - event: comment\n    at: {generate.NOW}\n    by: {field_['assignee']}\n"
              f"    tier: {field_['tier']}\n    note: 补充说明处理经过。\n")
    head, sep, tail = text.partition("\nresolution:\n")
    ticket.write_text(head + "\n" + insert.rstrip("\n") + sep + tail, "utf-8")
    subprocess.run(git + ["commit", "-q", "-am", "comment on one ticket"], check=True,
                   env={**os.environ, **_COMMITTER})
    subprocess.run(git + ["checkout", "-q", "main"], check=True)
    return ticket.relative_to(root).as_posix()


def merge_checkout(root: Path, into: Path) -> str:
    """What the forge's CI checks out for the pull request `pr`: a merge commit of it into main,
    whose first parent is main; a worktree of it at `into`. Returns main's commit."""
    base = _git(root, "rev-parse", "main").stdout.strip()
    tree = _git(root, "rev-parse", "pr^{tree}").stdout.strip()  # pr is main plus one commit
    merge = _git(root, "commit-tree", tree, "-p", base, "-p", "pr", "-m", "Merge pr into main",
                 env={**os.environ, **_COMMITTER}).stdout.strip()
    _git(root, "worktree", "add", "-q", "--detach", str(into), merge)
    return base


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def gate_steps(workflow: Path = CI_WORKFLOW) -> list[dict]:
    """The Data gate's steps that run a command, besides installing (checkout, set-up and the
    base revision's install are the runner's and pip's; the bench runs its own erpops instead)."""
    data = yaml.safe_load(workflow.read_text("utf-8"))
    return [s for s in data["jobs"]["gate"]["steps"]
            if "run" in s and not s.get("name", "").startswith("Install")
            and s.get("if") != "github.event_name == 'workflow_dispatch'"]  # a pull request's run, not a dispatched one


def ci_context(base: str) -> dict[str, str]:
    """The values of the `${{ … }}` expressions of the Data gate's steps, for a pull request by a
    person (not a bot) whose login the roster does not know (so pr-check does not judge the author)."""
    return {
        "github.event.pull_request.base.sha": base, "github.event.merge_group.base_sha": "",
        "github.event.pull_request.user.login": "", "github.event.pull_request.user.type": "User",
        "github.event.pull_request.created_at": dt.datetime.fromisoformat(generate.NOW)
        .astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "github.token": "", "github.head_ref": "pr", "steps.acting.outputs.login": "",
    }


def _either(context: dict[str, str], expression: str) -> str:
    """`a || b`: the first of the values that is not empty. A dispatched run's outputs
    (steps.dispatched.…) are empty in a pull request's run; any other unknown name is an error."""
    for name in (n.strip() for n in expression.split("||")):
        value = context.get(name, "") if name.startswith("steps.dispatched.") else context[name]
        if value:
            return value
    return ""


def ci_env(workspace: Path, temp: Path, base_env: dict[str, str]) -> dict[str, str]:
    """The runner's environment, with $RUNNER_TEMP/erpops-base standing in as this interpreter's erpops."""
    bin_ = temp / "erpops-base" / "bin"
    bin_.mkdir(parents=True, exist_ok=True)
    for name, target in (("erpops", BIN / "erpops"), ("python", Path(sys.executable))):
        (bin_ / name).write_text(f'#!/bin/sh\nexec "{target}" "$@"\n', "utf-8")
        (bin_ / name).chmod(0o755)
    summary, output = temp / "step_summary.md", temp / "github_output"
    for p in (summary, output):
        p.write_text("", "utf-8")
    env = {k: v for k, v in base_env.items() if not k.startswith("GITHUB_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", GITHUB_ACTIONS="true", CI="true",
               GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output), GITHUB_EVENT_NAME="pull_request",
               GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(temp))
    return env


def ci_run(bench: Bench, workspace: Path, temp: Path, base: str, skip_site: bool = False,
           ) -> tuple[Run, list[tuple[str, Run]]]:
    """The Data gate's steps in sequence, as the runner runs them (bash -eo pipefail); the sum of them."""
    context = ci_context(base)
    steps = []
    for s in gate_steps():
        if skip_site and "mkdocs" in s["run"]:
            continue
        env = ci_env(workspace, temp, bench.env)
        for key, value in (s.get("env") or {}).items():
            env[key] = _EXPRESSION.sub(lambda m: _either(context, m.group(1)), str(value))
        argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]]
        steps.append((s["name"], measure(f"[CI] {s['name']}", argv, workspace, env, bench.log)))
        if steps[-1][1].code:
            break  # the runner stops the job at the first failing step
    runs = [r for _, r in steps]
    total = Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.peak_mib for r in runs),
                max((r.code for r in runs), key=abs))
    return total, steps


def prepare(args, root: Path, tickets: int) -> tuple[float, bool]:
    started = time.perf_counter()
    if args.source is not None:
        subprocess.run(["git", "clone", "-q", "--local", "--branch", "main", str(args.source), str(root)], check=True)
    else:
        generate.generate(root, tickets, seed=args.seed, git=True, **_source(args))
    _site_settings(root)
    # The forge files a live repository has committed (CODEOWNERS, the ticket form), made by erpops.
    env = {**os.environ, "ERPOPS_NOW": generate.NOW, "ERPOPS_TODAY": generate.NOW[:10]}
    for command in ("codeowners", "issue-form"):
        subprocess.run([str(BIN / "erpops"), command], cwd=root, env=env, check=True, capture_output=True)
    _git(root, "add", "-A", ".github")
    _git(root, "commit", "-q", "-m", "CODEOWNERS and the ticket form", env={**os.environ, **_COMMITTER})
    return time.perf_counter() - started, True


def _site_settings(root: Path) -> None:
    """An organisation without site settings (the tests' demo) gets this repository's, committed."""
    if (root / "mkdocs.yml").is_file():
        return
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "docs", root / "docs", dirs_exist_ok=True)
    _git(root, "add", "-A", "mkdocs.yml", "docs")
    _git(root, "commit", "-q", "-m", "site settings", env={**os.environ, **_COMMITTER})


def _source(args) -> dict:
    return {"source": args.organisation} if args.organisation is not None else {}


def fmt(v: float | None, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def ratio(fig: Figure, floors: dict[str, Figure]) -> str:
    fl = floors.get(fig.floor or "")
    if fl is None or not fl.cpu or fig.cpu is None:
        return ""
    return f"{fig.cpu / fl.cpu:.2f}× {fig.floor}"


def table(figs: list[Figure], floors: dict[str, Figure]) -> str:
    head = ("figure", "cpu s", "wall s", "peak MiB", "× floor (cpu)", "exit", "runs (cpu s)", "note")
    rows = [head]
    for f in figs:
        if not f.runs:
            rows.append((f.name, "n/a", "n/a", "n/a", "", "", "0", f.note))
            continue
        rows.append((f.name, fmt(f.cpu), fmt(f.wall), f"{f.peak_mib:.0f}", ratio(f, floors), str(f.code),
                     f"{len(f.runs)}: " + ", ".join(f"{r.cpu:.2f}" for r in f.runs), f.note))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for i, r in enumerate(rows):
        lines.append(" | ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


@dataclass
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured


def targets(by: dict[str, Figure], floors: dict[str, Figure], big: int) -> list[Verdict]:
    """Issue #17's targets, each judged from the figure measured in this run (CPU seconds, medians)."""
    def cpu(name: str) -> float | None:
        f = by.get(name)
        return f.cpu if f is not None and f.runs and f.code == 0 else None

    out: list[Verdict] = []
    imp, parse = floors["import"].cpu, floors["parse"].cpu

    def add(target: str, value: float | None, limit: float | None, unit: str = "s", extra: str = "") -> None:
        if value is None or limit is None:
            out.append(Verdict(target, "n/a", None))
            return
        out.append(Verdict(target, f"{value:.2f} {unit} (limit {limit:.2f} {unit}){extra}", value <= limit))

    worst = max(ONE_TICKET, key=lambda n: cpu(n) or float("inf"))
    add("every one-ticket command and `who` ≤ 1.5× import floor", cpu(worst), imp and 1.5 * imp,
        extra=f"; slowest: {worst}")
    warm = cpu("erpops check, warm .erpops-cache")
    add("warm check ≤ 1 s", warm, 1.0)
    add("warm check ≤ 0.1× parse floor", warm, parse and 0.1 * parse)
    add("cold check on one core ≤ 1.25× parse floor", cpu("erpops check, no cache, one process"),
        parse and 1.25 * parse)
    cj, cold = cpu("check-jsonschema (schema only)"), cpu("erpops check, no cache (processes: auto)")
    if cj and cold:
        out.append(Verdict("cold check ≥ 20× faster than check-jsonschema", f"{cj / cold:.1f}× (cpu)", cj / cold >= 20))
    else:
        out.append(Verdict("cold check ≥ 20× faster than check-jsonschema", "n/a", None))
    add("site rebuild after one edit ≤ 5 s", cpu("mkdocs build again after one ticket edit"), 5.0)
    full = cpu("mkdocs build (full site)")
    add("full site build ≤ 90 s", full, 90.0)
    add("full site build ≤ 8× parse floor", full, parse and 8 * parse)
    ci = by.get("CI of a one-ticket pull request (Data gate steps)")
    if ci is not None and "skipped" in ci.note and ci.cpu is not None:
        out.append(Verdict("CI of a one-ticket pull request ≤ 60 s besides installing",
                           f"{ci.cpu:.2f} s without the site step", None))
    else:
        add("CI of a one-ticket pull request ≤ 60 s besides installing", cpu(ci.name) if ci else None, 60.0)
    memory = f"peak memory < 1 GiB at {big or 'N'} tickets (check, site build)"
    peaks = [by[row_name(n, big)] for n in ROWS[-2:] if row_name(n, big) in by]
    if not big:
        out.append(Verdict(memory, "skipped (--memory-tickets 0)", None))
        return out
    if any(not f.runs for f in peaks):
        peak = max((f.peak_mib for f in peaks if f.runs), default=None)
        out.append(Verdict(memory, "n/a" if peak is None else f"{peak:.0f} MiB, check only (--skip-site)", None))
        return out
    peak = max((f.peak_mib for f in peaks if f.runs), default=None)
    add(memory, peak, GIB - 0.01 if peak is not None else None, unit="MiB")
    return out


def row_name(name: str, big: int) -> str:
    """A row's name: the memory rows say at how many tickets, or that they were skipped (big 0)."""
    return name.format(big=big) if big else name.replace(" at {big}", " (skipped)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="erpops benchmarks on a synthetic repository")
    ap.add_argument("--tickets", type=int, default=None, help="tickets to generate (default 20000; --quick: 100)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--from", dest="source", type=Path, default=None,
                    help="clone this repository (made by generate.py --git) instead of generating one")
    ap.add_argument("--organisation", type=Path, default=None,
                    help="the repository whose roster, policy, runbooks and site are copied (default: this one)")
    ap.add_argument("--work", type=Path, help="folder for the repository, the site and the commands' output"
                    " (default: bench/out/tickets-N, emptied first)")
    ap.add_argument("--repeat", type=int, default=None, help="runs of each figure; the median counts (default 3)")
    ap.add_argument("--slow", type=float, default=60.0, help="a figure whose first run takes longer (CPU s) runs once")
    ap.add_argument("--memory-tickets", type=int, default=None,
                    help="tickets of the repository the peak memory is measured on (default 2× --tickets; 0: skip)")
    ap.add_argument("--skip-check-jsonschema", action="store_true", help="leave out the slowest figure")
    ap.add_argument("--skip-site", action="store_true",
                    help="leave out the site: the markdown floor, both builds and the CI's site step")
    ap.add_argument("--quick", action="store_true", help="100 tickets, one run each: for the tests, not for figures")
    args = ap.parse_args(argv)
    tickets = args.tickets or (100 if args.quick else 20000)
    repeat = args.repeat or (1 if args.quick else 3)
    big = 2 * tickets if args.memory_tickets is None else args.memory_tickets

    work = (args.work or HERE / "out" / f"tickets-{tickets}").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    root = work / "ops"
    env = {**os.environ, "ERPOPS_NOW": generate.NOW, "ERPOPS_TODAY": generate.NOW[:10]}
    env.pop("ERPOPS_JOBS", None)
    env.pop("CI", None)
    # Byte-code as an installed erpops has it: with PYTHONDONTWRITEBYTECODE (set on some machines)
    # an editable install compiles erpops' sources again on every run, and a command that imports
    # more modules than the import floor pays for compiling them. Compiled once (__pycache__/ is
    # ignored by git; pip compiled the installed packages).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "tools" / "erpops")],
                   env=env, check=True, capture_output=True)
    bench = Bench(root, work, repeat, args.slow, env)
    load_before = os.getloadavg()
    gen_s, _ = prepare(args, root, tickets)
    files = sorted(p.relative_to(root).as_posix() for p in (root / "tickets").rglob("*.yaml"))
    commits = _git(root, "rev-list", "--count", "HEAD").stdout.strip()
    print(f"repository: {len(files)} tickets, {commits} commits in {root} "
          f"({'cloned from ' + str(args.source) if args.source else 'generated'} in {gen_s:.1f} s)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in load_before)}; {repeat} run(s) per figure, one if over {args.slow:.0f} s")

    changed = pull_request(root)
    py, erpops = sys.executable, [str(BIN / "erpops")]
    cold = {**env, "ERPOPS_CACHE": "0"}
    by: dict[str, Figure] = {}

    def keep(*figs: Figure) -> None:
        for f in figs:
            by[f.name] = f

    names = iter(ROWS)
    fl_import, fl_read, fl_parse, fl_md = (Figure(next(names), c, k) for k, c in (
        ("import", 'python -c "import erpops.cli"'), ("read", "python bench/floor.py read"),
        ("parse", "python bench/floor.py parse"), ("markdown", "python bench/floor.py markdown")))
    floors = {"import": fl_import, "read": fl_read, "parse": fl_parse, "markdown": fl_md}
    who, show, lst, comment, reopen = (Figure(next(names), c, "import") for c in (
        "erpops who production", "erpops ticket show ID", "erpops ticket list",
        "erpops ticket comment ID --note x --at NOW (in a copy of the repository)",
        "erpops ticket reopen ID --note … --at NOW (in the copy; the file restored before each run)"))
    check, serial, filling, warm = (Figure(next(names), c, "parse") for c in (
        "ERPOPS_CACHE=0 erpops check", "ERPOPS_CACHE=0 ERPOPS_JOBS=1 erpops check",
        "erpops check (first run)", "erpops check (next runs)"))
    keep(*bench.turns([
        (fl_import, [py, "-c", "import erpops.cli"], env),
        (fl_read, [py, str(HERE / "floor.py"), "read", str(root)], env),
        (fl_parse, [py, str(HERE / "floor.py"), "parse", str(root)], env),
        (check, erpops + ["check"], cold),
        (serial, erpops + ["check"], {**cold, "ERPOPS_JOBS": "1"}),
    ]))
    shutil.rmtree(root / ".erpops-cache", ignore_errors=True)
    filling.runs.append(measure(filling.command, erpops + ["check"], root, env, bench.log))
    keep(filling, bench.run(warm, erpops + ["check"]))

    tid = Path(changed).stem
    keep(bench.run(who, erpops + ["who", "production"]), bench.run(show, erpops + ["ticket", "show", tid]),
         bench.run(lst, erpops + ["ticket", "list"]))
    copy = work / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    by_whom = next(line.split(": ", 1)[1] for line in (copy / changed).read_text("utf-8").splitlines()
                   if line.startswith("assignee: "))
    keep(bench.run(comment, erpops + ["ticket", "comment", tid, "--note", "x", "--by", by_whom,
                                      "--at", generate.NOW], cwd=copy))
    # Another edit, a change of status: reopen the (closed) ticket, the same file again each run.
    before = (copy / changed).read_bytes()
    keep(bench.run(reopen, erpops + ["ticket", "reopen", tid, "--note", "复发。", "--by", by_whom,
                                     "--at", generate.NOW], cwd=copy,
                   before=lambda: (copy / changed).write_bytes(before)))

    cj = Figure(next(names), f"check-jsonschema --schemafile {SCHEMA.relative_to(REPO_ROOT)} <{len(files)} files>")
    if args.skip_check_jsonschema:
        cj.note = "skipped (--skip-check-jsonschema)"
    else:
        cj.runs.append(measure(cj.command, [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), *files],
                               root, env, bench.log))
        cj.note = f"erpops check is {cj.cpu / check.cpu:.1f}× faster (cpu)" if check.cpu else ""
    keep(cj)
    pr = Figure(next(names), "erpops pr-check --base main --head pr", "import", note=changed)
    keep(bench.run(pr, erpops + ["pr-check", "--base", "main", "--head", "pr"]))
    report = Figure(next(names), "erpops report monthly --month 2026-10", "parse")
    keep(bench.run(report, erpops + ["report", "monthly", "--month", "2026-10", "--out", str(work / "reports")]))

    report_progress(by, floors, bench.log)
    full = Figure(next(names), "mkdocs build", "parse", note="warm .erpops-cache")
    again = Figure(next(names), "erpops ticket comment …; mkdocs build --dirty (same site folder)", "parse")
    if args.skip_site:
        fl_md.note = full.note = again.note = "skipped (--skip-site)"
        keep(fl_md, full, again)
    else:
        site_figures(bench, work, root, py, erpops, env, tid, by_whom, fl_md, full, again, keep)
        report_progress(by, floors, bench.log)

    ci = Figure(next(names), "the run: steps of ci.yml's gate job, in sequence", "parse")
    workspace, temp = work / "ci-workspace", work / "ci-temp"
    base = merge_checkout(root, workspace)
    per_step: list[list[tuple[str, Run]]] = []
    for i in range(repeat):
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(workspace / "site", ignore_errors=True)
        total, steps = ci_run(bench, workspace, temp, base, skip_site=args.skip_site)
        ci.runs.append(total)
        per_step.append(steps)
        if ci.runs[0].cpu > args.slow:
            break
    ci.note = "; ".join(f"{name.split(' (')[0]}: {statistics.median(s[i][1].cpu for s in per_step):.2f}"
                        for i, (name, _) in enumerate(per_step[0]))
    if args.skip_site:
        ci.note += "; site step skipped (--skip-site)"
    keep(ci)
    report_progress(by, floors, bench.log)

    mem_check = Figure(row_name(next(names), big), "ERPOPS_CACHE=0 erpops check", "parse")
    mem_site = Figure(row_name(next(names), big), "mkdocs build", "parse")
    if big:
        large = work / f"ops-{big}"
        started = time.perf_counter()
        generate.generate(large, big, seed=args.seed, git=False, **_source(args))
        if not (large / "mkdocs.yml").is_file():
            shutil.copy(REPO_ROOT / "mkdocs.yml", large / "mkdocs.yml")
            shutil.copytree(REPO_ROOT / "docs", large / "docs", dirs_exist_ok=True)
        note = f"generated in {time.perf_counter() - started:.0f} s; ratio to this run's {tickets}-ticket floor"
        mem_check.runs.append(measure(mem_check.command, erpops + ["check"], large, cold, bench.log))
        if not args.skip_site:
            mem_site.runs.append(measure(mem_site.command, [str(BIN / "mkdocs"), "build", "-q", "-d",
                                                            str(work / f"site-{big}")], large, cold, bench.log))
        mem_check.note = mem_site.note = note
        if args.skip_site:
            mem_site.note = "skipped (--skip-site)"
    else:
        mem_check.note = mem_site.note = "skipped (--memory-tickets 0)"
    keep(mem_check, mem_site)
    return finish(by, floors, big, bench)


def report_progress(by: dict[str, Figure], floors: dict[str, Figure], log: Path) -> None:
    """The table so far, into the log (a long run on a busy machine can be read before its end)."""
    with open(log, "a", encoding="utf-8") as out:
        out.write("\n# table so far\n" + table(list(by.values()), floors) + "\n")


def site_figures(bench, work, root, py, erpops, env, tid, by_whom, fl_md, full, again, keep) -> None:
    pages = work / "pages"
    subprocess.run([py, str(HERE / "floor.py"), "pages", str(root), str(pages)], check=True, env=env,
                   capture_output=True)
    keep(bench.run(fl_md, [py, str(HERE / "floor.py"), "markdown", str(pages), str(root)]))

    site = work / "site"
    keep(bench.run(full, [str(BIN / "mkdocs"), "build", "-q", "-d", str(site)],
                   before=lambda: shutil.rmtree(site, ignore_errors=True)))
    n_pages = len(list(site.rglob("*.html")))
    full.note += f"; {n_pages} pages, {n_pages / full.wall:.0f} pages/s; {full.cpu / fl_md.cpu:.2f}× markdown floor" \
        if full.wall and fl_md.cpu else ""
    edited = iter(range(1, 1000))

    def edit() -> None:
        subprocess.run(erpops + ["ticket", "comment", tid, "--note", f"edit {next(edited)}", "--by", by_whom,
                                 "--at", generate.NOW], cwd=root, env=env, check=True, capture_output=True)

    # --dirty (as `make serve`): only the pages whose files changed are rebuilt; --no-strict: MkDocs
    # warns about every dirty build.
    keep(bench.run(again, [str(BIN / "mkdocs"), "build", "-q", "--dirty", "--no-strict", "-d", str(site)], before=edit))
    _git(root, "checkout", "-q", "--", ".")  # the edits undone: the pull request's base is main as generated



def finish(by: dict[str, Figure], floors: dict[str, Figure], big: int, bench: "Bench") -> int:
    figs = list(by.values())
    order = {row_name(name, big): i for i, name in enumerate(ROWS)}
    figs.sort(key=lambda f: order[f.name])
    print()
    print(table(figs, floors))
    print()
    print("targets (CPU s, medians):")
    for v in targets(by, floors, big):
        mark = "not measured" if v.met is None else "met" if v.met else "NOT MET"
        print(f"  [{mark}] {v.target}: {v.measured}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"commands' output: {bench.log}")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    raise SystemExit(main())
