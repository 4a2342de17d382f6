"""Helpers for the workflow tests: read this repository's GitHub workflows and run their steps."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent


def workflow(name: str) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); put it back under its name.
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def all_workflows() -> dict[str, dict]:
    return {p.name: workflow(p.name) for p in sorted(WORKFLOWS.glob("*.y*ml"))}


def steps():
    """(workflow file, job id, step) for every step of every workflow."""
    for name, wf in all_workflows().items():
        for job_id, job in wf["jobs"].items():
            for step in job.get("steps", []):
                yield name, job_id, step


def step(workflow_name: str, step_name: str) -> dict:
    found = [s for w, _, s in steps() if w == workflow_name and s.get("name") == step_name]
    assert len(found) == 1, (workflow_name, step_name)
    return found[0]


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def run_step(s: dict, cwd: Path, tmp: Path, context: dict[str, str] | None = None,
             event: dict | None = None, pinned: dict[str, str] | None = None,
             ) -> tuple[subprocess.CompletedProcess, Path]:
    """Run a step's `run:` text as the runner does (bash -eo pipefail) with the runner's files.

    `context` gives the values of the `${{ … }}` expressions in the step's `env:`; an expression
    the test did not give is an error, so a new one cannot slip in untested. `pinned` adds
    environment the runner would not have, such as ERPOPS_NOW to fix the clock of a test.
    """
    context = context or {}
    summary, out, payload = tmp / "step_summary.md", tmp / "github_output", tmp / "event.json"
    temp = tmp / "temp"  # $RUNNER_TEMP: kept across the steps of one job, as on the runner
    temp.mkdir(exist_ok=True)
    summary.write_text("", "utf-8")
    out.write_text("", "utf-8")
    payload.write_text(json.dumps(event or {"pull_request": {"number": 1, "title": "x"}}), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ERPOPS_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", GITHUB_ACTIONS="true", CI="true",
        GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(out), GITHUB_EVENT_PATH=str(payload),
        GITHUB_EVENT_NAME="pull_request", GITHUB_WORKSPACE=str(cwd), PYTHONIOENCODING="utf-8",
        RUNNER_TEMP=str(temp),
    )
    env.update(pinned or {})
    for key, value in (s.get("env") or {}).items():
        env[key] = _EXPRESSION.sub(lambda m: context[m.group(1)], str(value))
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]],
                          cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    return proc, summary


BASE_VENV = "erpops-base"  # the data gate's venv of the base revision's erpops, under $RUNNER_TEMP


def stand_in_base_venv(tmp: Path) -> Path:
    """The base venv as the data gate's install step leaves it, standing in with this interpreter's
    erpops: for the tests of the steps after it (test_trusted_code_* installs a real one)."""
    bin_ = tmp / "temp" / BASE_VENV / "bin"
    bin_.mkdir(parents=True, exist_ok=True)
    for name, target in (("erpops", BIN / "erpops"), ("python", Path(sys.executable))):
        (bin_ / name).write_text(f'#!/bin/sh\nexec "{target}" "$@"\n', "utf-8")
        (bin_ / name).chmod(0o755)
    return bin_
