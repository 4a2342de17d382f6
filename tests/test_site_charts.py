"""The forms' charts as the site redraws them (erpops.site.charts): from the same numbers, a
horizontal bar chart with whole-number ticks and readable colours; other diagrams untouched."""
from __future__ import annotations

import json

from erpops.site import charts

OFFICE = """\
# 汇总

```mermaid
xychart-beta
    title "各子系统工单数"
    x-axis ["售后系统", "决策支持系统", "查询/单据/打印/报表模板"]
    y-axis "工单数" 0 --> 3
    bar [1, 0, 3]
```

```mermaid
pie showData title 按类型
    "业务数据更正" : 1
    "系统故障/缺陷" : 2
```

``` mermaid
flowchart LR
  a --> b
```
"""


def _blocks(markdown: str) -> list[str]:
    return [b.split("```", 1)[0] for b in markdown.split("```mermaid\n")[1:]]


def test_bars_become_horizontal_with_an_axis_of_at_least_ten():
    out = charts.readable(OFFICE)
    bar, pie = _blocks(out)
    lines = bar.splitlines()
    assert lines[1:] == [
        "xychart-beta horizontal",
        '    title "各子系统工单数"',
        '    x-axis ["售后系统", "决策支持系统", "查询/单据/打…"]',
        '    y-axis "工单数" 0 --> 10',
        "    bar [1, 0, 3]",
    ]
    config = json.loads(lines[0].removeprefix("%%{init: ").removesuffix("}%%"))
    assert config["xyChart"]["width"] == charts.WIDTH
    assert config["xyChart"]["height"] == 3 * charts.ROW + 120
    assert config["themeVariables"]["xyChart"]["plotColorPalette"] == "#1f5fa8"
    assert pie.splitlines()[1:] == [
        "xychart-beta horizontal",
        '    title "按类型"',
        '    x-axis ["业务数据更正", "系统故障/缺陷"]',
        "    y-axis 0 --> 10",
        "    bar [1, 2]",
    ]
    assert "``` mermaid\nflowchart LR\n  a --> b\n```" in out  # not a chart of counts: as it was


def test_an_axis_above_ten_ends_at_the_largest_count_and_rows_make_room():
    source = ('```mermaid\nxychart-beta\n    x-axis [' + ", ".join(f'"s{i}"' for i in range(8))
              + ']\n    y-axis "n" 0 --> 23\n    bar [' + ", ".join(["23"] + ["1"] * 7) + "]\n```\n")
    block = _blocks(charts.readable(source))[0]
    assert '    y-axis "n" 0 --> 23' in block.splitlines()
    assert json.loads(block.splitlines()[0][9:-3])["xyChart"]["height"] == 8 * charts.ROW + 120


def test_charts_it_cannot_read_are_left_as_they_are():
    odd = ["```mermaid\nxychart-beta\n    x-axis [\"a\", \"b\"]\n    bar [1]\n```\n",  # counts ≠ labels
           "```mermaid\nxychart-beta\n    bar [1, x]\n```\n",
           "```mermaid\npie\n    \"a\" : many\n```\n",
           "```mermaid\n```\n"]
    for source in odd:
        assert charts.readable(source) == source


def test_labels_stay_mermaid_safe_and_are_shortened_by_width():
    assert charts.fit("决策支持系统") == "决策支持系统"
    assert charts.fit("ERP 系统管理员") == "ERP 系统管理员"  # 4 × 0.6 + 5 = 7.4 em
    assert charts.fit("一二三四五六七八九") == "一二三四五六七…"
    # A label of a hand-edited form cannot close its quotes or add markup or a directive.
    redrawn = charts.mermaid(charts.parse('pie\n    "<b>{x}%%" : 1'))
    body = redrawn.split("\n", 1)[1]
    assert "<" not in body and "{" not in body and 'x-axis ["b  x %%"]' in body
