"""The gate keeps a ticket's `issue:` as its open event wrote it: set when the ticket is filed,
never added, moved to another issue or removed afterwards, not even by an `update`."""
from __future__ import annotations

import pytest

from prcheck_fixture import NOW, OPEN_PATH, append, event
from test_pr_gate_trust import gate, rebase
from tickets_fixture import line

ISSUE = "issue:\n  forge: github\n  number: 7\n  url: https://github.com/ops/erpops/issues/7\n"


@pytest.fixture
def pr(repo, monkeypatch):
    from prcheck_fixture import base_repo

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    ops.base = base
    return ops


def test_a_new_ticket_may_carry_its_issue(pr, cli):
    from prcheck_fixture import OPEN

    rel = "tickets/alpha/2026/ALP-20261102-Q7RS.yaml"
    pr.repo.write(rel, OPEN.replace("ALP-20261102-AB2C", "ALP-20261102-Q7RS").replace("history:\n", ISSUE + "history:\n"))
    assert gate(cli, pr, author="li-gh")[:2] == (0, [])


def test_adding_an_issue_to_a_ticket_later_is_refused(pr, cli):
    pr.repo.edit(OPEN_PATH, "history:\n", ISSUE + "history:\n")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="补充"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert (code, found) == (1, [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "issue:"), "pr-unexplained")])


def test_pointing_a_ticket_at_another_issue_is_refused_even_by_the_office(pr, cli):
    rebase(pr, "history:\n", ISSUE + "history:\n")
    pr.repo.edit(OPEN_PATH, "  number: 7\n", "  number: 8\n")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "sun-lead", note="改议题"))
    code, found, _ = gate(cli, pr, author="sun-gh")
    assert (code, found) == (1, [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "  number: 8"), "pr-unexplained")])


def test_an_update_cannot_name_the_issue(pr, cli):
    rebase(pr, "history:\n", ISSUE + "history:\n")
    pr.repo.edit(OPEN_PATH, ISSUE, "")
    append(pr.repo, OPEN_PATH, event("update", "2026-11-02T09:30:00+08:00", "li-user", fields="[issue]", note="x"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert (OPEN_PATH, line(pr.repo.read(OPEN_PATH), "fields: [issue]"), "schema") in found


def test_the_schema_refuses_an_unknown_forge_and_a_number_that_is_not_one(repo, cli):
    from issue_fixture import ISSUE_PATH, ISSUE_TICKET
    from tickets_fixture import setup

    setup(repo)
    repo.write(ISSUE_PATH, ISSUE_TICKET.replace("forge: github", "forge: gitee").replace("number: 7", "number: '7'"))
    r = cli("check", "--format", "json", cwd=repo.root)
    assert r.code == 1
    import json

    found = sorted(d["line"] for d in json.loads(r.out)["diagnostics"] if d["rule"] == "schema")
    text = repo.read(ISSUE_PATH)
    assert found == [line(text, "forge: gitee"), line(text, "number: '7'")]
