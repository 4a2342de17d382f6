"""erpops notify end to end: real HTTP robots and a real SMTP server on 127.0.0.1, a pinned clock,
a small repository in tmp_path. Each notice goes out once per change of state."""
from __future__ import annotations

import json

import pytest
import notify_fixture as nf
import robot_servers as rs
from erpops.channels.robots import DingTalkRobot, FeishuRobot, WeComRobot

PAGE = "https://ops.example.com/tickets/alpha/2026/"
ASSIGNED_B = ("【工单分派】ALP-20261127-BBBB「成本计算卡住」（P2）已由 李用户 分派给 周用户。"
              "请 周用户 在 2026-12-01 11:00 前解决。\n工单页面：" + PAGE + "ALP-20261127-BBBB/")
AT_RISK_B = ("【即将超时】ALP-20261127-BBBB「成本计算卡住」（P2）解决时限 16 工作小时已用 15.0。"
             "请 周用户 在 2026-12-01 11:00 前解决；上一级 赵管理 请关注。\n工单页面：" + PAGE + "ALP-20261127-BBBB/")
ESCALATED_A = ("【工单上报】ALP-20261130-AAAA「领料单审核报错」（P3）已由 李用户 上报到业务系统管理员 赵管理。"
               "请 赵管理 在 2026-12-07 11:30 前解决。\n工单页面：" + PAGE + "ALP-20261130-AAAA/")
RESOLVED_C = ("【待确认】ALP-20261130-CCCC「打印模板缺字段」已由 赵管理 解决：模板已加“批号”字段。"
              "请 李用户 在 2026-12-08 00:00 前确认关闭，或说明原因重新打开。\n工单页面：" + PAGE + "ALP-20261130-CCCC/")
CALENDAR = ("【工作日历】policy.yaml 尚未录入 2027 年的节假日与调休（calendar.years）。"
            "请运维管理办公室按国务院办公厅通知录入（erpops calendar import 2027）。")
BREACH_B = ("【已超时】ALP-20261127-BBBB「成本计算卡住」（P2）已超过解决时限 16 工作小时（已用 16.5，时限到 "
            "2026-12-01 11:00），当前处理人 周用户。请运维管理办公室督办。\n工单页面：" + PAGE + "ALP-20261127-BBBB/")


def text_of(message) -> str:
    """The plain-text part of a mail as apprise sends it (text and HTML alternatives)."""
    return message.get_body(preferencelist=("plain",)).get_content().strip().replace("\r\n", "\n")


def indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())


@pytest.fixture
def servers(monkeypatch):
    """The robots and the mail server; apprise's (and our plugins') endpoints pointed at them."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr("erpops.channels.time.sleep", lambda s: None)
    with rs.robots() as robots, rs.smtp() as box:
        monkeypatch.setattr(WeComRobot, "notify_url", robots.base + "/cgi-bin/webhook/send?key={key}")
        monkeypatch.setattr(DingTalkRobot, "notify_url", robots.base + "/robot/send?access_token={token}")
        monkeypatch.setattr(FeishuRobot, "notify_url", robots.base + "/open-apis/bot/v2/hook/{token}/")
        monkeypatch.setenv("ERPOPS_ROBOT_ALPHA", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={rs.WECOM_KEY}")
        monkeypatch.setenv("ERPOPS_ROBOT_OFFICE", f"https://oapi.dingtalk.com/robot/send?access_token={rs.DING_TOKEN}")
        monkeypatch.setenv("ERPOPS_ROBOT_OFFICE_SIGN", rs.DING_SECRET)
        monkeypatch.setenv("ERPOPS_SMTP_URL", f"mailto://127.0.0.1:{box.port}?from=erp-ops@example.com&mode=insecure")
        yield robots, box


def at(monkeypatch, now: str) -> None:
    monkeypatch.setenv("ERPOPS_NOW", now)
    monkeypatch.setenv("ERPOPS_TODAY", now[:10])


def test_dry_run_prints_what_and_to_whom(repo, cli, monkeypatch):
    nf.setup(repo)
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--dry-run", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out == "\n".join([
        "机器人 alpha（企业微信）→ 周用户、赵管理 13800000001、李用户 13800000004",
        indent("\n\n".join([ASSIGNED_B, AT_RISK_B, ESCALATED_A, RESOLVED_C])),
        "机器人 office（钉钉）→ 孙组长 13800000003、钱系统 13800000002",
        indent(CALENDAR),
        "将发送 2 条消息；0 条等待工作时间、每日摘要或限速。",
    ]) + "\n"
    assert not (repo.root / ".erpops-notify").exists()  # a dry run records nothing
    check = cli("check", "--repo", str(repo.root))  # notify: in policy.yaml passes its schema
    assert check.code == 0 and "：0 个错误，" in check.out.splitlines()[-1], check.out


def test_delivers_to_wecom_dingtalk_and_smtp(repo, cli, monkeypatch, servers):
    robots, box = servers
    nf.setup(repo, email=True)
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert robots.refused == []
    (wecom, body), (ding, dbody) = robots.received
    assert wecom == "wecom" and body["text"]["content"] == "\n\n".join([ASSIGNED_B, AT_RISK_B, ESCALATED_A, RESOLVED_C])
    assert body["text"]["mentioned_mobile_list"] == ["13800000001", "13800000004"]
    assert sorted(dbody["at"]["atMobiles"]) == ["13800000002", "13800000003"]
    mentions = " ".join("@" + m for m in dbody["at"]["atMobiles"])
    assert ding == "dingtalk" and dbody["text"]["content"] == CALENDAR + "\n" + mentions
    assert sorted(m["To"] for m in box.messages) == ["li@example.com", "qian@example.com", "sun@example.com",
                                                     "zhao@example.com"]
    (zhao,) = box.to("zhao@example.com")
    assert zhao["Subject"] == "ERP 运维提醒（2 条）"
    assert text_of(zhao) == AT_RISK_B + "\n\n" + ESCALATED_A
    (li,) = box.to("li@example.com")
    assert text_of(li) == RESOLVED_C
    assert r.out.splitlines()[-1] == "已发送 6 条消息，失败 0 条，等待 0 条。"
    sent = json.loads(repo.read(".erpops-notify/sent.json"))["sent"]
    assert "ALP-20261130-AAAA:h1:escalated@robot:alpha" in sent
    assert "ALP-20261130-CCCC:h1:resolved@mail:li-user" in sent


def test_feishu_signed_in_the_body(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo, notify=nf.NOTIFY.replace("kind: wecom\n      secret: ERPOPS_ROBOT_ALPHA",
                                            "kind: feishu\n      secret: ERPOPS_ROBOT_ALPHA\n"
                                            "      sign_secret: ERPOPS_ROBOT_ALPHA_SIGN"))
    monkeypatch.setenv("ERPOPS_ROBOT_ALPHA", f"https://open.feishu.cn/open-apis/bot/v2/hook/{rs.FEISHU_TOKEN}")
    monkeypatch.setenv("ERPOPS_ROBOT_ALPHA_SIGN", rs.FEISHU_SECRET)
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert robots.refused == []
    assert robots.texts("feishu") == ["\n\n".join([ASSIGNED_B, AT_RISK_B, ESCALATED_A, RESOLVED_C])]


def test_wrong_signature_is_refused_reported_and_not_marked(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo)
    monkeypatch.setenv("ERPOPS_ROBOT_OFFICE_SIGN", "SEC" + "f" * 64)
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 1
    assert robots.refused == [("dingtalk", "sign")] * 3  # tried three times
    assert r.err.startswith("发送失败：robot:office（已试 3 次）：")
    assert r.out.splitlines()[-1] == "已发送 1 条消息，失败 1 条，等待 0 条。"
    monkeypatch.setenv("ERPOPS_ROBOT_OFFICE_SIGN", rs.DING_SECRET)
    r = cli("notify", "--repo", str(repo.root))  # the next run delivers what failed, only that
    assert r.code == 0, r.both
    assert [name for name, _ in robots.received] == ["wecom", "dingtalk"]


def test_a_busy_robot_is_retried(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo)
    robots.fail_next = 2
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert len(robots.received) == 2


def test_a_missing_secret_fails_the_run(repo, cli, monkeypatch, servers):
    nf.setup(repo)
    monkeypatch.delenv("ERPOPS_ROBOT_ALPHA")
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 1
    assert ("发送失败：robot:alpha（已试 3 次）：环境变量 ERPOPS_ROBOT_ALPHA 未设置：请在平台的机密（secrets）中配置"
            "机器人地址。") in r.err


def test_twice_in_a_window_then_after_a_skipped_one(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo)
    at(monkeypatch, nf.NOW)
    assert cli("notify", "--repo", str(repo.root)).code == 0
    first = list(robots.received)
    assert len(first) == 2
    r = cli("notify", "--repo", str(repo.root))  # the same window again: nothing new
    assert r.code == 0 and robots.received == first
    assert r.out.splitlines()[-1] == "已发送 0 条消息，失败 0 条，等待 0 条。"
    # The 10:30 and 11:00 runs never happened; at 11:30 the resolve clock of BBBB has broken and
    # AAAA was assigned on to the ERP admin in between: both are told, nothing else again.
    repo.write("tickets/alpha/2026/ALP-20261130-AAAA.yaml", nf.ESCALATED.replace(
        "status: escalated", "status: assigned").replace("assignee: zhao-admin\nsymptom", "assignee: qian-erp\nsymptom")
        + "  - event: assign\n    at: 2026-12-01T10:40:00+08:00\n    by: zhao-admin\n    tier: business-admin\n"
          "    assignee: qian-erp\n")
    at(monkeypatch, "2026-12-01T11:30:00+08:00")
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    new = robots.received[2:]
    assert sorted((name, b["text"]["content"]) for name, b in new) == [
        ("dingtalk", BREACH_B + "\n@13800000002 @13800000003"),
        ("wecom", "【工单分派】ALP-20261130-AAAA「领料单审核报错」（P3）已由 赵管理 分派给 钱系统。"
                  "请 钱系统 在 2026-12-07 11:30 前解决。\n工单页面：" + PAGE + "ALP-20261130-AAAA/"),
    ]
    assert cli("notify", "--repo", str(repo.root)).code == 0
    assert len(robots.received) == 4


def test_outside_working_hours_only_p1_goes_out(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo)
    repo.write("tickets/alpha/2026/ALP-20261130-AAAA.yaml", nf.ESCALATED.replace("priority: P3", "priority: P1"))
    at(monkeypatch, "2026-12-01T20:00:00+08:00")
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    texts = robots.texts("wecom") + robots.texts("dingtalk")
    assert all("ALP-20261130-AAAA" in t for t in texts) and "（P1）" in texts[0]
    assert "【工单分派】ALP-20261127-BBBB" not in "".join(texts)
    waiting = r.out.splitlines()[-1]
    at(monkeypatch, "2026-12-02T08:30:00+08:00")  # the next working hour: the rest, once
    assert cli("notify", "--repo", str(repo.root)).code == 0
    later = robots.texts("wecom")[1:]
    assert len(later) == 1 and later[0].startswith("【工单分派】ALP-20261127-BBBB")
    assert waiting.endswith("等待 4 条。")


def test_daily_digest_instead_of_each_time(repo, cli, monkeypatch, servers):
    robots, box = servers
    nf.setup(repo, email=True)
    repo.edit("roster/people.yaml", "    email: zhao@example.com\n",
              "    email: zhao@example.com\n    notify:\n      digest: daily\n")
    at(monkeypatch, "2026-12-01T08:00:00+08:00")  # before working hours: nothing
    assert cli("notify", "--repo", str(repo.root)).code == 0
    assert box.messages == [] and robots.received == []
    at(monkeypatch, nf.NOW)
    assert cli("notify", "--repo", str(repo.root)).code == 0
    (_, body), _ = robots.received
    assert body["text"]["mentioned_mobile_list"] == ["13800000004"]  # 赵管理 is not @-mentioned
    (digest,) = box.to("zhao@example.com")
    assert digest["Subject"] == "ERP 运维每日摘要：赵管理（2 条）"
    repo.write("tickets/alpha/2026/ALP-20261201-DDDD.yaml", nf.ESCALATED.replace("20261130-AAAA", "20261201-DDDD"))
    at(monkeypatch, "2026-12-01T11:30:00+08:00")  # a new notice the same day waits for tomorrow
    assert cli("notify", "--repo", str(repo.root)).code == 0
    assert len(box.to("zhao@example.com")) == 1
    at(monkeypatch, "2026-12-02T08:40:00+08:00")
    assert cli("notify", "--repo", str(repo.root)).code == 0
    zhao = box.to("zhao@example.com")
    assert len(zhao) == 2 and zhao[1]["Subject"] == "ERP 运维每日摘要：赵管理（1 条）"


def test_batches_within_the_rate_limit(repo, cli, monkeypatch, servers):
    robots, _ = servers
    nf.setup(repo, notify=nf.NOTIFY + "  batch: 1\n  rate_per_minute: 3\n")
    at(monkeypatch, nf.NOW)
    r = cli("notify", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert len(robots.texts("wecom")) == 3 and r.out.splitlines()[-1].endswith("等待 1 条。")
    assert cli("notify", "--repo", str(repo.root)).code == 0
    assert robots.texts("wecom")[3] == RESOLVED_C


def test_check_refuses_a_webhook_in_the_repository(repo, cli, monkeypatch):
    nf.setup(repo)
    repo.edit("policy.yaml", "secret: ERPOPS_ROBOT_ALPHA",
              "secret: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx")
    repo.edit("roster/people.yaml", "    name: 周用户\n", "    name: 周用户\n    title: SEC" + "a1" * 32 + "\n")
    r = cli("check", "--repo", str(repo.root))
    assert r.code == 1
    found = [line.split(" ", 1)[0] for line in r.out.splitlines() if "[notify-secret-in-repo]" in line]
    line = next(i for i, t in enumerate(repo.read("policy.yaml").splitlines(), 1) if "qyapi" in t)
    sec = next(i for i, t in enumerate(repo.read("roster/people.yaml").splitlines(), 1) if "SECa1" in t)
    assert found == [f"policy.yaml:{line}:1:", f"roster/people.yaml:{sec}:1:"]
    assert "693a91f6" not in r.out


def test_no_policy_is_unusable_input(repo, cli):
    r = cli("notify", "--dry-run", "--repo", str(repo.root))
    assert r.code == 2


def test_links_to_the_issue_the_ticket_came_from(repo, cli, monkeypatch):
    nf.setup(repo)
    at(monkeypatch, nf.NOW)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/erp-ops")
    r = cli("notify", "--dry-run", "--repo", str(repo.root))
    assert indent(ESCALATED_A + "\n议题：https://github.com/acme/erp-ops/issues/12") in r.out
    assert r.out.count("议题：") == 1
