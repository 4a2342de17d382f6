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


def _gitlab_notify(ops, project_dir, origin_root, token, smtp_url):
    """The GitLab `notify` job's script on a fresh runner folder: its exit code and log."""
    from test_forge_files import _gitlab_job, _run_gitlab

    project_dir.mkdir()
    env = {"CI_PIPELINE_SOURCE": "schedule", "ERPOPS_JOB": "notify", "CI_SERVER_URL": f"file://{origin_root}",
           "CI_PROJECT_PATH": "acme/ops", "ERPOPS_NOW": nf.NOW, "ERPOPS_TODAY": nf.NOW[:10],
           "ERPOPS_SMTP_URL": smtp_url, "NO_PROXY": "127.0.0.1"}
    if token is not None:
        env["ERPOPS_PUSH_TOKEN"] = token
    (script,) = _gitlab_job("notify")["script"][1:]
    proc = _run_gitlab(script, ops.root, project_dir, env)
    return proc.returncode, proc.stdout + proc.stderr


def _origin(repo, tmp_path):
    g = _git_init(repo.root)
    origin = tmp_path / "acme" / "ops.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    g.create_remote("origin", str(origin))
    g.git.push("-q", "origin", "main")
    return origin


def test_gitlab_notify_job_keeps_the_record_on_the_notify_state_branch(repo, tmp_path):
    """GitLab's twin of the GitHub job: the second scheduled run (a fresh runner) sends nothing again."""
    nf.setup(repo, notify=MAIL_ONLY)
    origin = _origin(repo, tmp_path)
    with rs.smtp() as box:
        url = f"mailto://127.0.0.1:{box.port}?from=erp-ops@example.com&mode=insecure"
        code, log = _gitlab_notify(repo, tmp_path / "run1", tmp_path, "glpat-x", url)
        assert code == 0, log
        assert len(box.messages) == 4
        record = git.Repo(origin).heads["notify-state"].commit
        assert record.message == "Record the notices delivered\n"
        sent = json.loads(record.tree["sent.json"].data_stream.read())["sent"]
        assert "ALP-20261130-CCCC:h1:resolved@mail:li-user" in sent
        code, log = _gitlab_notify(repo, tmp_path / "run2", tmp_path, "glpat-x", url)
        assert code == 0, log
        assert "已发送 0 条消息，失败 0 条，等待 0 条。" in log
        assert len(box.messages) == 4
        assert git.Repo(origin).heads["notify-state"].commit == record


def test_gitlab_notify_job_without_a_push_token_sends_nothing(repo, tmp_path):
    """Without a token the record cannot be saved: sending anyway would repeat every notice each hour."""
    nf.setup(repo, notify=MAIL_ONLY)
    origin = _origin(repo, tmp_path)
    with rs.smtp() as box:
        url = f"mailto://127.0.0.1:{box.port}?from=erp-ops@example.com&mode=insecure"
        code, log = _gitlab_notify(repo, tmp_path / "run1", tmp_path, None, url)
    assert code == 1
    assert log == "未设置 CI/CD 变量 ERPOPS_PUSH_TOKEN：送达记录无法保存，为免重复发送，本次不发送通知。\n"
    assert box.messages == [] and "notify-state" not in [h.name for h in git.Repo(origin).heads]


def test_gitea_notify_keeps_the_record_with_the_token_in_a_header(repo, tmp_path):
    """Gitea's twin, run as its runner would: the record goes to notify-state; the token never in a URL."""
    import yaml
    from conftest import REPO_ROOT

    wf = yaml.safe_load((REPO_ROOT / ".gitea/workflows/notify.yml").read_text("utf-8"))
    (send,) = [s for s in wf["jobs"]["notify"]["steps"] if s.get("name") == "Send the notices and keep the delivery record"]
    assert "GITEA_TOKEN@" not in send["run"] and "http.extraHeader=Authorization" in send["run"]
    nf.setup(repo, notify=MAIL_ONLY)
    origin = _origin(repo, tmp_path)
    pinned = {"ERPOPS_NOW": nf.NOW, "ERPOPS_TODAY": nf.NOW[:10], "NO_PROXY": "127.0.0.1",
              "GITHUB_SERVER_URL": f"file://{tmp_path}", "GITHUB_REPOSITORY": "acme/ops"}
    with rs.smtp() as box:
        context = {"github.token": "gitea-t0ken", "secrets.ERPOPS_ROBOT_OFFICE": "",
                   "secrets.ERPOPS_ROBOT_OFFICE_SIGN": "",
                   "secrets.ERPOPS_SMTP_URL": f"mailto://127.0.0.1:{box.port}?from=erp-ops@example.com&mode=insecure"}
        for run in ("run1", "run2"):
            (tmp_path / run).mkdir()
            proc, _ = run_step(send, repo.root, tmp_path / run, context, pinned=pinned)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            assert len(box.messages) == 4
    assert "已发送 0 条消息，失败 0 条，等待 0 条。" in proc.stdout + proc.stderr
    record = git.Repo(origin).heads["notify-state"].commit
    assert "ALP-20261130-CCCC:h1:resolved@mail:li-user" in json.loads(record.tree["sent.json"].data_stream.read())["sent"]
