"""erpops pr-check on real Git repositories: a base on main, a pull request, GitHub's merge commit.

Each accepted and each refused change: the verdict (exit code), the rule id, the file and the line."""
from __future__ import annotations

import json
import subprocess

import pytest

from prcheck_fixture import (
    NOW, OPEN, OPEN_PATH, RESOLUTION, append, base_repo, event, move_to_beta,
)
from tickets_fixture import PATH, TICKET, line


@pytest.fixture
def pr(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    ops.base = base
    return ops


def gate(cli, pr, *args, author=None, merge=True, when="2026-11-02T10:00:00+08:00"):
    """Commit the PR, merge it as GitHub does, and run pr-check against the base in JSON."""
    pr.commit("change", when)
    if merge:
        pr.merge("pr", when=when)
    extra = ["--author", author] if author else []
    res = cli("pr-check", "--base", pr.base, *extra, "--format", "json", *args, cwd=pr.repo.root)
    assert res.code in (0, 1, 2) and res.out, res.err
    payload = json.loads(res.out)
    found = [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"] if d["severity"] == "error"]
    return res.code, found, payload


def resolve_text(by="li-user", at="2026-11-02T09:20:00+08:00"):
    return event("resolve", at, by), RESOLUTION.format(by=by, at=at)


# --- accepted ------------------------------------------------------------------------------

def test_the_assignee_resolving_through_the_cli_is_accepted(pr, cli):
    res = cli("ticket", "resolve", "ALP-20261102-AB2C", "--by", "li-user", "--at", "2026-11-02T09:20:00+08:00",
              "--summary", "演示", "--root-cause", "不熟悉", cwd=pr.repo.root)
    assert res.code == 0, res.both
    code, found, payload = gate(cli, pr, author="li-gh")
    assert (code, found) == (0, [])
    assert payload["summary"] == {"files": 1, "errors": 0, "warnings": 0}


def test_text_output_says_the_change_is_clean(pr, cli):
    pr.repo.write(OPEN_PATH, OPEN + event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    pr.commit("comment")
    pr.merge("pr")
    res = cli("pr-check", "--base", pr.base, "--author", "LI-GH", cwd=pr.repo.root)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")


def test_a_new_ticket_by_a_key_user_is_accepted(pr, cli):
    res = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P3", "--title", "打印报错",
              "--symptom", "打印领料单时报错", "--by", "zhou-user", "--at", "2026-11-02T09:40:00+08:00",
              cwd=pr.repo.root)
    assert res.code == 0, res.both
    code, found, payload = gate(cli, pr, author="zhou-gh")
    assert (code, found) == (0, [])
    assert payload["summary"]["files"] == 1


def test_the_office_may_resolve_a_ticket_assigned_to_someone_else(pr, cli):
    ev, res = resolve_text(by="sun-lead")
    append(pr.repo, OPEN_PATH, ev + res, status="resolved")
    assert gate(cli, pr, author="sun-gh")[:2] == (0, [])


@pytest.mark.parametrize("by,login", [("zhou-user", "zhou-gh"), ("sun-lead", "sun-gh")])
def test_the_reporter_or_the_office_may_reopen(pr, cli, by, login):
    _resolved(pr)
    pr.repo.edit(OPEN_PATH, "resolution:", event("reopen", "2026-11-02T09:50:00+08:00", by, note="还是不会") + "resolution:")
    pr.repo.edit(OPEN_PATH, "status: resolved", "status: reopened")
    assert gate(cli, pr, author=login)[:2] == (0, [])


def test_a_pull_request_that_changes_no_ticket_passes(pr, cli):
    pr.repo.write("README.md", "ops, changed\n")
    code, found, payload = gate(cli, pr, author="stranger")
    assert (code, found) == (0, [])
    assert payload["summary"]["files"] == 1


def test_an_explicit_move_renames_the_file_and_is_accepted(pr, cli):
    move_to_beta(pr)
    code, found, payload = gate(cli, pr, author="li-gh")
    assert (code, found) == (0, [])
    assert payload["summary"]["files"] == 1  # one rename, not a deletion and an addition


# --- identity ------------------------------------------------------------------------------

@pytest.mark.parametrize("old,new,needle", [
    ("  person: zhou-user", "  person: li-user", "  person:"),
    ("opened: 2026-11-02T09:00:00+08:00", "opened: 2026-11-02T08:00:00+08:00", "opened:"),
])
def test_the_reporter_and_the_time_opened_cannot_change(pr, cli, old, new, needle):
    pr.repo.edit(OPEN_PATH, old, new)
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert (OPEN_PATH, line(pr.repo.read(OPEN_PATH), needle), "pr-identity") in found


def test_changing_the_id_is_refused_at_the_id(pr, cli):
    text = OPEN.replace("ALP-20261102-AB2C", "ALP-20261102-ZZZZ")
    (pr.repo.root / OPEN_PATH).unlink()
    new_path = OPEN_PATH.replace("AB2C", "ZZZZ")
    pr.repo.write(new_path, text)
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(new_path, 1, "pr-identity")]


def test_changing_the_subsystem_without_a_move_is_refused(pr, cli):
    pr.repo.edit(OPEN_PATH, "subsystem: alpha", "subsystem: beta")
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert (OPEN_PATH, 3, "pr-identity") in found
    message = next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-identity")
    assert "event: move" in message and "from: alpha" in message


# --- history ---------------------------------------------------------------------------------

def test_rewriting_an_event_is_refused_at_the_changed_field(pr, cli):
    pr.repo.edit(PATH, "    note: 张师傅电话报告", "    note: 张师傅当面报告")
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(PATH, line(TICKET, "note: 张师傅电话报告"), "pr-history")]
    assert "第 1 条的 note" in payload["diagnostics"][0]["message"]


def test_reordering_events_is_refused(pr, cli):
    lines = TICKET.splitlines(keepends=True)
    first = line(TICKET, "- event: escalate")
    second = line(TICKET, "- event: escalate", 2)
    block1, block2 = lines[first - 1:second - 1], lines[second - 1:second + 4]
    swapped = "".join(lines[:first - 1] + block2 + block1 + lines[second + 4:])
    pr.repo.write(PATH, swapped)
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert (PATH, line(swapped, "at: 2026-11-02T10:00:00+08:00"), "pr-history") in found


def test_removing_events_is_refused_at_the_history(pr, cli):
    close = line(TICKET, "- event: close")
    text = "".join(TICKET.splitlines(keepends=True)[:close - 1] + TICKET.splitlines(keepends=True)[close + 3:])
    pr.repo.write(PATH, text.replace("status: closed", "status: resolved"))
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(PATH, line(TICKET, "history:"), "pr-history")]
    assert "少了 1 条（原有 5 条）" in payload["diagnostics"][0]["message"]


def test_an_invalid_transition_is_refused_by_the_check_rules(pr, cli):
    append(pr.repo, OPEN_PATH, event("close", "2026-11-02T09:30:00+08:00", "zhou-user"), status="closed")
    code, found, _ = gate(cli, pr, author="zhou-gh")
    assert code == 1
    assert (OPEN_PATH, line(pr.repo.read(OPEN_PATH), "- event: close"), "ticket-history-transition") in found


# --- times -------------------------------------------------------------------------------------

def test_an_event_in_the_future_is_refused(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-04T09:00:00+08:00", "li-user", note="稍后"))
    code, found, _ = gate(cli, pr, author="li-gh", when="2026-11-03T08:00:00+08:00")
    assert code == 1
    where = line(pr.repo.read(OPEN_PATH), "at: 2026-11-04")
    # check's rule that no event is later than now, on the CI clock; once, not also as pr-event-time.
    assert found == [(OPEN_PATH, where, "ticket-event-future")]


def test_an_event_before_the_previous_one_is_refused(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T08:30:00+08:00", "li-user", note="补记"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "at: 2026-11-02T08:30"), "ticket-history-order")]


def test_an_event_long_before_the_pull_request_was_opened_is_refused(pr, cli, monkeypatch):
    """The bound is the forge's time of opening (--opened-at), not the commit's date, which the
    author sets: here the commit claims to be from the day of the event."""
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-09T09:00:00+08:00")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="补记"))
    code, found, payload = gate(cli, pr, "--opened-at", "2026-11-05T02:00:00Z", author="li-gh",
                                when="2026-11-02T09:35:00+08:00")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "at: 2026-11-02T09:30"), "pr-event-time")]
    message = next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-event-time")
    assert "2026-11-05T02:00:00+00:00" in message and "48 小时以上" in message


def test_the_tolerance_comes_from_the_base_policy(pr, cli, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-09T09:00:00+08:00")
    pr.repo.edit("policy.yaml", "time_tolerance_hours: 48", "time_tolerance_hours: 96")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="补记"))
    # Raised in the pull request itself: the base's 48 hours still hold (and policy.yaml is protected).
    code, found, _ = gate(cli, pr, "--opened-at", "2026-11-05T10:00:00+08:00", author="li-gh")
    assert (code, [f[2] for f in found]) == (1, ["pr-protected-path", "pr-event-time"])
    pr.g.git.reset("-q", "--hard", "HEAD^1")
    pr.g.git.switch("-q", "pr")
    pr.g.git.reset("-q", "--hard", "HEAD^1")
    pr.repo.edit("policy.yaml", "time_tolerance_hours: 48", "time_tolerance_hours: 96")
    pr.base = pr.commit("raise the tolerance")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="补记"))
    assert gate(cli, pr, "--opened-at", "2026-11-05T10:00:00+08:00", author="li-gh")[:2] == (0, [])


def test_a_bad_opened_at_is_a_usage_error(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    for value in ("yesterday", "2026-11-02T09:00:00"):
        res = cli("pr-check", "--base", pr.base, "--opened-at", value, cwd=pr.repo.root)
        assert res.code == 2 and "--opened-at" in res.err and not res.out


# --- people ------------------------------------------------------------------------------------

def test_an_event_recorded_in_someone_elses_name_is_refused(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="代记"))
    code, found, payload = gate(cli, pr, author="zhou-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "by: li-user", 2), "pr-author")]
    assert "拉取请求的作者是 周用户（GitHub 账号 zhou-gh）" in payload["diagnostics"][0]["message"]


def test_an_unknown_author_is_told_how_to_add_their_login(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    code, found, payload = gate(cli, pr, author="stranger")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "by: li-user", 2), "pr-author")]
    assert "roster/people.yaml" in payload["diagnostics"][0]["message"]
    assert "`github: stranger`" in payload["diagnostics"][0]["message"]


@pytest.mark.parametrize("kind,by,extra", [
    ("escalate", "zhou-user", {"tier": "business-admin", "assignee": "zhao-admin"}),
    ("resolve", "zhou-user", {}),
    ("assign", "zhou-user", {"assignee": "zhou-user"}),
    ("cancel", "zhao-admin", {"note": "重复"}),
])
def test_only_the_assignee_or_the_office_may_handle_the_ticket(pr, cli, kind, by, extra):
    tier = extra.pop("tier", "key-user")
    status = {"escalate": "escalated", "resolve": "resolved", "assign": "assigned", "cancel": "cancelled"}[kind]
    text = event(kind, "2026-11-02T09:30:00+08:00", by, tier, **extra)
    if kind == "resolve":
        text += RESOLUTION.format(by=by, at="2026-11-02T09:30:00+08:00")
    fields = {"status": status}
    if kind == "escalate":
        fields.update(tier=tier, assignee="zhao-admin")
    if kind == "assign":
        fields.update(assignee="zhou-user")
    append(pr.repo, OPEN_PATH, text, **fields)
    code, found, payload = gate(cli, pr, author=f"{by.split('-')[0]}-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), f"- event: {kind}"), "pr-entitled")]


def _resolved(pr):
    ev, res = resolve_text()
    append(pr.repo, OPEN_PATH, ev + res, status="resolved")
    pr.commit("resolved")
    pr.base = pr.g.head.commit.hexsha


@pytest.mark.parametrize("kind,by,accepted", [
    ("close", "zhao-admin", False), ("close", "zhou-user", True), ("close", "li-user", True),
    ("reopen", "li-user", False), ("reopen", "zhou-user", True),
])
def test_who_may_close_and_reopen(pr, cli, kind, by, accepted):
    _resolved(pr)
    status = {"close": "closed", "reopen": "reopened"}[kind]
    pr.repo.edit(OPEN_PATH, "resolution:", event(kind, "2026-11-02T09:40:00+08:00", by, note="确认") + "resolution:")
    pr.repo.edit(OPEN_PATH, "status: resolved", f"status: {status}")
    code, found, payload = gate(cli, pr, author=f"{by.split('-')[0]}-gh")
    if accepted:
        assert (code, found) == (0, [])
    else:
        assert code == 1
        assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), f"- event: {kind}"), "pr-entitled")]


def test_opening_needs_someone_who_works_the_subsystem(pr, cli):
    new_path = "tickets/alpha/2026/ALP-20261102-WXYZ.yaml"
    text = OPEN.replace("AB2C", "WXYZ").replace("by: li-user", "by: vendor-wu")
    pr.repo.write(new_path, text)
    code, found, _ = gate(cli, pr, author="wu-gh")
    assert code == 1
    assert (new_path, line(text, "- event: open"), "pr-entitled") in found


# --- files ---------------------------------------------------------------------------------------

def test_a_new_file_with_an_id_that_exists_on_the_base_is_refused(pr, cli):
    copy = "tickets/alpha/2026/ALP-20261102-NEW2.yaml"
    pr.repo.write(copy, OPEN.replace("如何查询本月领料汇总", "另一个问题"))
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert (copy, 1, "pr-id-exists") in found
    assert OPEN_PATH in next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-id-exists")


def test_deleting_a_ticket_is_refused(pr, cli):
    (pr.repo.root / OPEN_PATH).unlink()
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(OPEN_PATH, 1, "pr-ticket-deleted")]
    assert "erpops ticket cancel ALP-20261102-AB2C" in payload["diagnostics"][0]["message"]


def test_unchanged_tickets_are_not_read(pr, cli):
    """A broken ticket already on the base is `erpops check`'s business, not this pull request's."""
    pr.repo.write("tickets/alpha/2026/ALP-20261101-BAD1.yaml", "id: [unclosed\n")
    pr.base = pr.commit("broken base")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    assert gate(cli, pr, author="li-gh")[:2] == (0, [])
    assert cli("check", cwd=pr.repo.root).code == 2


def test_an_unreadable_changed_ticket_is_unusable_input(pr, cli):
    pr.repo.write(OPEN_PATH, OPEN + "  - event: [\n")
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 2
    assert [f[2] for f in found] == ["yaml-syntax"]


# --- revisions, shallow clones, the merge queue -----------------------------------------------

def test_without_an_author_the_recorded_person_must_be_entitled(pr, cli):
    """The merge queue has no single author: what each event records is checked instead."""
    ev, res = resolve_text(by="zhou-user")
    append(pr.repo, OPEN_PATH, ev + res, status="resolved")
    code, found, _ = gate(cli, pr)
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "- event: resolve"), "pr-entitled")]


def test_head_can_be_named_and_need_not_be_checked_out(pr, cli):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    by = line(pr.repo.read(OPEN_PATH), "by: li-user", 2)
    pr.commit("comment")
    pr.g.git.switch("-q", "main")
    res = cli("pr-check", "--base", "main", "--head", "pr", "--author", "zhou-gh", cwd=pr.repo.root)
    assert res.code == 1
    assert res.out.startswith(f"{OPEN_PATH}:{by}:5: 错误 [pr-author] ")


def test_a_depth_two_clone_of_the_merge_commit_is_enough(pr, cli, tmp_path):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    pr.merge("pr")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{pr.repo.root}", str(clone)], check=True)
    assert subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD~2"], capture_output=True).returncode != 0
    res = cli("pr-check", "--base", "HEAD^1", "--head", "HEAD", "--author", "li-gh", cwd=clone)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")
    res = cli("pr-check", "--base", "HEAD^1", "--author", "zhou-gh", cwd=clone)
    assert res.code == 1 and "[pr-author]" in res.out
    first = pr.g.git.rev_list("--max-parents=0", "HEAD")
    res = cli("pr-check", "--base", first, "--head", "HEAD^2", cwd=clone)
    assert res.code == 2
    assert f"找不到提交 {first}" in res.err and "fetch-depth" in res.err


def test_a_stale_base_sha_is_replaced_by_the_merge_commits_first_parent(pr, cli, tmp_path):
    """GitHub merges into the base branch's current tip; the event's base SHA may be older. What
    main gained since (zhao-admin's comment) is not this pull request's change."""
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    pr.g.git.switch("-q", "main")
    append(pr.repo, PATH, event("comment", "2026-11-02T15:00:00+08:00", "zhao-admin", "erp-admin", note="回访"))
    moved_on = pr.commit("main moves on", "2026-11-02T15:05:00+08:00")
    pr.merge("pr", when="2026-11-02T15:10:00+08:00")
    res = cli("pr-check", "--base", pr.base, "--author", "li-gh", cwd=pr.repo.root)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")
    assert f"与合并提交的第一个父提交 {moved_on[:12]} 比较" in res.err
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{pr.repo.root}", str(clone)], check=True)
    res = cli("pr-check", "--base", pr.base, "--author", "li-gh", cwd=clone)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")
    res = cli("pr-check", "--base", pr.base, "--head", "pr", "--author", "li-gh", cwd=pr.repo.root)
    assert res.code == 0 and res.err == ""


def test_github_format_annotates_the_line(pr, cli):
    (pr.repo.root / OPEN_PATH).unlink()
    pr.commit("delete")
    pr.merge("pr")
    res = cli("pr-check", "--base", pr.base, "--format", "github", cwd=pr.repo.root)
    assert res.code == 1
    assert res.out.splitlines()[0].startswith(
        f"::error file={OPEN_PATH},line=1,col=1,title=pr-ticket-deleted::删除了工单 ALP-20261102-AB2C")


def test_outside_git_it_says_so(repo, cli):
    res = cli("pr-check", "--base", "HEAD~1", cwd=repo.root)
    assert res.code == 2
    assert "不在 Git 仓库中" in res.err


def test_a_broken_roster_at_the_head_is_unusable_input(pr, cli):
    pr.repo.write("roster/people.yaml", "people: [\n")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 2
    assert ("roster/people.yaml", 2, "yaml-syntax") in found


def test_a_ticket_deleted_and_added_under_its_id_elsewhere_is_one_move(pr, cli):
    """Too changed for Git's rename detection, still the same file name: compared, not deleted."""
    (pr.repo.root / OPEN_PATH).unlink()
    moved = "tickets/alpha/2025/ALP-20261102-AB2C.yaml"
    pr.repo.write(moved, OPEN.replace("person: zhou-user", "person: li-user").replace("如何查询本月领料汇总", "另一题")
                  .replace("不会查询领料汇总", "完全不同的现象描述").replace("新到岗，未培训", "另有原因")
                  .replace("type: operation-question", "type: fault"))
    code, found, payload = gate(cli, pr, author="li-gh")
    assert code == 1
    assert payload["summary"]["files"] == 1
    assert ("tickets/alpha/2025/ALP-20261102-AB2C.yaml", 8, "pr-identity") in found
    assert "pr-ticket-deleted" not in [f[2] for f in found]


def test_the_ops_repository_may_be_a_folder_inside_the_git_repository(repo, cli, monkeypatch):
    import git as gitpython

    from prcheck_fixture import GitOps
    from tickets_fixture import setup

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    setup(repo)
    repo.write(OPEN_PATH, OPEN)
    ops = GitOps.__new__(GitOps)
    ops.repo, ops.g = repo, gitpython.Repo.init(repo.root.parent, initial_branch="main")
    base = ops.commit("base")
    (repo.root / OPEN_PATH).unlink()
    ops.commit("delete")
    res = cli("pr-check", "--base", base, cwd=repo.root)
    assert res.code == 1
    assert res.out.startswith(f"{OPEN_PATH}:1:1: 错误 [pr-ticket-deleted] ")


def test_commit_dates_play_no_part_and_a_shallow_clone_gives_the_same_verdict(pr, cli, monkeypatch, tmp_path):
    """A pull request worked on over days, opened on the first: every event is compared with the
    forge's time of opening and the CI clock only, so a depth-2 clone decides as a full one."""
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-06T09:00:00+08:00")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="第一天"))
    pr.commit("day one", "2026-11-02T09:35:00+08:00")
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-05T09:00:00+08:00", "li-user", note="第四天"))
    pr.commit("day four", "2026-10-01T09:05:00+08:00")  # a commit date set far back changes nothing
    pr.merge("pr", when="2026-11-05T09:10:00+08:00")
    opened = ["--opened-at", "2026-11-02T01:40:00Z"]
    res = cli("pr-check", "--base", pr.base, "--author", "li-gh", *opened, cwd=pr.repo.root)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{pr.repo.root}", str(clone)], check=True)
    res = cli("pr-check", "--base", "HEAD^1", "--author", "li-gh", *opened, cwd=clone)
    assert (res.code, res.out) == (0, "检查了 1 个文件，没有发现问题。\n")
    # Without --opened-at (the merge queue) the lower bound is not checked; the old event is noted.
    res = cli("pr-check", "--base", "HEAD^1", "--author", "li-gh", cwd=clone)
    text = pr.repo.read(OPEN_PATH)
    assert res.code == 0
    assert res.out.startswith(f"{OPEN_PATH}:{line(text, 'at: 2026-11-02T09:30')}:5: 警告 [pr-event-time] ")


def test_only_githubs_own_merge_commit_swaps_the_base(pr, cli):
    """Merging main into one's branch by hand: HEAD^1 is the branch, so the given base stays."""
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    pr.g.git.switch("-q", "main")
    pr.repo.write("README.md", "ops, on main\n")
    pr.commit("main moves on")
    pr.g.git.switch("-q", "pr")
    pr.g.git.merge("--no-ff", "-q", "-m", "Merge branch 'main' into pr", "main",
                   env={"GIT_AUTHOR_NAME": "li", "GIT_AUTHOR_EMAIL": "li@example.com",
                        "GIT_COMMITTER_NAME": "li", "GIT_COMMITTER_EMAIL": "li@example.com",
                        "GIT_AUTHOR_DATE": "2026-11-02T10:00:00+08:00",
                        "GIT_COMMITTER_DATE": "2026-11-02T10:00:00+08:00"})
    res = cli("pr-check", "--base", pr.base, "--author", "zhou-gh", cwd=pr.repo.root)
    assert res.code == 1 and "[pr-author]" in res.out  # li's comment is still this change's
    assert res.err == ""


def test_a_new_ops_folder_is_all_new_files(repo, cli, monkeypatch):
    import git as gitpython

    from prcheck_fixture import GitOps
    from tickets_fixture import setup

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops = GitOps.__new__(GitOps)
    ops.repo, ops.g = repo, gitpython.Repo.init(repo.root.parent, initial_branch="main")
    (repo.root.parent / "README.md").write_text("other things\n", "utf-8")
    ops.g.git.add("README.md")
    ops.g.git.commit("-q", "-m", "before the ops folder",
                     env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
                          "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"})
    base = ops.g.head.commit.hexsha
    setup(repo)
    repo.write(OPEN_PATH, OPEN.replace("by: li-user", "by: vendor-wu"))
    ops.commit("ops folder")
    res = cli("pr-check", "--base", base, "--format", "json", cwd=repo.root)
    payload = json.loads(res.out)
    assert res.code == 1
    assert payload["summary"]["files"] == 8, res.out
    assert (OPEN_PATH, line(OPEN, "- event: open"), "pr-entitled") in [
        (d["path"], d["line"], d["rule"]) for d in payload["diagnostics"]]
