"""erpops ticket new in a real terminal (tmux): numbered choices, a mistyped subsystem answered
with its Chinese name, and a refused ticket whose answers come back from the draft on the next run."""
from __future__ import annotations

import re
import shlex
import shutil
import tempfile
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tickets_fixture import setup

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (.ci/run installs it)")


class Terminal:
    """One tmux session on a private socket: type into it, read its screen."""

    def __init__(self, socket: Path, command: str, env: dict[str, str]) -> None:
        self.socket = str(socket)
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        script = f"export {exports}; {command}; echo EXIT=$?; sleep 60"
        self._tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "60", "bash --norc -c " + shlex.quote(script))

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True,
                              text=True, timeout=20).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t", "-S", "-200")

    def wait(self, text: str, times: int = 1, timeout: float = 30) -> str:
        """The screen once `text` is on it (`times` times)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if screen.count(text) >= times:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on the screen:\n{self.screen()}")

    def type(self, line: str) -> None:
        if line:
            self._tmux("send-keys", "-t", "t", "-l", line)
        self._tmux("send-keys", "-t", "t", "Enter")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def terminal(tmp_path):
    opened: list[Terminal] = []
    # A Unix socket's path is limited to 107 bytes, which a deep pytest basetemp exceeds (the
    # self-copy run's is): the socket lives in a short private folder of its own.
    sockets = Path(tempfile.mkdtemp(prefix="erpops-tmux-", dir="/tmp"))

    def start(root: Path, *args: str) -> Terminal:
        env = {"ERPOPS_NOW": "2026-11-03T09:00:00+08:00", "ERPOPS_TODAY": "2026-11-03", "ERPOPS_LANG": "zh",
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        command = f"cd {shlex.quote(str(root))} && {shlex.quote(sys.executable)} -m erpops ticket new " + \
            " ".join(shlex.quote(a) for a in args)
        term = Terminal(sockets / f"{len(opened)}.sock", command, env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()
    shutil.rmtree(sockets, ignore_errors=True)


def _created(root: Path) -> list[Path]:
    return sorted((root / "tickets").rglob("*.yaml")) if (root / "tickets").exists() else []


def test_a_refused_ticket_comes_back_from_the_draft(repo, terminal):
    ops = setup(repo)
    root = ops.root
    draft = root / ".erpops-cache" / "ticket-draft.yaml"

    # First run: a runbook that does not exist makes the finished ticket refused.
    # Who is filing is settled first, before any question: by a Chinese name when Git does not know.
    term = terminal(root, "--runbook", "no-such-plan")
    screen = term.wait("你的姓名或人员编号：")
    assert "无法确定你是谁" in screen
    term.type("李用")  # not quite
    term.wait("是不是指：李用户（li-user）？")
    term.type("李用户")
    screen = term.wait("请输入序号或名称")
    assert "  1. 甲系统（alpha）" in screen.splitlines()
    term.type("乙系统")  # mistyped: not a subsystem
    screen = term.wait("“乙系统”不是有效的子系统。")
    assert "可选：甲系统（alpha）。" in screen
    term.type("甲系统")  # its Chinese name
    screen = term.wait("  3. 系统故障/缺陷（fault）")  # the options, not only their heading (printed first)
    assert "工单类型：" in screen.splitlines()
    term.type("?")  # lists them again
    term.wait("  3. 系统故障/缺陷（fault）", times=2)
    term.type("故障")
    term.wait("  4. P4")
    term.type("p2")
    term.wait("标题：")
    term.type("领料单无法保存")
    term.wait("现象：")
    term.type("保存时提示仓库为空")
    term.wait("起因（出问题前做了什么操作，可留空）：")
    term.type("先改了仓库档案")
    term.wait("对生产的影响（可留空）：")
    term.type("")
    screen = term.wait("EXIT=1")
    assert "[ticket-runbook-exists]" in screen
    assert "已输入的内容保存在 .erpops-cache/ticket-draft.yaml" in screen
    assert _created(root) == []
    assert draft.is_file()
    term.close()

    # Second run, by a Chinese name: the draft is offered and used; only the empty impact is asked again.
    term = terminal(root, "--by", "李用户")
    screen = term.wait("上次未提交的内容，是否使用？")
    assert "子系统：alpha、类型：fault、优先级：P2、标题：领料单无法保存" in screen
    term.type("y")
    term.wait("对生产的影响（可留空）：")
    term.type("二车间停工半小时")
    screen = term.wait("EXIT=")
    assert "EXIT=0" in screen, screen
    [path] = _created(root)
    assert re.search(r"已创建工单 ALP-20261103-[A-Z2-7]{4}", screen)
    text = path.read_text("utf-8")
    for line in ("subsystem: alpha", "type: fault", "priority: P2", "title: 领料单无法保存",
                 "symptom: 保存时提示仓库为空", "cause: 先改了仓库档案", "impact: 二车间停工半小时", "    by: li-user"):
        assert line in text.splitlines(), (line, text)
    assert not draft.exists()
