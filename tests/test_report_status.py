"""Handing in: the commit that first adds reports/<YYYY-MM>/<subsystem>.* decides on time or late;
and the office's summary built on it."""
from __future__ import annotations

import datetime as dt

import git
import pytest

from conftest import ALPHA
from reports_fixture import build

CST = dt.timezone(dt.timedelta(hours=8))


def commit(repo: git.Repo, paths: list[str], when: dt.datetime, message: str) -> str:
    repo.index.add(paths)
    actor = git.Actor("赵管理", "zhao@example.com")
    return repo.index.commit(message, author=actor, committer=actor, author_date=when,
                             commit_date=when).hexsha[:8]


@pytest.fixture
def handed(repo):
    """alpha on time (10-27), beta on the last minute of the due day, gamma ten minutes late
    (committed 16:10 UTC = 00:10 +08:00 on 10-29), delta missing."""
    build(repo)
    for code in ("beta", "gamma", "delta"):
        repo.write(f"roster/subsystems/{code}.yaml", ALPHA.replace("code: alpha", f"code: {code}")
                   .replace("name: 甲系统", f"name: {code}系统").replace("name_en: Alpha", f"name_en: {code}"))
    g = git.Repo.init(repo.root)
    shas = {}
    base = [str(p.relative_to(repo.root)) for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts]
    commit(g, base, dt.datetime(2026, 10, 1, 9, tzinfo=CST), "Ops repository")
    for code, when in (("alpha", dt.datetime(2026, 10, 27, 18, tzinfo=CST)),
                       ("beta", dt.datetime(2026, 10, 28, 23, 59, tzinfo=CST)),
                       ("gamma", dt.datetime(2026, 10, 28, 16, 10, tzinfo=dt.timezone.utc))):
        repo.write(f"reports/2026-10/{code}.md", f"# {code}\n")
        repo.write(f"reports/2026-10/{code}.csv", "x\n")
        shas[code] = commit(g, [f"reports/2026-10/{code}.md", f"reports/2026-10/{code}.csv"], when, f"Hand in {code}")
    # a later correction of alpha's form does not make it late
    repo.write("reports/2026-10/alpha.md", "# alpha, corrected\n")
    commit(g, ["reports/2026-10/alpha.md"], dt.datetime(2026, 11, 5, 9, tzinfo=CST), "Correct alpha")
    # a form written but not committed is not handed in
    repo.write("reports/2026-10/delta.md", "# delta\n")
    return repo, shas


def test_status_lists_on_time_late_and_missing(handed, cli, monkeypatch):
    repo, shas = handed
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "status", "--month", "2026-10", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out.splitlines() == [
        "运维记录表报送情况（2026-10，截止 2026-10-28）",
        f"alpha  按时报送  提交于 2026-10-27 18:00（{shas['alpha']}）",
        f"beta   按时报送  提交于 2026-10-28 23:59（{shas['beta']}）",
        "delta  未报送  催报：赵管理",
        f"gamma  逾期报送  提交于 2026-10-29 00:10（{shas['gamma']}）",
        "按时 2，逾期 1，未报送 1，未到截止日 0。",
    ]


def test_a_form_drafted_on_time_but_merged_late_is_late(handed, cli, monkeypatch):
    repo, _ = handed
    g = git.Repo(repo.root)
    main = g.active_branch.name
    g.git.switch("-c", "forms/2026-10/delta")
    commit(g, ["reports/2026-10/delta.md"], dt.datetime(2026, 10, 26, 9, tzinfo=CST), "Draft delta")
    g.git.switch(main)
    when = "2026-10-30T10:00:00+08:00"
    g.git.merge("--no-ff", "-m", "Merge the delta form", "forms/2026-10/delta",
                env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    merge = g.head.commit.hexsha[:8]
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "status", "--month", "2026-10", "--repo", str(repo.root))
    assert f"delta  逾期报送  提交于 2026-10-30 10:00（{merge}）" in r.out.splitlines()


def test_before_the_due_day_a_form_not_handed_in_is_pending(handed, cli, monkeypatch):
    repo, _ = handed
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-26")
    r = cli("report", "status", "--repo", str(repo.root))  # default: the period that has just closed
    assert r.out.splitlines()[0] == "运维记录表报送情况（2026-11，截止 2026-11-28）"
    assert r.out.splitlines()[-1] == "按时 0，逾期 0，未报送 0，未到截止日 4。"


def test_status_outside_git_is_a_user_error(repo, cli):
    build(repo)
    r = cli("report", "status", "--month", "2026-10", "--repo", str(repo.root))
    assert r.code == 2 and "不是 Git 仓库" in r.err


def test_office_summary_evaluates_groups_and_people(handed, cli, monkeypatch):
    repo, _ = handed
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "office", "--month", "2026-10", "--format", "md", "--repo", str(repo.root))
    assert r.code == 0, r.both
    md = (repo.root / "reports/2026-10/office-summary.md").read_text("utf-8")
    assert "# 运维管理办公室月度汇总（2026-10）" in md
    # respond 4 met of 4, resolve 3 met of 4 (T3 still running past its target): separate columns
    assert "| 甲系统 | 4 | 3 | 3 | 1 | 4 | 4 | 3 | 4 | 67% | 2 | 按时报送 2026-10-27 |" in md
    assert "| gamma系统 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 无数据 | 0 | 逾期报送 2026-10-29 |" in md
    assert "| delta系统 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 无数据 | 0 | 未报送 |" in md
    # key-user group of alpha: 2 of 3 resolved at tier 1, resolve SLA 3 of 4, 2 escalations out of tier 1
    assert "| 甲系统 | 赵管理 | 4 | 3 | 2 | 67% | 3 | 4 | 75% | 2 | 按时报送 2026-10-27 |" in md
    # zhao-admin holds T3, overdue at the period's end, resolved T2, business admin of all four
    # subsystems (2 forms on time); li-user opened or resolved all four, resolved T1 and T6 in
    # time, escalated T2 and T3, writes no form
    assert "| 赵管理 | 1 | 1 | 0 | 1 | 1 | 1 | 0 | 4 | 2 |" in md
    assert "| 李用户 | 0 | 0 | 0 | 4 | 2 | 2 | 2 | 0 | 无数据 |" in md
    assert "- **期末持有**：统计期末分派给本人、仍未解决的工单数。" in md
    assert "（-）" not in md and " / " not in md.split("## 各子系统对比")[1].split("```")[0]
    assert "bar [4, 0, 0, 0]" in md
    assert "| 甲系统 | 0 | 0 | 0 | 0 | 2 | 4 |" in md  # trend of tickets 2026-05 … 2026-10: T4 and T1 in 2026-09


def test_a_shallow_clone_is_warned_about(handed, cli, tmp_path, monkeypatch):
    repo, _ = handed
    clone = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{repo.root}", clone, depth=1)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "status", "--month", "2026-10", "--repo", str(clone))
    assert r.code == 0
    assert "这是浅克隆，看不到完整的提交历史" in r.err


def test_office_summary_workbook(handed, cli, monkeypatch):
    import openpyxl

    repo, _ = handed
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "office", "--month", "2026-10", "--format", "xlsx", "--repo", str(repo.root))
    assert r.out.splitlines() == ["已生成 reports/2026-10/office-summary.xlsx"]
    wb = openpyxl.load_workbook(repo.root / "reports/2026-10/office-summary.xlsx")
    assert wb.sheetnames == ["各子系统对比", "关键用户组考核", "人员考核", "趋势", "指标说明"]
    subs = wb["各子系统对比"]
    assert [c.value for c in subs[1]][:3] == ["子系统", "本期处理的工单", "其中本期提交"]
    assert [c.value for c in subs[2]] == ["甲系统", 4, 3, 3, 1, 4, 4, 3, 4, 2 / 3, 2, "按时报送 2026-10-27"]
    assert all(c.data_type == "n" for c in subs[2][1:11])
    assert subs.cell(2, 10).number_format == "0%"
    assert subs.cell(4, 10).value == "无数据"  # gamma resolved nothing
    people = [[c.value for c in row] for row in wb["人员考核"].iter_rows(min_row=2)]
    assert people[:2] == [["赵管理", 1, 1, 0, 1, 1, 1, 0, 4, 2], ["李用户", 0, 0, 0, 4, 2, 2, 2, 0, "无数据"]]
    trend = [[c.value for c in row] for row in wb["趋势"].iter_rows(min_row=1, max_row=2)]
    assert trend == [["指标", "关键用户组", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"],
                     ["本期处理的工单（逐期）", "甲系统", 0, 0, 0, 0, 2, 4]]
    definitions = {r[0]: r[1] for r in wb["指标说明"].iter_rows(min_row=2, values_only=True)}
    assert definitions["其中已超时"] == "期末持有的工单中，响应或解决已超过时限的张数。"
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$1"


def test_hand_in_times_are_kept_under_heads_id_and_asked_again_after_a_new_commit(handed, monkeypatch):
    """Outside CI the answer of `git log` (a CPU second per month on a long history) is kept under
    HEAD's commit id: the same HEAD gives it without Git, a new commit asks Git again."""
    from erpops import gittree
    from erpops.reports import handin

    repo, shas = handed
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ERPOPS_CACHE", raising=False)
    first = handin.first_commits(repo.root, "2026-10")
    assert sorted(first) == ["alpha", "beta", "gamma"] and first["alpha"][1] == shas["alpha"]
    assert (repo.root / ".erpops-cache" / handin.KEPT).is_file()
    asked = []
    real = gittree.log_names
    monkeypatch.setattr(gittree, "log_names", lambda *a: asked.append(a) or real(*a))
    assert handin.first_commits(repo.root, "2026-10") == first and asked == []
    repo.write("reports/2026-10/delta.md", "# delta\n")
    late = commit(git.Repo(repo.root), ["reports/2026-10/delta.md"], dt.datetime(2026, 11, 2, 9, tzinfo=CST), "delta")
    again = handin.first_commits(repo.root, "2026-10")
    assert len(asked) == 1 and again == {**first, "delta": (dt.datetime(2026, 11, 2, 9, tzinfo=CST), late)}
    monkeypatch.setenv("CI", "true")  # in CI nothing is read from the cache: Git is asked
    assert handin.first_commits(repo.root, "2026-10") == again and len(asked) == 2


def test_a_shallow_clones_hand_in_times_are_not_kept(handed, tmp_path, monkeypatch):
    from erpops.reports import handin

    repo, _ = handed
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ERPOPS_CACHE", raising=False)
    clone = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{repo.root}", clone, depth=1)
    assert set(handin.first_commits(clone, "2026-10")) == {"alpha", "beta", "gamma"}  # all in the one commit
    assert not (clone / ".erpops-cache" / handin.KEPT).exists()


def test_an_ops_folder_inside_a_larger_repository_finds_its_forms(handed, tmp_path):
    """The ops folder may be a sub-folder of the Git repository (as pr-check and audit allow)."""
    import shutil

    from erpops.reports import handin

    repo, _ = handed
    outer = tmp_path / "outer"
    shutil.copytree(repo.root, outer / "运维 资料", ignore=shutil.ignore_patterns(".git"))
    g = git.Repo.init(outer)
    paths = [str(p.relative_to(outer)) for p in outer.rglob("*") if p.is_file() and ".git" not in p.parts]
    sha = commit(g, paths, dt.datetime(2026, 10, 20, 9, tzinfo=CST), "all at once")
    found = handin.first_commits(outer / "运维 资料", "2026-10")
    assert found == {c: (dt.datetime(2026, 10, 20, 9, tzinfo=CST), sha) for c in ("alpha", "beta", "gamma", "delta")}
