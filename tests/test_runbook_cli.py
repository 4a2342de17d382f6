"""erpops runbook new / due: the scaffold passes the rules; reviews are listed by due date."""
from __future__ import annotations

import json

import pytest

from erpops.rules.runbooks import REQUIRED_SECTIONS, TODO_MARKER


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")


def findings(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    return r.code, [(d["path"], d["line"], d["rule"], d["severity"]) for d in json.loads(r.out)["diagnostics"]]


@pytest.mark.parametrize("kind", sorted(REQUIRED_SECTIONS))
def test_new_scaffold_passes_check_with_todo_warning(cli, repo, kind):
    r = cli("runbook", "new", "--kind", kind, "--id", "power-cut", "--title", "机房停电: 全厂",
            "--owner", "qian-erp", cwd=repo.root)
    assert r.code == 0
    assert r.out.startswith("已创建 runbooks/common/power-cut.md")
    text = repo.read("runbooks/common/power-cut.md")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == list(REQUIRED_SECTIONS[kind])
    assert text.count(TODO_MARKER) == len(headings)
    assert "last_reviewed: 2026-11-25\n" in text
    assert 'title: "机房停电: 全厂"\n' in text
    code, found = findings(cli, repo)
    first_todo = next(i for i, line in enumerate(text.splitlines(), 1) if TODO_MARKER in line)
    assert first_todo == 18
    expected = [("runbooks/common/power-cut.md", first_todo, "runbook-todo", "warning")]
    if kind != "contingency":
        expected.append(("roster/subsystems/alpha.yaml", 1, "runbook-no-contingency", "warning"))
    assert sorted(found) == sorted(expected)
    assert code == 0


def test_new_for_one_subsystem_goes_into_its_folder(cli, repo):
    r = cli("runbook", "new", "--kind", "procedure", "--id", "print-template", "--title", "打印模板",
            "--owner", "zhao-admin", "--subsystem", "alpha", cwd=repo.root)
    assert r.code == 0
    text = repo.read("runbooks/alpha/print-template.md")
    assert "subsystems: [alpha]\n" in text
    assert "review_interval_days: 365\n" in text


def test_new_refuses_to_overwrite(cli, repo):
    path = repo.write("runbooks/common/power-cut.md", "mine\n")
    r = cli("runbook", "new", "--kind", "contingency", "--id", "power-cut", "--title", "停电",
            "--owner", "qian-erp", cwd=repo.root)
    assert r.code == 2
    assert r.err == "erpops: runbooks/common/power-cut.md 已存在，不会覆盖。请换一个编号，或直接编辑该文件。\n"
    assert path.read_text("utf-8") == "mine\n"


def test_new_refuses_an_id_used_in_another_folder(cli, repo):
    cli("runbook", "new", "--kind", "contingency", "--id", "power-cut", "--title", "停电",
        "--owner", "qian-erp", cwd=repo.root)
    r = cli("runbook", "new", "--kind", "contingency", "--id", "power-cut", "--title", "停电",
            "--owner", "qian-erp", "--subsystem", "alpha", cwd=repo.root)
    assert r.code == 2
    assert "已被 runbooks/common/power-cut.md 使用" in r.err
    assert not (repo.root / "runbooks/alpha").exists()


@pytest.mark.parametrize("args, message", [
    (["--id", "Power_Cut", "--owner", "qian-erp"], "编号“Power_Cut”格式不对"),
    (["--id", "p", "--owner", "nobody"], "负责人“nobody”不在 roster/people.yaml 中。"),
    (["--id", "p", "--owner", "li-user"], "李用户 不能担任这份文档的负责人。可选：孙组长（sun-lead）、钱系统（qian-erp）"),
    (["--id", "p", "--owner", "qian-erp", "--subsystem", "beta"], "子系统代码“beta”不存在。已有的代码：alpha"),
])
def test_new_rejects_bad_input_without_writing(cli, repo, args, message):
    r = cli("runbook", "new", "--kind", "contingency", "--title", "停电", *args, cwd=repo.root)
    assert r.code == 2
    assert message in r.err
    assert not (repo.root / "runbooks").exists()


def test_new_rejects_an_empty_title(cli, repo):
    r = cli("runbook", "new", "--kind", "procedure", "--id", "p", "--title", "  ",
            "--owner", "qian-erp", cwd=repo.root)
    assert (r.code, r.err) == (2, "erpops: 标题不能为空，也不能换行。\n")


def _book(repo, rid, last, days, folder="common"):
    repo.write(f"runbooks/{folder}/{rid}.md", f"""\
        ---
        id: {rid}
        title: 标题{rid}
        kind: maintenance
        subsystems: [common]
        owner: sun-lead
        last_reviewed: {last}
        review_interval_days: {days}
        ---
        ## 周期
        每月。
        ## 操作步骤
        1. 做。
        ## 检查与确认
        看。
        """)


def test_due_lists_overdue_and_coming_reviews_in_date_order(cli, repo):
    _book(repo, "late", "2026-01-01", 300)     # due 2026-10-28: overdue 28 days
    _book(repo, "soon", "2026-06-01", 180)     # due 2026-11-28: in 3 days
    _book(repo, "today", "2026-05-29", 180)    # due 2026-11-25
    _book(repo, "later", "2026-11-01", 365)    # due 2027-11-01: not within 30
    r = cli("runbook", "due", cwd=repo.root)
    assert r.code == 0
    assert r.out.splitlines() == [
        "30 天内需要评审的文档（今天 2026-11-25）：",
        "  2026-10-28  已过期 28 天  late  标题late  负责人 孙组长  runbooks/common/late.md",
        "  2026-11-25  今天到期  today  标题today  负责人 孙组长  runbooks/common/today.md",
        "  2026-11-28  还有 3 天  soon  标题soon  负责人 孙组长  runbooks/common/soon.md",
    ]


def test_due_within_and_json(cli, repo):
    _book(repo, "later", "2026-11-01", 365)
    r = cli("runbook", "due", "--within", "400", "--format", "json", cwd=repo.root)
    data = json.loads(r.out)
    assert data["today"] == "2026-11-25"
    assert data["runbooks"] == [{
        "id": "later", "title": "标题later", "kind": "maintenance", "owner": "sun-lead",
        "path": "runbooks/common/later.md", "last_reviewed": "2026-11-01",
        "due": "2027-11-01", "days_left": 341,
    }]
    r = cli("runbook", "due", "--within", "340", cwd=repo.root)
    assert r.out == "340 天内没有需要评审的文档（今天 2026-11-25）。\n"


def test_due_in_english(cli, repo):
    _book(repo, "late", "2026-01-01", 300)
    r = cli("--lang", "en", "runbook", "due", cwd=repo.root)
    assert r.out.splitlines()[1] == (
        "  2026-10-28  overdue by 28 day(s)  late  标题late  owner 孙组长  runbooks/common/late.md")


def test_due_rejects_negative_window(cli, repo):
    r = cli("runbook", "due", "--within", "-1", cwd=repo.root)
    assert (r.code, r.err) == (2, "erpops: --within 不能为负数。\n")


def test_new_for_several_subsystems_goes_into_common(cli, repo):
    repo.write("roster/subsystems/beta.yaml", repo.read("roster/subsystems/alpha.yaml").replace("code: alpha", "code: beta"))
    r = cli("runbook", "new", "--kind", "contingency", "--id", "close", "--title", "结账",
            "--owner", "qian-erp", "--subsystem", "beta", "--subsystem", "alpha", cwd=repo.root)
    assert r.code == 0
    assert "subsystems: [beta, alpha]\n" in repo.read("runbooks/common/close.md")
    assert findings(cli, repo)[0] == 0


def test_new_accepts_common_alone_only(cli, repo):
    r = cli("runbook", "new", "--kind", "procedure", "--id", "p", "--title", "规程",
            "--owner", "qian-erp", "--subsystem", "common", cwd=repo.root)
    assert r.code == 0
    assert "subsystems: [common]\n" in repo.read("runbooks/common/p.md")
    r = cli("runbook", "new", "--kind", "procedure", "--id", "q", "--title", "规程",
            "--owner", "qian-erp", "--subsystem", "common", "--subsystem", "alpha", cwd=repo.root)
    assert r.code == 2
    assert "common" in r.err and not (repo.root / "runbooks/common/q.md").exists()
