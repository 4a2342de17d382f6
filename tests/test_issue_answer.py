"""Every failure of the ticket form's intake is answered on the issue: `ticket from-issue
--answer-file` leaves the reason (the CLI's words, inert for Markdown) and what to do, and
`erpops forge answer-issue` posts it through the forge's API (stand-in on 127.0.0.1)."""
from __future__ import annotations

import json

import pytest

from forge_server import OWNER_REPO, PROJECT_ID, TOKEN, forge, forge_env, no_ci  # noqa: F401
from test_issue_form import _ticket_files, event, ops  # noqa: F401

MARK = "<!-- erpops:intake-answer -->"
TITLE = "**未能根据本议题生成工单。**"
HINT = {
    "author": "**怎么办：** 请联系运维管理办公室，请他们在名册中登记您在本平台的账号；登记合并后，再用“提交运维工单”表单重新提交。",
    "form": "**怎么办：** 请按上面的原因改正：用“提交运维工单”表单重新提交一个议题（改动本议题不会重新生成工单），然后关闭本议题。",
    "rules": "**怎么办：** 工单不符合运维制度（见上面的原因）。请改正后用“提交运维工单”表单重新提交；拿不准时请联系本子系统的业务系统管理员。",
}


def _from_issue(cli, ops, tmp_path, **changes):
    answer = tmp_path / "answer.md"
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, **changes)), "--branch", "b",
            "--answer-file", str(answer), cwd=ops.root)
    return r, answer


def test_an_unknown_login_leaves_the_reason_and_the_fix_for_the_issue(ops, cli, tmp_path):
    r, answer = _from_issue(cli, ops, tmp_path, login="stranger")
    assert r.code == 2
    assert r.err == ("erpops: GitHub 账号 stranger 不在名册中，无法确定提交人。请在 roster/people.yaml 中为此人添加一行 "
                     "`github: stranger`，合并后重新运行本工作流。\n")
    assert answer.read_text("utf-8") == "\n\n".join([
        MARK, TITLE,
        "原因：\n\n> GitHub 账号 stranger 不在名册中，无法确定提交人。请在 roster/people\\.yaml 中为此人添加一行 "
        "\\`github\\: stranger\\`，合并后重新运行本工作流。",
        HINT["author"]]) + "\n"
    assert _ticket_files(ops.root) == [] and "b" not in ops.git.heads


@pytest.mark.parametrize("changes,reason", [
    ({"type": "fault"}, "“工单类型”的值“fault”不是表单中的选项。表单可能已过期，请刷新后重新选择。（议题 \\#7）"),
    ({"symptom": None}, "“问题现象”为必填项。（议题 \\#7）"),
    ({"reporter": "王某"}, "报告人“王某”不在名册中（须为人员编号或姓名，且只对应一人）。终端用户请填写在“终端用户”一栏。"),
    ({"title": "[工单] "}, "议题 \\#7 没有标题，无法生成工单。"),
])
def test_a_bad_form_leaves_its_reason_and_says_to_submit_again(ops, cli, tmp_path, changes, reason):
    r, answer = _from_issue(cli, ops, tmp_path, **changes)
    assert r.code == 2
    assert answer.read_text("utf-8") == f"{MARK}\n\n{TITLE}\n\n原因：\n\n> {reason}\n\n{HINT['form']}\n"


def test_a_rule_refusal_leaves_every_line_the_cli_printed(ops, cli, tmp_path):
    r, answer = _from_issue(cli, ops, tmp_path, login="qian-gh")
    assert r.code == 1
    printed = [line for line in r.err.splitlines() if line]
    text = answer.read_text("utf-8")
    quoted = [line for line in text.splitlines() if line.startswith("> ")]
    assert len(quoted) == len(printed) >= 2
    assert quoted[0].startswith("> tickets/alpha/2026/ALP\\-20261103\\-")
    assert "\\[ticket\\-open\\-tier\\] 钱系统 在“甲系统”不担任 关键用户" in quoted[0]
    assert text.endswith(HINT["rules"] + "\n")


def test_no_answer_is_left_when_the_ticket_is_made(ops, cli, tmp_path):
    r, answer = _from_issue(cli, ops, tmp_path)
    assert r.code == 0, r.err
    assert not answer.exists()


def test_what_a_key_user_typed_cannot_mention_link_or_format_on_the_issue(ops, cli, tmp_path):
    r, answer = _from_issue(cli, ops, tmp_path,
                            reporter="@qian-gh ![点](https://e.cn) <b>x</b> www.e.cn **粗**")
    assert r.code == 2
    text = answer.read_text("utf-8")
    (line,) = [x for x in text.splitlines() if x.startswith("> ")]
    assert line == ("> 报告人“@&#8203;qian\\-gh \\!\\[点\\]\\(https\\:&#8203;//e\\.cn\\) "
                    "&lt;b&gt;x&lt;/b&gt; www&#8203;\\.e\\.cn \\*\\*粗\\*\\*”"
                    "不在名册中（须为人员编号或姓名，且只对应一人）。终端用户请填写在“终端用户”一栏。")
    for raw in ("@qian", "](", "<b>", "https://", "www.", "**粗"):
        assert raw not in text


def test_an_answer_file_that_cannot_be_written_leaves_the_refusal_as_it_is(ops, cli, tmp_path):
    answer = tmp_path / "no-such-folder" / "x" / "answer.md"
    (tmp_path / "no-such-folder").write_text("a file, not a folder", "utf-8")
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, login="stranger")), "--answer-file", str(answer),
            cwd=ops.root)
    assert r.code == 2
    assert r.err.startswith(f"未能写入给议题的答复 {answer}：")
    assert "GitHub 账号 stranger 不在名册中" in r.err


# erpops forge answer-issue: the answer posted through the forge's API.

@pytest.mark.parametrize("name,path", [
    ("github", f"/api/v3/repos/{OWNER_REPO}/issues/7/comments"),
    ("gitea", f"/api/v1/repos/{OWNER_REPO}/issues/7/comments"),
    ("gitlab", f"/api/v4/projects/{PROJECT_ID}/issues/7/notes"),
])
def test_answer_issue_posts_the_answer_the_intake_left(ops, cli, tmp_path, forge, monkeypatch, name, path):
    _, answer = _from_issue(cli, ops, tmp_path, login="stranger")
    for key, value in forge_env(name, forge.url).items():
        monkeypatch.setenv(key, value)
    r = cli("forge", "answer-issue", "--issue", "7", "--from", str(answer), cwd=ops.root)
    assert r.code == 0, r.err
    (req,) = forge.requests
    assert (req.method, req.path) == ("POST", path)
    assert req.body == {"body": answer.read_text("utf-8")}
    assert r.out.startswith(f"已在 {name} 的议题 #7 上答复。")


def test_answer_issue_without_a_left_answer_posts_the_general_one_with_the_run(ops, cli, tmp_path, forge, monkeypatch):
    for key, value in {**forge_env("github", forge.url), "GITHUB_RUN_ID": "4242"}.items():
        monkeypatch.setenv(key, value)
    r = cli("forge", "answer-issue", "--issue", "7", "--from", str(tmp_path / "none.md"), cwd=ops.root)
    assert r.code == 0, r.err
    (req,) = forge.requests
    assert req.body == {"body": f"{MARK}\n\n{TITLE}\n\n生成工单的过程中有一步没有完成（如推送分支、创建拉取请求或启动检查）。"
                                "运维管理办公室会查看原因并处理，请不要重复提交。 "
                                f"运行记录：https://github.invalid/{OWNER_REPO}/actions/runs/4242\n"}


def test_answer_issue_posts_only_what_erpops_wrote(ops, cli, tmp_path, forge, monkeypatch):
    planted = tmp_path / "answer.md"
    planted.write_text("@everyone [free](https://evil.example)\n", "utf-8")
    for key, value in forge_env("github", forge.url).items():
        monkeypatch.setenv(key, value)
    assert cli("forge", "answer-issue", "--issue", "7", "--from", str(planted), cwd=ops.root).code == 0
    (req,) = forge.requests
    assert "evil" not in req.body["body"] and req.body["body"].startswith(MARK)


@pytest.mark.parametrize("token,message", [
    ("wrong", "github 接口拒绝了请求 POST /repos/ops/erpops/issues/7/comments：401 Unauthorized"),
    (None, "缺少环境变量 GITHUB_TOKEN"),
])
def test_answer_issue_that_cannot_post_says_why_and_exits_2(ops, cli, tmp_path, forge, monkeypatch, token, message):
    for key, value in forge_env("github", forge.url, token=token).items():
        monkeypatch.setenv(key, value)
    r = cli("forge", "answer-issue", "--issue", "7", cwd=ops.root)
    assert r.code == 2
    assert message in r.err and "Traceback" not in r.err


def test_answer_issue_outside_ci_needs_a_forge(ops, cli, no_ci):  # noqa: F811
    r = cli("forge", "answer-issue", "--issue", "7", cwd=ops.root)
    assert r.code == 2
    assert "认不出代码托管平台" in r.err
