"""pr-check reads the base's roster, policy and runbooks only when the pull request changed them:
otherwise the head's stand in, and the verdict is the one a read of the base gives."""
from __future__ import annotations

import pytest

from erpops import gittree, load
from erpops.commands import pr_check
from prcheck_fixture import NOW, OPEN_PATH, append, base_repo, event


@pytest.fixture
def pr(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    ops.base = base
    return ops


def _outcome(pr, monkeypatch, read_base: bool):
    """The gate's outcome, and how many trees were loaded; `read_base` forces reading the base."""
    loads = []
    real = load.load_files

    def counting(*args, **kw):
        loads.append(args[2] if len(args) > 2 else kw.get("ticket_paths"))
        return real(*args, **kw)

    with monkeypatch.context() as m:
        m.setattr(load, "load_files", counting)
        if read_base:
            m.setattr(gittree, "same", lambda *a: False)
        done = pr_check.outcome(pr.repo.root, pr.base, "pr", login="li-gh")
    return done, loads


def _same_verdict(a, b):
    assert sorted((d.path, d.line, d.rule, d.severity) for d in a.found) == \
        sorted((d.path, d.line, d.rule, d.severity) for d in b.found)
    assert a.rules.roster == b.rules.roster and a.rules.policy == b.rules.policy
    assert a.rules.runbooks == b.rules.runbooks and a.files == b.files


def test_a_ticket_change_reads_the_head_alone(pr, monkeypatch):
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    fast, loads = _outcome(pr, monkeypatch, read_base=False)
    slow, loads_slow = _outcome(pr, monkeypatch, read_base=True)
    assert loads == [[OPEN_PATH]] and loads_slow == [[OPEN_PATH], []]
    _same_verdict(fast, slow)
    assert fast.found == []


def test_a_roster_change_reads_the_base(pr, monkeypatch):
    """The pull request edits the roster file besides the ticket: the base's roster decides, so the
    base is read, and the verdict is the forced read's."""
    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.repo.edit("roster/people.yaml", "github: li-gh\n", "github: li-gh\n    note: changed\n")
    pr.commit("comment and a roster edit")
    fast, loads = _outcome(pr, monkeypatch, read_base=False)
    slow, _ = _outcome(pr, monkeypatch, read_base=True)
    assert loads == [[OPEN_PATH], []]
    _same_verdict(fast, slow)


def test_a_pull_request_check_imports_no_check_cache_forge_site_or_report_module(pr):
    """Without --forge, --summary or --codequality: neither the warm check's cache nor the forge
    layer, nor any site, report or notification module."""
    import json
    import os
    import subprocess
    import sys

    append(pr.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    pr.commit("comment")
    code = ("import sys, runpy, json\n"
            f"sys.argv = ['erpops', 'pr-check', '--base', {pr.base!r}, '--head', 'pr', '--author', 'li-gh']\n"
            "try:\n    runpy.run_module('erpops', run_name='__main__')\n"
            "except SystemExit as e:\n    rc = e.code\n"
            "print(json.dumps([rc, sorted(sys.modules)]), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=pr.repo.root, env={**os.environ, "ERPOPS_NOW": NOW},
                         capture_output=True, text=True)
    rc, mods = json.loads(out.stderr.strip().splitlines()[-1])
    heavy = ("erpops.checkcache", "erpops.forges", "erpops.site", "erpops.reports", "erpops.notify",
             "jinja2", "mkdocs", "markdown", "weasyprint", "apprise", "openpyxl")
    assert rc == 0 and "erpops.commands.pr_check" in mods and "git" not in mods  # GitPython: too slow to import
    assert [m for m in mods if any(m == h or m.startswith(h + ".") for h in heavy)] == []
