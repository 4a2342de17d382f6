"""Improvement items as records: the schema, the model, and each rule of rules/improvements.py,
positive and negative, with rule id, file and line (on a tmp repository, the clock pinned)."""
from __future__ import annotations

import datetime as dt

import pytest

from erpops import improvement, load, schemas
from improvements_fixture import ITEM, ITEM_ID, ITEM_PATH, PROPOSED, item_event, setup_items
from tickets_fixture import CST, findings, line

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CST)


def found(repo, item=None, path=ITEM_PATH, today="2026-11-19", monkeypatch=None):
    if item is not None:
        repo.write(path, item)
    monkeypatch.setenv("ERPOPS_TODAY", today)
    return findings(repo, NOW, rules="improvement-")


@pytest.fixture
def items(repo):
    return setup_items(repo)


def test_the_improvement_schema_is_shipped_with_every_field_explained():
    assert "improvement" in schemas.names()
    s = schemas.schema("improvement")
    assert s["properties"]["id"]["pattern"] == "^IMP-[0-9]{8}-[A-Z2-7]{4}$"
    for key in ("target", "status", "owner", "due", "tickets", "history"):
        assert " / " in s["properties"][key]["title"] and " / " in s["properties"][key]["description"]


def test_the_loader_builds_the_item_with_its_tickets_and_history(items):
    repo = load.load(items.root)
    assert [i.id for i in repo.improvements] == [ITEM_ID]
    i = repo.improvements[0]
    assert (i.title, i.target, i.status, i.owner, i.due) == ("调拨单须当日记账", "process", "accepted", "zhao-admin",
                                                            dt.date(2026, 11, 20))
    assert [(r.ticket, r.feedback) for r in i.tickets] == [("ALP-20261102-K7QF", 1)]
    assert [(e.kind, e.by, e.owner) for e in i.history] == [("propose", "sun-lead", None),
                                                           ("accept", "sun-lead", "zhao-admin")]
    assert i.history[1].src.line() == line(ITEM, "event: accept")
    assert i.state_on(dt.date(2026, 11, 2), CST) is None and i.state_on(dt.date(2026, 11, 3), CST) == "accepted"


def test_a_valid_item_breaks_no_rule(items, monkeypatch):
    assert found(items, monkeypatch=monkeypatch) == []


def test_a_field_of_the_wrong_shape_is_a_schema_error_at_its_line(items, monkeypatch):
    bad = ITEM.replace("target: process", "target: people").replace("    feedback: 1", "    feedback: 0")
    items.write(ITEM_PATH, bad)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-19")
    assert findings(items, NOW, rules="schema") == [
        (ITEM_PATH, line(bad, "target:"), "schema", "error"),
        (ITEM_PATH, line(bad, "feedback: 0"), "schema", "error"),
    ]


def test_overdue_is_a_warning_at_the_due_date_once_it_has_passed(items, monkeypatch):
    assert found(items, today="2026-11-20", monkeypatch=monkeypatch) == []  # due today: not yet
    assert found(items, today="2026-11-25", monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(ITEM, "due: 2026-11-20"), "improvement-overdue", "warning")]
    loaded = load.load(items.root)
    from erpops import checks
    [d] = [d for d in checks.diagnostics(loaded, NOW) if d.rule == "improvement-overdue"]
    assert d.message() == "改进事项 IMP-20261103-K7QF 的期限 2026-11-20 已过 5 天，尚未完成。"


@pytest.mark.parametrize("kind,status", [("done", "done"), ("reject", "rejected")])
def test_a_done_or_rejected_item_is_never_overdue(items, monkeypatch, kind, status):
    text = ITEM.replace("status: accepted", f"status: {status}") + item_event(kind, "2026-11-24T10:00:00+08:00",
                                                                              "sun-lead", note="已处理")
    assert found(items, text, today="2026-11-25", monkeypatch=monkeypatch) == []


def test_owner_people_and_tickets_must_exist(items, monkeypatch):
    text = (ITEM.replace("zhao-admin", "nobody").replace("ALP-20261102-K7QF", "ALP-20261102-ZZZZ")
            + item_event("comment", "2026-11-04T10:00:00+08:00", "ghost", note="催办"))
    assert found(items, text, monkeypatch=monkeypatch) == sorted([
        (ITEM_PATH, line(text, "owner: nobody"), "improvement-unknown-person", "error"),
        (ITEM_PATH, line(text, "owner: nobody", 2), "improvement-unknown-person", "error"),
        (ITEM_PATH, line(text, "by: ghost"), "improvement-unknown-person", "error"),
        (ITEM_PATH, line(text, "ticket: ALP-20261102-ZZZZ"), "improvement-unknown-ticket", "error"),
    ])


def test_the_feedback_entry_named_must_exist_on_the_ticket(items, monkeypatch):
    text = ITEM.replace("    feedback: 1", "    feedback: 2")
    assert found(items, text, monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(text, "feedback: 2"), "improvement-feedback", "error")]


def test_an_accepted_item_needs_an_owner_and_a_due_date(items, monkeypatch):
    text = ITEM.replace("due: 2026-11-20\n", "").replace("    due: 2026-11-20\n", "")
    text = text.replace("    due: 2026-11-20\n", "")
    assert "due:" not in text
    assert found(items, text, monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(text, "status: accepted"), "improvement-unplanned", "error")]
    assert found(items, PROPOSED, monkeypatch=monkeypatch) == []  # proposed: not yet


@pytest.mark.parametrize("old,new,needle", [
    ("status: accepted", "status: done", "status: done"),       # a state without its event
    ("due: 2026-11-20\ntickets", "due: 2026-12-31\ntickets", "due: 2026-12-31"),  # a due date moved by hand
    ("owner: zhao-admin\ndue", "owner: qian-erp\ndue", "owner: qian-erp"),
])
def test_status_owner_and_due_are_what_the_history_leads_to(items, monkeypatch, old, new, needle):
    text = ITEM.replace(old, new)
    assert found(items, text, monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(text, needle), "improvement-history-consistent", "error")]


def test_events_happen_only_from_the_states_that_allow_them(items, monkeypatch):
    text = PROPOSED.replace("status: proposed", "status: in-progress") + item_event(
        "start", "2026-11-04T09:00:00+08:00", "sun-lead")
    assert found(items, text, monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(text, "status:"), "improvement-unplanned", "error"),  # no owner
        (ITEM_PATH, line(text, "status:"), "improvement-unplanned", "error"),  # no due date
        (ITEM_PATH, line(text, "event: start"), "improvement-history", "error")]


def test_the_history_starts_with_one_propose_in_time_order(items, monkeypatch):
    text = ITEM.replace("event: propose", "event: comment").replace(
        "at: 2026-11-03T10:00:00+08:00", "at: 2026-11-03T08:00:00+08:00")
    assert found(items, text, monkeypatch=monkeypatch) == sorted([
        (ITEM_PATH, line(text, "event: comment"), "improvement-history", "error"),
        (ITEM_PATH, line(text, "at: 2026-11-03T08:00:00+08:00"), "improvement-history", "error"),
    ])


def test_only_propose_and_accept_set_the_owner_and_due(items, monkeypatch):
    text = ITEM + item_event("comment", "2026-11-04T09:00:00+08:00", "sun-lead", owner="qian-erp")
    result = found(items, text, monkeypatch=monkeypatch)
    assert (ITEM_PATH, line(text, "owner: qian-erp"), "improvement-history", "error") in result


def test_the_file_lives_under_the_year_and_the_id_carries_the_date(items, monkeypatch):
    (items.root / ITEM_PATH).unlink()
    path = "improvements/2025/IMP-20261104-K7QF.yaml"
    text = ITEM.replace(ITEM_ID, "IMP-20261104-K7QF")
    assert found(items, text, path=path, monkeypatch=monkeypatch) == [
        (path, line(text, "id:"), "improvement-file-name", "error"),
        (path, line(text, "id:"), "improvement-id", "error"),
    ]


def test_ids_are_unique(items, monkeypatch):
    other = "improvements/2026/IMP-20261103-AAAA.yaml"
    result = found(items, ITEM, path=other, monkeypatch=monkeypatch)
    assert (other, line(ITEM, "id:"), "improvement-file-name", "error") in result
    assert (ITEM_PATH, line(ITEM, "id:"), "improvement-unique-id", "error") in result  # the later file


def test_an_event_after_now_is_refused(items, monkeypatch):
    text = ITEM + item_event("comment", "2026-11-26T09:00:00+08:00", "sun-lead", note="明天")
    assert found(items, text, monkeypatch=monkeypatch) == [
        (ITEM_PATH, line(text, "at: 2026-11-26"), "improvement-event-future", "error")]


def test_unraised_lists_the_feedback_no_item_names(items):
    repo = load.load(items.root)
    assert improvement.unraised(repo.tickets, repo.improvements) == []
    [(tk, n, f)] = improvement.unraised(repo.tickets, [])
    assert (tk.id, n, f.kind, f.text) == ("ALP-20261102-K7QF", 1, "process", "调拨单须当日记账")
