"""erpops ticket from-comment: each command word, each refusal and its answer, the unknown login."""
from __future__ import annotations

import pytest
import yaml

from forge_server import OWNER_REPO, forge, forge_env, no_ci  # noqa: F401
from issue_fixture import ISSUE_PATH, ISSUE_TICKET, comment_event, issue_repo
from erpops.issuecomment import labelled, parse

BRANCH = "ticket/comment-7-9001"


@pytest.fixture
def ops(repo):
    return issue_repo(repo)


def run(cli, repo, tmp_path, body, *more, **kw):
    event = comment_event(tmp_path / "comment.json", body, **kw)
    return cli("ticket", "from-comment", "--event", event, *more, cwd=repo.root)


def history(repo):
    return yaml.safe_load(repo.read(ISSUE_PATH))["history"]


@pytest.mark.parametrize("text,action", [
    ("/补充 已重启客户端", "note"), ("/note more", "note"), ("/备注 x", "note"),
    ("/确认", "confirm"), ("/已解决", "confirm"), ("/Confirm", "confirm"),
    ("/未解决 仍报错", "reopen"), ("/reopen still", "reopen"),
    ("/升级 原因：x", "escalate"), ("/上报", "escalate"), ("/escalate", "escalate"),
    ("/取消 重复提交", "cancel"), ("/cancel dup", "cancel"),
    ("/指派 周用户", "assign"), ("/assign zhou-user", "assign"),
    ("/解决 重启服务 原因：锁未释放", "resolve"), ("/resolve done cause: lock", "resolve"),
    ("／补充 全角斜杠", "note"), ("  /补充：冒号也行", "note"), ("/foo bar", ""),
])
def test_each_command_word_chinese_first_with_english_aliases(text, action):
    assert parse(text).action == action


def test_a_comment_without_a_leading_slash_is_not_a_command():
    assert parse("谢谢，我再试试 /补充") is None
    assert parse("") is None


def test_the_text_after_the_word_keeps_its_lines_and_the_labels_split():
    cmd = parse("/升级 ERP 报错\n原因：调拨单未记账\n影响：二车间停线 1 小时")
    assert (cmd.word, cmd.text) == ("升级", "ERP 报错\n原因：调拨单未记账\n影响：二车间停线 1 小时")
    assert labelled(cmd.text) == ("ERP 报错", {"cause": "调拨单未记账", "impact": "二车间停线 1 小时"})
    assert labelled("fix cause: a lock Impact: none") == ("fix", {"cause": "a lock", "impact": "none"})
    assert labelled("只有说明") == ("只有说明", {})


def test_note_becomes_a_comment_event_at_the_comments_time_by_its_author(ops, repo, cli, tmp_path, monkeypatch):
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    r = run(cli, repo, tmp_path, "/补充 已重启客户端，问题依旧\n截图见附件", "--branch", BRANCH)
    assert r.code == 0, r.err
    last = history(repo)[-1]
    assert last == {"event": "comment", "at": last["at"], "by": "li-user", "tier": "key-user",
                    "note": "已重启客户端，问题依旧 截图见附件"}
    assert last["at"].isoformat() == "2026-11-20T09:00:00+08:00"
    assert ops.g.active_branch.name == BRANCH
    head = ops.g.head.commit
    assert list(head.stats.files) == [ISSUE_PATH]
    assert head.message.strip() == "Ticket ALP-20261102-Q7RS: comment from comment 9001 on issue #7 by li-user"
    text = out.read_text("utf-8")
    assert f"branch={BRANCH}\n" in text and "ticket=ALP-20261102-Q7RS\n" in text
    assert "pr-title=工单 ALP-20261102-Q7RS：补充信息（议题 #7 的评论）\n" in text
    assert "\nRefs #7\n" in text and "Closes" not in text
    assert "comment=已收到（补充信息），已提交为工单 ALP-20261102-Q7RS 的拉取请求，合并后生效：\n" in text
    assert cli("check", cwd=repo.root).code == 0


def test_escalate_records_the_cause_and_impact_then_escalates_to_the_next_tier(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/升级 客户端无法解决\n原因：先改了供应商再保存\n影响：采购部 3 人无法下单",
            "--branch", BRANCH)
    assert r.code == 0, r.err
    data = yaml.safe_load(repo.read(ISSUE_PATH))
    assert (data["cause"], data["impact"]) == ("先改了供应商再保存", "采购部 3 人无法下单")
    assert (data["status"], data["tier"], data["assignee"]) == ("escalated", "business-admin", "zhao-admin")
    update, escalate = data["history"][-2:]
    assert (update["event"], update["fields"], update["by"]) == ("update", ["cause", "impact"], "li-user")
    assert update["note"] == "在议题上升级时补充原因与影响"
    assert (escalate["event"], escalate["by"], escalate["note"]) == ("escalate", "li-user", "客户端无法解决")
    assert escalate["at"] == update["at"]
    assert list(ops.g.head.commit.stats.files) == [ISSUE_PATH]


def test_escalate_without_a_cause_is_refused_and_says_what_to_type(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/升级 搞不定", "--branch", BRANCH)
    assert r.code == 1
    assert "⚠️ 未记录：“/升级”未能记录，原因：" in r.err
    assert "- [ticket-symptom-cause] " in r.err
    assert "`/升级 原因：引发问题的操作 影响：对生产经营的影响`" in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET
    assert [h.name for h in ops.g.heads] == ["main"]


def test_a_cause_given_by_someone_who_neither_reported_nor_holds_it_is_refused(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/升级 原因：先改了供应商 影响：无法下单", "--branch", BRANCH, login="zhou-gh")
    assert r.code == 1
    assert "“/升级”未能记录，原因：\n\n- [pr-entitled] 周用户 不能更正 cause、impact" in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET
    assert [h.name for h in ops.g.heads] == ["main"]


def test_an_escalation_by_someone_who_does_not_hold_it_is_refused_as_not_entitled(repo, cli, tmp_path):
    with_cause = ISSUE_TICKET.replace("history:\n", "cause: 先改了供应商再保存\nhistory:\n")
    ops = issue_repo(repo, with_cause)
    r = run(cli, repo, tmp_path, "/升级 我来上报", "--branch", BRANCH, login="zhou-gh")
    assert r.code == 1
    assert "“/升级”超出了您的处理权限，合并关卡会拒绝：\n\n- [pr-entitled] " in r.err
    assert repo.read(ISSUE_PATH) == with_cause  # the escalation written is taken back
    assert [h.name for h in ops.g.heads] == ["main"]


def test_resolve_then_confirm_closes_the_ticket(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/解决 解除单据锁定后保存成功 原因：上次保存中断留下的锁")
    assert r.code == 0, r.err
    data = yaml.safe_load(repo.read(ISSUE_PATH))
    assert data["status"] == "resolved"
    assert (data["resolution"]["summary"], data["resolution"]["root_cause"]) == (
        "解除单据锁定后保存成功", "上次保存中断留下的锁")
    r = run(cli, repo, tmp_path, "/确认", created_at="2026-11-20T03:00:00Z", comment_id=9002)
    assert r.code == 0, r.err
    last = history(repo)[-1]
    assert (last["event"], last["by"], last["note"]) == ("close", "li-user", "报告人在议题上确认问题已解决")
    assert yaml.safe_load(repo.read(ISSUE_PATH))["status"] == "closed"


def test_resolve_without_a_root_cause_is_refused(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/解决 好了")
    assert r.code == 1
    assert "“/解决”需要写明处理结果和根本原因。" in r.err
    assert "`/解决 处理结果 原因：根本原因`" in r.err


def test_confirm_of_a_ticket_not_resolved_is_refused_with_the_rule(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/确认")
    assert r.code == 1
    assert "“/确认”未能记录，原因：" in r.err
    assert "- [ticket-history-transition] " in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET


def test_reopen_and_cancel_need_a_reason(ops, repo, cli, tmp_path):
    for word in ("未解决", "取消"):
        r = run(cli, repo, tmp_path, f"/{word}")
        assert r.code == 1
        assert f"“/{word}”后面需要写明内容。" in r.err
    r = run(cli, repo, tmp_path, "/取消 重复提交，见议题 #6")
    assert r.code == 0, r.err
    assert (history(repo)[-1]["event"], history(repo)[-1]["note"]) == ("cancel", "重复提交，见议题 #6")


def test_assign_takes_a_name_and_a_note(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/指派 周用户 他熟悉采购模块")
    assert r.code == 0, r.err
    last = history(repo)[-1]
    assert (last["event"], last["assignee"], last["note"]) == ("assign", "zhou-user", "他熟悉采购模块")
    r = run(cli, repo, tmp_path, "/指派", comment_id=9002)
    assert r.code == 1 and "“/指派”后面需要写处理人的姓名或人员编号。" in r.err


def test_an_unknown_command_lists_the_commands(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/帮我看看")
    assert r.code == 1
    assert "⚠️ 未记录：不认识的指令“/帮我看看”。" in r.err
    assert "- `/补充 内容`：补充信息" in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET


def test_an_unknown_login_is_told_how_to_get_into_the_roster(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/补充 我也遇到了", login="stranger")
    assert r.code == 1
    assert "GitHub账号 stranger 不在名册中，无法确定是谁在处理工单。" in r.err
    assert "在 roster/people.yaml 中为您添加一行 `github: stranger`" in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET


def test_a_comment_on_an_issue_without_a_ticket_says_to_wait_for_the_merge(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/补充 x", number=8)
    assert r.code == 1
    assert "议题 #8 还没有对应的工单" in r.err and "合并后，再在本议题上发表评论" in r.err


@pytest.mark.parametrize("kw", [{}, {"pull": True}, {"login": "github-actions[bot]", "user_type": "Bot"}])
def test_plain_comments_pull_request_comments_and_bots_are_ignored_silently(ops, repo, cli, tmp_path, kw):
    body = "谢谢，我试试" if not kw else "/补充 x"
    r = run(cli, repo, tmp_path, body, "--answer", **kw)
    assert r.code == 0, r.err
    assert "不处理" in r.out
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET


def test_a_broken_event_file_is_unusable_input(ops, repo, cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", "utf-8")
    r = cli("ticket", "from-comment", "--event", str(bad), cwd=repo.root)
    assert r.code == 2 and "无法读取评论事件文件" in r.err
    bad.write_text('{"issue": {"number": 7}}', "utf-8")
    r = cli("ticket", "from-comment", "--event", str(bad), cwd=repo.root)
    assert r.code == 2 and "不是议题评论事件" in r.err


def test_with_answer_a_refusal_is_posted_on_the_issue(ops, repo, cli, tmp_path, forge, monkeypatch):
    for k, v in forge_env("github", forge.url).items():
        monkeypatch.setenv(k, v)
    r = run(cli, repo, tmp_path, "/升级 搞不定", "--answer")
    assert r.code == 0, r.err
    assert "已在议题 #7 上答复。" in r.out
    (req,) = forge.requests
    assert (req.method, req.path) == ("POST", f"/api/v3/repos/{OWNER_REPO}/issues/7/comments")
    body = req.body["body"]
    assert body.startswith("⚠️ 未记录：“/升级”未能记录，原因：\n\n- [ticket-symptom-cause] ")
    assert body.endswith("`/升级 原因：引发问题的操作 影响：对生产经营的影响`（当前处理人）")
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET


def test_english_aliases_work_in_english_too(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/note rebooted, same error")
    assert r.code == 0, r.err
    assert history(repo)[-1]["note"] == "rebooted, same error"


def test_a_gitlab_note_hook_is_read_with_the_gitlab_username(ops, repo, cli, tmp_path):
    import json

    repo.edit("roster/people.yaml", "    github: li-gh\n", "    github: li-gh\n    gitlab: li.gl\n")
    repo.edit(ISSUE_PATH, "  forge: github\n", "  forge: gitlab\n")
    hook = {"object_kind": "note", "user": {"username": "li.gl"}, "issue": {"iid": 7},
            "object_attributes": {"id": 55, "note": "/补充 在 GitLab 上补充", "noteable_type": "Issue",
                                  "created_at": "2026-11-20 01:00:00 UTC"}}
    path = tmp_path / "hook.json"
    path.write_text(json.dumps(hook, ensure_ascii=False), "utf-8")
    r = cli("ticket", "from-comment", "--forge", "gitlab", "--event", str(path), cwd=repo.root)
    assert r.code == 0, r.err
    last = history(repo)[-1]
    assert (last["event"], last["by"], last["note"]) == ("comment", "li-user", "在 GitLab 上补充")
    assert last["at"].isoformat() == "2026-11-20T09:00:00+08:00"


def test_a_ticket_filed_on_another_forge_is_not_found(ops, repo, cli, tmp_path):
    repo.edit(ISSUE_PATH, "  forge: github\n", "  forge: gitea\n")
    r = run(cli, repo, tmp_path, "/补充 x")
    assert r.code == 1 and "议题 #7 还没有对应的工单" in r.err


def test_assigning_to_someone_not_in_the_roster_is_refused_with_the_resolvers_words(ops, repo, cli, tmp_path):
    r = run(cli, repo, tmp_path, "/指派 王五")
    assert r.code == 1
    assert "⚠️ 未记录：“/指派”未能记录，原因：\n\n- " in r.err
    assert "`/指派 处理人姓名或人员编号 说明`" in r.err
    assert repo.read(ISSUE_PATH) == ISSUE_TICKET
