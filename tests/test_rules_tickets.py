"""One test per ticket rule: break a valid ticket on purpose, expect that rule at that file and line."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops import checks, load
from erpops.diagnostics import exit_code
from tickets_fixture import CST, PATH, SIMPLE, SIMPLE_PATH, TICKET, findings, line, setup


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")  # runbook reviews are judged on this day
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")  # and the SLA clock stops here
    return setup(repo)


def put(ops, old: str = "", new: str = "", text: str = TICKET, path: str = PATH, count: int = 1) -> str:
    edited = text.replace(old, new, count) if old else text
    assert not old or edited != text, old
    ops.write(path, edited)
    return edited


def test_valid_tickets_break_no_rule(ops, cli):
    put(ops)
    put(ops, text=SIMPLE, path=SIMPLE_PATH)
    loaded = load.load(ops.root)
    assert [t.id for t in loaded.tickets] == ["ALP-20261102-AB2C", "ALP-20261102-K7QF"]
    assert checks.diagnostics(loaded, dt.datetime(2026, 11, 3, 9, tzinfo=CST)) == []
    assert cli("check", cwd=ops.root).code == 0


def test_file_is_named_after_the_id_under_subsystem_and_year(ops):
    put(ops, path="tickets/alpha/2025/ALP-20261102-K7QF.yaml")
    assert findings(ops) == [("tickets/alpha/2025/ALP-20261102-K7QF.yaml", 2, "ticket-file-name", "error")]


def test_id_has_the_subsystem_prefix_and_the_date_opened(ops):
    put(ops, "id: ALP-20261102-K7QF", "id: ALP-20261101-K7QF", path="tickets/alpha/2026/ALP-20261101-K7QF.yaml")
    assert findings(ops) == [("tickets/alpha/2026/ALP-20261101-K7QF.yaml", 2, "ticket-id", "error")]


def test_ids_are_unique(ops):
    put(ops)
    put(ops, path="tickets/alpha/2026/ALP-20261102-ZZZZ.yaml")
    found = findings(ops)
    assert ("tickets/alpha/2026/ALP-20261102-ZZZZ.yaml", 2, "ticket-unique-id", "error") in found
    assert [f for f in found if f[2] == "ticket-unique-id"] == [
        ("tickets/alpha/2026/ALP-20261102-ZZZZ.yaml", 2, "ticket-unique-id", "error")]


def test_subsystem_is_in_the_roster(ops):
    put(ops, "subsystem: alpha", "subsystem: beta", path="tickets/beta/2026/ALP-20261102-K7QF.yaml")
    assert findings(ops) == [("tickets/beta/2026/ALP-20261102-K7QF.yaml", 4, "ticket-unknown-subsystem", "error")]


def test_type_is_in_the_policy(ops):
    put(ops, "type: fault", "type: fualt")
    assert findings(ops) == [(PATH, 5, "ticket-unknown-type", "error")]


def test_people_are_in_the_roster(ops):
    text = put(ops, "    by: zhao-admin", "    by: zhao-admn")
    assert findings(ops) == [(PATH, line(text, "by: zhao-admn"), "ticket-unknown-person", "error")]


def test_times_carry_their_offset(ops):
    text = put(ops, "  at: 2026-11-02T11:00:00+08:00", "  at: 2026-11-02T11:00:00")
    assert findings(ops) == [(PATH, line(text, "  at: 2026-11-02T11:00:00"), "ticket-time-zone", "error")]


def test_history_in_time_order(ops):
    text = put(ops, "    at: 2026-11-02T14:00:00+08:00", "    at: 2026-11-02T09:45:00+08:00")
    assert findings(ops) == [(PATH, line(text, "at: 2026-11-02T09:45"), "ticket-history-order", "error")]


def test_history_starts_with_open_at_the_time_opened(ops):
    text = put(ops, "    at: 2026-11-02T09:00:00+08:00", "    at: 2026-11-02T08:55:00+08:00")
    assert findings(ops) == [(PATH, line(text, "at: 2026-11-02T08:55"), "ticket-history-order", "error")]


def test_history_events_follow_the_allowed_transitions(ops):
    # closed before it was resolved
    text = put(ops, "  - event: resolve", "  - event: comment")
    assert findings(ops) == [(PATH, line(text, "- event: close"), "ticket-history-transition", "error")]


def test_status_tier_and_assignee_agree_with_the_history(ops):
    text = put(ops, "\ntier: erp-admin", "\ntier: business-admin")
    assert findings(ops) == [(PATH, line(text, "tier: business-admin"), "ticket-history-consistent", "error")]
    text = put(ops, "status: closed", "status: resolved")
    assert findings(ops) == [(PATH, 7, "ticket-history-consistent", "error")]


def test_only_escalation_changes_the_tier(ops):
    text = put(ops, "    by: qian-erp\n    tier: erp-admin", "    by: qian-erp\n    tier: vendor")
    found = findings(ops)
    assert (PATH, line(text, "tier: vendor"), "ticket-history-consistent", "error") in found


def test_opened_at_a_tier_the_opener_holds(ops):
    text = put(ops, "    by: li-user\n    tier: key-user", "    by: qian-erp\n    tier: key-user")
    assert findings(ops) == [(PATH, line(text, "tier: key-user"), "ticket-open-tier", "error")]


def _skip_business_admin(text: str) -> str:
    start = text.index("  - event: escalate\n    at: 2026-11-02T09:30")
    end = text.index("  - event: escalate", start + 1)
    return text[:start] + text[end:]


def test_escalation_one_tier_at_a_time(ops):
    text = put(ops, text=_skip_business_admin(TICKET))
    assert findings(ops) == [(PATH, line(text, "tier: erp-admin", 2), "ticket-escalation-one-tier", "error")]


def test_an_emergency_p1_with_a_contingency_runbook_may_go_straight_to_the_erp_admin(ops):
    text = _skip_business_admin(TICKET).replace("priority: P3", "priority: P1").replace("- stock-howto", "- db-outage")
    put(ops, text=text)
    assert findings(ops, rules="ticket-escalation") == []
    # …but not with a procedure, and not as a P2
    put(ops, text=text.replace("- db-outage", "- stock-howto"))
    assert findings(ops, rules="ticket-escalation") == [(PATH, line(text, "tier: erp-admin", 2), "ticket-escalation-one-tier", "error")]
    put(ops, text=text.replace("priority: P1", "priority: P2"))
    assert findings(ops, rules="ticket-escalation") == [(PATH, line(text, "tier: erp-admin", 2), "ticket-escalation-one-tier", "error")]


def test_the_vendor_is_reached_only_from_the_erp_admin(ops):
    text = put(ops, "    tier: erp-admin\n    assignee: qian-erp", "    tier: vendor\n    assignee: vendor-wu")
    found = findings(ops)
    assert (PATH, line(text, "tier: vendor"), "ticket-vendor-from-erp-admin", "error") in found
    assert [f for f in found if f[2] == "ticket-escalation-one-tier"] == []


def test_vendor_after_the_erp_admin_is_fine(ops):
    text = TICKET.replace("  - event: resolve", "  - event: escalate\n    at: 2026-11-02T10:30:00+08:00\n"
                          "    by: qian-erp\n    tier: vendor\n    assignee: vendor-wu\n  - event: resolve")
    text = text.replace("tier: erp-admin\n    note", "tier: vendor\n    note").replace("by: li-user\n    tier: erp-admin", "by: li-user\n    tier: vendor")
    text = text.replace("\ntier: erp-admin\nassignee: qian-erp", "\ntier: vendor\nassignee: vendor-wu")
    put(ops, text=text)
    assert findings(ops) == []


def test_each_assignee_holds_that_tier_for_the_subsystem(ops):
    text = put(ops, "    assignee: zhao-admin", "    assignee: li-user")
    assert findings(ops) == [(PATH, line(text, "assignee: li-user", 2), "ticket-assignee-tier", "error")]


def test_the_erp_admin_tier_may_be_any_office_member(ops):
    put(ops, "assignee: qian-erp", "assignee: sun-lead", count=2)
    assert findings(ops) == []


def test_an_end_users_ticket_is_filed_by_a_key_user(ops):
    put(ops, "  filed_by: li-user", "  filed_by: qian-erp")
    assert findings(ops) == [(PATH, 10, "ticket-filed-by-key-user", "error")]


def test_leaving_tier_1_needs_symptom_and_cause(ops):
    text = put(ops, "cause: 先录入调拨单未记账，随后审核领料单\n", "")
    assert findings(ops) == [(PATH, line(text, "- event: escalate"), "ticket-symptom-cause", "error")]


def test_a_reserved_type_is_resolved_at_its_tier_or_above(ops):
    text = put(ops, "type: operation-question", "type: template", text=SIMPLE, path=SIMPLE_PATH)
    assert findings(ops) == [(SIMPLE_PATH, line(text, "tier: key-user", 3), "ticket-reserved-type", "error")]
    put(ops, "type: fault", "type: permission-change")  # resolved by the ERP admin: fine
    assert [f for f in findings(ops) if f[0] == PATH] == []


REPORT = TICKET.replace("type: fault", "type: custom-report-publish") + "publication:\n  designer: zhao-admin\n  reviewer: qian-erp\n"


def test_a_published_custom_report_has_designer_and_a_different_reviewer(ops):
    put(ops, text=REPORT)
    assert findings(ops) == []
    put(ops, text=REPORT.split("publication:")[0])
    assert findings(ops) == [(PATH, 7, "ticket-custom-report-review", "error")]
    text = put(ops, "  designer: zhao-admin", "  designer: li-user", text=REPORT)
    assert findings(ops) == [(PATH, line(text, "designer: li-user"), "ticket-custom-report-review", "error")]
    text = put(ops, "  reviewer: qian-erp", "  reviewer: zhao-admin", text=REPORT)
    assert findings(ops) == [(PATH, line(text, "reviewer: zhao-admin"), "ticket-custom-report-review", "error")]
    text = put(ops, "  reviewer: qian-erp", "  reviewer: sun-lead", text=REPORT)
    assert findings(ops) == [(PATH, line(text, "reviewer: sun-lead"), "ticket-custom-report-review", "error")]


def test_where_one_person_holds_both_posts_another_office_member_reviews(ops):
    ops.edit("roster/subsystems/alpha.yaml", "erp_admin: qian-erp", "erp_admin: zhao-admin")
    put(ops, text=REPORT)  # qian-erp is an office member: fine
    assert findings(ops) == []
    text = put(ops, "  reviewer: qian-erp", "  reviewer: li-user", text=REPORT)
    assert findings(ops) == [(PATH, line(text, "reviewer: li-user"), "ticket-custom-report-review", "error")]


def test_resolved_and_closed_tickets_have_a_resolution(ops):
    put(ops, text=TICKET.split("resolution:")[0])
    assert findings(ops) == [(PATH, 7, "ticket-resolution", "error")]


def test_linked_runbooks_exist(ops):
    text = put(ops, "  - stock-howto", "  - stock-howto\n  - no-such-plan")
    assert findings(ops) == [(PATH, line(text, "no-such-plan"), "ticket-runbook-exists", "error")]


OPEN = """\
id: ALP-20261102-ZX3W
title: 生产订单无法下达
subsystem: alpha
type: fault
priority: P2
status: open
reporter:
  person: li-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 下达时报错
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
"""
OPEN_PATH = "tickets/alpha/2026/ALP-20261102-ZX3W.yaml"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.mark.parametrize("now, expected", [
    # P2: respond within 2 working hours, warn from 80 % (1.6 h)
    ("2026-11-02 10:30", []),
    ("2026-11-02 10:45", [(OPEN_PATH, 9, "ticket-sla-at-risk", "warning")]),
    ("2026-11-02 11:30", [(OPEN_PATH, 9, "ticket-sla-breach", "warning")]),
    # resolve within 16 working hours (12.8 h warns): Mon 09:00 → Tue 16:30 is 14.5 h
    ("2026-11-03 16:30", [(OPEN_PATH, 6, "ticket-sla-at-risk", "warning"), (OPEN_PATH, 9, "ticket-sla-breach", "warning")]),
    # Wed 09:00 is 15 h (at risk); Wed 10:30 is 16.5 h
    ("2026-11-04 09:00", [(OPEN_PATH, 6, "ticket-sla-at-risk", "warning"), (OPEN_PATH, 9, "ticket-sla-breach", "warning")]),
    ("2026-11-04 10:30", [(OPEN_PATH, 6, "ticket-sla-breach", "warning"), (OPEN_PATH, 9, "ticket-sla-breach", "warning")]),
])
def test_sla_breaches_and_near_breaches_are_warnings(ops, now, expected):
    put(ops, text=OPEN, path=OPEN_PATH)
    assert findings(ops, now=at(now)) == expected
    assert exit_code(checks.diagnostics(load.load(ops.root), at(now))) == 0


def test_the_reporters_comment_on_a_ticket_someone_else_holds_is_not_a_response(ops):
    comment = "  - event: comment\n    at: 2026-11-02T09:10:00+08:00\n    by: {by}\n    tier: key-user\n    note: 补充截图\n"
    held = OPEN.replace("assignee: li-user", "assignee: zhou-user")
    put(ops, text=held + comment.format(by="li-user"), path=OPEN_PATH)
    assert findings(ops, now=at("2026-11-02 11:30")) == [(OPEN_PATH, 9, "ticket-sla-breach", "warning")]
    put(ops, text=held + comment.format(by="zhou-user"), path=OPEN_PATH)
    assert findings(ops, now=at("2026-11-02 11:30")) == []
    put(ops, text=OPEN + comment.format(by="li-user"), path=OPEN_PATH)  # the reporter holds it
    assert findings(ops, now=at("2026-11-02 11:30")) == []


def test_sla_is_counted_in_working_time_over_holidays(ops):
    # opened 30 Sept 17:00, 国庆节 1–7 Oct: by 8 Oct 09:00 only one working hour has passed
    text = OPEN.replace("ZX3W", "ZX3W").replace("2026-11-02T09:00", "2026-09-30T17:00").replace("20261102", "20260930")
    put(ops, text=text, path="tickets/alpha/2026/ALP-20260930-ZX3W.yaml")
    assert findings(ops, now=at("2026-10-08 09:00")) == []
    assert findings(ops, now=at("2026-10-08 10:00")) == [
        ("tickets/alpha/2026/ALP-20260930-ZX3W.yaml", 9, "ticket-sla-at-risk", "warning")]
    assert findings(ops, now=at("2026-10-08 10:30")) == [
        ("tickets/alpha/2026/ALP-20260930-ZX3W.yaml", 9, "ticket-sla-breach", "warning")]


def test_a_late_resolution_stays_a_breach(ops):
    text = SIMPLE.replace("priority: P4", "priority: P1")
    put(ops, text=text.replace("T09:20", "T15:00"), path=SIMPLE_PATH)  # 3 + 1.5 = 4.5 working hours > 4 h
    assert findings(ops) == [(SIMPLE_PATH, 6, "ticket-sla-breach", "warning"), (SIMPLE_PATH, 9, "ticket-sla-breach", "warning")]


def test_every_ticket_rule_has_a_clause_and_a_message_in_both_languages():
    import re

    from conftest import REPO_ROOT
    from erpops import i18n
    from erpops.rules import tickets as rules

    for rule in rules.RULES + (rules.unique_ids, rules.sla):
        assert rule.__doc__, rule.__name__
    source = "".join((REPO_ROOT / "tools/erpops/rules" / f).read_text("utf-8") for f in ("tickets.py", "ticket_sla.py"))
    ids = set(re.findall(r'"(ticket-[a-z-]+)"', source))
    assert len(ids) >= 20 and {"ticket-sla-breach", "ticket-sla-at-risk"} <= ids
    for lang in ("zh", "en"):
        assert {f"rule.{i}" for i in ids} <= set(i18n.catalogue(lang))


def test_messages_name_the_people_and_tiers(ops, cli):
    put(ops, "    assignee: zhao-admin", "    assignee: li-user")
    r = cli("check", cwd=ops.root)
    assert r.code == 1
    assert f"{PATH}:30:5:" in r.out
    assert "李用户 在“甲系统”不担任 业务系统管理员，不能在这一层处理工单。" in r.out


def test_check_runs_the_sla_clock_to_erpops_now(ops, cli, monkeypatch):
    put(ops, text=OPEN, path=OPEN_PATH)
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T10:45:00+08:00")
    r = cli("check", cwd=ops.root)
    assert r.code == 0
    assert f"{OPEN_PATH}:9:1: 警告 [ticket-sla-at-risk] P2 工单尚未响应，已用 1.8 个工作小时，时限 2 小时，即将超时。" in r.out
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02 10:45")
    r = cli("check", cwd=ops.root)
    assert r.code == 2
    assert "ERPOPS_NOW" in r.err
