"""The demo runbooks (tests/fixtures/demo/, frozen): the ids tickets link, the search words, facts that match the roster."""
from __future__ import annotations

import json
import re

import pytest

from conftest import DEMO
from erpops import load

EXPECTED = {
    "backup-restore": ("contingency", "备份"),
    "server-db-outage": ("contingency", "宕机"),
    "network-security-incident": ("contingency", "网络"),
    "month-end-closing": ("contingency", "结账"),
    "mrp-run-failure": ("contingency", "MRP"),
    "permission-change": ("procedure", "权限"),
    "custom-report-publish": ("procedure", "自定义报表"),
    "test-env-refresh": ("maintenance", "测试环境"),
    "monthly-record-form": ("procedure", "运维记录表"),
    "vendor-escalation": ("procedure", "用友"),
}


@pytest.fixture(scope="module")
def repo():
    return load.load(DEMO)


def test_the_first_runbooks_exist_with_their_kind_and_search_word(repo):
    found = {rb.id: rb for rb in repo.runbook_list if rb.folder == "common"}
    assert set(EXPECTED) <= set(found)
    for rid, (kind, word) in EXPECTED.items():
        rb = found[rid]
        assert rb.kind == kind, rid
        assert word in rb.keywords, rid
        assert rb.src.path == f"runbooks/common/{rid}.md"


def test_runbooks_are_focused(repo):
    for rb in repo.runbook_list:
        lines = (DEMO / rb.src.path).read_text("utf-8").count("\n")
        assert 45 <= lines <= 150, (rb.id, lines)


def test_links_between_runbooks_resolve(repo):
    for rb in repo.runbook_list:
        for target in re.findall(r"\]\(([^)#]+\.md)\)", rb.body):
            assert (DEMO / rb.src.path).parent.joinpath(target).is_file(), (rb.id, target)


def test_record_form_table_names_each_subsystems_admins(repo):
    roster = repo.roster
    rb = repo.runbooks["monthly-record-form"]
    rows = {}
    for line in rb.body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith("系统") and cells[0] != "子系统":
            rows[cells[0]] = (cells[1], cells[2])
    assert len(rows) == 11
    for s in roster.subsystem_list:
        business = roster.people[s.business_admin].name
        erp = roster.people[s.erp_admin].name
        assert rows[s.name][0] == business
        if business == erp:
            assert "另一名成员" in rows[s.name][1]
        else:
            assert rows[s.name][1] == erp


def test_check_on_the_demo_repository_is_clean_of_runbook_findings(cli, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("check", "--format", "json", cwd=DEMO)
    assert r.code == 0
    rules = {d["rule"] for d in json.loads(r.out)["diagnostics"]}
    assert not {rule for rule in rules if rule.startswith("runbook-")}
