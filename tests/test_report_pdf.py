"""The forms to print and sign: each subsystem's PDF and the office summary's, read back with
pdftotext (the full 现象 and 原因 of every ticket, the signature block, page numbers) and with
pdfminer (no character under 9 pt); the XLSX prints legibly too (wrapped text, row heights,
print titles, fit to width, numbers as numbers)."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import git
import openpyxl
import pytest

from erpops.reports import pdf
from reports_fixture import build

LONG_SYMPTOM = ("月末结账时生成凭证报错，提示“会计期间已关闭”，但总账模块显示该期间仍为打开状态；"
                "财务部三名会计在不同电脑上重复操作均出现同样的提示，已尝试重新登录、清除浏览器缓存、"
                "更换浏览器，问题依旧，影响本月成本结转和报表出具，需在下班前处理完毕")
LONG_CAUSE = ("存货核算模块的期间状态与总账不同步：上月反结账后存货核算期间未重新打开，"
              "导致凭证生成时校验失败；系统日志中可见期间校验的错误记录")

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")


def _flat(text: str) -> str:
    """Text without whitespace: a wrapped line breaks a sentence wherever the layout chose."""
    return re.sub(r"\s+", "", text)


def pdftotext(path) -> str:
    """The text in reading order, line by line as laid out (a table row stays one line)."""
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def min_font_size(path) -> float:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    sizes = []

    def walk(item):
        if isinstance(item, LTChar):
            if item.get_text().strip():
                sizes.append(item.size)
            return
        for child in getattr(item, "__iter__", lambda: iter(()))():
            walk(child)

    for page in extract_pages(str(path)):
        walk(page)
    assert sizes
    return min(sizes)


@pytest.fixture
def long_text(repo):
    build(repo)
    repo.edit("tickets/alpha/2026/ALP-20261009-CCCC.yaml", "symptom: 保存时报“表头数据不完整”", f"symptom: {LONG_SYMPTOM}")
    repo.edit("tickets/alpha/2026/ALP-20261009-CCCC.yaml", "root_cause: 客户档案缺少税号", f"root_cause: {LONG_CAUSE}")
    return repo


@pytest.fixture
def forms(long_text, cli, monkeypatch):
    """alpha's form and the office summary for 2026-10, with the default formats."""
    repo = long_text
    g = git.Repo.init(repo.root)
    g.index.add([str(p.relative_to(repo.root)) for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts])
    actor = git.Actor("赵管理", "zhao@example.com")
    when = dt.datetime(2026, 10, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    g.index.commit("Ops repository", author=actor, committer=actor, author_date=when, commit_date=when)
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "monthly", "--month", "2026-10", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out.splitlines() == [f"已生成 reports/2026-10/alpha.{f}" for f in ("md", "csv", "xlsx", "pdf")]
    r = cli("report", "office", "--month", "2026-10", "--repo", str(repo.root))
    assert r.code == 0, r.both
    assert r.out.splitlines() == [f"已生成 reports/2026-10/office-summary.{f}" for f in ("md", "xlsx", "pdf")]
    return repo.root / "reports" / "2026-10"


@needs_pdftotext
def test_form_pdf_has_every_ticket_in_full_and_the_signature_block(forms):
    text = pdftotext(forms / "alpha.pdf")
    flat = _flat(text)
    assert "信息管理部ERP运维管理办公室" in flat
    assert "甲系统ERP系统运维记录表（2026-10）" in flat
    assert "甲系统（alpha）" in flat and "2026-09-26—2026-10-25" in flat
    for tid, symptom, cause in (
            ("ALP-20260924-BBBB", "审核领料单提示库存不足", "调拨单未记账"),
            ("ALP-20261009-CCCC", LONG_SYMPTOM, LONG_CAUSE),
            ("ALP-20261012-DDDD", "找不到出库单打印按钮", None),
            ("ALP-20261023-EEEE", "登录提示数据库连接失败", "早上开机后登录")):
        assert tid in flat
        assert "现象：" + _flat(symptom) in flat, tid
        if cause:
            assert "原因：" + _flat(cause) in flat, tid
    assert "处理措施：补录客户税号后保存成功" in flat
    for label in ("填报人：赵管理", "审核人：", "签字：", "日期："):
        assert label in flat
    pages = re.findall(r"第(\d+)页/共(\d+)页", flat)
    assert pages and [int(p) for p, _ in pages] == list(range(1, len(pages) + 1))
    assert {int(n) for _, n in pages} == {len(pages)}


@needs_pdftotext
def test_office_pdf_shows_the_evaluation_with_definitions_and_signatures(forms):
    flat = _flat(pdftotext(forms / "office-summary.pdf"))
    assert "运维管理办公室月度汇总（2026-10）" in flat
    for header in ("期末持有", "其中已超时", "其中临近超时", "本人上报次数", "上报出关键用户层次数", "解决按时率"):
        assert header in flat
    assert "期末持有：统计期末分派给本人、仍未解决的工单数。" in flat
    assert "无数据" in flat and "（-）" not in flat
    assert "各关键用户组近6期趋势" in flat
    for label in ("填报人：", "审核人：", "签字：", "日期："):
        assert label in flat
    assert "第1页/共" in flat


def test_no_text_in_either_pdf_is_under_9_points(forms):
    sizes = {name: min_font_size(forms / name) for name in ("alpha.pdf", "office-summary.pdf")}
    assert all(size >= 9 - 0.01 for size in sizes.values()), sizes


def test_pdf_is_the_same_bytes_when_regenerated(forms, cli, long_text):
    first = (forms / "alpha.pdf").read_bytes()
    assert first.startswith(b"%PDF-")
    r = cli("report", "monthly", "--month", "2026-10", "--format", "pdf", "--repo", str(long_text.root))
    assert r.code == 0, r.both
    assert (forms / "alpha.pdf").read_bytes() == first


def test_check_leaves_the_pdf_out_unless_asked(forms, cli, long_text):
    (forms / "alpha.pdf").write_bytes(b"%PDF-1.7 printed elsewhere")
    r = cli("report", "monthly", "--month", "2026-10", "--check", "--repo", str(long_text.root))
    assert (r.code, r.out) == (0, "2026-10 的记录表与当前工单一致。\n")
    r = cli("report", "monthly", "--month", "2026-10", "--check", "--format", "pdf", "--repo", str(long_text.root))
    assert r.code == 1 and r.out.splitlines()[0] == "已过期：reports/2026-10/alpha.pdf"


def test_the_xlsx_prints_wrapped_legible_and_with_numbers(forms):
    wb = openpyxl.load_workbook(forms / "alpha.xlsx")
    ws = wb["运维记录表"]
    assert ws.print_title_rows == "$1:$1"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert all(c.alignment.wrap_text for row in ws.iter_rows() for c in row)
    # the row of the long 现象 is as high as its wrapped lines: 117 characters, 115 of them wide
    # (the quotes count one), 232 columns of text in a column 18 wide (17 of text): 14 lines
    assert ws.cell(3, 6).value == LONG_SYMPTOM and len(LONG_SYMPTOM) == 117
    assert ws.row_dimensions[3].height == 15 * 14
    assert ws.row_dimensions[2].height < ws.row_dimensions[3].height
    # fit to one A4 landscape page wide (277 mm inside 0.4" margins) keeps 11 pt text above 9 pt:
    # a column of width w is about 7w + 5 pixels at 96 dpi
    pixels = sum(7 * ws.column_dimensions[c].width + 5 for c in "ABCDEFGHIJKLMNO")
    scale = min(1.0, (297 - 2 * 0.4 * 25.4) / (pixels / 96 * 25.4))
    assert 11 * scale >= 9, scale
    summary = wb["汇总"]
    assert [c.value for c in summary[1]] == ["类别", "项目", "数值", "单位"]
    numbers = {r[1].value: r[2] for r in summary.iter_rows(min_row=2) if r[0].value == "本期汇总"}
    assert {k: (v.value, v.data_type) for k, v in numbers.items() if k in ("响应按时", "响应计时数", "期末未解决")} \
        == {"响应按时": (4, "n"), "响应计时数": (4, "n"), "期末未解决": (1, "n")}
    backlog = [(r[1].value, r[2].value, r[3].value) for r in summary.iter_rows(min_row=2) if r[0].value == "未解决工单（积压）"]
    assert backlog == [("ALP-20261023-EEEE 全部终端无法登录 已开天数", 2, "天"),
                       ("ALP-20261023-EEEE 全部终端无法登录 已用工作小时", 7.0, "工作小时")]


def test_user_text_in_the_pdf_is_escaped(long_text):
    from erpops import load
    from erpops.reports import form
    from erpops.reports.period import period

    long_text.edit("tickets/alpha/2026/ALP-20261012-DDDD.yaml", "symptom: 找不到出库单打印按钮",
                   "symptom: '<script>alert(1)</script></style>'")
    long_text.edit("roster/subsystems/alpha.yaml", "name: 甲系统", "name: '甲\"系统</style><b>'")
    repo = load.load(long_text.root)
    data = form.build(repo, "alpha", period(repo.policy, "2026-10"), "zh")
    html = pdf.form_html(data, pdf.organisation(repo, "zh"), "zh")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/style&gt;" in html
    assert html.count("</style>") == 1 and "</style><b>" not in html and "&lt;/style&gt;&lt;b&gt;" in html
    assert '@top-right { content: "甲\\22 系统\\3c /style\\3e \\3c b\\3e  ERP系统运维记录表（2026-10）"' in html


def test_without_the_pdf_library_the_report_says_what_to_install(long_text, cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without pango
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "monthly", "--month", "2026-10", "--repo", str(long_text.root))
    assert r.code == 2
    assert "无法生成 PDF" in r.err and "libpango-1.0-0" in r.err and "--format md,csv,xlsx" in r.err
    assert "Traceback" not in r.err
    assert not (long_text.root / "reports").exists()  # nothing half written
    assert not pdf.available()


def test_the_forms_page_offers_the_pdf(forms, long_text):
    from erpops import load
    from erpops.site.sections import reports

    found = reports.downloads(load.load(long_text.root))
    assert {"reports/2026-10/alpha.pdf", "reports/2026-10/office-summary.pdf"} <= set(found)


def test_page_counter_comes_from_the_catalogue():
    assert pdf.page_counter("zh") == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    assert pdf.page_counter("en") == '"Page " counter(page) " of " counter(pages)'


def test_the_ticket_and_backlog_tables_have_set_columns_that_fill_the_page(long_text):
    """table-layout: fixed with a width for every column (WeasyPrint's automatic layout measured
    every character of every cell: two thirds of a form's time); the widths add up to the page."""
    from erpops import load
    from erpops.reports import columns, form
    from erpops.reports.period import period

    repo = load.load(long_text.root)
    data = form.build(repo, "alpha", period(repo.policy, "2026-10"), "zh")
    html = pdf.form_html(data, pdf.organisation(repo, "zh"), "zh")
    assert "table.tickets, table.backlog { table-layout: fixed; }" in html
    for table, cols in (("tickets", columns.MAIN),
                        ("backlog", ("id", "title", "priority", "tier", "handler", "date", "days", "hours"))):
        assert f'<table class="{table}">\n<colgroup>' + "".join(f'<col class="col-{c}">' for c in cols) in html
        widths = dict(re.findall(rf"table\.{table} col\.col-(\w+) {{ width: ([\d.]+)%; }}", html))
        assert list(widths) == list(cols)
        assert abs(sum(float(w) for w in widths.values()) - 100) < 0.01, widths


@needs_pdftotext
def test_a_ticket_id_is_not_broken_across_lines(forms):
    lines = pdftotext(forms / "alpha.pdf").splitlines()
    for tid in ("ALP-20260924-BBBB", "ALP-20261009-CCCC", "ALP-20261012-DDDD", "ALP-20261023-EEEE"):
        assert any(tid in line for line in lines), tid
