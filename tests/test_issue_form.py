"""The ticket form: generated from the roster and policy, valid for GitHub, and turned back into a
ticket by `erpops ticket from-issue` with every field treated as untrusted text."""
from __future__ import annotations

import json
import subprocess
import sys

import git
import pytest
import yaml

from conftest import DEMO
from erpops import issueform, load
from tickets_fixture import setup

FORM, CONFIG = issueform.PATH, issueform.CONFIG_PATH
CREATED = "2026-11-03T01:15:00Z"  # 09:15 in Shanghai, a working day


def _git_init(root):
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "email", "ci@example.com")
        cfg.set_value("user", "name", "CI")
    repo.git.add("-A")
    repo.git.commit("-m", "base")
    return repo


@pytest.fixture
def ops(repo, cli):
    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    github: Li-GH\n")
    repo.edit("roster/people.yaml", "  - id: qian-erp\n", "  - id: qian-erp\n    github: qian-gh\n")
    assert cli("issue-form", cwd=repo.root).code == 0
    repo.git = _git_init(repo.root)
    return repo


FIELDS = {"subsystem": "甲系统（alpha）", "type": "系统故障/缺陷（fault）", "priority": "P3 一般：个别业务受影响",
          "symptom": "保存采购订单时报错", "cause": None, "impact": None, "runbooks": None,
          "reporter": None, "end_user": None}


def body(**changes) -> str:
    """An issue body as GitHub writes a submitted form."""
    values = {**FIELDS, **changes}
    return "\n\n".join(f"### {issueform.label(k, 'zh')}\n\n{v if v is not None else '_No response_'}"
                       for k, v in values.items())


def event(tmp_path, *, login="li-gh", title="[工单] 采购订单无法保存", labels=("ticket",), number=7, **changes):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "opened", "issue": {
        "number": number, "title": title, "body": body(**changes), "created_at": CREATED,
        "user": {"login": login}, "labels": [{"name": n} for n in labels]}}), "utf-8")
    return path


def _ticket_files(root):
    return sorted(p.relative_to(root).as_posix() for p in (root / "tickets").rglob("*.yaml")) \
        if (root / "tickets").exists() else []


# --- the form -------------------------------------------------------------------------------

def test_form_lists_every_subsystem_and_type_and_matches_the_demo_repository():
    form = yaml.safe_load((DEMO / FORM).read_text("utf-8"))
    assert form["labels"] == ["ticket"]
    fields = {f["id"]: f for f in form["body"] if "id" in f}
    assert list(fields) == list(issueform.FIELDS)
    subs = fields["subsystem"]["attributes"]["options"]
    assert len(subs) == 11 and "生产系统（production）" in subs and "OA系统（oa）" in subs
    assert "系统故障/缺陷（fault）" in fields["type"]["attributes"]["options"]
    assert [o[:2] for o in fields["priority"]["attributes"]["options"]] == ["P1", "P2", "P3", "P4"]
    assert {k for k, f in fields.items() if f.get("validations", {}).get("required")} == set(issueform.REQUIRED)
    assert yaml.safe_load((DEMO / CONFIG).read_text("utf-8")) == {"blank_issues_enabled": False}


def test_demo_repository_form_is_current(cli):
    r = cli("issue-form", "--check", cwd=DEMO)
    assert r.code == 0, r.both
    assert r.out.splitlines() == [f"{FORM} 与名册和运维制度一致。", f"{CONFIG} 与名册和运维制度一致。"]


def _schema(name, *paths):
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", name, *map(str, paths)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_form_and_config_match_githubs_schemas_offline():
    proc = _schema("vendor.github-issue-forms", DEMO / FORM)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = _schema("vendor.github-issue-config", DEMO / CONFIG)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_would_reject_a_broken_form(tmp_path):
    bad = tmp_path / "ticket.yml"
    bad.write_text((DEMO / FORM).read_text("utf-8").replace("type: dropdown", "type: select", 1), "utf-8")
    assert _schema("vendor.github-issue-forms", bad).returncode == 1


def test_check_fails_with_a_diff_when_the_roster_changes(ops, cli):
    ops.edit("roster/subsystems/alpha.yaml", "name: 甲系统", "name: 甲子系统")
    r = cli("issue-form", "--check", cwd=ops.root)
    assert r.code == 1
    assert f"{FORM} 已过期" in r.err
    assert "-    - 甲系统（alpha）" in r.out.splitlines() and "+    - 甲子系统（alpha）" in r.out.splitlines()
    assert cli("issue-form", cwd=ops.root).code == 0
    assert cli("issue-form", "--check", cwd=ops.root).code == 0


def test_form_is_not_written_from_a_broken_roster(ops, cli):
    before = ops.read(FORM)
    ops.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: nobody")
    r = cli("issue-form", cwd=ops.root)
    assert r.code == 1
    assert "名册或运维制度有错误" in r.err
    assert ops.read(FORM) == before


# --- from-issue -----------------------------------------------------------------------------

def test_from_issue_commits_the_ticket_on_a_branch_and_writes_the_outputs(ops, cli, tmp_path, monkeypatch):
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path)), "--branch", "ticket/issue-7", cwd=ops.root)
    assert r.code == 0, r.err
    (rel,) = _ticket_files(ops.root)
    tid = rel.rsplit("/", 1)[1][:-5]
    assert rel == f"tickets/alpha/2026/{tid}.yaml" and tid.startswith("ALP-20261103-")
    data = yaml.safe_load(ops.read(rel))
    assert data["title"] == "采购订单无法保存"
    assert (data["type"], data["priority"], data["reporter"], data["assignee"]) == ("fault", "P3", {"person": "li-user"}, "li-user")
    assert data["opened"].isoformat() == "2026-11-03T09:15:00+08:00"
    assert data["history"][0]["note"] == "由议题 #7 的工单表单生成（GitHub 账号 li-gh）"
    assert ops.git.active_branch.name == "ticket/issue-7"
    assert list(ops.git.head.commit.stats.files) == [rel]
    lines = out.read_text("utf-8").splitlines()
    assert lines[:5] == ["branch=ticket/issue-7", f"ticket={tid}", f"path={rel}",
                         f"pr-title=工单 {tid}：采购订单无法保存", f"comment=已生成工单 {tid}，拉取请求："]
    assert lines[5].startswith("pr-body<<ERPOPS_") and lines[-1] == lines[5].split("<<")[1]
    assert "Refs #7" in lines and "Closes #7" not in lines
    assert cli("check", cwd=ops.root).code == 0


@pytest.mark.parametrize("field,value", [
    ("symptom", "NO"), ("symptom", ": x"), ("symptom", "#c"), ("symptom", "\"'"), ("symptom", "第一行\n第二行: y\n- z"),
    ("symptom", "<script>alert(1)</script>"), ("cause", "yes"), ("impact", "key: value #c"),
    ("cause", "'\" \\ {x} [y] &a *b !c %d @e `f`"), ("title", "NO"), ("title", "#c"), ("title", "\"'"),
    ("title", "a\rstatus: closed"), ("title", "<script>x</script>"), ("end_user", "二车间: 张师傅 #1"),
])
def test_untrusted_text_reads_back_exactly(ops, cli, tmp_path, field, value):
    kwargs = {"title": value} if field == "title" else {field: value}
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, **kwargs)), cwd=ops.root)
    assert r.code == 0, r.err
    (rel,) = _ticket_files(ops.root)
    data = yaml.safe_load(ops.read(rel))
    if field == "title":
        assert data["title"] == " ".join(value.split()) and data["status"] == "open"
    elif field == "end_user":
        assert data["reporter"] == {"end_user": value, "filed_by": "li-user"}
    else:
        assert data[field] == value
    assert cli("check", cwd=ops.root).code == 0


def test_an_unknown_login_is_refused_with_the_fix(ops, cli, tmp_path):
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, login="stranger")), "--branch", "b", cwd=ops.root)
    assert r.code == 2
    assert "GitHub 账号 stranger 不在名册中" in r.err and "`github: stranger`" in r.err
    assert _ticket_files(ops.root) == [] and "b" not in ops.git.heads


@pytest.mark.parametrize("changes,message", [
    ({"subsystem": "乙系统（beta）"}, "“子系统”的值“乙系统（beta）”不是表单中的选项"),
    ({"type": "fault"}, "“工单类型”的值“fault”不是表单中的选项"),
    ({"priority": "P0"}, "“优先级”的值“P0”不是表单中的选项"),
    ({"symptom": None}, "“问题现象”为必填项。（议题 #7）"),
    ({"reporter": "王某"}, "报告人“王某”不在名册中"),
    ({"reporter": "周用户", "end_user": "张师傅"}, "“报告人”与“终端用户”只能填写一项"),
    ({"title": "[工单] "}, "议题 #7 没有标题"),
    ({"labels": ()}, "议题 #7 没有“ticket”标签"),
])
def test_bad_forms_are_refused_and_nothing_is_written(ops, cli, tmp_path, changes, message):
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, **changes)), "--branch", "b", cwd=ops.root)
    assert r.code == 2
    assert message in r.err
    assert _ticket_files(ops.root) == [] and "b" not in ops.git.heads


def test_a_rule_violation_is_reported_with_its_rule_and_nothing_is_written(ops, cli, tmp_path):
    """qian-erp (ops office, no key user of alpha) cannot open a ticket at the key-user tier."""
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, login="qian-gh")), "--branch", "b", cwd=ops.root)
    assert r.code == 1
    assert "[ticket-open-tier] 钱系统 在“甲系统”不担任 关键用户" in r.err
    assert _ticket_files(ops.root) == [] and "b" not in ops.git.heads


def test_reporter_by_name_or_id(ops, cli, tmp_path):
    r = cli("ticket", "from-issue", "--event", str(event(tmp_path, reporter="周用户")), cwd=ops.root)
    assert r.code == 0, r.err
    data = yaml.safe_load(ops.read(_ticket_files(ops.root)[0]))
    assert data["reporter"] == {"person": "zhou-user"}
    assert data["history"][0]["by"] == "li-user" and data["assignee"] == "li-user"


@pytest.mark.parametrize("content,message", [
    (None, "无法读取议题事件文件"), ("{not json", "无法读取议题事件文件"),
    (json.dumps({"pull_request": {"number": 1}}), "不是 GitHub 议题（issues）事件"),
    (json.dumps({"issue": {"number": "7", "user": {"login": "li-gh"}}}), "不是 GitHub 议题（issues）事件"),
    (json.dumps({"issue": {"number": 7, "user": "li-gh"}}), "不是 GitHub 议题（issues）事件"),
    (json.dumps({"issue": {"number": 7, "user": {"login": "li-gh"}, "labels": 5}}), "议题 #7 没有“ticket”标签"),
    (json.dumps([1]), "不是 GitHub 议题（issues）事件"),
])
def test_an_unusable_event_file_is_a_usage_error(ops, cli, tmp_path, content, message):
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content, "utf-8")
    r = cli("ticket", "from-issue", "--event", str(path), cwd=ops.root)
    assert r.code == 2 and message in r.err
    assert _ticket_files(ops.root) == []


def test_a_body_that_is_not_a_form_is_refused(ops, cli, tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"issue": {"number": 3, "title": "x", "body": "随便写的", "labels": [{"name": "ticket"}],
                                          "user": {"login": "li-gh"}}}), "utf-8")
    r = cli("ticket", "from-issue", "--event", str(path), cwd=ops.root)
    assert r.code == 2 and "不是工单表单的格式" in r.err


def test_a_heading_inside_a_field_stays_text():
    from erpops import policy as policy_module  # noqa: F401

    repo = load.load(DEMO)
    text = body(subsystem="生产系统（production）", symptom="### 不是栏目\n报错", runbooks="a, b，c  a")
    fields = issueform.parse(text, repo.roster, repo.policy, "zh")
    assert fields["symptom"] == "### 不是栏目\n报错"
    assert fields["subsystem"] == "production" and fields["cause"] is None
    assert issueform.runbook_ids(fields["runbooks"]) == ("a", "b", "c")


def test_an_english_repository_reads_its_english_form(repo, cli, tmp_path):
    """The form is written, and read back, in the repository's language (mkdocs.yml), not the reader's."""
    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    github: li-gh\n")
    repo.write("mkdocs.yml", "site_name: Ops\nplugins:\n  - erpops:\n      lang: en\n")
    assert cli("issue-form", cwd=repo.root).code == 0
    assert "    - Alpha (alpha)\n" in repo.read(FORM)
    text = "\n\n".join(f"### {issueform.label(k, 'en')}\n\n{v}" for k, v in {
        "subsystem": "Alpha (alpha)", "type": "Fault or bug (fault)",
        "priority": "P2 Severe: key business blocked", "symptom": "Cannot save", "cause": "_No response_"}.items())
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"issue": {"number": 4, "title": "[Ticket] Order fails", "body": text,
                                          "created_at": CREATED, "user": {"login": "li-gh"},
                                          "labels": [{"name": "ticket"}]}}), "utf-8")
    r = cli("ticket", "from-issue", "--event", str(path), cwd=repo.root)
    assert r.code == 0, r.err
    data = yaml.safe_load(repo.read(_ticket_files(repo.root)[0]))
    assert (data["title"], data["type"], data["priority"], data["symptom"]) == ("Order fails", "fault", "P2", "Cannot save")
    assert data["history"][0]["note"] == "Filed from the ticket form of issue #4 (GitHub login li-gh)"
    r = cli("--lang", "en", "ticket", "from-issue", "--event", str(tmp_path / "missing.json"), cwd=repo.root)
    assert r.code == 2 and "Cannot read the issue event file" in r.err
