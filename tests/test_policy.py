"""policy.yaml: loaded through the one loader into frozen records, its mistakes reported at their line."""
from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import DEMO
from erpops import load


def test_the_demo_policy_loads_cleanly():
    repo = load.load(DEMO)
    assert [d for d in repo.diagnostics if d.path == "policy.yaml"] == []
    p = repo.policy
    assert p.tiers == ("key-user", "business-admin", "erp-admin", "vendor")
    assert p.ticket_types["permission-change"].min_tier == "erp-admin"
    assert p.ticket_types["template"].min_tier == "business-admin"
    assert p.ticket_types["fault"].min_tier == "key-user"
    reserved = {t for t, v in p.ticket_types.items() if v.min_tier == "erp-admin"}
    assert reserved == {"permission-change", "system-parameter", "process-config", "global-master-data",
                        "custom-report-publish", "backup-restore", "test-environment", "network-security"}
    assert p.sla["P1"].respond_hours == 0.5 and p.sla["P4"].resolve_hours == 80
    assert p.report_due_day == 28 and p.report_period == "month"
    assert (p.emergency_skip.priority, p.emergency_skip.runbook_kind, p.emergency_skip.to_tier) == (
        "P1", "contingency", "erp-admin")
    assert set(p.ticket_prefixes) == set(repo.roster.subsystems)
    assert len(set(p.ticket_prefixes.values())) == len(p.ticket_prefixes)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.report_due_day = 1  # type: ignore[misc]


def _check(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    # The live policy.yaml does not cover 2027 yet: its reminder is tested in test_calendar.py.
    return r.code, [(d["path"], d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"]
                    if d["rule"] != "calendar-next-year"]


def test_an_unquoted_time_of_day_is_reported_at_its_line(cli, repo):
    text = (DEMO / "policy.yaml").read_text("utf-8")
    repo.write("policy.yaml", text.replace('until: "12:00"', "until: 12:00"))
    line = text.splitlines().index('      until: "12:00"') + 1
    code, found = _check(cli, repo)
    assert found == [("policy.yaml", line, "yaml-implicit-type")]
    assert code == 1


def test_an_unknown_tier_is_a_schema_error(cli, repo):
    text = (DEMO / "policy.yaml").read_text("utf-8")
    repo.write("policy.yaml", text.replace("min_tier: erp-admin", "min_tier: erp-admn", 1))
    line = text.splitlines().index("    min_tier: erp-admin") + 1
    code, found = _check(cli, repo)
    assert found == [("policy.yaml", line, "schema")]


def test_tickets_without_a_policy_are_unusable(cli, repo):
    repo.write("tickets/alpha/2026/ALP-20261102-AAAA.yaml", "id: ALP-20261102-AAAA\n")
    code, found = _check(cli, repo)
    assert ("policy.yaml", 0, "file-missing") in found
    assert code == 2
