"""The form as files: XLSX that Excel and WPS open, CSV with a BOM, Markdown for the site."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from reports_fixture import build

HEADERS = ["序号", "工单号", "日期", "提出人", "类型", "现象", "原因", "处理层级", "处理人", "处理措施", "状态",
           "解决时间", "用时", "是否超时", "改进建议"]


@pytest.fixture
def forms(repo, cli, monkeypatch):
    build(repo)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    # The PDF (a default format too) has its own tests in test_report_pdf.py.
    r = cli("report", "monthly", "--month", "2026-10", "--format", "md,csv,xlsx", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out.splitlines() == [f"已生成 reports/2026-10/alpha.{f}" for f in ("md", "csv", "xlsx")]
    return repo.root / "reports" / "2026-10"


def test_xlsx_headers_values_and_print_setup(forms):
    wb = openpyxl.load_workbook(forms / "alpha.xlsx")
    assert wb.sheetnames == ["运维记录表", "汇总"]
    ws = wb["运维记录表"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 5
    assert [c.value for c in ws[2]] == [
        1, "ALP-20260924-BBBB", dt.datetime(2026, 9, 24), "二车间 张师傅（李用户 代报）", "系统故障/缺陷",
        "审核领料单提示库存不足", "调拨单未记账", "关键用户", "李用户", "重算现存量后审核通过", "已解决",
        dt.datetime(2026, 9, 28, 10, 30), 3.0, "否", None]
    assert [ws.cell(5, c).value for c in (2, 11, 12, 13, 14)] == ["ALP-20261023-EEEE", "已上报", None, 7.0, "是"]
    assert ws.cell(2, 3).number_format == "yyyy-mm-dd" and ws.cell(2, 12).number_format == "yyyy-mm-dd hh:mm"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["F"].width == 18 and ws.column_dimensions["B"].width == 18
    assert ws.page_setup.paperSize == 9  # A4 in the OOXML paper-size table
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddHeader.center.text == "甲系统 ERP系统运维记录表（2026-10）"
    summary = {(r[0], r[1]): r[2:] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary[("本期汇总", "本期解决")] == (3, "张")
    assert summary[("本期汇总", "解决按时")] == (3, "个计时")
    assert summary[("本期汇总", "解决计时数")] == (4, "个计时")
    assert summary[("各层级解决的工单", "关键用户")] == (2, "张")
    assert summary[("各层级解决的工单", "关键用户 占比")] == (2 / 3, "占比")


def test_xlsx_is_the_same_bytes_when_regenerated(forms, cli, repo):
    first = (forms / "alpha.xlsx").read_bytes()
    assert cli("report", "monthly", "--month", "2026-10", "--format", "xlsx", "--repo", str(repo.root)).code == 0
    assert (forms / "alpha.xlsx").read_bytes() == first


def test_csv_has_a_bom_and_the_fifteen_columns(forms):
    raw = (forms / "alpha.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    assert len(rows) == 5 and all(len(r) == 15 for r in rows)
    assert rows[2] == ["2", "ALP-20261009-CCCC", "2026-10-09", "周用户", "系统故障/缺陷", "保存时报“表头数据不完整”",
                       "客户档案缺少税号", "业务系统管理员", "赵管理", "补录客户税号后保存成功", "已解决",
                       "2026-10-10 10:00", "3.0", "否", ""]
    assert b"\r\n" in raw


def test_markdown_has_the_summary_charts_and_table(forms):
    md = (forms / "alpha.md").read_text("utf-8")
    assert "# 甲系统 ERP系统运维记录表（2026-10）" in md
    assert "| 2026-09-26 — 2026-10-25 | 2026-10-28 | 赵管理 | 钱系统 |" in md
    assert '```mermaid\npie showData title 按类型\n    "操作咨询" : 1\n    "系统故障/缺陷" : 3\n```' in md
    assert 'x-axis ["关键用户", "业务系统管理员", "ERP 系统管理员", "软件供应商"]' in md
    assert "    bar [2, 1, 0, 0]" in md
    assert "| P1 | 0.5 | 1 | 0 | 0 | 0.3 | 4.0 | 0 | 1 | 0 | - |" in md
    assert "| ALP-20261023-EEEE | 全部终端无法登录 | P1 | 业务系统管理员 | 赵管理 | 2026-10-23 | 2 | 7.0 |" in md
    assert "| " + " | ".join(HEADERS) + " |" in md


def test_user_text_cannot_break_the_table_or_run_script(repo, cli, monkeypatch):
    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "symptom: 找不到出库单打印按钮",
              "symptom: '<script>alert(1)</script> a|b =1+2'")
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    assert cli("report", "monthly", "--month", "2026-10", "--format", "md,xlsx", "--repo", str(repo.root)).code == 0
    folder = repo.root / "reports" / "2026-10"
    md = (folder / "alpha.md").read_text("utf-8")
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b =1+2" in md
    ws = openpyxl.load_workbook(folder / "alpha.xlsx")["运维记录表"]
    assert ws.cell(4, 6).value == "<script>alert(1)</script> a|b =1+2" and ws.cell(4, 6).data_type == "s"


def test_text_starting_with_equals_stays_text_in_csv_and_xlsx(repo, cli, monkeypatch):
    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "symptom: 找不到出库单打印按钮",
              "symptom: '=HYPERLINK(\"http://x\")'")
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    assert cli("report", "monthly", "--month", "2026-10", "--format", "csv,xlsx", "--repo", str(repo.root)).code == 0
    folder = repo.root / "reports" / "2026-10"
    rows = list(csv.reader(io.StringIO((folder / "alpha.csv").read_text("utf-8-sig"), newline="")))
    assert rows[3][5] == "'=HYPERLINK(\"http://x\")"
    cell = openpyxl.load_workbook(folder / "alpha.xlsx")["运维记录表"].cell(4, 6)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


def test_formats_subsystem_and_out_options(repo, cli, tmp_path, monkeypatch):
    build(repo)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    out = tmp_path / "elsewhere"
    r = cli("report", "monthly", "--month", "2026-10", "--subsystem", "alpha", "--format", "csv,md",
            "--out", str(out), "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert sorted(p.name for p in (out / "2026-10").iterdir()) == ["alpha.csv", "alpha.md"]


@pytest.mark.parametrize("args, message", [
    (("--month", "2026-13"), "月份“2026-13”无效，应写成 YYYY-MM，如 2026-10。"),
    (("--month", "2026-10", "--subsystem", "beta"), "子系统“beta”不在 roster/subsystems/ 中。"),
    (("--month", "2026-10", "--format", "docx"), "格式“docx”无效，可选 md, csv, xlsx, pdf（用逗号分隔）。"),
])
def test_bad_arguments_exit_2_and_write_nothing(repo, cli, args, message):
    build(repo)
    r = cli("report", "monthly", *args, "--repo", str(repo.root))
    assert r.code == 2 and message in r.err
    assert not (repo.root / "reports").exists()


def test_a_period_not_yet_ended_is_said_so(repo, cli, monkeypatch):
    build(repo)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-10-20")
    r = cli("report", "monthly", "--month", "2026-10", "--format", "md", "--repo", str(repo.root))
    assert r.code == 0
    assert "统计期 2026-10（2026-09-26 至 2026-10-25）尚未结束，生成的是截至今天的数据。" in r.err


def test_english_form(repo, cli, monkeypatch):
    build(repo)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    assert cli("report", "monthly", "--month", "2026-10", "--format", "csv", "--lang", "en",
               "--repo", str(repo.root)).code == 0
    head = (repo.root / "reports/2026-10/alpha.csv").read_text("utf-8-sig").splitlines()[0]
    assert head.startswith("No.,Ticket,Date,Reported by,Type,Symptom,Cause,Tier,Handled by")


def test_markdown_renders_under_material_settings(forms):
    """With the extensions Material documents for diagrams (tables; superfences with a mermaid fence)
    every table becomes a table and every chart a mermaid block."""
    import markdown
    from pymdownx.superfences import fence_code_format

    md = (forms / "alpha.md").read_text("utf-8")
    html = markdown.markdown(md, extensions=["tables", "pymdownx.superfences"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [
            {"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}})
    assert html.count("<table>") == md.count("\n|---") == 12
    assert html.count('<pre class="mermaid"><code>') == 2
    assert "<td>ALP-20261023-EEEE</td>" in html and "```" not in html


def test_check_lists_forms_that_no_longer_match_the_tickets(forms, repo, cli):
    args = ("report", "monthly", "--month", "2026-10", "--check", "--repo", str(repo.root))
    r = cli(*args)
    assert (r.code, r.out) == (0, "2026-10 的记录表与当前工单一致。\n")
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "symptom: 找不到出库单打印按钮", "symptom: 找不到打印按钮")
    r = cli(*args)
    assert r.code == 1
    assert r.out.splitlines() == ["已过期：reports/2026-10/alpha.md", "已过期：reports/2026-10/alpha.csv",
                                  "已过期：reports/2026-10/alpha.xlsx",
                                  "2026-10 有 3 个记录表文件与当前工单不一致，请运行 erpops report monthly --month 2026-10 重新生成。"]


def test_no_form_is_built_on_a_repository_that_breaks_a_rule(repo, cli):
    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "priority: P4", "priority: P9")
    r = cli("report", "monthly", "--month", "2026-10", "--repo", str(repo.root))
    assert r.code == 2
    assert "tickets/alpha/2026/ALP-20261012-DDDD.yaml:5:" in r.err
    assert "仓库有 1 个错误，请先改正" in r.err
    assert not (repo.root / "reports").exists()
