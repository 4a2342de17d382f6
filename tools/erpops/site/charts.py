"""Charts people can read: the record forms' mermaid charts redrawn for the site.

A form's Markdown (committed under reports/) carries mermaid `xychart-beta` bar charts and `pie`
charts of ticket counts. As drawn by mermaid's defaults they are hard to read: the count axis
gets fractional ticks (0.1 … 0.9), subsystem names under the bars run into each other, and the
bars and slices are pale. The site rewrites each such chart, from the same numbers, as a
horizontal bar chart: one row per label (labels never overlap, however long), a count axis from
0 to at least 10 (so its ticks are whole numbers), and a bar colour with ≥ 3:1 contrast on white.
Other mermaid diagrams and the form's tables are left as they are.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from erpops.reports.markdown import label as safe_label

# Dark blue on white: 6.4:1 (WCAG AA asks ≥ 3:1 of graphics). Text in the chart: near black.
BAR = "#1f5fa8"
TEXT = "#1f1f1f"
# d3's ticks() (which mermaid uses, ten ticks) steps by 1 or more once the axis spans 10.
MIN_SPAN = 10
ROW = 36  # pixels per bar row; room for a 15 px label and its neighbours
# As wide as a phone's column (390 px less the margins), so that a phone draws the chart at its
# own size: scaled down, mermaid measures the labels too small and draws them past the edge.
WIDTH = 350
LABEL_PX = 15
# Longer labels are shortened with "…" (the table above each chart has them in full): at most
# LABEL_EM wide, a CJK character 1 em, others 0.6 em.
LABEL_EM = 8.0

_FENCE = re.compile(r"^```[ \t]*mermaid[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'^\s*title\s+"?([^"\n]*)"?\s*$', re.MULTILINE)
_X_AXIS = re.compile(r"^\s*x-axis\s*\[(.*)\]\s*$", re.MULTILINE)
_Y_AXIS = re.compile(r'^\s*y-axis\s+"([^"\n]*)"', re.MULTILINE)
_BAR = re.compile(r"^\s*bar\s*\[(.*)\]\s*$", re.MULTILINE)
_QUOTED = re.compile(r'"([^"\n]*)"')
_PIE_HEAD = re.compile(r"^\s*pie\b(?:\s+showData)?(?:\s+title\s+(.*))?$")
_PIE_ROW = re.compile(r'^\s*"([^"\n]*)"\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$')


@dataclass(frozen=True)
class Bars:
    title: str
    axis: str  # what is counted
    labels: tuple[str, ...]
    values: tuple[float, ...]


def parse(source: str) -> Bars | None:
    """The numbers of a mermaid bar chart or pie chart; None for anything else (left as it is)."""
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("%%")]
    if not lines:
        return None
    head = lines[0].strip()
    if head.startswith("xychart-beta"):
        x, bar = _X_AXIS.search(source), _BAR.search(source)
        if x is None or bar is None:
            return None
        labels = tuple(_QUOTED.findall(x.group(1)))
        values = _numbers(bar.group(1))
        if values is None or len(values) != len(labels):
            return None
        title, axis = _TITLE.search(source), _Y_AXIS.search(source)
        return Bars(title.group(1).strip() if title else "", axis.group(1) if axis else "", labels, values)
    m = _PIE_HEAD.match(head)
    if m:
        rows = [_PIE_ROW.match(ln) for ln in lines[1:]]
        if not rows or not all(rows):
            return None
        return Bars((m.group(1) or "").strip().strip('"'), "", tuple(r.group(1) for r in rows),
                    tuple(float(r.group(2)) for r in rows))
    return None


def _numbers(text: str) -> tuple[float, ...] | None:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        return None


def _em(ch: str) -> float:
    return 1.0 if ord(ch) >= 0x2E80 else 0.6


def fit(label: str) -> str:
    """`label`, shortened with "…" to LABEL_EM if it is wider."""
    if sum(_em(ch) for ch in label) <= LABEL_EM:
        return label
    out, width = "", 1.0  # room for the ellipsis
    for ch in label:
        if width + _em(ch) > LABEL_EM:
            break
        out += ch
        width += _em(ch)
    return out.rstrip() + "…"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def mermaid(b: Bars) -> str:
    """A horizontal bar chart of `b` with whole-number ticks, readable colours and a row per label."""
    top = max([*b.values, 0])
    span = max(MIN_SPAN, int(top) if float(top).is_integer() else int(top) + 1)
    config = {
        "theme": "base",
        "themeVariables": {
            "xyChart": {
                "backgroundColor": "#ffffff", "titleColor": TEXT,
                "xAxisLabelColor": TEXT, "xAxisTitleColor": TEXT, "xAxisLineColor": TEXT, "xAxisTickColor": TEXT,
                "yAxisLabelColor": TEXT, "yAxisTitleColor": TEXT, "yAxisLineColor": TEXT, "yAxisTickColor": TEXT,
                "plotColorPalette": BAR,
            },
        },
        "xyChart": {
            "width": WIDTH, "height": max(220, ROW * len(b.labels) + 120),
            "titleFontSize": 16,
            "xAxis": {"labelFontSize": LABEL_PX, "titleFontSize": LABEL_PX},
            "yAxis": {"labelFontSize": LABEL_PX - 1, "titleFontSize": LABEL_PX},
        },
    }
    quoted = ", ".join(f'"{fit(safe_label(x))}"' for x in b.labels)
    lines = [
        "%%{init: " + json.dumps(config, ensure_ascii=False) + "}%%",
        "xychart-beta horizontal",
    ]
    if b.title:
        lines.append(f'    title "{safe_label(b.title)}"')
    lines += [
        f"    x-axis [{quoted}]",
        f'    y-axis "{safe_label(b.axis)}" 0 --> {span}' if b.axis else f"    y-axis 0 --> {span}",
        "    bar [" + ", ".join(_number(v) for v in b.values) + "]",
    ]
    return "\n".join(lines) + "\n"


def readable(markdown: str) -> str:
    """`markdown` with each bar or pie chart redrawn by `mermaid`; everything else unchanged."""
    def redraw(m: re.Match) -> str:
        bars = parse(m.group(1))
        return m.group(0) if bars is None else "```mermaid\n" + mermaid(bars) + "```"
    return _FENCE.sub(redraw, markdown)
