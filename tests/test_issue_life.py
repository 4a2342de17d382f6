"""Issue #14's own test: one ticket from the form to its close only through issue and comment events.

Each workflow step runs as the runner would (its `run:` text, its env from the event's values)
in a real Git repository with an origin; the forge is the recording stand-in on 127.0.0.1, which
also tells the data gate whom a bot's pull request acts for; `gh` is a recording stand-in. Every
pull request is judged by the data gate's own step on GitHub's merge commit before it is merged.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import git
import pytest
import yaml

from forge_server import OWNER_REPO, TOKEN, forge, no_ci  # noqa: F401
from test_workflow_steps import ACTING_STEP, DISPATCHED, OPEN_PR, PR_STEP, WRITE, _outputs
from workflows import BIN, run_step, stand_in_base_venv, step

COMMENT_STEP = ("ticket-comment.yml", "Record the comment's command on its ticket")
PUSH_STEP = ("ticket-comment.yml", "Push the branch, open the pull request, acknowledge on the issue")
ANSWER_STEP = ("ticket-answer.yml", "Answer on the issues")
ISSUES = f"/api/v3/repos/{OWNER_REPO}/issues"
CLOCK = "2026-11-03T18:00:00+08:00"
LOGINS = {"li-user": "li-gh", "zhou-user": "zhou-gh", "zhao-admin": "zhao-gh", "qian-erp": "qian-gh",
          "sun-lead": "sun-gh"}
BOT = "github-actions[bot]"


class Life:
    """The ops repository on the runner, its origin, the forge and gh stand-ins, and the clock."""

    def __init__(self, repo, forge, tmp_path: Path) -> None:
        from test_issue_form import _git_init
        from tickets_fixture import setup

        setup(repo)
        for pid, login in LOGINS.items():
            repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {login}\n")
        self.repo, self.forge, self.tmp = repo, forge, tmp_path
        self.g = _git_init(repo.root)
        with self.g.config_writer() as cfg:  # as on the runner: no identity until a step sets one
            cfg.remove_section("user")
        origin = tmp_path / "origin.git"
        subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
        self.g.create_remote("origin", str(origin))
        self.gh_log = tmp_path / "gh.log"
        fake = tmp_path / "fakebin"
        fake.mkdir()
        (fake / "gh").write_text(
            "#!/usr/bin/env python3\nimport json, sys\n"
            f"open({str(self.gh_log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
            "if sys.argv[1:3] == ['pr', 'create']:\n"
            "    print('https://github.com/ops/erpops/pull/' + sys.argv[sys.argv.index('--head') + 1].replace('/', '-'))\n",
            "utf-8")
        (fake / "gh").chmod(0o755)
        self.env = {"PATH": os.pathsep.join((str(fake), str(BIN), os.environ["PATH"])), "ERPOPS_NOW": CLOCK,
                    "GITHUB_API_URL": f"{forge.url}/api/v3", "GITHUB_REPOSITORY": OWNER_REPO,
                    "GITHUB_SERVER_URL": "https://github.com"}
        self.runs = 0

    def at(self, now: str) -> None:
        """The CI clock of the jobs that follow (each runs a few minutes after its event)."""
        self.env["ERPOPS_NOW"] = now

    def runner(self) -> Path:
        """A fresh runner folder for one job (as each job gets its own)."""
        self.runs += 1
        folder = self.tmp / f"runner-{self.runs}"
        folder.mkdir()
        return folder

    def fresh_checkout(self) -> None:
        """What actions/checkout leaves: main, clean."""
        self.g.git.switch("-q", "--discard-changes", "main")
        self.g.git.clean("-fdq")

    def gh_calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.gh_log.read_text("utf-8").splitlines()] \
            if self.gh_log.exists() else []

    def answers(self, since: int = 0) -> list[tuple[str, str, object]]:
        return [(r.method, r.path, r.body) for r in self.forge.requests[since:] if r.method != "GET"]

    def gate_and_merge(self, branch: str, number: int, opened_at: str) -> tuple[int, str, str, str]:
        """The data gate on GitHub's merge commit of `branch`'s pull request (the acting person
        from the stand-in API), then the merge into main: (exit, gate output, before, after)."""
        self.g.git.switch("-q", "main")
        before = self.g.head.commit.hexsha
        tip = self.g.commit(branch).hexsha
        self.g.git.switch("-q", "-c", f"pull/{number}/merge", "main")
        env = {"GIT_AUTHOR_NAME": "github", "GIT_AUTHOR_EMAIL": "noreply@github.com",
               "GIT_COMMITTER_NAME": "github", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
        self.g.git.merge("--no-ff", "-q", "-m", f"Merge {tip} into {before}", branch, env=env)
        runner = self.runner()
        stand_in_base_venv(runner)
        acting, _ = run_step(step(*ACTING_STEP), self.repo.root, runner,
                             {"github.token": TOKEN, "github.event.pull_request.user.type" + DISPATCHED + "author-type": "Bot",
                              "github.head_ref" + DISPATCHED + "head-ref": branch}, pinned=self.env)
        assert acting.returncode == 0, acting.stdout + acting.stderr
        login = _outputs((runner / "github_output").read_text("utf-8"))["login"]
        context = {"github.event.pull_request.base.sha" + DISPATCHED + "base-sha": before,
                   "github.event.merge_group.base_sha": "",
                   "github.event.pull_request.user.login" + DISPATCHED + "author": BOT,
                   "github.event.pull_request.created_at" + DISPATCHED + "created-at": opened_at,
                   "steps.acting.outputs.login": login}
        gate, _ = run_step(step(*PR_STEP), self.repo.root, runner, context, pinned=self.env)
        self.g.git.switch("-q", "main")
        self.g.git.merge("--no-ff", "-q", "-m", f"Merge pull request #{number} from {branch}", branch, env=env)
        return gate.returncode, gate.stdout, before, self.g.head.commit.hexsha

    def answer(self, before: str, after: str) -> subprocess.CompletedProcess:
        """ticket-answer.yml on the push of the merge."""
        self.fresh_checkout()
        proc, _ = run_step(step(*ANSWER_STEP), self.repo.root, self.runner(),
                           {"github.token": TOKEN, "github.event.before": before},
                           event={"before": before, "after": after}, pinned={**self.env, "GITHUB_SHA": after})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def comment(self, login: str, comment_id: int, body: str, created_at: str) -> tuple[subprocess.CompletedProcess, dict]:
        """ticket-comment.yml's recording step for a new comment on issue #7."""
        self.forge.state.comment_data[comment_id] = {
            "id": comment_id, "body": body, "user": {"login": login, "type": "User"},
            "issue_url": f"https://api.github.com/repos/{OWNER_REPO}/issues/7"}
        payload = {"action": "created", "repository": {"default_branch": "main"},
                   "issue": {"number": 7, "labels": [{"name": "ticket"}], "user": {"login": "li-gh"},
                             "html_url": "https://github.com/ops/erpops/issues/7"},
                   "comment": {"id": comment_id, "body": body, "created_at": created_at,
                               "user": {"login": login, "type": "User"}}}
        self.fresh_checkout()
        runner = self.runner()
        proc, _ = run_step(step(*COMMENT_STEP), self.repo.root, runner,
                           {"steps.app.outputs.token || github.token": TOKEN, "github.event.issue.number": "7",
                            "github.event.comment.id": str(comment_id)}, event=payload, pinned=self.env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc, _outputs((runner / "github_output").read_text("utf-8"))

    def open_pull(self, outputs: dict) -> None:
        """ticket-comment.yml's push step with the recording step's outputs."""
        # As with the repository's GitHub App: its token opens the pull request, so CI is not dispatched.
        context = {"steps.app.outputs.token || github.token": TOKEN, "steps.app.outputs.token == ''": "false",
                   "github.event.repository.default_branch": "main",
                   "steps.comment.outputs.branch": outputs["branch"],
                   "steps.comment.outputs.pr-title": outputs["pr-title"],
                   "steps.comment.outputs.pr-body": outputs["pr-body"],
                   "steps.comment.outputs.comment": outputs["comment"], "github.event.issue.number": "7"}
        proc, _ = run_step(step(*PUSH_STEP), self.repo.root, self.runner(), context, pinned=self.env)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def life(repo, forge, tmp_path):
    return Life(repo, forge, tmp_path)


def _issue_event():
    from test_issue_form import body

    return {"action": "opened", "issue": {
        "number": 7, "title": "[工单] 采购订单无法保存", "body": body(), "created_at": "2026-11-03T01:15:00Z",
        "html_url": "https://github.com/ops/erpops/issues/7", "user": {"login": "li-gh"},
        "labels": [{"name": "ticket"}]}}


def test_one_ticket_from_the_form_to_its_close_through_issue_and_comment_events(life):
    forge = life.forge
    forge.state.issue_data[7] = {"number": 7, "user": {"login": "li-gh", "type": "User"}}

    # 1. The form: the ticket on ticket/issue-7, its pull request says Refs #7; the gate passes it.
    life.at("2026-11-03T09:20:00+08:00")
    runner = life.runner()
    proc, _ = run_step(step(*WRITE), life.repo.root, runner, {"github.event.issue.number": "7"},
                       event=_issue_event(), pinned=life.env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = _outputs((runner / "github_output").read_text("utf-8"))
    tid, rel = outputs["ticket"], outputs["path"]
    assert outputs["pr-body"].splitlines()[-1] == "Refs #7"
    context = {"steps.app.outputs.token || github.token": TOKEN, "steps.app.outputs.token == ''": "false",
               "github.event.repository.default_branch": "main",
               "steps.ticket.outputs.branch": outputs["branch"], "steps.ticket.outputs.pr-title": outputs["pr-title"],
               "steps.ticket.outputs.pr-body": outputs["pr-body"], "steps.ticket.outputs.comment": outputs["comment"],
               "github.event.issue.number": "7"}
    proc, _ = run_step(step(*OPEN_PR), life.repo.root, runner, context, pinned=life.env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    code, verdict, before, after = life.gate_and_merge("ticket/issue-7", 8, "2026-11-03T01:16:00Z")
    assert (code, verdict) == (0, "检查了 1 个文件，没有发现问题。\n")
    assert yaml.safe_load(life.repo.read(rel))["issue"] == {
        "forge": "github", "number": 7, "url": "https://github.com/ops/erpops/issues/7"}
    seen = len(forge.requests)
    life.answer(before, after)
    ((method, path, answer),) = life.answers(seen)
    assert (method, path) == ("POST", f"{ISSUES}/7/comments")
    assert answer["body"] == (
        f"**工单 {tid}：采购订单无法保存**（{rel}）有新进展：\n\n"
        "- 2026-11-03 09:15 李用户：提交，交给 李用户（关键用户）——“由议题 \\#7 的工单表单生成（GitHub 账号 li\\-gh）”\n\n"
        "当前状态：已提交，由 李用户（关键用户）处理。时限：响应 2026-11-03 14:45 前，解决 2026-11-10 11:45 前。\n\n"
        f"<!-- erpops-answer {tid} {after} -->")  # the mark a run again for this push finds

    # 2. The reporter escalates with the cause and impact: its own pull request, passed and merged.
    life.at("2026-11-03T10:05:00+08:00")
    proc, outputs = life.comment("li-gh", 9001, "/升级 客户端重装后仍报错\n原因：先修改了供应商再保存\n影响：采购部 3 人无法下单",
                                 "2026-11-03T02:00:00Z")
    assert outputs["branch"] == "ticket/comment-7-9001"
    life.open_pull(outputs)
    assert life.gh_calls()[-2][:2] == ["pr", "create"] and "Refs #7" in life.gh_calls()[-2][-1]
    assert life.gh_calls()[-1] == ["issue", "comment", "7", "--body",
                                   f"已收到（上报），已提交为工单 {tid} 的拉取请求，合并后生效： "
                                   "https://github.com/ops/erpops/pull/ticket-comment-7-9001"]
    assert git.Repo(life.tmp / "origin.git").heads["ticket/comment-7-9001"].commit == life.g.heads[
        "ticket/comment-7-9001"].commit
    code, verdict, before, after = life.gate_and_merge("ticket/comment-7-9001", 9, "2026-11-03T02:01:00Z")
    assert (code, verdict) == (0, "检查了 1 个文件，没有发现问题。\n")
    seen = len(forge.requests)
    life.answer(before, after)
    ((_, _, answer),) = life.answers(seen)
    assert answer["body"].splitlines()[2:5] == [
        "- 2026-11-03 10:00 李用户：更正——“在议题上升级时补充原因与影响”",
        "- 2026-11-03 10:00 李用户：上报，交给 赵管理（业务系统管理员）——“客户端重装后仍报错”",
        "",
    ]
    assert answer["body"].splitlines()[-3].startswith("当前状态：已上报，由 赵管理（业务系统管理员）处理。时限：")

    # 3. Refusals are answered on the issue, nothing written: someone who does not hold it, a
    #    stranger, an unknown word. A plain comment is left alone.
    life.at("2026-11-03T11:05:00+08:00")
    seen = len(forge.requests)
    for login, cid, body in (("zhou-gh", 9002, "/解决 好了 原因：不知道"), ("stranger", 9003, "/补充 我也是"),
                             ("li-gh", 9004, "/催一下"), ("li-gh", 9005, "谢谢")):
        proc, outputs = life.comment(login, cid, body, "2026-11-03T03:00:00Z")
        assert outputs == {}, body
    refusals = [b["body"] for _, _, b in life.answers(seen)]
    assert len(refusals) == 3
    assert refusals[0].startswith("⚠️ 未记录：“/解决”超出了您的处理权限，合并关卡会拒绝：\n\n- [pr-entitled] ")
    assert refusals[1].startswith("⚠️ 未记录：GitHub账号 stranger 不在名册中")
    assert "`github: stranger`" in refusals[1]
    assert refusals[2].startswith("⚠️ 未记录：不认识的指令“/催一下”。")
    assert [h.name for h in life.g.heads if h.name.startswith("ticket/comment-")] == ["ticket/comment-7-9001"]

    # 4. The business admin resolves; 5. the reporter confirms: the issue is closed.
    life.at("2026-11-03T14:05:00+08:00")
    proc, outputs = life.comment("zhao-gh", 9006, "/解决 解除单据锁定后保存成功 原因：上次保存中断留下了单据锁",
                                 "2026-11-03T06:00:00Z")
    life.open_pull(outputs)
    code, verdict, before, after = life.gate_and_merge("ticket/comment-7-9006", 10, "2026-11-03T06:01:00Z")
    assert (code, verdict) == (0, "检查了 1 个文件，没有发现问题。\n")
    seen = len(forge.requests)
    life.answer(before, after)
    ((_, _, answer),) = life.answers(seen)
    assert answer["body"].splitlines()[2] == "- 2026-11-03 14:00 赵管理：解决——“解除单据锁定后保存成功”"
    assert answer["body"].splitlines()[-3].startswith(
        "当前状态：已解决，由 赵管理（业务系统管理员）处理。请在 2026-11-11 00:00 前确认：")

    life.at("2026-11-03T16:05:00+08:00")
    proc, outputs = life.comment("li-gh", 9007, "/确认", "2026-11-03T08:00:00Z")
    life.open_pull(outputs)
    code, verdict, before, after = life.gate_and_merge("ticket/comment-7-9007", 11, "2026-11-03T08:01:00Z")
    assert (code, verdict) == (0, "检查了 1 个文件，没有发现问题。\n")
    seen = len(forge.requests)
    proc = life.answer(before, after)
    assert proc.stdout == f"已在议题 #7 上答复工单 {tid}（评论并关闭议题）。\n"
    (comment, close) = life.answers(seen)
    assert comment[:2] == ("POST", f"{ISSUES}/7/comments")
    assert comment[2]["body"].splitlines()[2] == "- 2026-11-03 16:00 李用户：关闭——“报告人在议题上确认问题已解决”"
    assert close == ("PATCH", f"{ISSUES}/7", {"state": "closed", "state_reason": "completed"})
    assert forge.state.issues == {7: "closed"}

    # The ticket's history: every event by the person who commented, at the comment's time.
    life.fresh_checkout()
    data = yaml.safe_load(life.repo.read(rel))
    assert [(e["event"], e["by"], e["at"].isoformat()) for e in data["history"]] == [
        ("open", "li-user", "2026-11-03T09:15:00+08:00"),
        ("update", "li-user", "2026-11-03T10:00:00+08:00"),
        ("escalate", "li-user", "2026-11-03T10:00:00+08:00"),
        ("resolve", "zhao-admin", "2026-11-03T14:00:00+08:00"),
        ("close", "li-user", "2026-11-03T16:00:00+08:00"),
    ]
    assert (data["status"], data["cause"], data["impact"]) == ("closed", "先修改了供应商再保存", "采购部 3 人无法下单")


def test_the_gate_refuses_a_comment_pull_request_whose_event_is_not_the_commenters(life):
    """A comment branch is judged as acting for the comment's author, whoever the event names."""
    from issue_fixture import ISSUE_PATH, ISSUE_TICKET
    from prcheck_fixture import event

    life.repo.write(ISSUE_PATH, ISSUE_TICKET)
    life.g.git.add("-A")
    life.g.git.commit("-q", "-m", "ticket", env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x",
                                                 "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@x"})
    life.forge.state.comment_data[9100] = {"id": 9100, "user": {"login": "zhou-gh", "type": "User"},
                                           "issue_url": f"https://api.github.com/repos/{OWNER_REPO}/issues/7"}
    life.g.git.switch("-q", "-c", "ticket/comment-7-9100")
    text = life.repo.read(ISSUE_PATH) + event("comment", "2026-11-03T10:00:00+08:00", "li-user", note="冒名")
    life.repo.write(ISSUE_PATH, text)
    life.g.git.commit("-q", "-am", "forged", env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x",
                                                  "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@x"})
    code, verdict, _, _ = life.gate_and_merge("ticket/comment-7-9100", 12, "2026-11-03T02:01:00Z")
    assert code == 1
    assert "title=pr-author::" in verdict


@pytest.mark.parametrize("answer", [
    {"id": 9200, "user": {"login": "zhou-gh"}, "issue_url": f"https://api.github.com/repos/{OWNER_REPO}/issues/8"},
    {"id": 9200, "user": {"login": "github-actions[bot]"},
     "issue_url": f"https://api.github.com/repos/{OWNER_REPO}/issues/7"},
])
def test_the_acting_step_refuses_a_comment_on_another_issue_or_by_a_bot(life, answer):
    life.forge.state.comment_data[9200] = answer
    proc, _ = run_step(step(*ACTING_STEP), life.repo.root, life.runner(),
                       {"github.token": TOKEN, "github.event.pull_request.user.type" + DISPATCHED + "author-type": "Bot",
                        "github.head_ref" + DISPATCHED + "head-ref": "ticket/comment-7-9200"}, pinned=life.env)
    assert proc.returncode == 2
    assert "::error title=erpops acting-for::the author of comment 9200 on issue #7 is not a person" in proc.stdout
