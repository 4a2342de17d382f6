"""A real `mkdocs build` over a tiny repository: valid data builds, invalid data stops the build."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]


def _site(repo) -> Path:
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo.root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "docs", repo.root / "docs")
    return repo.root / "site"


def test_build_generates_the_organisation_page(repo):
    site = _site(repo)
    proc = subprocess.run(MKDOCS, cwd=repo.root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    html = (site / "organisation" / "index.html").read_text("utf-8")
    assert "赵管理" in html and "钱系统" in html and "李用户、周用户" in html


def test_invalid_data_stops_the_build_with_the_finding(repo):
    _site(repo)
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    proc = subprocess.run(MKDOCS, cwd=repo.root, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "roster/subsystems/alpha.yaml:7:3" in proc.stderr
    assert "roster-key-user-leader" in proc.stderr
    assert not (repo.root / "site" / "organisation").exists()


def test_names_are_escaped(repo):
    site = _site(repo)
    repo.edit("roster/people.yaml", "name: 李用户", 'name: "<script>alert(1)</script>"')
    proc = subprocess.run(MKDOCS, cwd=repo.root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    html = (site / "organisation" / "index.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
