"""The mail-intake workflow's steps, run as the runner would (bash -eo pipefail, the step's env),
against a real IMAP server and a bare origin, with a stand-in for gh."""
from __future__ import annotations

import json
import os

import git
import pytest

from imap_server import imap_server, smtp_server  # noqa: F401  (fixtures)
from test_mail_intake import GB2312, UNKNOWN, append, folders, ops  # noqa: F401  (ops is a fixture)
from test_workflow_steps import _outputs
from workflows import BIN, run_step, step

FETCH = ("mail-intake.yml", "Turn new mail into tickets")
OPEN_PRS = ("mail-intake.yml", "Open a pull request for each branch")
CLOCK = {"ERPOPS_NOW": "2026-11-25T12:00:00+08:00"}


@pytest.fixture
def fake_gh(tmp_path):
    """A stand-in for gh (not installed here): records each call."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    log = tmp_path / "gh.log"
    (fake / "gh").write_text("#!/usr/bin/env python3\nimport json, sys\n"
                             f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n", "utf-8")
    (fake / "gh").chmod(0o755)
    return fake, log


def test_the_intake_steps_push_each_branch_and_open_its_pull_request(ops, imap_server, smtp_server,  # noqa: F811
                                                                       runner, fake_gh, tmp_path):
    fake, log = fake_gh
    origin = git.Repo.init(tmp_path / "origin.git", bare=True)
    ops.git.create_remote("origin", str(origin.working_dir))
    append(imap_server, GB2312, UNKNOWN)
    s = step(*FETCH)
    secrets = {f"secrets.{k}": v for k, v in {**imap_server.env(), **smtp_server.env()}.items()}
    secrets.setdefault("secrets.ERPOPS_IMAP_PORT", str(imap_server.port))
    context = {"github.token": "t0ken", **secrets}
    # ERPOPS_IMAP_SSL is no secret in the workflow (TLS is the default): a local test server has none.
    pinned = {**CLOCK, "PATH": f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}", "ERPOPS_IMAP_SSL": "no"}
    proc, _ = run_step(s, ops.root, runner, context, pinned=pinned)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [h.name for h in origin.heads] == ["ticket/mail-1"]
    assert folders(imap_server) == {"INBOX": 0, "erpops-done": 1, "erpops-rejected": 1}
    assert len(smtp_server.received) == 1
    outputs = _outputs((runner / "github_output").read_text("utf-8"))
    assert outputs["count"] == "1"
    branch, title = outputs["pulls"].split("\t")
    assert branch == "ticket/mail-1" and title.endswith("：朱镕基路仓库无法出库")

    s = step(*OPEN_PRS)
    context = {"github.token": "t0ken", "github.ref_name": "main", "steps.mail.outputs.pulls": outputs["pulls"],
               "steps.mail.outputs.pr-body": outputs["pr-body"]}
    proc, _ = run_step(s, ops.root, runner, context, pinned={"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert calls == [["auth", "setup-git"],
                     ["pr", "create", "--base", "main", "--head", "ticket/mail-1", "--title", title,
                      "--body", outputs["pr-body"]]]
    assert s["if"] == "always() && steps.mail.outputs.count != '0' && steps.mail.outputs.count != ''"
