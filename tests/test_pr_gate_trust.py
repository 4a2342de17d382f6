"""The gate cannot be walked around (issue #12): each bypass an attacker tried, in a real Git
repository with a base, a pull request branch and GitHub's merge commit. Verdict, rule, file, line."""
from __future__ import annotations

import json

import pytest

from prcheck_fixture import NOW, OPEN, OPEN_PATH, RESOLUTION, append, base_repo, event
from tickets_fixture import PATH, TICKET, line

OPENED_AT = "2026-11-02T09:10:00+08:00"  # when the forge says the pull request was opened


@pytest.fixture
def pr(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    ops.base = base
    return ops


def rebase(pr, old: str, new: str, rel: str = OPEN_PATH) -> None:
    """Change the base branch's ticket before the pull request starts."""
    pr.g.git.switch("-q", "main")
    pr.repo.edit(rel, old, new)
    pr.base = pr.commit("base ticket", "2026-11-02T09:06:00+08:00")
    pr.g.git.branch("-q", "-f", "pr", "main")
    pr.g.git.switch("-q", "pr")


def gate(cli, pr, *args, author=None, when="2026-11-02T10:00:00+08:00", opened_at=OPENED_AT):
    pr.commit("change", when)
    pr.merge("pr", when=when)
    extra = (["--author", author] if author else []) + (["--opened-at", opened_at] if opened_at else [])
    res = cli("pr-check", "--base", pr.base, *extra, "--format", "json", *args, cwd=pr.repo.root)
    assert res.code in (0, 1, 2) and res.out, res.err
    payload = json.loads(res.out)
    found = [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"] if d["severity"] == "error"]
    return res.code, found, payload


def resolve(by="li-user", at="2026-11-02T09:20:00+08:00", tier="key-user"):
    return event("resolve", at, by, tier) + RESOLUTION.format(by=by, at=at)


# --- 1. rules come from the base -------------------------------------------------------------

def test_a_key_user_who_adds_himself_to_the_office_does_not_get_its_rights(pr, cli):
    pr.repo.edit("roster/office.yaml", "  - qian-erp\n", "  - qian-erp\n  - zhou-user\n")
    append(pr.repo, OPEN_PATH, resolve(by="zhou-user"), status="resolved")
    code, found, _ = gate(cli, pr, author="zhou-gh")
    text = pr.repo.read(OPEN_PATH)
    assert code == 1
    assert found == [("roster/office.yaml", 1, "pr-protected-path"),
                     (OPEN_PATH, line(text, "- event: resolve"), "pr-entitled")]


def test_lowering_a_reserved_types_tier_in_the_same_pull_request_does_not_count(pr, cli):
    rebase(pr, "type: operation-question", "type: permission-change")
    pr.repo.edit("policy.yaml", "    name_en: Role and permission change\n    min_tier: erp-admin",
                 "    name_en: Role and permission change\n    min_tier: key-user")
    append(pr.repo, OPEN_PATH, resolve(), status="resolved")
    code, found, _ = gate(cli, pr, author="li-gh")
    text = pr.repo.read(OPEN_PATH)
    assert code == 1
    assert found == [("policy.yaml", 1, "pr-protected-path"),
                     (OPEN_PATH, line(text, "tier: key-user", 3), "ticket-reserved-type")]


def test_the_office_may_change_the_roster_and_it_applies_from_the_next_pull_request(pr, cli):
    pr.repo.edit("roster/office.yaml", "  - qian-erp\n", "  - qian-erp\n  - zhou-user\n")
    assert gate(cli, pr, author="sun-gh")[:2] == (0, [])


def test_a_contingency_runbook_new_in_the_pull_request_does_not_open_the_emergency_skip(pr, cli):
    """A ticket may link a runbook the same pull request adds (it exists), but only a runbook that is a
    contingency plan on the base opens the P1 skip."""
    from tickets_fixture import runbook

    rebase(pr, "priority: P4", "priority: P1")
    pr.repo.write("runbooks/common/fake-plan.md", runbook("fake-plan", "contingency"))
    pr.repo.edit(OPEN_PATH, "cause: 新到岗，未培训\n", "cause: 新到岗，未培训\nrunbooks:\n  - fake-plan\n")
    append(pr.repo, OPEN_PATH,
           event("update", "2026-11-02T09:15:00+08:00", "li-user", fields="[runbooks]", note="关联预案")
           + event("escalate", "2026-11-02T09:20:00+08:00", "li-user", "erp-admin", assignee="qian-erp"),
           status="escalated", tier="erp-admin", assignee="qian-erp")
    code, found, _ = gate(cli, pr, author="li-gh")
    text = pr.repo.read(OPEN_PATH)
    assert code == 1
    assert found == [(OPEN_PATH, line(text, "tier: erp-admin", 2), "ticket-escalation-one-tier")]


# --- 2. protected paths ------------------------------------------------------------------------

@pytest.mark.parametrize("rel", ["tools/erpops/gitdiff.py", ".github/workflows/ci.yml", "tests/conftest.py",
                                 "pyproject.toml", "requirements-dev.txt", "mkdocs.public.yml", "Makefile",
                                 "docs/rules/index.md", ".github/CODEOWNERS"])
def test_protected_paths_change_only_by_the_office(pr, cli, rel):
    pr.repo.write(rel, "changed\n")
    code, found, payload = gate(cli, pr, author="li-gh")
    assert (code, found) == (1, [(rel, 1, "pr-protected-path")])
    assert "孙组长" in next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-protected-path")
    pr.g.git.reset("-q", "--hard", "HEAD^1")
    pr.g.git.switch("-q", "pr")
    pr.g.git.reset("-q", "--hard", pr.base)
    pr.repo.write(rel, "changed\n")
    assert gate(cli, pr, author="qian-gh")[:2] == (0, [])


def test_the_protected_list_comes_from_the_base_policy(pr, cli):
    policy = pr.repo.read("policy.yaml")
    pr.repo.write("policy.yaml", policy[:policy.index("pr_gate:")] + "pr_gate:\n  protected_paths: [docs/]\n")
    pr.repo.write("tools/erpops/evil.py", "print('hi')\n")
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [("policy.yaml", 1, "pr-protected-path"), ("tools/erpops/evil.py", 1, "pr-protected-path")]


def test_deleting_a_ticket_is_refused(pr, cli):
    (pr.repo.root / OPEN_PATH).unlink()
    assert gate(cli, pr, author="sun-gh")[:2] == (1, [(OPEN_PATH, 1, "pr-ticket-deleted")])


# --- 3. every change is attributed -------------------------------------------------------------

def test_changing_the_type_without_an_event_is_refused(pr, cli):
    """A key user turns a permission change into an operation question and resolves it himself."""
    rebase(pr, "type: operation-question", "type: permission-change")
    pr.repo.edit(OPEN_PATH, "type: permission-change", "type: operation-question")
    append(pr.repo, OPEN_PATH, resolve(), status="resolved")
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "type:"), "pr-unexplained")]


def test_a_key_user_may_not_change_the_type_even_with_an_update(pr, cli):
    rebase(pr, "type: operation-question", "type: permission-change")
    pr.repo.edit(OPEN_PATH, "type: permission-change", "type: operation-question")
    append(pr.repo, OPEN_PATH, event("update", "2026-11-02T09:15:00+08:00", "li-user", fields="[type]",
                                     note="其实是操作问题"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "- event: update"), "pr-entitled")]


def test_priority_and_a_contingency_plan_set_without_an_event_are_refused(pr, cli):
    pr.repo.edit(OPEN_PATH, "priority: P4", "priority: P1")
    pr.repo.edit(OPEN_PATH, "cause: 新到岗，未培训\n", "cause: 新到岗，未培训\nrunbooks:\n  - db-outage\n")
    append(pr.repo, OPEN_PATH, event("escalate", "2026-11-02T09:20:00+08:00", "li-user", "erp-admin",
                                     assignee="qian-erp"), status="escalated", tier="erp-admin", assignee="qian-erp")
    code, found, _ = gate(cli, pr, author="li-gh")
    text = pr.repo.read(OPEN_PATH)
    assert code == 1
    assert found == [(OPEN_PATH, line(text, "priority:"), "pr-unexplained"),
                     (OPEN_PATH, line(text, "runbooks:"), "pr-unexplained")]


def test_a_stranger_rewriting_a_closed_tickets_resolution_is_refused(pr, cli):
    pr.repo.edit(PATH, "  summary: 重算现存量后审核通过", "  summary: 无需处理")
    code, found, _ = gate(cli, pr, author="stranger")
    assert code == 1
    assert found == [(PATH, line(TICKET, "  summary: 重算现存量后审核通过"), "pr-unexplained")]


def test_the_holder_may_correct_the_symptom_with_an_update(pr, cli):
    pr.repo.edit(OPEN_PATH, "symptom: 不会查询领料汇总", "symptom: 不会查询本月领料汇总表")
    append(pr.repo, OPEN_PATH, event("update", "2026-11-02T09:15:00+08:00", "li-user", fields="[symptom]",
                                     note="补充现象"))
    assert gate(cli, pr, author="li-gh")[:2] == (0, [])


def test_an_update_must_list_the_field_it_changes(pr, cli):
    pr.repo.edit(OPEN_PATH, "symptom: 不会查询领料汇总", "symptom: 不会查询本月领料汇总表")
    pr.repo.edit(OPEN_PATH, "cause: 新到岗，未培训", "cause: 没人教")
    append(pr.repo, OPEN_PATH, event("update", "2026-11-02T09:15:00+08:00", "li-user", fields="[symptom]",
                                     note="补充现象"))
    code, found, _ = gate(cli, pr, author="li-gh")
    assert (code, found) == (1, [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "cause:"), "pr-unexplained")])


@pytest.mark.parametrize("by,login,field,accepted", [
    ("zhou-user", "zhou-gh", "cause", True),        # the reporter
    ("zhao-admin", "zhao-gh", "cause", False),       # neither reporter nor holder
    ("sun-lead", "sun-gh", "cause", True),           # the office
    ("zhou-user", "zhou-gh", "runbooks", False),     # runbooks: holder or office only
])
def test_who_may_update_which_field(pr, cli, by, login, field, accepted):
    if field == "cause":
        pr.repo.edit(OPEN_PATH, "cause: 新到岗，未培训", "cause: 没人教")
    else:
        pr.repo.edit(OPEN_PATH, "cause: 新到岗，未培训\n", "cause: 新到岗，未培训\nrunbooks:\n  - stock-howto\n")
    append(pr.repo, OPEN_PATH, event("update", "2026-11-02T09:15:00+08:00", by, fields=f"[{field}]", note="更正"))
    code, found, _ = gate(cli, pr, author=login)
    if accepted:
        assert (code, found) == (0, [])
    else:
        assert (code, found) == (1, [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "- event: update"), "pr-entitled")])


def test_only_the_office_updates_a_closed_ticket(pr, cli):
    pr.repo.edit(PATH, "impact: 二车间领料延误半天", "impact: 二车间领料延误一天")
    pr.repo.edit(PATH, "resolution:\n", event("update", "2026-11-02T15:00:00+08:00", "li-user", "erp-admin",
                                              fields="[impact]", note="核实") + "resolution:\n")
    code, found, _ = gate(cli, pr, author="li-gh", when="2026-11-02T15:10:00+08:00")
    assert (code, found) == (1, [(PATH, line(pr.repo.read(PATH), "- event: update"), "pr-entitled")])


def test_ticket_update_writes_the_fields_and_the_event(pr, cli):
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--symptom", "不会查询本月领料汇总表", "--priority", "P3",
              "--note", "补充", "--by", "li-user", "--at", "2026-11-02T09:15:00+08:00", cwd=pr.repo.root)
    assert res.code == 1, res.both  # a key user may not change the priority
    assert "[pr-entitled]" in res.err
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--symptom", "不会查询本月领料汇总表",
              "--note", "补充", "--by", "li-user", "--at", "2026-11-02T09:15:00+08:00", cwd=pr.repo.root)
    assert res.code == 0, res.both
    text = pr.repo.read(OPEN_PATH)
    assert "symptom: 不会查询本月领料汇总表\n" in text
    assert text.endswith("  - event: update\n    at: 2026-11-02T09:15:00+08:00\n    by: li-user\n"
                         "    tier: key-user\n    fields: [symptom]\n    note: 补充\n")
    assert gate(cli, pr, author="li-gh")[:2] == (0, [])
    assert cli("check", cwd=pr.repo.root).code == 0


def test_the_resolution_must_say_what_the_last_resolve_event_says(pr, cli):
    ev = event("resolve", "2026-11-02T09:20:00+08:00", "li-user")
    append(pr.repo, OPEN_PATH, ev + RESOLUTION.format(by="qian-erp", at="2026-11-02T09:20:00+08:00"),
           status="resolved")
    code, found, _ = gate(cli, pr, author="li-gh")
    assert code == 1
    assert found == [(OPEN_PATH, line(pr.repo.read(OPEN_PATH), "  by: qian-erp"), "ticket-resolution-history")]


# --- 4. trusted time ---------------------------------------------------------------------------

def test_back_dating_with_a_matching_commit_date_is_refused(pr, cli):
    """An event 51 hours before the base, in a commit whose author date was set to match."""
    pr.repo.edit(OPEN_PATH, "opened: 2026-11-02T09:00:00+08:00", "opened: 2026-10-30T09:00:00+08:00")
    pr.repo.edit(OPEN_PATH, "    at: 2026-11-02T09:00:00+08:00", "    at: 2026-10-30T09:00:00+08:00")
    new = "tickets/alpha/2026/ALP-20261030-OLD2.yaml"
    text = pr.repo.read(OPEN_PATH).replace("ALP-20261102-AB2C", "ALP-20261030-OLD2")
    pr.repo.write(OPEN_PATH, OPEN)
    pr.repo.write(new, text)
    code, found, _ = gate(cli, pr, author="li-gh", when="2026-10-31T06:05:00+08:00")
    assert code == 1
    assert found == [(new, line(text, "    at: 2026-10-30"), "pr-event-time")]


def test_a_pull_request_that_waits_a_week_still_passes(pr, cli, monkeypatch):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-09T09:00:00+08:00")
    assert gate(cli, pr, author="li-gh", when="2026-11-09T08:00:00+08:00")[:2] == (0, [])
    res = cli("pr-check", "--base", pr.base, cwd=pr.repo.root)  # the merge queue: no PR, no opened-at
    assert res.code == 0, res.both


# --- 5. bot-opened pull requests ---------------------------------------------------------------

def _new_ticket(pr):
    new = "tickets/alpha/2026/ALP-20261102-BOT2.yaml"
    text = OPEN.replace("AB2C", "BOT2").replace("by: li-user", "by: zhou-user").replace(
        "assignee: li-user", "assignee: zhou-user")
    pr.repo.write(new, text)
    return new, text


def test_a_bot_pull_request_acts_for_the_issue_author(pr, cli):
    _new_ticket(pr)
    assert gate(cli, pr, "--acting-for", "zhou-gh", author="github-actions[bot]")[:2] == (0, [])


def test_a_bot_acting_for_someone_else_is_checked_as_that_person(pr, cli):
    new, text = _new_ticket(pr)
    code, found, _ = gate(cli, pr, "--acting-for", "li-gh", author="github-actions[bot]")
    assert (code, found) == (1, [(new, line(text, "by: zhou-user"), "pr-author")])


def test_a_bot_pull_request_without_acting_for_is_refused_without_roster_advice(pr, cli):
    new, text = _new_ticket(pr)
    code, found, payload = gate(cli, pr, author="renovate[bot]")
    assert (code, found) == (1, [(new, line(text, "by: zhou-user"), "pr-author")])
    message = next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-author")
    assert "--acting-for" in message
    assert "roster" not in message and "github:" not in message


def test_check_compares_the_resolution_with_the_last_resolve_event(repo, cli):
    """The same rule in `erpops check`: a resolution claiming another resolver or time is refused."""
    from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

    setup(repo)
    text = SIMPLE.replace("  by: li-user\n  at: 2026-11-02T09:20:00+08:00", "  by: qian-erp\n  at: 2026-11-02T09:25:00+08:00")
    repo.write(SIMPLE_PATH, text)
    res = cli("check", "--format", "json", cwd=repo.root)
    found = [(d["path"], d["line"], d["rule"]) for d in json.loads(res.out)["diagnostics"] if d["severity"] == "error"]
    assert (res.code, found) == (1, [(SIMPLE_PATH, line(text, "  by: qian-erp"), "ticket-resolution-history"),
                                     (SIMPLE_PATH, line(text, "  at: 2026-11-02T09:25"), "ticket-resolution-history")])
    repo.write(SIMPLE_PATH, SIMPLE)
    assert cli("check", cwd=repo.root).code == 0


def test_protected_patterns_are_gitignore_like():
    from erpops.gitdiff import protected_match

    assert protected_match("tools/", "tools/erpops/cli.py")
    assert not protected_match("tools/", "tools")  # a file named tools is not the folder
    assert not protected_match("tools/", "docs/tools.md")
    assert protected_match("CODEOWNERS", ".github/CODEOWNERS")
    assert protected_match("requirements*.txt", "requirements-dev.txt")
    assert protected_match("docs/rules/", "docs/rules/tiers.md")
    assert not protected_match("docs/rules/", "site/docs/rules/tiers.md")  # a / inside anchors it
    assert protected_match("/Makefile", "Makefile") and not protected_match("/Makefile", "sub/Makefile")
    assert not protected_match("policy.yaml", "tickets/alpha/2026/ALP-20261102-AB2C.yaml")


def test_a_business_admin_holder_may_reclassify_and_relink(pr, cli):
    """At tier 2 the holder may change the type (to one whose min_tier he reaches) and the runbooks."""
    pr.g.git.switch("-q", "main")
    res = cli("ticket", "escalate", "ALP-20261102-AB2C", "--by", "li-user", "--at", "2026-11-02T09:10:00+08:00",
              cwd=pr.repo.root)
    assert res.code == 0, res.both
    pr.base = pr.commit("escalated", "2026-11-02T09:11:00+08:00")
    pr.g.git.branch("-q", "-f", "pr", "main")
    pr.g.git.switch("-q", "pr")
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--type", "permission-change", "--note", "其实是权限",
              "--by", "zhao-admin", "--at", "2026-11-02T09:15:00+08:00", cwd=pr.repo.root)
    assert res.code == 1 and "[pr-entitled]" in res.err  # permission-change needs erp-admin
    before = pr.repo.read(OPEN_PATH)
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--type", "template", "--runbook", "stock-howto",
              "--runbook", "db-outage", "--note", "是模板问题", "--by", "zhao-admin",
              "--at", "2026-11-02T09:15:00+08:00", cwd=pr.repo.root)
    assert res.code == 0, res.both
    text = pr.repo.read(OPEN_PATH)
    assert text == before.replace("type: operation-question", "type: template").replace(
        "cause: 新到岗，未培训\n", "cause: 新到岗，未培训\nrunbooks:\n  - stock-howto\n  - db-outage\n") + (
        "  - event: update\n    at: 2026-11-02T09:15:00+08:00\n    by: zhao-admin\n    tier: business-admin\n"
        "    fields: [type, runbooks]\n    note: 是模板问题\n")
    assert gate(cli, pr, author="zhao-gh")[:2] == (0, [])
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--runbook", "stock-howto", "--note", "只留一个",
              "--by", "zhao-admin", "--at", "2026-11-02T09:20:00+08:00", cwd=pr.repo.root)
    assert res.code == 0, res.both
    assert "runbooks:\n  - stock-howto\nhistory:" in pr.repo.read(OPEN_PATH)
    res = cli("ticket", "update", "ALP-20261102-AB2C", "--runbook", "stock-howto", "--note", "无",
              "--by", "zhao-admin", cwd=pr.repo.root)
    assert res.code == 2 and "没有需要更正的字段" in res.err


# --- hold and resume (the events the holds branch adds): who may record them ----------------------

def _gate_for(repo, login):
    import datetime as dt

    from erpops import gitdiff, load

    loaded = load.load(repo.root)
    return gitdiff.Gate(roster=loaded.roster, policy=loaded.policy, login=login,
                        now=dt.datetime.fromisoformat(NOW))


def _ticket(text):
    from erpops import ticket as ticket_model
    from erpops.yamlio import load_text

    doc, _ = load_text(text, OPEN_PATH)
    return ticket_model.build(doc)


@pytest.mark.parametrize("reason,by,login,accepted", [
    ("reporter", "zhou-user", "zhou-gh", True),    # the reporter answers what the ticket waited for
    ("vendor", "zhou-user", "zhou-gh", False),     # waiting for the vendor: not the reporter's to end
    ("vendor", "li-user", "li-gh", True),          # the holder
    ("vendor", "sun-lead", "sun-gh", True),        # the office
])
def test_who_may_resume(repo, reason, by, login, accepted):
    from erpops import gitdiff
    from tickets_fixture import setup

    from prcheck_fixture import LOGINS
    setup(repo)
    for pid, gh in LOGINS.items():
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {gh}\n")
    held = OPEN + event("hold", "2026-11-02T09:10:00+08:00", "li-user", reason=reason, note="等待")
    old, new = _ticket(held), _ticket(held + event("resume", "2026-11-02T09:30:00+08:00", by, note="继续"))
    found = [(d.line, d.rule) for d in gitdiff.compare(old, new, _gate_for(repo, login)) if d.is_error]
    assert found == ([] if accepted else [(line(held, "event: hold") + 6, "pr-entitled")])


def test_only_the_holder_or_the_office_holds(repo):
    from erpops import gitdiff
    from tickets_fixture import setup

    from prcheck_fixture import LOGINS
    setup(repo)
    for pid, gh in LOGINS.items():
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {gh}\n")
    new = _ticket(OPEN + event("hold", "2026-11-02T09:10:00+08:00", "zhou-user", reason="reporter", note="等"))
    found = [(d.line, d.rule, d.message()) for d in gitdiff.compare(_ticket(OPEN), new, _gate_for(repo, "zhou-gh"))]
    assert [f[:2] for f in found] == [(line(OPEN, "assignee: li-user", 2) + 1, "pr-entitled")]
    assert "暂停" in found[0][2]
    ok = _ticket(OPEN + event("hold", "2026-11-02T09:10:00+08:00", "li-user", reason="reporter", note="等"))
    assert gitdiff.compare(_ticket(OPEN), ok, _gate_for(repo, "li-gh")) == []
