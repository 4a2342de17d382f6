"""Shared fixtures: a tiny valid ops repository in a temporary folder, and a CLI runner."""
from __future__ import annotations

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
def runner(tmp_path):
    """The folder a workflow step's runner files (summary, output, event payload) are written to."""
    folder = tmp_path / "runner"
    folder.mkdir()
    return folder


REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
