"""erpops notify beyond tickets: the record form from the 26th until it is handed in (git decides,
as for `report status`), a runbook review that is due, each once."""
from __future__ import annotations

import datetime as dt

import git

import notify_fixture as nf

CST = dt.timezone(dt.timedelta(hours=8))
RUNBOOK = """\
---
id: stock-howto
title: 库存不足报错的处理
kind: procedure
subsystems: [alpha]
owner: zhao-admin
last_reviewed: 2026-05-01
review_interval_days: 180
---

# 库存不足报错的处理
"""
FORM = ("机器人 alpha（企业微信）→ 赵管理 13800000001\n"
        "  【记录表报送】甲系统 2026-11 运维记录表尚未报送，应在 2026-11-28 前交运维管理办公室。请 赵管理 提交。\n")
REVIEW = ("  【预案评审】《库存不足报错的处理》（stock-howto）应在 2026-10-28 前评审。"
          "请 赵管理 评审并更新 last_reviewed。\n")


def _commit(g: git.Repo, paths: list[str], when: dt.datetime) -> None:
    g.index.add(paths)
    actor = git.Actor("赵管理", "zhao@example.com")
    g.index.commit("x", author=actor, committer=actor, author_date=when, commit_date=when)


def _setup(repo):
    repo.write("policy.yaml", (nf.DEMO / "policy.yaml").read_text("utf-8")
               .replace("ticket_prefixes:\n", "ticket_prefixes:\n  alpha: ALP\n")
               .replace('years: [2026]', 'years: [2026, 2027]') + nf.NOTIFY)
    repo.write("roster/people.yaml", nf.PEOPLE)
    repo.write("runbooks/alpha/stock-howto.md", RUNBOOK)
    g = git.Repo.init(repo.root)
    files = [str(p.relative_to(repo.root)) for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts]
    _commit(g, files, dt.datetime(2026, 11, 1, 9, tzinfo=CST))
    return g


def test_form_due_and_review_due_until_done(repo, cli, monkeypatch):
    g = _setup(repo)
    monkeypatch.setenv("ERPOPS_NOW", nf.NOW)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-12-01")
    r = cli("notify", "--dry-run", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out == FORM + "\n" + REVIEW + "将发送 1 条消息；0 条等待工作时间、每日摘要或限速。\n"
    repo.write("reports/2026-11/alpha.md", "# 甲系统\n")
    _commit(g, ["reports/2026-11/alpha.md"], dt.datetime(2026, 12, 1, 9, 30, tzinfo=CST))
    repo.edit("runbooks/alpha/stock-howto.md", "last_reviewed: 2026-05-01", "last_reviewed: 2026-12-01")
    r = cli("notify", "--dry-run", "--repo", str(repo.root))
    assert r.out == "将发送 0 条消息；0 条等待工作时间、每日摘要或限速。\n"


def test_the_demo_organisation_gives_notices_without_a_failure(tmp_path, cli, monkeypatch):
    """The frozen demo copy, as it stood: every kind of notice it calls for renders."""
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(nf.DEMO, root)
    r = cli("notify", "--dry-run", "--repo", str(root))
    assert r.code == 0, r.both
    assert r.err.strip() == "policy.yaml 的 notify 没有配置任何机器人或邮件：提醒不会送达任何人。"
    (root / "policy.yaml").write_text((root / "policy.yaml").read_text("utf-8") + nf.NOTIFY, "utf-8")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-25T10:00:00+08:00")  # the pinned noon is the lunch break
    r = cli("notify", "--dry-run", "--repo", str(root))
    assert r.code == 0 and r.err == "", r.both
    assert r.out.startswith("机器人 office（钉钉）→ ") and "工单页面：https://ops.example.com/tickets/" in r.out
