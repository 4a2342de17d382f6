"""The demo ticket set (tests/fixtures/demo/, frozen): clean, and covering every path through the policy."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import DEMO
from erpops import checks, load
from erpops.ticket import ACTIVE, DONE

NOW = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def repo():
    return load.load(DEMO)


def _escalations(t):
    tier = None
    for e in t.history:
        if e.kind == "escalate":
            yield tier, e.tier
        if e.kind in ("open", "escalate"):
            tier = e.tier


def test_demo_tickets_break_no_rule(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    found = checks.diagnostics(repo, NOW)
    assert [d for d in found if d.is_error] == []
    breaches = sorted((d.path, d.rule) for d in found if d.rule.startswith("ticket-sla"))
    assert ("tickets/materials/2026/MAT-20260911-XRUB.yaml", "ticket-sla-breach") in breaches


def test_demo_set_covers_every_subsystem_and_three_months(repo):
    assert 38 <= len(repo.tickets) <= 45
    assert {t.subsystem for t in repo.tickets} == set(repo.roster.subsystems)
    assert {t.opened.month for t in repo.tickets} == {9, 10, 11}
    assert len({t.id for t in repo.tickets}) == len(repo.tickets)


def test_demo_set_covers_the_paths_through_the_policy(repo):
    ts = repo.tickets
    resolved_at = {e.tier for t in ts for e in t.history if e.kind == "resolve"}
    assert {"key-user", "business-admin", "erp-admin", "vendor"} <= resolved_at
    steps = {step for t in ts for step in _escalations(t)}
    assert {("key-user", "business-admin"), ("business-admin", "erp-admin"), ("erp-admin", "vendor")} <= steps
    skip = [t for t in ts if ("key-user", "erp-admin") in set(_escalations(t))]
    assert len(skip) == 1 and skip[0].priority == "P1"
    assert any(repo.runbooks[r].kind == "contingency" for r in skip[0].runbooks if r in repo.runbooks)
    perm = [t for t in ts if t.type == "permission-change" and t.status in DONE]
    assert perm and all(t.resolution.by in repo.roster.subsystems[t.subsystem].erp_admins for t in perm)
    reports = [t for t in ts if t.type == "custom-report-publish"]
    assert len(reports) >= 2 and all(t.publication for t in reports)
    assert sum(1 for t in ts if t.status in ACTIVE) >= 5
    assert any(t.status == "cancelled" for t in ts)
    assert any(e.kind == "reopen" for t in ts for e in t.history)
    assert {f.kind for t in ts for f in t.feedback} == {"system", "organisation", "process"}
    assert any(t.reporter.end_user for t in ts)
    assert all(2 <= len(t.history) <= 6 for t in ts)
