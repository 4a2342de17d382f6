"""pre-commit hooks: the manifest other repositories use, and this repository's own local hooks."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pre_commit.clientlib import load_config, load_manifest

from conftest import REPO_ROOT

BIN = Path(sys.executable).parent
IDS = ["erpops-check", "erpops-codeowners"]


def test_manifest_is_valid_for_pre_commit_and_says_what_it_runs():
    hooks = {h["id"]: h for h in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert list(hooks) == IDS
    assert hooks["erpops-check"]["entry"] == "erpops check"
    assert hooks["erpops-codeowners"]["entry"] == "erpops codeowners"
    for h in hooks.values():
        assert h["language"] == "python" and h["pass_filenames"] is False


@pytest.mark.parametrize("path, check, codeowners", [
    ("roster/people.yaml", True, True),
    ("roster/subsystems/alpha.yaml", True, True),
    ("policy.yaml", True, False),
    ("tickets/alpha/2025/alpha-0001.yaml", True, False),
    ("runbooks/common/backup.md", True, False),
    ("mkdocs.yml", False, True),
    (".github/CODEOWNERS", False, True),
    ("docs/index.md", False, False),
    ("policy.yaml.bak", False, False),
])
def test_hooks_run_for_the_files_they_read(path, check, codeowners):
    hooks = {h["id"]: h for h in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert bool(re.search(hooks["erpops-check"]["files"], path)) is check
    assert bool(re.search(hooks["erpops-codeowners"]["files"], path)) is codeowners


def test_local_config_uses_the_same_hooks():
    config = load_config(str(REPO_ROOT / ".pre-commit-config.yaml"))
    (local,) = config["repos"]
    assert local["repo"] == "local"
    published = {h["id"]: h for h in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert [h["id"] for h in local["hooks"]] == IDS
    for h in local["hooks"]:
        for field in ("entry", "files", "pass_filenames"):
            assert h[field] == published[h["id"]][field], (h["id"], field)


def _pre_commit(root: Path, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"), "PYTHONIOENCODING": "utf-8"}
    env.pop("ERPOPS_LANG", None)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_hooks_run_in_a_repository(repo, tmp_path):
    shutil.copy(REPO_ROOT / ".pre-commit-config.yaml", repo.root / ".pre-commit-config.yaml")
    subprocess.run(["git", "init", "-q"], cwd=repo.root, check=True)

    first = _pre_commit(repo.root, tmp_path)
    assert first.returncode == 0, first.stdout
    assert re.search(r"erpops check\.+Passed", first.stdout)
    assert re.search(r"erpops codeowners\.+Passed", first.stdout)
    assert (repo.root / ".github" / "CODEOWNERS").read_text("utf-8").startswith("# 本文件由 erpops")

    # A roster change that changes the owners: the hook rewrites the staged file and fails,
    # as pre-commit's fixers do, so the person stages the new CODEOWNERS with the roster.
    repo.edit("roster/people.yaml", "  - id: qian-erp\n", "  - id: qian-erp\n    github: qian-gh\n")
    second = _pre_commit(repo.root, tmp_path)
    assert second.returncode == 1
    assert re.search(r"erpops codeowners\.+Failed", second.stdout)
    assert "files were modified by this hook" in second.stdout
    assert "/roster/ @qian-gh\n" in (repo.root / ".github" / "CODEOWNERS").read_text("utf-8")
    assert _pre_commit(repo.root, tmp_path).returncode == 0

    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    third = _pre_commit(repo.root, tmp_path)
    assert third.returncode == 1
    assert re.search(r"erpops check\.+Failed", third.stdout)
    assert "roster/subsystems/alpha.yaml:7:3: 错误 [roster-key-user-leader]" in third.stdout
