"""Loose ends of issue #12: each odd input is a finding at its file:line or a clear refusal, exit 1 or 2."""
from __future__ import annotations

import json
import re

import pytest

from tickets_fixture import SIMPLE, SIMPLE_PATH, setup

TID = "ALP-20261102-AB2C"


@pytest.fixture
def ops(repo, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-03")
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-03T09:00:00+08:00")
    setup(repo)
    repo.write(SIMPLE_PATH, SIMPLE)
    return repo


def findings(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    return r.code, [(d["path"], d["line"], d["rule"]) for d in json.loads(r.out)["diagnostics"]
                    if d["severity"] == "error"]


def comment(cli, repo, *args):
    return cli("ticket", "comment", TID, "--by", "li-user", *args, cwd=repo.root)


# --- dates of year 1 and 9999 ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00",
                                   "9999-12-31T23:00:00-08:00"])
def test_an_opened_time_of_year_1_or_9999_is_refused_at_its_line(cli, ops, value):
    ops.edit(SIMPLE_PATH, "opened: 2026-11-02T09:00:00+08:00", f"opened: {value}")
    assert findings(cli, ops) == (2, [(SIMPLE_PATH, 9, "yaml-time-range")])
    r = cli("check", cwd=ops.root)
    assert f"{SIMPLE_PATH}:9:9: 错误 [yaml-time-range] 日期“{value}”超出可用范围（1900 至 2999 年），请检查年份。" in r.out


@pytest.mark.parametrize("value", ['"0001-01-01T00:00:00+08:00"', "'9999-12-31'", '"2026-11-02T09:00:00+08:00"'])
def test_a_quoted_time_is_held_to_the_same_years(cli, ops, value):
    ops.edit(SIMPLE_PATH, "opened: 2026-11-02T09:00:00+08:00", f"opened: {value}")
    expected = (0, []) if value.startswith('"2026') else (2, [(SIMPLE_PATH, 9, "yaml-time-range")])
    assert findings(cli, ops) == expected


def test_a_text_that_only_starts_with_a_date_is_text(cli, ops):
    ops.edit(SIMPLE_PATH, "symptom: 不会查询领料汇总", "symptom: '0001-01-01 起的领料汇总查不到'")
    assert findings(cli, ops) == (0, [])


def test_an_event_time_of_year_1_is_refused_at_its_line(cli, ops):
    ops.edit(SIMPLE_PATH, "    at: 2026-11-02T09:20:00+08:00", "    at: 0001-01-01T00:00:00+08:00")
    assert findings(cli, ops) == (2, [(SIMPLE_PATH, 20, "yaml-time-range")])


def test_a_review_date_of_year_9999_is_refused_at_its_line(cli, ops):
    ops.edit("runbooks/common/stock-howto.md", "last_reviewed: 2026-10-01", "last_reviewed: 9999-12-31")
    assert findings(cli, ops) == (2, [("runbooks/common/stock-howto.md", 7, "yaml-time-range")])


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00+08:00", "0001-01-01T00:00:00+08:00"])
def test_at_of_year_1_or_9999_is_a_usage_error(cli, ops, value):
    before = ops.read(SIMPLE_PATH)
    r = comment(cli, ops, "--note", "x", "--at", value)
    assert (r.code, r.err) == (2, f"erpops: --at 的时间“{value}”超出可用范围（1900 至 2999 年），请检查年份。\n")
    assert ops.read(SIMPLE_PATH) == before


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_month_of_year_1_or_9999_is_a_usage_error(cli, ops, month, tmp_path):
    r = cli("report", "monthly", "--month", month, "--out", str(tmp_path / "out"), cwd=ops.root)
    assert (r.code, r.err) == (2, f"erpops: 月份“{month}”超出可用范围（1900 至 2999 年）。\n")
    assert not (tmp_path / "out").exists()


# --- events in the future ----------------------------------------------------------------------

def test_an_event_later_than_now_is_a_finding_of_check(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T09:10:00+08:00")
    assert findings(cli, ops) == (1, [(SIMPLE_PATH, 20, "ticket-event-future")])
    r = cli("check", cwd=ops.root)
    assert (f"{SIMPLE_PATH}:20:5: 错误 [ticket-event-future] 事件时间 2026-11-02T09:20:00+08:00 晚于现在"
            "（2026-11-02T09:10:00+08:00）：历史只记录已经发生的事件。") in r.out


def test_an_event_at_now_is_not_in_the_future(cli, ops, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T09:20:00+08:00")
    assert findings(cli, ops) == (0, [])


def test_at_later_than_now_is_refused_before_writing(cli, ops):
    before = ops.read(SIMPLE_PATH)
    r = comment(cli, ops, "--note", "x", "--at", "2026-11-03T09:01")
    assert (r.code, r.err) == (2, "erpops: --at 的时间“2026-11-03T09:01”晚于现在（2026-11-03T09:00:00+08:00）："
                                  "只能记录已经发生的事件。\n")
    assert ops.read(SIMPLE_PATH) == before
    assert comment(cli, ops, "--note", "x", "--at", "2026-11-03T09:00").code == 0


# --- symbolic links ----------------------------------------------------------------------------

LINK_MESSAGE = "这是一个符号链接（或位于符号链接的文件夹中），erpops 不会读取它"


@pytest.fixture
def outside(tmp_path):
    """A file outside the repository that a link points at: a valid ticket, so following it would show."""
    path = tmp_path / "elsewhere" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(SIMPLE.replace("如何查询本月领料汇总", "机密内容"), "utf-8")
    return path


def test_a_ticket_that_is_a_symlink_is_refused_never_followed(cli, ops, outside):
    link = ops.root / "tickets/alpha/2026/ALP-20261102-ZZZZ.yaml"
    link.symlink_to(outside)
    assert findings(cli, ops) == (2, [("tickets/alpha/2026/ALP-20261102-ZZZZ.yaml", 1, "file-symlink")])
    r = cli("check", cwd=ops.root)
    assert f"tickets/alpha/2026/ALP-20261102-ZZZZ.yaml:1:1: 错误 [file-symlink] {LINK_MESSAGE}" in r.out
    assert "机密内容" not in r.out
    (ops.root / SIMPLE_PATH).unlink()
    (ops.root / SIMPLE_PATH).symlink_to("/etc/passwd")
    assert findings(cli, ops)[1] == [(SIMPLE_PATH, 1, "file-symlink"),
                                     ("tickets/alpha/2026/ALP-20261102-ZZZZ.yaml", 1, "file-symlink")]


def test_a_symlinked_tickets_folder_is_refused(cli, ops, outside):
    (ops.root / SIMPLE_PATH).unlink()
    (ops.root / "tickets/alpha/2026").rmdir()
    (ops.root / "tickets/alpha/2026").symlink_to(outside.parent, target_is_directory=True)
    assert findings(cli, ops) == (2, [("tickets/alpha/2026", 1, "file-symlink")])


@pytest.mark.parametrize("rel", ["roster/people.yaml", "roster/vendor.yaml", "roster/subsystems/alpha.yaml",
                                 "policy.yaml", "runbooks/common/stock-howto.md"])
def test_a_roster_policy_or_runbook_file_that_is_a_symlink_is_refused(cli, ops, tmp_path, rel):
    target = tmp_path / "copy"
    target.write_bytes((ops.root / rel).read_bytes())
    (ops.root / rel).unlink()
    (ops.root / rel).symlink_to(target)
    code, found = findings(cli, ops)
    assert code == 2
    assert found == [(rel, 1, "file-symlink")]


def test_a_dangling_symlink_is_named_not_skipped(cli, ops):
    (ops.root / "roster/vendor.yaml").unlink()
    (ops.root / "roster/vendor.yaml").symlink_to(ops.root / "nowhere.yaml")
    assert findings(cli, ops) == (2, [("roster/vendor.yaml", 1, "file-symlink")])


def test_a_symlinked_record_form_stops_reports_and_the_site(cli, ops, outside, tmp_path):
    from site_repo import add_site, build

    (ops.root / "reports/2026-10").mkdir(parents=True)
    (ops.root / "reports/2026-10/alpha.md").symlink_to(outside)
    assert findings(cli, ops) == (2, [("reports/2026-10/alpha.md", 1, "file-symlink")])
    r = cli("report", "monthly", "--month", "2026-10", "--out", str(tmp_path / "out"), cwd=ops.root)
    assert r.code == 2
    assert f"reports/2026-10/alpha.md:1:1: [file-symlink] {LINK_MESSAGE}" in r.err
    add_site(ops.root)
    proc = build(ops.root)
    assert proc.returncode == 1
    assert "reports/2026-10/alpha.md:1:1" in proc.stderr and "file-symlink" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_symlinked_ticket_is_never_read_from_the_cache(cli, ops, outside, monkeypatch):
    """The cache is keyed by content: a link to a copy of a cached ticket must not be served from it."""
    from erpops import doccache

    monkeypatch.setattr(doccache, "MIN_FILES", 1)
    assert findings(cli, ops) == (0, [])
    link = ops.root / "tickets/alpha/2026/ALP-20261102-ZZZZ.yaml"
    link.symlink_to(ops.root / SIMPLE_PATH)
    assert findings(cli, ops) == (2, [("tickets/alpha/2026/ALP-20261102-ZZZZ.yaml", 1, "file-symlink")])


# --- tickets not named .yaml -------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".yml", ".YAML", ".Yml"])
def test_a_ticket_saved_as_yml_is_named_not_ignored(cli, ops, suffix):
    rel = SIMPLE_PATH[:-len(".yaml")] + suffix
    (ops.root / SIMPLE_PATH).rename(ops.root / rel)
    assert findings(cli, ops) == (1, [(rel, 1, "ticket-file-extension")])
    r = cli("check", cwd=ops.root)
    assert (f"{rel}:1:1: 错误 [ticket-file-extension] 工单文件的扩展名必须是 .yaml（小写），此文件不会被读取："
            "请改名为 .yaml。") in r.out


def test_lock_and_temporary_files_beside_tickets_are_not_tickets(cli, ops):
    ops.write("tickets/alpha/2026/.ALP-20261102-AB2C.yaml.lock", "123\n")
    ops.write("tickets/alpha/2026/.ALP-20261102-AB2C.yaml.x1y2.tmp", "id: x\n")
    assert findings(cli, ops) == (0, [])


# --- deep nesting ------------------------------------------------------------------------------

def _nested(kind: str, depth: int) -> str:
    if kind == "block":
        return "".join("\n" + "  " * (i + 1) + "a:" for i in range(depth)) + " 1"
    return "[" * depth + "]" * depth if kind == "flow-list" else "{a: " * depth + "1" + "}" * depth


@pytest.mark.parametrize("kind, column, line", [("flow-list", 74, 12), ("flow-map", 266, 12), ("block", 131, 77)])
@pytest.mark.parametrize("depth", [65, 998])  # libyaml refuses 1000 levels, the root included
def test_nesting_just_below_libyamls_limit_is_a_finding_at_its_line(cli, ops, kind, column, line, depth):
    ops.edit(SIMPLE_PATH, "symptom: 不会查询领料汇总", "symptom: " + _nested(kind, depth))
    assert findings(cli, ops) == (2, [(SIMPLE_PATH, line, "yaml-depth")])
    r = cli("check", cwd=ops.root)
    assert f"{SIMPLE_PATH}:{line}:{column}: 错误 [yaml-depth] 嵌套层数超过 64 层，文件无法使用：请检查括号或缩进。" in r.out


def test_nesting_at_the_limit_is_read_and_checked_by_the_schema(cli, ops):
    ops.edit(SIMPLE_PATH, "symptom: 不会查询领料汇总", "symptom: " + _nested("flow-list", 63))
    assert findings(cli, ops) == (1, [(SIMPLE_PATH, 12, "schema")])


def test_deep_front_matter_of_a_runbook_is_a_finding(cli, ops):
    ops.edit("runbooks/common/stock-howto.md", "kind: procedure", "kind: procedure\nx: " + _nested("flow-map", 999))
    assert findings(cli, ops) == (2, [("runbooks/common/stock-howto.md", 5, "yaml-depth")])


# --- blank titles ------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ['""', '"   "', "' \t '", '"\u3000"'])
def test_a_blank_title_is_a_finding_not_the_id(cli, ops, written):
    ops.edit(SIMPLE_PATH, "title: 如何查询本月领料汇总", f"title: {written}")
    assert findings(cli, ops) == (1, [(SIMPLE_PATH, 2, "schema")])
    assert f"{SIMPLE_PATH}:2:1: 错误 [schema] 字段“title”不能为空。" in cli("check", cwd=ops.root).out


def test_a_blank_symptom_is_a_finding(cli, ops):
    ops.edit(SIMPLE_PATH, "symptom: 不会查询领料汇总", 'symptom: "  "')
    assert findings(cli, ops) == (1, [(SIMPLE_PATH, 12, "schema")])


def test_new_with_a_blank_title_is_refused_and_writes_nothing(cli, ops):
    r = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P3", "--title", "   ",
            "--symptom", "报错", "--by", "li-user", cwd=ops.root)
    assert r.code == 1
    assert re.search(r"^tickets/alpha/2026/ALP-20261103-[A-Z2-7]{4}\.yaml:3:1: \[schema\] 字段“title”不能为空。$",
                     r.err, re.MULTILINE)
    assert sorted(p.name for p in (ops.root / "tickets/alpha/2026").iterdir()) == ["ALP-20261102-AB2C.yaml"]


# --- Markdown in user text of the record form --------------------------------------------------

EVIL = "[x](http://evil) ![i](http://evil/i.png) <script>alert(1)</script> *em* _u_ `code` \\[ <http://evil>"


def test_markdown_in_ticket_text_is_inert_in_the_committed_form(repo, cli, monkeypatch):
    import markdown as python_markdown

    from reports_fixture import build

    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261023-EEEE.yaml", "title: 全部终端无法登录", f"title: '{EVIL}'")
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "symptom: 找不到出库单打印按钮", f"symptom: '{EVIL}'")
    repo.edit("roster/subsystems/alpha.yaml", "name: 甲系统", "name: '甲[系统](http://evil)'")
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    assert cli("report", "monthly", "--month", "2026-10", "--format", "md", "--repo", str(repo.root)).code == 0
    md = (repo.root / "reports/2026-10/alpha.md").read_text("utf-8")
    assert "# 甲\\[系统\\](http://evil) ERP系统运维记录表（2026-10）" in md
    html = python_markdown.markdown(md, extensions=["tables", "fenced_code"])
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<em>" not in html and "<code>" not in html.replace("<code class=\"language-mermaid\">", "")
    shown = "[x](http://evil) ![i](http://evil/i.png) &lt;script&gt;alert(1)&lt;/script&gt; *em* _u_ `code` \\[ &lt;http://evil&gt;"
    assert html.count(f"<td>{shown}</td>") == 2  # the backlog's title and the ticket table's symptom
    assert "<h1>甲[系统](http://evil) ERP系统运维记录表（2026-10）</h1>" in html


# --- control characters on the command line ----------------------------------------------------

@pytest.mark.parametrize("char, code", [("\x7f", "U+007F"), ("\x85", "U+0085"), ("\x1b", "U+001B"),
                                        ("\x00", "U+0000"), ("\x9b", "U+009B"), ("\udcff", "U+DCFF")])
def test_a_control_character_in_note_is_refused_by_option_name_before_writing(cli, ops, char, code):
    before = ops.read(SIMPLE_PATH)
    r = comment(cli, ops, "--note", f"已{char}处理")
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"erpops: --note 的第 2 个字符是控制字符 {code}，不能写入文件；未读取或修改任何文件。"
                     "请删去该字符（常见于从别处粘贴的文字）后重试。\n")
    assert ops.read(SIMPLE_PATH) == before


def test_a_control_character_is_named_in_any_option_form_and_position(cli, ops):
    r = cli("ticket", "new", "--subsystem", "alpha", "--type", "fault", "--priority", "P3",
            "--title=标题\x7f", "--symptom", "报错", "--by", "li-user", cwd=ops.root)
    assert r.code == 2 and r.err.startswith("erpops: --title 的第 3 个字符是控制字符 U+007F")
    r = cli("ticket", "show", "ALP\x85", cwd=ops.root)
    assert r.code == 2 and r.err.startswith("erpops: 第 3 个参数 的第 4 个字符是控制字符 U+0085")
    r = cli("--lang", "en", "ticket", "comment", TID, "--note", "a\x7f", cwd=ops.root)
    assert r.err == ("erpops: Character 2 of --note is the control character U+007F, which cannot be written "
                     "to a file; nothing was read or changed. Delete it (it often comes with pasted text) "
                     "and try again.\n")
    assert list((ops.root / "tickets/alpha/2026").iterdir()) == [ops.root / SIMPLE_PATH]


def test_tabs_and_line_breaks_in_a_note_are_written_and_read_back(cli, ops):
    from erpops import load

    assert comment(cli, ops, "--note", "第一行\n\t第二行\r\n").code == 0
    tk = next(t for t in load.load(ops.root).tickets if t.id == TID)
    assert tk.history[-1].note == "第一行\n\t第二行"  # the model strips the ends


@pytest.mark.parametrize("text", ["a\x7fb", "a\x85b", "a\u2028b", "\x1b[31m", "a\ufeffb", "tab\there"])
def test_a_scalar_with_control_characters_reads_back_as_the_same_string(text):
    from erpops import edits
    from erpops.yamlio import load_text

    written = edits.scalar(text)
    assert edits.CONTROL.sub("", written.replace("\t", "")) == written.replace("\t", "")  # escaped, not raw
    doc, problems = load_text(f"k: {written}\n", "x.yaml")
    assert problems == [] and doc.data == {"k": text}
