"""Read YAML safely and honestly: libyaml for speed, every refusal a Diagnostic at its line.

Refused: bytes that are not UTF-8, files over the size limit, merge-conflict markers, syntax
errors, duplicate keys, anchors/aliases (they can expand without bound), unknown tags and
non-scalar keys. Values keep YAML's own types; where a schema wants a string and YAML 1.1
read something else (`NO`, `0531`, `12:30`), `Document.source_text` lets the schema step say so.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from erpops import clock
from erpops.diagnostics import Diagnostic

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is a hard requirement in practice
    _Base = yaml.SafeLoader

_TAGS: dict[str, str] = {}
_TAGS_MAX = 100_000


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, with the tag of each plain scalar remembered.

    libyaml hands every scalar back to PyYAML's resolver, pure Python, to match its text against
    the implicit types (int, bool, timestamp…); in a repository the same texts (keys, ids, tiers)
    come back thousands of times. Without path resolvers (the safe loader has none) a plain
    scalar's tag depends on its text alone, so remembering it changes nothing but the time.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            tag = _TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_TAGS) < _TAGS_MAX:
                    _TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

class _FastLoader(_Loader):
    """_Loader for when no path resolver is registered (the safe loader has none; `_loader`
    checks): libyaml calls descend_resolver and ascend_resolver around every node, and they then
    do nothing. Here they are C callables that do nothing, not two Python calls per node."""

    descend_resolver = slice  # (parent, index) -> a throwaway slice
    ascend_resolver = tuple  # () -> ()

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """_Loader.resolve without the path resolvers' steps: a quoted scalar, a sequence and a
        mapping then get the default tags (PyYAML's Resolver.resolve, once it has no path to
        match), without a call of it for each (a third of the nodes of a ticket)."""
        if kind is _ScalarNode:
            if implicit[0]:
                tag = _TAGS.get(value)
                if tag is None:
                    tag = _Loader.resolve(self, kind, value, implicit)
                return tag
            return _STR
        return _SEQ if kind is _SequenceNode else _MAP


def _loader() -> type:
    return _Loader if _Loader.yaml_path_resolvers else _FastLoader


MAX_BYTES = 1024 * 1024
# Nesting deeper than this is refused: no file of an ops repository needs more than a handful
# of levels, and libyaml accepts up to 1000, deep enough to exhaust Python's recursion in every
# step after it (building values, the schema check, line marks).
MAX_DEPTH = 64
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_SCALARS = {
    _TAG + name: _CONSTRUCTOR.yaml_constructors[_TAG + name]
    for name in ("null", "bool", "int", "float", "timestamp")
}
_STR = _TAG + "str"
_MAP = _TAG + "map"
_SEQ = _TAG + "seq"
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode
# A quoted date or date-time (the model reads those too): its year is checked like an unquoted one.
_ISO = re.compile(r"(\d{4})-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?)?")
_CONFLICT = re.compile(r"^(<{7}( |$)|={7}$|>{7}( |$))", re.MULTILINE)

Path = tuple  # of str keys and int indexes


@dataclass
class Document:
    """A parsed file: its data, and its text for finding lines again when a problem is found."""

    path: str
    data: Any
    text: str = field(repr=False, default="")
    _marks: dict | None = field(default=None, repr=False)
    line_offset: int = 0  # lines of the file before the YAML (front matter starts at line 2)

    def _index(self) -> dict:
        if self._marks is None:
            self._marks = {}
            try:
                root = yaml.compose(self.text, Loader=_loader())
            except yaml.YAMLError:
                root = None
            if root is not None:
                _index_marks(root, (), self._marks)
        return self._marks

    def position(self, path: Path = ()) -> tuple[int, int]:
        """1-based (line, column) of the entry at `path`, or of its nearest ancestor."""
        marks = self._index()
        path = tuple(path)
        while path and path not in marks:
            path = path[:-1]
        line, col, _ = marks.get(path, (1, 1, None))
        return line + self.line_offset, col

    def line(self, path: Path = ()) -> int:
        return self.position(path)[0]

    def source_text(self, path: Path) -> str | None:
        """The text of a plain scalar as written, if YAML resolved it to something not a string."""
        entry = self._index().get(tuple(path))
        return entry[2] if entry else None


def _index_marks(node: yaml.Node, path: Path, marks: dict) -> None:
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1, None))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (str(key.value),) if isinstance(key, yaml.ScalarNode) else path
            plain = _plain_source(value)
            marks.setdefault(child, (key.start_mark.line + 1, key.start_mark.column + 1, plain))
            _index_marks(value, child, marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = path + (i,)
            marks.setdefault(
                child, (item.start_mark.line + 1, item.start_mark.column + 1, _plain_source(item))
            )
            _index_marks(item, child, marks)


def _plain_source(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and not node.style and node.tag != _STR:
        return node.value
    return None


def decode(raw: bytes, path: str, max_bytes: int = MAX_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text: UTF-8 (a BOM is fine); anything else is refused with a way to fix it."""
    if len(raw) > max_bytes:
        return None, [
            Diagnostic.make(path, 1, "file-too-large", size=len(raw), limit=max_bytes)
        ]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Diagnostic.make(path, 1, "encoding", key="rule.encoding-utf16")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        key = "rule.encoding"
        try:
            if re.search("[\u4e00-\u9fff]", raw.decode("gb18030")):
                key = "rule.encoding-gbk"
        except UnicodeDecodeError:
            pass
        return None, [Diagnostic.make(path, line, "encoding", column=column, key=key)]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def conflict_markers(text: str, path: str) -> list[Diagnostic]:
    if "<<<<<<<" not in text and "=======" not in text and ">>>>>>>" not in text:
        return []  # a substring search is much cheaper than the line-anchored pattern
    match = _CONFLICT.search(text)
    if not match:
        return []
    line = text.count("\n", 0, match.start()) + 1
    return [Diagnostic.make(path, line, "merge-conflict", marker=match.group(0).strip())]


def load_text(text: str, path: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse YAML text into a Document, or say at which line and why it is refused."""
    problems = conflict_markers(text, path)
    if problems:
        return None, problems
    try:
        root = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [err.context, err.problem]))
        return None, [Diagnostic.make(path, line, "yaml-syntax", column=col, problem=problem)]
    except yaml.YAMLError as err:
        return None, [Diagnostic.make(path, 1, "yaml-syntax", problem=str(err))]
    if root is None:
        return Document(path, None, text), []
    builder = _Builder(path, aliases="*" in text)
    data = builder.build(root, None)
    if builder.problems:
        return None, builder.problems
    return Document(path, data, text), []


_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def load_front_matter(text: str, path: str) -> tuple[Document | None, str, int, list[Diagnostic]]:
    """Markdown with YAML front matter between two `---` lines.

    Returns the front matter as a Document (lines counted from the file's top), the body,
    the body's first line number, and any refusal.
    """
    problems = conflict_markers(text, path)
    if problems:
        return None, "", 1, problems
    first = _FENCE.match(text)
    close = _FENCE.search(text, first.end()) if first else None
    if not first or not close:
        return None, "", 1, [Diagnostic.make(path, 1, "front-matter")]
    header = text[first.end() + 1 : close.start()]
    doc, problems = load_text(header, path)
    for i, d in enumerate(problems):
        problems[i] = Diagnostic(d.path, d.line + 1, d.column, d.rule, d.severity, d.args, d.key)
    body_start = text.count("\n", 0, close.end()) + 2
    body = text[close.end() + 1 :]
    if doc is not None:
        doc.line_offset = 1
    return doc, body, body_start, problems


def load_bytes(raw: bytes, path: str, max_bytes: int = MAX_BYTES) -> tuple[Document | None, list[Diagnostic]]:
    text, problems = decode(raw, path, max_bytes)
    if text is None:
        return None, problems
    return load_text(text, path)


_TIMESTAMP = _TAG + "timestamp"
# The two forms of a timestamp the repository is written in (YYYY-MM-DD, and YYYY-MM-DDTHH:MM:SS
# with Z or ±HH:MM), built here without PyYAML's regular expression; any other form YAML reads as
# a timestamp goes to PyYAML's own constructor. Both give the same value.
_PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?)?")
_ZONES: dict[str, dt.tzinfo] = {"Z": dt.timezone.utc}


def _timestamp(node: yaml.ScalarNode) -> Any:
    """PyYAML's construct_yaml_timestamp, faster for the two forms above."""
    v = node.value
    match = _PLAIN_TIME.fullmatch(v)
    if match is None:
        return _SCALARS[_TIMESTAMP](_CONSTRUCTOR, node)
    if len(v) == 10:
        return dt.date(int(v[:4]), int(v[5:7]), int(v[8:10]))
    zone = match.group(1)
    tzinfo = None
    if zone:
        tzinfo = _ZONES.get(zone)
        if tzinfo is None:
            delta = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            tzinfo = _ZONES[zone] = dt.timezone(-delta if zone[0] == "-" else delta)
    return dt.datetime(int(v[:4]), int(v[5:7]), int(v[8:10]), int(v[11:13]), int(v[14:16]),
                       int(v[17:19]), tzinfo=tzinfo)


class _Builder:
    """Turns a composed node graph into plain Python values, refusing what is unsafe.

    `aliases`: whether the text may hold an alias (`*name`); without a `*` in it, no node can be
    reached twice and the builder does not keep track of the nodes it has seen.
    """

    def __init__(self, path: str, aliases: bool = True) -> None:
        self.path = path
        self.seen: set[int] | None = set() if aliases else None
        self.problems: list[Diagnostic] = []

    def _refuse(self, mark: yaml.Mark, rule: str, **args: Any) -> None:
        self.problems.append(
            Diagnostic.make(self.path, mark.line + 1, rule, column=mark.column + 1, **args)
        )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            value = node.value
            if value[:1].isdigit() and len(value) <= 40:
                iso = _ISO.fullmatch(value)
                if iso and not clock.MIN_YEAR <= int(iso.group(1)) <= clock.MAX_YEAR:
                    self._refuse(node.start_mark, "yaml-time-range", value=value,
                                 min=clock.MIN_YEAR, max=clock.MAX_YEAR)
                    return None
            return value
        construct = _timestamp if tag == _TIMESTAMP else _SCALARS.get(tag)
        if construct is None:
            self._refuse(node.start_mark, "yaml-tag", tag=tag)
            return None
        try:
            value = construct(node) if tag == _TIMESTAMP else construct(_CONSTRUCTOR, node)
        except (ValueError, OverflowError, yaml.YAMLError):
            self._refuse(node.start_mark, "yaml-tag", tag=tag)
            return None
        if isinstance(value, dt.date) and not clock.in_range(value):
            self._refuse(node.start_mark, "yaml-time-range", value=node.value,
                         min=clock.MIN_YEAR, max=clock.MAX_YEAR)
            return None
        return value

    def build(self, node: yaml.Node, where: yaml.Mark | None, depth: int = 0) -> Any:
        cls = node.__class__
        if depth > MAX_DEPTH and cls is not _ScalarNode:
            self._refuse(node.start_mark, "yaml-depth", limit=MAX_DEPTH)
            return None
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                self._refuse(where or node.start_mark, "yaml-alias")
                return None
            seen.add(id(node))
        if cls is _ScalarNode:
            return self._scalar(node)
        tag = node.tag
        depth += 1
        if cls is _SequenceNode:
            if tag != _SEQ:
                self._refuse(node.start_mark, "yaml-tag", tag=tag)
            out = []
            previous = node.start_mark
            for item in node.value:
                if seen is None and item.__class__ is _ScalarNode:  # most nodes: no call of build
                    out.append(self._scalar(item))
                else:
                    out.append(self.build(item, previous, depth))
                previous = item.end_mark
            return out
        if tag != _MAP:
            self._refuse(node.start_mark, "yaml-tag", tag=tag)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _ScalarNode:
                self._refuse(key_node.start_mark, "yaml-key-type")
                continue
            key = key_node.value
            if key in result:
                self._refuse(key_node.start_mark, "yaml-duplicate-key", name=key)
                continue
            if seen is None and value_node.__class__ is _ScalarNode:
                result[key] = self._scalar(value_node)
            else:
                result[key] = self.build(value_node, key_node.start_mark, depth)
        return result


def walk(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below `data`, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, path + (i,))
