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


def _regex_label_tables(page: str) -> str:
    """label_tables as it was written with lazy regular expressions: the reference for the str.find one."""
    import html as _html
    import re

    table_re, tbody_re = re.compile(r"<table>(.*?)</table>", re.DOTALL), re.compile(r"<tbody>(.*?)</tbody>", re.DOTALL)
    row_re = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)

    def labelled(match):
        table = match.group(1)
        heads = [_html.unescape(layout._TAG.sub("", h)).strip() for h in layout._TH.findall(table)]
        if len(heads) < layout.WIDE:
            return match.group(0)
        labels = [f'<td data-label="{_html.escape(h)}"' for h in heads]

        def row(m):
            parts = layout._TD.split(m.group(1))
            out = [parts[0]]
            for i, rest in enumerate(parts[1:]):
                out += [labels[i] if i < len(labels) else '<td data-label=""', rest]
            return "<tr>" + "".join(out) + "</tr>"

        body = tbody_re.sub(lambda m: "<tbody>" + row_re.sub(row, m.group(1)) + "</tbody>", table)
        return f"<table data-erpops-wide>{body}</table>"

    return table_re.sub(labelled, page)


_CELLS = ["字段", "a &amp; b", '"q"', "<b>x</b>", "", " ", "\n", "工单号", "<td", "</tr>", "<tr>", "<th>h</th>", "&lt;td&gt;"]


def _random_table(pick) -> str:
    heads = "".join(pick.choice(["<th>", '<th style="text-align: right;">']) + pick.choice(_CELLS) + "</th>\n"
                    for _ in range(pick.randint(0, 8)))
    rows = "".join("<tr>\n" + "".join(pick.choice(["<td>", '<td style="x">', "<td\n>", "<tdx>"]) + pick.choice(_CELLS)
                                     + "</td>\n" for _ in range(pick.randint(0, 9))) + pick.choice(["</tr>\n", ""])
                   for _ in range(pick.randint(0, 4)))
    table = f"<table>\n<thead>\n<tr>\n{heads}</tr>\n</thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
    for _ in range(pick.randint(0, 2)):  # a tag cut out or doubled
        tag = pick.choice(["<table>", "</table>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<thead>"])
        table = table.replace(tag, pick.choice(["", tag + tag]), 1)
    return table


def test_labelled_tables_are_what_the_regular_expressions_made():
    import random

    pick = random.Random(5)
    pages = [ROW_TABLE, ROW_TABLE * 3, ROW_TABLE.replace("</table>", ""), ROW_TABLE + "<table>",
             ROW_TABLE.replace("<tbody>", "<tbody>\n<tr>\n<td>x</td>\n<td>y</td>\n<td>z</td>\n<td>w</td>\n<td>v</td>\n</tr>")]
    pages += ["<p>x</p>\n".join(_random_table(pick) for _ in range(pick.randint(0, 3))) for _ in range(3000)]
    changed = 0
    for page in pages:
        assert layout.label_tables(page) == _regex_label_tables(page), page
        changed += layout.label_tables(page) != page
    assert changed > 1000  # most pages have a wide table
