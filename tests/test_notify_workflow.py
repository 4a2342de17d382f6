"""notify.yml, step by step as the runner would run it, twice: the delivery record goes to the
notify-state branch of origin after the first run, and the second run (a new job, a fresh runner)
takes it from there and sends nothing again. E-mail to a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess

import git

import notify_fixture as nf
import robot_servers as rs
from test_issue_form import _git_init
from workflows import BIN, run_step, step

FETCH = ("notify.yml", "Fetch the delivery record")
SEND = ("notify.yml", "Send the notices")
SAVE = ("notify.yml", "Save the delivery record")
MAIL_ONLY = """
notify:
  site_url: https://ops.example.com/
  email:
    secret: ERPOPS_SMTP_URL
"""


def _job(ops, tmp, fake, origin_root, secrets):
    """Fetch, send and save in one job's runner folder; the exit codes."""
    runner = tmp
    runner.mkdir()
    pinned = {"ERPOPS_NOW": nf.NOW, "ERPOPS_TODAY": nf.NOW[:10], "NO_PROXY": "127.0.0.1",
              "GITHUB_SERVER_URL": f"file://{origin_root}", "GITHUB_REPOSITORY": "acme/ops",
              "PATH": f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}"}
    codes = []
    for name in (FETCH, SEND, SAVE):
        proc, _ = run_step(step(*name), ops.root, runner, {"github.token": "t0ken", **secrets}, pinned=pinned)
        codes.append((proc.returncode, proc.stdout + proc.stderr))
    return codes


def test_two_runs_share_the_record_through_the_notify_state_branch(repo, tmp_path):
    nf.setup(repo, notify=MAIL_ONLY)
    g = _git_init(repo.root)
    origin = tmp_path / "acme" / "ops.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    g.create_remote("origin", str(origin))
    g.git.push("-q", "origin", "main")
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "gh").write_text("#!/bin/sh\nexit 0\n", "utf-8")
    (fake / "gh").chmod(0o755)
    assert step(*SEND)["env"] == {"ERPOPS_ROBOT_OFFICE": "${{ secrets.ERPOPS_ROBOT_OFFICE }}",
                                  "ERPOPS_ROBOT_OFFICE_SIGN": "${{ secrets.ERPOPS_ROBOT_OFFICE_SIGN }}",
                                  "ERPOPS_SMTP_URL": "${{ secrets.ERPOPS_SMTP_URL }}"}
    with rs.smtp() as box:
        secrets = {"secrets.ERPOPS_ROBOT_OFFICE": "", "secrets.ERPOPS_ROBOT_OFFICE_SIGN": "",
                   "secrets.ERPOPS_SMTP_URL": f"mailto://127.0.0.1:{box.port}?from=erp-ops@example.com&mode=insecure"}
        first = _job(repo, tmp_path / "run1", fake, tmp_path, secrets)
        assert [c for c, _ in first] == [0, 0, 0], first
        assert sorted(m["To"] for m in box.messages) == ["li@example.com", "qian@example.com", "sun@example.com",
                                                         "zhao@example.com"]
        state = git.Repo(origin).heads["notify-state"].commit
        sent = json.loads(state.tree["sent.json"].data_stream.read())["sent"]
        assert "ALP-20261130-CCCC:h1:resolved@mail:li-user" in sent
        second = _job(repo, tmp_path / "run2", fake, tmp_path, secrets)
        assert [c for c, _ in second] == [0, 0, 0], second
        assert "已发送 0 条消息，失败 0 条，等待 0 条。" in second[1][1]
        assert len(box.messages) == 4
        assert git.Repo(origin).heads["notify-state"].commit == state  # nothing new to record
