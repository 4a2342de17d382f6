"""The dashboard speaks of now: on 1 December 2026 the home and forms pages show the 2026-11 forms
(due 28 November) as handed in, late or missing with whom to chase, and the tickets on hold and
awaiting confirmation. A repository of its own in tmp_path, with Git history; no live data."""
from __future__ import annotations

import datetime as dt

import git
import pytest

from conftest import ALPHA
from erpops import load
from erpops.site import pages
from holds_fixture import CST, POLICY, ev, opened, path, ticket

TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=CST)
PEOPLE_EXTRA = "  - id: wang-biz\n    name: 王业务\n"


def _commit(g: git.Repo, paths: list[str], when: dt.datetime, message: str) -> None:
    g.index.add(paths)
    actor = git.Actor("赵管理", "zhao@example.com")
    g.index.commit(message, author=actor, committer=actor, author_date=when, commit_date=when)


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("ERPOPS_NOW", NOW.isoformat())
    repo.write("policy.yaml", POLICY.replace("  alpha: ALP\n", "  alpha: ALP\n  beta: BET\n  gamma: GAM\n  delta: DEL\n"))
    repo.edit("roster/people.yaml", "people:\n", "people:\n" + PEOPLE_EXTRA)
    for code, admin in (("beta", "zhao-admin"), ("gamma", "wang-biz"), ("delta", "zhao-admin")):
        repo.write(f"roster/subsystems/{code}.yaml", ALPHA.replace("code: alpha", f"code: {code}")
                   .replace("name: 甲系统", f"name: {code}系统").replace("name_en: Alpha", f"name_en: {code}")
                   .replace("business_admin: zhao-admin", f"business_admin: {admin}")
                   .replace("leader: zhao-admin", f"leader: {admin}"))
    return repo


def _history(ops, forms: dict[str, dt.datetime]) -> None:
    g = git.Repo.init(ops.root)
    base = [str(p.relative_to(ops.root)) for p in ops.root.rglob("*") if p.is_file() and ".git" not in p.parts]
    _commit(g, base, dt.datetime(2026, 10, 1, 9, tzinfo=CST), "Ops repository")
    for rel, when in forms.items():
        ops.write(rel, f"# {rel}\n")
        _commit(g, [rel], when, f"Hand in {rel}")


def _tickets(ops) -> None:
    held = "ALP-20261130-HLDB"
    ops.write(path(held), ticket(held, [opened("30T09:00"), ev("hold", "30T10:00", reason="vendor", note="等待用友补丁")]))
    old = "ALP-20261105-OLDC"
    ops.write(path(old), ticket(old, [opened("05T09:00"), ev("resolve", "05T15:00")], priority="P4",
                                status="resolved", resolved="2026-11-05T15:00:00+08:00"))
    fresh = "ALP-20261130-NEWD"
    ops.write(path(fresh), ticket(fresh, [opened("30T09:00"), ev("resolve", "30T15:00")], priority="P4",
                                  status="resolved", resolved="2026-11-30T15:00:00+08:00"))


def _build(ops) -> dict[str, str]:
    return pages.build(load.load(ops.root), "zh", today=TODAY, now=NOW)


def test_after_the_due_day_the_home_page_shows_this_periods_forms(ops):
    _tickets(ops)
    _history(ops, {
        "reports/2026-10/alpha.md": dt.datetime(2026, 10, 27, 9, tzinfo=CST),
        "reports/2026-11/alpha.md": dt.datetime(2026, 11, 27, 9, tzinfo=CST),   # on time
        "reports/2026-11/beta.md": dt.datetime(2026, 11, 30, 9, tzinfo=CST),    # late
    })
    home = _build(ops)["index.md"]
    lines = home.splitlines()
    assert "| 本期 | 2026\\-11（截止 2026\\-11\\-28） |" in lines
    assert "| 已报送（按时 / 已报送 / 应报送） | 1 / 2 / 4 |" in lines
    assert "| 逾期报送 | 1 |" in lines and "| 未报送 | 2 |" in lines
    assert "### 本期运维记录表（2026\\-11，截止 2026\\-11\\-28）" in lines
    assert "| [甲系统](reports/2026-11/alpha.md) | 按时报送 2026\\-11\\-27 |  |" in lines
    assert "| [beta系统](reports/2026-11/beta.md) | 逾期报送 2026\\-11\\-30 |  |" in lines
    assert "| gamma系统 | 未报送 | 王业务 |" in lines
    assert "| delta系统 | 未报送 | 赵管理 |" in lines
    assert "2026\\-10" not in home
    # Tickets: one on hold for the vendor, two resolved of which one waited past its two working days.
    assert "| 挂起中 | 1 |" in lines
    assert "| 待报告人确认（逾期 / 全部） | 1 / 2 |" in lines
    assert ("| [ALP\\-20261130\\-HLDB](tickets/alpha/2026/ALP-20261130-HLDB.md) | 领料单审核报错 | 甲系统 | 等待供应商 "
            "| 2026\\-11\\-30 10:00 | 李用户 | 已暂停 7\\.0 小时（等待供应商） |") in lines
    assert ("| [ALP\\-20261105\\-OLDC](tickets/alpha/2026/ALP-20261105-OLDC.md) | 领料单审核报错 | 甲系统 "
            "| 2026\\-11\\-05 15:00 | 李用户 | 已逾期 |") in lines
    assert ("| [ALP\\-20261130\\-NEWD](tickets/alpha/2026/ALP-20261130-NEWD.md) | 领料单审核报错 | 甲系统 "
            "| 2026\\-11\\-30 15:00 | 李用户 |  |") in lines


def test_the_forms_page_lists_the_current_period_before_any_form_is_in(ops):
    _history(ops, {"reports/2026-10/alpha.md": dt.datetime(2026, 10, 27, 9, tzinfo=CST)})
    index = _build(ops)["reports/index.md"]
    lines = index.splitlines()
    assert lines.index("## 2026\\-11") < lines.index("## 2026\\-10")
    assert "本期：截止 2026\\-11\\-28，尚未报送的请业务系统管理员尽快报送。" in lines
    assert "| 甲系统 |  | 未报送 | 赵管理 |" in lines
    assert "| gamma系统 |  | 未报送 | 王业务 |" in lines


def test_without_git_history_the_current_period_says_it_cannot_tell(ops):
    out = _build(ops)
    assert "## 2026\\-11" in out["reports/index.md"]
    assert "报送情况要从完整的 Git 历史中读取，本次构建无法得知。" in out["index.md"]


def test_report_status_and_the_site_agree(ops, cli):
    _history(ops, {"reports/2026-11/alpha.md": dt.datetime(2026, 11, 27, 9, tzinfo=CST),
                   "reports/2026-11/beta.md": dt.datetime(2026, 11, 30, 9, tzinfo=CST)})
    r = cli("report", "status", "--repo", str(ops.root))
    assert r.code == 0, r.both
    assert r.out.splitlines()[0] == "运维记录表报送情况（2026-11，截止 2026-11-28）"
    assert r.out.splitlines()[3:5] == ["delta  未报送  催报：赵管理", "gamma  未报送  催报：王业务"]
    assert r.out.splitlines()[-1] == "按时 1，逾期 1，未报送 2，未到截止日 0。"
