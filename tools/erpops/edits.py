"""Minimal text edits of a YAML file: change a scalar, append to a list, add a block.

Only the lines that must change are touched: comments, key order, quoting and indentation
elsewhere stay exactly as the person wrote them. Positions come from PyYAML's node marks;
new text is emitted with the indentation the file already uses.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


# Characters a person never means to type: C0 controls but tab and line breaks, DEL, C1 controls
# (NEL among them), lone surrogates (bytes that were not UTF-8) and the non-characters U+FFFE/F.
# YAML refuses most of them in a file, and NEL, LS and PS read back as line breaks.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ESCAPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def control(text: str) -> int | None:
    """The index of the first character of `text` in CONTROL, or None."""
    found = CONTROL.search(text)
    return found.start() if found else None


class EditError(ValueError):
    """The file does not have the shape an edit needs (the caller reports it)."""


def scalar(value: Any) -> str:
    """`value` as a YAML scalar that reads back as the same string: plain when safe, else quoted."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):  # a flow sequence of scalars: [symptom, cause]
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dt.date):  # a date written as a date (policy.yaml's holidays), unquoted
        return value.isoformat()
    text = str(value)
    if "\n" not in text and text == text.strip() and text:
        try:
            plain = yaml.load(f"k: {text}", Loader=_Loader) == {"k": text}
        except yaml.YAMLError:
            plain = False
        if plain and " #" not in text and text[0] not in "'\"[]{}*&!|>%@`,?:-#" and not _ESCAPED.search(text):
            return text
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def _styled(emitted: str, style: str | None, value: Any) -> str:
    """Keep the quotes a person chose for a value: "double", 'single' or plain where it is safe."""
    text = str(value)
    if style == '"' and not emitted.startswith('"'):
        return json.dumps(text, ensure_ascii=False)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return emitted


def _root(text: str) -> yaml.MappingNode:
    node = yaml.compose(text, Loader=_Loader)
    if not isinstance(node, yaml.MappingNode):
        raise EditError("not a mapping")
    return node


def _child(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None


def _find(text: str, path: tuple[str, ...]) -> tuple[yaml.Node, yaml.Node] | None:
    node: yaml.Node = _root(text)
    found = None
    for key in path:
        found = _child(node, key)
        if found is None:
            return None
        node = found[1]
    return found


def _last_line(node: yaml.Node) -> int:
    """0-based index of the last line that holds text of `node`."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _insert_lines(text: str, after: int, lines: list[str]) -> str:
    """Insert `lines` after the 0-based line `after` (-1: at the top)."""
    rows = text.splitlines(keepends=True)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    block = [ln + "\n" for ln in lines]
    return "".join(rows[: after + 1] + block + rows[after + 1:])


def set_value(text: str, path: tuple[str, ...], value: Any, after: str | None = None) -> str:
    """Set the scalar at `path` (keys of nested mappings). A missing last key is added as a new
    line after the key `after` of the same mapping (or at the mapping's end)."""
    found = _find(text, path)
    if found is not None:
        key, node = found
        if not isinstance(node, yaml.ScalarNode):
            raise EditError(".".join(path))
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">"):  # a block scalar's span ends after its last line break
            return text[:start] + scalar(value) + ("\n" if text[start:end].endswith("\n") else "") + text[end:]
        if start == end:  # an empty value (`key:`): write after the colon
            return text[:start] + " " + scalar(value) + text[end:]
        return text[:start] + _styled(scalar(value), node.style, value) + text[end:]
    parent_path, name = path[:-1], path[-1]
    parent = _find(text, parent_path)[1] if parent_path else _root(text)
    if parent is None or not isinstance(parent, yaml.MappingNode) or not parent.value:
        raise EditError(".".join(path))
    anchor = _child(parent, after) if after else None
    anchor_node = anchor[1] if anchor else parent.value[-1][1]
    indent = parent.value[0][0].start_mark.column
    return _insert_lines(text, _last_line(anchor_node), [" " * indent + f"{name}: {scalar(value)}"])


def append_item(text: str, path: tuple[str, ...], item: dict[str, Any]) -> str:
    """Append a mapping to the block sequence at `path`, indented like its existing items."""
    found = _find(text, path)
    if found is None or not isinstance(found[1], yaml.SequenceNode) or not found[1].value:
        raise EditError(".".join(path))
    seq = found[1]
    first = seq.value[0]
    if seq.flow_style or not isinstance(first, yaml.MappingNode) or first.flow_style:
        raise EditError(".".join(path))
    key_col = first.start_mark.column
    dash_col = seq.start_mark.column
    lines = []
    for i, (k, v) in enumerate(item.items()):
        lead = " " * dash_col + "-" + " " * (key_col - dash_col - 1) if i == 0 else " " * key_col
        lines.append(f"{lead}{k}: {scalar(v)}")
    return _insert_lines(text, _last_line(seq), lines)


def add_mapping(text: str, key: str, values: dict[str, Any], after: str | None = None) -> str:
    """Add a top-level `key:` holding `values`, after the top-level key `after` (or at the end)."""
    root = _root(text)
    indent = 2
    anchor = _child(root, after) if after else None
    last = _last_line(anchor[1] if anchor else root)
    lines = [f"{key}:"] + [" " * indent + f"{k}: {scalar(v)}" for k, v in values.items()]
    return _insert_lines(text, last, lines)


def has(text: str, path: tuple[str, ...]) -> bool:
    """Whether the mapping keys at `path` exist."""
    return _find(text, path) is not None


def set_list(text: str, key: str, items: list[Any], after: str | None = None) -> str:
    """Set the top-level `key` to a block sequence of scalars, replacing what it held (its lines),
    or adding it after the top-level key `after` (or at the end)."""
    found = _find(text, (key,))
    lines = [f"{key}:"] + [f"  - {scalar(v)}" for v in items]
    if found is None:
        root = _root(text)
        anchor = _child(root, after) if after else None
        return _insert_lines(text, _last_line(anchor[1] if anchor else root), lines)
    k, node = found
    first, last = k.start_mark.line, _last_line(node)
    rows = text.splitlines(keepends=True)
    return "".join(rows[:first] + [ln + "\n" for ln in lines] + rows[last + 1:])
def set_flow_list(text: str, path: tuple[str, ...], values: list[Any], after: str | None = None) -> str:
    """Make the list at `path` hold `values`: a flow list (`[2026]`) is rewritten in place, a block
    list gets the new items appended; a missing last key becomes `key: [..]` (placed as set_value does)."""
    item = lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else scalar(v)
    flow = "[" + ", ".join(item(v) for v in values) + "]"
    found = _find(text, path)
    if found is None:
        parent_path, name = path[:-1], path[-1]
        parent = _find(text, parent_path)[1] if parent_path else _root(text)
        if not isinstance(parent, yaml.MappingNode) or not parent.value:
            raise EditError(".".join(path))
        anchor = _child(parent, after) if after else None
        anchor_node = anchor[1] if anchor else parent.value[-1][1]
        indent = parent.value[0][0].start_mark.column
        return _insert_lines(text, _last_line(anchor_node), [" " * indent + f"{name}: {flow}"])
    node = found[1]
    if not isinstance(node, yaml.SequenceNode):
        raise EditError(".".join(path))
    if node.flow_style or not node.value:
        start, end = node.start_mark.index, node.end_mark.index
        return text[:start] + flow + text[end:]
    have = [v.value for v in node.value if isinstance(v, yaml.ScalarNode)]
    dash = " " * node.start_mark.column + "- "
    new = [dash + item(v) for v in values if item(v) not in have]
    return _insert_lines(text, _last_line(node), new)
