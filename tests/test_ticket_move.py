"""The move event: the one way a ticket changes subsystem, checked on one revision by `erpops check`."""
from __future__ import annotations

from prcheck_fixture import OPEN, OPEN_PATH, event
from tickets_fixture import findings, line, setup


def _beta(repo):
    beta = repo.read("roster/subsystems/alpha.yaml").replace("code: alpha", "code: beta")
    repo.write("roster/subsystems/beta.yaml", beta.replace("甲系统", "乙系统").replace("name_en: Alpha", "name_en: Beta"))
    repo.edit("policy.yaml", "  alpha: ALP\n", "  alpha: ALP\n  beta: BET\n")


def test_a_moved_ticket_keeps_its_id_prefix_and_lives_in_the_new_folder(repo):
    setup(repo)
    _beta(repo)
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    text += event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write("tickets/beta/2026/ALP-20261102-AB2C.yaml", text)
    assert findings(repo, rules="") == []


def test_a_move_to_the_same_subsystem_is_refused(repo):
    setup(repo)
    text = OPEN + event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write(OPEN_PATH, text)
    assert ("tickets/alpha/2026/ALP-20261102-AB2C.yaml", line(text, "from: alpha"), "ticket-move", "error") \
        in findings(repo)


def test_a_ticket_id_without_a_move_still_needs_its_subsystems_prefix(repo):
    setup(repo)
    _beta(repo)
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    repo.write("tickets/beta/2026/ALP-20261102-AB2C.yaml", text)
    assert ("tickets/beta/2026/ALP-20261102-AB2C.yaml", 1, "ticket-id", "error") in findings(repo)


def test_from_is_only_for_a_move(repo):
    setup(repo)
    text = OPEN + event("comment", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    repo.write(OPEN_PATH, text)
    assert (OPEN_PATH, line(text, "- event: comment"), "schema", "error") in findings(repo, rules="")


def test_history_before_a_move_is_judged_in_the_subsystem_it_happened_in(repo):
    """beta's key users are zhao-admin and zhou-user only: li-user's opening and assignment stand
    because they happened in alpha; an assignment after the move must suit beta."""
    setup(repo)
    _beta(repo)
    repo.edit("roster/subsystems/beta.yaml", "    - li-user\n", "")
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    text += event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha"})
    rel = "tickets/beta/2026/ALP-20261102-AB2C.yaml"
    repo.write(rel, text)
    assert findings(repo, rules="") == []
    late = text + event("assign", "2026-11-02T09:50:00+08:00", "li-user", assignee="li-user")
    repo.write(rel, late.replace("status: open", "status: assigned"))
    assert findings(repo) == [(rel, line(late, "assignee: li-user", 3), "ticket-assignee-tier", "error")]
