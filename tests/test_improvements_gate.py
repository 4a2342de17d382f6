"""erpops pr-check on improvement items, on real Git repositories with GitHub's merge commit: an
item changes only by events, each by someone entitled (the office proposes, accepts and rejects,
the owner starts and finishes, anyone in the roster comments)."""
from __future__ import annotations

import json

import pytest

from improvements_fixture import ITEM, ITEM_ID, ITEM_PATH, item_event
from prcheck_fixture import base_repo
from tickets_fixture import line

NOW = "2026-11-04T12:00:00+08:00"
AT = "2026-11-04T10:00:00+08:00"


@pytest.fixture
def pr(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-04")
    ops, _ = base_repo(repo)
    ops.g.git.switch("-q", "main")
    repo.write(ITEM_PATH, ITEM)
    ops.base = ops.commit("an improvement item", "2026-11-03T11:00:00+08:00")
    ops.g.git.switch("-q", "-C", "pr")
    return ops


def gate(cli, pr, author):
    pr.commit("change", "2026-11-04T10:30:00+08:00")
    pr.merge("pr", when="2026-11-04T10:30:00+08:00")
    res = cli("pr-check", "--base", pr.base, "--author", author, "--format", "json", cwd=pr.repo.root)
    assert res.code in (0, 1, 2) and res.out, res.err
    payload = json.loads(res.out)
    return res.code, [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"] if d["severity"] == "error"]


def test_the_owner_starting_through_the_cli_is_accepted(pr, cli):
    res = cli("improvement", "start", ITEM_ID, "--by", "zhao-admin", "--at", AT, cwd=pr.repo.root)
    assert res.code == 0, res.both
    assert gate(cli, pr, "zhao-gh") == (0, [])


def test_anyone_in_the_roster_may_comment(pr, cli):
    pr.repo.write(ITEM_PATH, ITEM + item_event("comment", AT, "li-user", note="二车间已试行"))
    assert gate(cli, pr, "li-gh") == (0, [])


def test_someone_not_the_owner_starting_is_refused(pr, cli):
    text = ITEM.replace("status: accepted", "status: in-progress") + item_event("start", AT, "li-user")
    pr.repo.write(ITEM_PATH, text)
    assert gate(cli, pr, "li-gh") == (1, [(ITEM_PATH, line(text, "event: start"), "pr-entitled")])


def test_the_office_proposing_a_new_item_is_accepted_anyone_else_refused(pr, cli):
    pr.repo.write("tickets/alpha/2026/ALP-20261102-AB2C.yaml", pr.repo.read("tickets/alpha/2026/ALP-20261102-AB2C.yaml"))
    res = cli("improvement", "new", "--from-ticket", "ALP-20261102-K7QF", "--feedback", "1", "--by", "sun-lead",
              "--at", AT, "--title", "调拨单记账提醒", "--repo", str(pr.repo.root))
    # Feedback 1 of that ticket is raised already on the base: refused before any file is written.
    assert res.code == 2 and "已立项为 IMP-20261103-K7QF" in res.err
    # A second item, written by hand, for the same feedback: the office may add it.
    rel = "improvements/2026/IMP-20261104-ABCD.yaml"
    text = (ITEM.replace(ITEM_ID, "IMP-20261104-ABCD").replace("2026-11-03T", "2026-11-04T")
            .replace("status: accepted", "status: proposed").replace("owner: zhao-admin\ndue: 2026-11-20\n", ""))
    text = text[: text.index("  - event: accept")]
    pr.repo.write(rel, text)
    assert gate(cli, pr, "sun-gh") == (0, [])


def test_a_key_user_cannot_propose(pr, cli):
    rel = "improvements/2026/IMP-20261104-ABCD.yaml"
    text = (ITEM.replace(ITEM_ID, "IMP-20261104-ABCD").replace("2026-11-03T", "2026-11-04T")
            .replace("status: accepted", "status: proposed").replace("owner: zhao-admin\ndue: 2026-11-20\n", "")
            .replace("by: sun-lead", "by: li-user"))
    text = text[: text.index("  - event: accept")]
    pr.repo.write(rel, text)
    assert gate(cli, pr, "li-gh") == (1, [(rel, line(text, "event: propose"), "pr-entitled")])


def test_a_due_date_changed_without_an_event_is_refused(pr, cli):
    text = ITEM.replace("due: 2026-11-20\ntickets", "due: 2026-12-31\ntickets")
    pr.repo.write(ITEM_PATH, text)
    code, found = gate(cli, pr, "sun-gh")
    assert (code, found) == (1, [(ITEM_PATH, line(text, "due: 2026-12-31"), "improvement-history-consistent"),
                                 (ITEM_PATH, line(text, "due: 2026-12-31"), "pr-unexplained")])


def test_rewriting_an_event_is_refused_at_the_changed_field(pr, cli):
    text = ITEM.replace("    due: 2026-11-20\n", "    due: 2026-12-31\n").replace(
        "due: 2026-11-20\ntickets", "due: 2026-12-31\ntickets")
    pr.repo.write(ITEM_PATH, text)
    assert gate(cli, pr, "sun-gh") == (1, [(ITEM_PATH, line(text, "    due: 2026-12-31"), "pr-history")])


def test_an_item_is_never_deleted(pr, cli):
    (pr.repo.root / ITEM_PATH).unlink()
    assert gate(cli, pr, "sun-gh") == (1, [(ITEM_PATH, line(ITEM, "id:"), "pr-improvement-deleted")])


def test_an_event_in_someone_elses_name_is_refused(pr, cli):
    text = ITEM.replace("status: accepted", "status: in-progress") + item_event("start", AT, "zhao-admin")
    pr.repo.write(ITEM_PATH, text)
    assert gate(cli, pr, "li-gh") == (1, [(ITEM_PATH, line(text, "event: start"), "pr-entitled"),
                                          (ITEM_PATH, line(text, "by: zhao-admin"), "pr-author")])


def test_an_item_naming_a_ticket_the_head_lacks_is_refused(pr, cli):
    text = ITEM + item_event("comment", AT, "li-user", note="另见")
    text = text.replace("tickets:\n", "tickets:\n  - ticket: ALP-20261102-ZZZZ\n    feedback: 1\n")
    pr.repo.write(ITEM_PATH, text)
    code, found = gate(cli, pr, "sun-gh")
    assert code == 1
    assert (ITEM_PATH, line(text, "ALP-20261102-ZZZZ"), "improvement-unknown-ticket") in found
