"""The marks the site's stylesheet needs (erpops.site.layout), the search worker's parts
(erpops.site.search) and a runbook page's single title — without a browser."""
from __future__ import annotations

import json

from erpops.site import layout, search
from erpops.site.sections.runbooks import without_title

ROW_TABLE = """<table>
<thead>
<tr>
<th>工单号</th>
<th>标题</th>
<th style="text-align: right;">优先级</th>
<th>时限</th>
</tr>
</thead>
<tbody>
<tr>
<td><a href="tickets/hr/2026/HR-20261120-2EPP/">HR-20261120-2EPP</a></td>
<td>二车间 &amp; 调岗</td>
<td style="text-align: right;">P3</td>
<td>已超时</td>
</tr>
</tbody>
</table>"""


def test_ids_states_and_wide_tables_are_marked():
    out = layout.lay_out(ROW_TABLE, "zh")
    assert '<a href="tickets/hr/2026/HR-20261120-2EPP/"><span class="erpops-id">HR-20261120-2EPP</span></a>' in out
    assert '<td data-label="时限"><span class="erpops-state erpops-state--overdue">已超时</span></td>' in out
    assert '<td data-label="优先级" style="text-align: right;">P3</td>' in out
    assert out.startswith("<table data-erpops-wide>")


def test_narrow_tables_and_ids_in_attributes_are_left_alone():
    narrow = "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    assert layout.label_tables(narrow) == narrow
    assert layout.mark_ids('<a title="PRD-20261020-TCBS">x</a>') == '<a title="PRD-20261020-TCBS">x</a>'
    assert layout.mark_states("<td>已超时了</td>", "zh") == "<td>已超时了</td>"
    assert "erpops-state--at-risk" in layout.mark_states("<td>At risk</td>", "en")


def test_a_page_with_a_table_of_seven_columns_needs_the_width():
    assert layout.needs_width("| a | b |\n|---|---|---:|---|---|---|---|\n")
    assert not layout.needs_width("| a | b |\n|---|---:|\n")
    assert not layout.needs_width("text | with | bars\n")


def test_the_worker_carries_the_synonyms_and_loads_materials_worker():
    table = search.synonyms("zh")
    assert table["登录不了"].split() == ["无法登录", "登录", "连接失败", "宕机"]
    assert all(k == k.lower() and v for k, v in table.items())
    script = search.worker_script("zh")
    assert "__SYNONYMS__" not in script and "__MATERIAL__" not in script
    assert f"importScripts(MATERIAL)" in script and json.dumps(search.material_worker()) in script
    assert set(search.synonyms("en")) == {"logon", "signin", "crashed", "printing"}


def test_pages_ask_for_our_worker_instead_of_materials():
    page = '<script id="__config">{"search": "../assets/javascripts/workers/search.a7633da7.min.js"}</script>'
    assert search.use_worker(page) == (
        '<script id="__config">{"search": "../assets/javascripts/workers/erpops-search.js"}</script>')


def test_page_titles_are_taught_to_jieba_whole():
    assert "找谁" in search.page_titles("zh")


def test_a_runbook_body_loses_its_own_leading_title_only():
    assert without_title("\n# MRP 运算失败\n\n正文\n") == "\n正文\n"
    assert without_title("## 现象\n\n# 不是开头\n") == "## 现象\n\n# 不是开头\n"
    assert without_title("正文\n# 标题\n") == "正文\n# 标题\n"
