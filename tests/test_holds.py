"""Waiting stops the clock: hold/resume events, the paused resolve clock worked out by hand on a
small calendar (09:00–12:00, 13:00–17:00, Wed 4 Nov 2026 a holiday), the transition rules and the
CLI commands."""
from __future__ import annotations

import pytest

from erpops import checks, load
from erpops.rules.ticket_sla import clocks, paused_text
from holds_fixture import at, ev, opened, path, setup, ticket

TID = "ALP-20261102-HLDA"


@pytest.fixture
def ops(repo):
    return setup(repo)


def _ticket(ops, events, tid=TID, **kw):
    ops.write(path(tid), ticket(tid, events, **kw))
    loaded = load.load(ops.root)
    return loaded, next(tk for tk in loaded.tickets if tk.id == tid)


def _findings(ops, now, prefix="ticket-"):
    loaded = load.load(ops.root)
    return sorted((d.path, d.line, d.rule, d.severity)
                  for d in checks.diagnostics(loaded, at(now)) if d.rule.startswith(prefix))


RESOLVED_AFTER_HOLD = [
    opened(),                                   # Mon 2 Nov 09:00
    ev("assign", "02T10:00", assignee="li-user"),
    ev("hold", "02T11:00", reason="reporter", note="请报告人提供单据号"),
    ev("resume", "05T10:00", by="li-user", note="报告人已答复"),  # Thu 5 Nov
    ev("resolve", "05T15:00"),
]


def test_a_hold_for_the_reporter_across_a_holiday_is_not_counted(ops):
    # Opened → resolved: Mon 7 h + Tue 7 h + Wed 0 (holiday) + Thu 09–12 and 13–15 = 19 h.
    # On hold Mon 11:00 → Thu 10:00: Mon 1 + 4, Tue 7, Wed 0, Thu 1 = 13 h. Counted: 6 h of the 8.
    policy_repo, tk = _ticket(ops, RESOLVED_AFTER_HOLD, status="resolved", resolved="2026-11-05T15:00:00+08:00")
    respond, resolve = clocks(policy_repo.policy, tk, at("2026-11-05 16:00"))
    assert (respond.used, respond.paused) == (pytest.approx(1.0), 0.0)
    assert resolve.used == pytest.approx(6.0)
    assert resolve.paused == pytest.approx(13.0)
    assert resolve.reasons == ("reporter",)
    assert not resolve.breached and not resolve.running and not resolve.held
    assert paused_text(resolve, "zh") == "已暂停 13.0 小时（等待报告人答复）"
    assert paused_text(resolve, "en") == "paused 13.0 hours (waiting for the reporter's answer)"
    assert paused_text(respond, "zh") == ""
    assert _findings(ops, "2026-11-05 16:00") == []


def test_a_reason_the_policy_does_not_pause_on_keeps_the_clock_running(ops):
    events = [dict(e, reason="change") if e["event"] == "hold" else e for e in RESOLVED_AFTER_HOLD]
    loaded, tk = _ticket(ops, events, status="resolved", resolved="2026-11-05T15:00:00+08:00")
    resolve = clocks(loaded.policy, tk, at("2026-11-05 16:00"))[1]
    assert (resolve.used, resolve.paused, resolve.breached) == (pytest.approx(19.0), 0.0, True)
    assert _findings(ops, "2026-11-05 16:00") == [(path(TID), 6, "ticket-sla-breach", "warning")]


def test_a_ticket_still_on_hold_has_a_stopped_clock_and_no_at_risk_warning(ops):
    events = [opened(), ev("hold", "02T10:00", reason="vendor", note="等待用友补丁")]
    loaded, tk = _ticket(ops, events)
    assert tk.hold is not None and tk.hold.reason == "vendor" and tk.status == "open"
    # Now Thu 5 Nov 12:00: 1 h before the hold; held Mon 10–12, 13–17 (6), Tue 7, Wed 0, Thu 3 = 16 h.
    resolve = clocks(loaded.policy, tk, at("2026-11-05 12:00"))[1]
    assert (resolve.used, resolve.paused, resolve.running, resolve.held) == (
        pytest.approx(1.0), pytest.approx(16.0), True, True)
    assert paused_text(resolve, "zh") == "已暂停 16.0 小时（等待供应商）"


def test_a_breach_despite_the_hold_says_how_long_it_was_paused(ops, cli):
    # Opened Mon 09:00, held for the vendor Tue 09:00–12:00 (3 h), resolved Thu 12:00:
    # 7 + 7 + 0 + 3 = 17 h, 14 h counted, over 8.
    events = [opened(), ev("hold", "03T09:00", reason="vendor", note="等待用友"),
              ev("resume", "03T12:00", note="补丁已到"), ev("resolve", "05T12:00")]
    _ticket(ops, events, status="resolved", resolved="2026-11-05T12:00:00+08:00")
    r = cli("check", "--repo", str(ops.root))
    assert r.code == 0
    assert (f"{path(TID)}:6:1: 警告 [ticket-sla-breach] P3 工单的解决已用 14.0 个工作小时，超过时限 8 小时；"
            "挂起时间不计：已暂停 3.0 小时（等待供应商）。") in r.out


def test_resolve_and_cancel_end_a_hold(ops):
    events = [opened(), ev("hold", "02T10:00", reason="vendor", note="等待用友"), ev("resolve", "02T11:00")]
    _, tk = _ticket(ops, events, status="resolved", resolved="2026-11-02T11:00:00+08:00")
    assert tk.hold is None and len(tk.holds) == 1 and tk.holds[0].end.kind == "resolve"


@pytest.mark.parametrize("events, line", [
    # hold while on hold (line of the second hold's event)
    ([opened(), ev("hold", "02T10:00", reason="vendor", note="a"), ev("hold", "02T11:00", reason="reporter", note="b")], 25),
    # resume without a hold
    ([opened(), ev("resume", "02T10:00", note="a")], 19),
    # a hold ended by resolve cannot be resumed after a reopen
    ([opened(), ev("hold", "02T10:00", reason="vendor", note="a"), ev("resolve", "02T11:00"),
      ev("reopen", "02T12:00", by="zhou-user", note="还是报错"), ev("resume", "02T14:00", note="b")], 34),
])
def test_hold_only_when_not_on_hold_and_resume_only_when_on_hold(ops, events, line):
    _ticket(ops, events, status="reopened" if any(e["event"] == "reopen" for e in events) else None,
            resolved="2026-11-02T11:00:00+08:00" if any(e["event"] == "resolve" for e in events) else None)
    assert _findings(ops, "2026-11-02 15:00", "ticket-history") == [
        (path(TID), line, "ticket-history-transition", "error")]


def test_hold_on_a_resolved_ticket_is_a_transition_error(ops):
    events = [opened(), ev("resolve", "02T10:00"), ev("hold", "02T11:00", reason="reporter", note="a")]
    _ticket(ops, events, status="resolved", resolved="2026-11-02T10:00:00+08:00")
    assert _findings(ops, "2026-11-02 15:00", "ticket-history") == [
        (path(TID), 23, "ticket-history-transition", "error")]


def test_the_schema_wants_a_reason_and_a_note_on_hold_and_no_reason_elsewhere(ops, cli):
    events = [opened(), ev("hold", "02T10:00", note="a"), ev("comment", "02T11:00", reason="vendor", note="b")]
    _ticket(ops, events)
    r = cli("check", "--repo", str(ops.root), "--format", "json")
    assert r.code == 1
    import json
    found = sorted((d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error")
    assert found == [(19, "schema"), (24, "schema")]


def test_cli_hold_then_resume_write_the_events_and_keep_the_status(ops, cli):
    ops.write(path(TID), ticket(TID, [opened()]))
    r = cli("ticket", "hold", TID, "--reason", "vendor", "--note", "等待用友补丁", "--by", "li-user",
            "--at", "2026-11-02T10:00", "--repo", str(ops.root))
    assert r.code == 0, r.err
    text = ops.read(path(TID))
    assert text.endswith("  - event: hold\n    at: 2026-11-02T10:00:00+08:00\n    by: li-user\n    tier: key-user\n"
                         "    reason: vendor\n    note: 等待用友补丁\n")
    assert "status: open\n" in text
    r = cli("ticket", "hold", TID, "--reason", "reporter", "--note", "x", "--by", "li-user",
            "--at", "2026-11-02T11:00", "--repo", str(ops.root))
    assert r.code == 1 and "[ticket-history-transition]" in r.err and ops.read(path(TID)) == text
    r = cli("ticket", "resume", TID, "--note", "补丁已到", "--by", "li-user", "--at", "2026-11-03T09:00",
            "--repo", str(ops.root))
    assert r.code == 0, r.err
    assert ops.read(path(TID)).endswith("  - event: resume\n    at: 2026-11-03T09:00:00+08:00\n    by: li-user\n"
                                        "    tier: key-user\n    note: 补丁已到\n")


def test_cli_hold_needs_a_known_reason(ops, cli):
    ops.write(path(TID), ticket(TID, [opened()]))
    r = cli("ticket", "hold", TID, "--reason", "lunch", "--note", "x", "--by", "li-user", "--repo", str(ops.root))
    assert r.code == 2 and "Traceback" not in r.err
    r = cli("ticket", "hold", TID, "--note", "x", "--by", "li-user", "--repo", str(ops.root))
    assert r.code == 2


# Resolved Thu 5 Nov 15:00; the reporter has two working days: Fri 6 and Mon 9 Nov. From Tue 10 Nov
# 00:00 the holder is warned (and with `then: close` the office may close it).
RESOLVED = [opened(), ev("resolve", "05T15:00")]
RESOLVED_AT = "2026-11-05T15:00:00+08:00"


def test_confirmation_is_due_after_the_policys_working_days(ops):
    from erpops.rules.ticket_sla import confirmation_due

    loaded, tk = _ticket(ops, RESOLVED, priority="P4", status="resolved", resolved=RESOLVED_AT)
    assert confirmation_due(loaded.policy, tk) == at("2026-11-10 00:00")
    assert _findings(ops, "2026-11-09 23:59", "ticket-awaiting") == []
    assert _findings(ops, "2026-11-10 00:00", "ticket-awaiting") == [
        (path(TID), 6, "ticket-awaiting-confirmation", "warning")]


def test_the_confirmation_warning_names_the_holder_and_what_the_policy_does_next(ops, cli, monkeypatch):
    _ticket(ops, RESOLVED, priority="P4", status="resolved", resolved=RESOLVED_AT)
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-10T09:00:00+08:00")
    r = cli("check", "--repo", str(ops.root))
    assert r.code == 0
    assert (f"{path(TID)}:6:1: 警告 [ticket-awaiting-confirmation] 工单于 2026-11-05 解决，已等待报告人确认 5 天，"
            "超过 2 个工作日的期限：请处理人 李用户 联系报告人确认关闭或重新打开；按制度将由运维管理办公室以“报告人未答复”关闭"
            "（erpops ticket close-unconfirmed）。") in r.out
    ops.edit("policy.yaml", "then: close", "then: warn")
    r = cli("check", "--repo", str(ops.root), "--lang", "en")
    assert (f"{path(TID)}:6:1: warning [ticket-awaiting-confirmation] Resolved on 2026-11-05, waiting 5 days for the "
            "reporter's confirmation, past the 2 working days allowed: 李用户, please ask the reporter to close or reopen it.") in r.out


def test_a_closed_or_reopened_ticket_is_not_awaiting_confirmation(ops):
    _ticket(ops, RESOLVED + [ev("close", "06T09:00", by="zhou-user")], priority="P4", status="closed",
            resolved=RESOLVED_AT)
    assert _findings(ops, "2026-11-20 09:00", "ticket-awaiting") == []


def test_close_unconfirmed_closes_the_overdue_tickets_by_the_office(ops, cli):
    _ticket(ops, RESOLVED, priority="P4", status="resolved", resolved=RESOLVED_AT)
    fresh = "ALP-20261109-FRSH"
    ops.write(path(fresh), ticket(fresh, [opened("09T09:00"), ev("resolve", "09T10:00")], priority="P4",
                                  status="resolved", resolved="2026-11-09T10:00:00+08:00"))
    before = ops.read(path(fresh))
    r = cli("ticket", "close-unconfirmed", "--by", "qian-erp", "--at", "2026-11-10T09:00", "--repo", str(ops.root))
    assert r.code == 0, r.err
    assert ops.read(path(TID)).endswith(
        "  - event: close\n    at: 2026-11-10T09:00:00+08:00\n    by: qian-erp\n"
        "    tier: key-user\n    note: 报告人 2 个工作日内未确认也未重新打开，由运维管理办公室按制度关闭（报告人未答复）。\n"
        "resolution:\n  summary: 重算后通过\n  root_cause: 未记账\n  by: li-user\n  at: 2026-11-05T15:00:00+08:00\n")
    assert "status: closed\n" in ops.read(path(TID))
    assert ops.read(path(fresh)) == before  # resolved yesterday: still within its two days
    assert r.out.splitlines()[-1] == "已关闭 1 张报告人未答复的工单。"
    r = cli("ticket", "close-unconfirmed", "--by", "qian-erp", "--at", "2026-11-10T09:30", "--repo", str(ops.root))
    assert (r.code, r.out) == (0, "没有超过 2 个工作日仍待报告人确认的工单。\n")


def test_close_unconfirmed_refuses_someone_outside_the_office_and_a_warn_policy(ops, cli):
    _ticket(ops, RESOLVED, priority="P4", status="resolved", resolved=RESOLVED_AT)
    before = ops.read(path(TID))
    r = cli("ticket", "close-unconfirmed", "--by", "li-user", "--at", "2026-11-10T09:00", "--repo", str(ops.root))
    assert r.code == 2 and "“li-user”不是运维管理办公室的成员" in r.err
    ops.edit("policy.yaml", "then: close", "then: warn")
    r = cli("ticket", "close-unconfirmed", "--by", "sun-lead", "--at", "2026-11-10T09:00", "--repo", str(ops.root))
    assert r.code == 2 and "confirmation.then 是 warn" in r.err
    assert ops.read(path(TID)) == before


def test_the_monthly_form_counts_the_paused_time_out_and_says_so(ops):
    from erpops.reports import form, markdown
    from erpops.reports.period import period

    loaded, _ = _ticket(ops, RESOLVED_AFTER_HOLD, status="resolved", resolved="2026-11-05T15:00:00+08:00")
    data = form.build(loaded, "alpha", period(loaded.policy, "2026-11"), "zh")
    (row,) = data.rows
    assert (row.hours, row.overdue, row.paused) == (pytest.approx(6.0), False, "已暂停 13.0 小时（等待报告人答复）")
    assert data.kept("resolve") == (1, 1)
    text = markdown.form(data, "zh")
    assert "\n- ALP-20261102-HLDA：已暂停 13.0 小时（等待报告人答复）\n" in text
    # Every value in the form is made inert for Markdown, so the underscore is escaped (it renders as "_").
    assert "挂起等待（policy.yaml 的 sla.pause\\_on 所列原因）的时间不计入解决用时：" in text


def test_ticket_show_says_the_ticket_is_on_hold_and_why(ops, cli):
    ops.write(path(TID), ticket(TID, [opened(), ev("hold", "02T10:00", reason="vendor", note="等待用友补丁")]))
    r = cli("ticket", "show", TID, "--repo", str(ops.root))
    assert r.code == 0, r.err
    assert "挂起中（等待供应商）" in r.out.splitlines()[1]
    assert r.out.splitlines()[-1].endswith("(等待供应商)  等待用友补丁")


@pytest.mark.parametrize("line, pause_on", [
    ("  pause_on: [reporter, vendor]\n", ("reporter", "vendor")),
    ("  pause_on: []\n", ()),
    ("", ("reporter", "vendor", "change")),  # absent: every reason pauses
])
def test_the_policy_says_which_reasons_pause(ops, line, pause_on):
    ops.edit("policy.yaml", "  pause_on: [reporter, vendor]\n", line)
    policy = load.load(ops.root).policy
    assert policy.pause_on == pause_on
    assert (policy.confirmation.wait_working_days, policy.confirmation.then) == (2, "close")


def test_the_policy_schema_refuses_an_unknown_reason_and_choice(ops, cli):
    ops.edit("policy.yaml", "  pause_on: [reporter, vendor]\n", "  pause_on: [lunch]\n")
    ops.edit("policy.yaml", "then: close", "then: shrug")
    import json
    r = cli("check", "--repo", str(ops.root), "--format", "json")
    assert r.code == 1
    assert sorted((d["path"], d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"]) == [
        ("policy.yaml", 9, "schema"), ("policy.yaml", 27, "schema")]


def test_close_unconfirmed_on_a_branch_commits_every_closed_ticket(ops, cli):
    import git

    _ticket(ops, RESOLVED, priority="P4", status="resolved", resolved=RESOLVED_AT)
    other = "ALP-20261103-OTHR"
    ops.write(path(other), ticket(other, [opened("03T09:00"), ev("resolve", "03T10:00")], priority="P4",
                                  status="resolved", resolved="2026-11-03T10:00:00+08:00"))
    g = git.Repo.init(ops.root)
    g.index.add([str(p.relative_to(ops.root)) for p in ops.root.rglob("*") if p.is_file() and ".git" not in p.parts])
    g.index.commit("Ops repository")
    r = cli("ticket", "close-unconfirmed", "--by", "sun-lead", "--at", "2026-11-10T09:00", "--branch",
            "close-unconfirmed/2026-11-10", "--repo", str(ops.root))
    assert r.code == 0, r.err
    assert g.active_branch.name == "close-unconfirmed/2026-11-10"
    assert sorted(g.head.commit.stats.files) == [path(TID), path(other)]
    assert g.head.commit.message.strip() == "Close 2 tickets unconfirmed by their reporters, by sun-lead"


def test_a_hold_put_on_after_hours_names_its_reason_before_any_hour_is_paused(ops):
    events = [opened(), ev("hold", "02T18:00", reason="vendor", note="等待用友")]
    loaded, tk = _ticket(ops, events)
    resolve = clocks(loaded.policy, tk, at("2026-11-02 19:00"))[1]
    assert (resolve.paused, resolve.held, resolve.reasons) == (0.0, True, ("vendor",))
    assert paused_text(resolve, "zh") == "已暂停 0.0 小时（等待供应商）"
