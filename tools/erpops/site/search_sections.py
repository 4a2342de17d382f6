"""The search index's sections of a generated page, without Python's HTMLParser.

Material's search plugin (mkdocs-material 9.x, material/plugins/search/plugin.py,
`SearchIndex.add_entry_from_context`) feeds every page's HTML to its `Parser`, an
`html.parser.HTMLParser`: on a site of 20,000 ticket pages its tokenising is a large share of
the build. Our generated pages are HTML we wrote ourselves (erpops.site.html: escaped text,
double-quoted attributes), so they are cut into tags and text with one regular expression here,
and the tokens are handed to the very handlers of Material's `Parser` (`handle_starttag`,
`handle_endtag`, `handle_data`) in the order HTMLParser would call them: the sections, and so
the index entries, are Material's own. Anything this tokeniser does not know (a comment, a
`<script>` or `<style>`, a `<` that starts no plain tag, an attribute without double quotes)
means Material's parser as before (tests/test_site_search_sections.py compares the two).

Material's handlers cost more than the tokenising (each checks its skip set against the open
elements, whose hash and equality are Python methods): for pages without what makes them do
anything else than collect text (`pre`, skipped or excluded elements, line numbers), `fold` walks
the tokens as those handlers would and hands back Material's own `Section` objects.
"""
from __future__ import annotations

import html as _html
import re
import sys

# A start tag with double-quoted (or bare) attributes, or an end tag: what erpops.site.html writes.
_TAG = re.compile(r'<(?:(/)([a-zA-Z][a-zA-Z0-9]*)|([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'<>/=]+(?:="[^"<]*")?)*)\s*(/)?)>')
_ATTR = re.compile(r'\s+([^\s"\'<>/=]+)(?:="([^"<]*)")?')
# Elements HTMLParser reads as raw text (its CDATA_CONTENT_ELEMENTS): left to it.
_RAW = frozenset({"script", "style"})


def _value(raw: str | None) -> str | None:
    """An attribute's value as HTMLParser gives it: unescaped; None for a bare attribute."""
    return None if raw is None else _html.unescape(raw) if "&" in raw else raw


def tokens(content: str) -> list[tuple] | None:
    """The page as HTMLParser's calls: ("start", tag, attrs), ("end", tag), ("startend", tag,
    attrs), ("data", text); None where the page holds anything else than plain tags and text."""
    out: list[tuple] = []
    pos = 0
    for m in _TAG.finditer(content):
        start = m.start()
        if start > pos:
            text = content[pos:start]
            if "<" in text:
                return None
            out.append(("data", _html.unescape(text) if "&" in text else text))
        pos = m.end()
        if m.group(1):
            out.append(("end", m.group(2).lower()))
            continue
        tag = m.group(3).lower()
        if tag in _RAW:
            return None
        attrs = [(a.group(1).lower(), _value(a.group(2))) for a in _ATTR.finditer(m.group(4))] if m.group(4) else []
        out.append(("startend" if m.group(5) else "start", tag, attrs))
    if pos < len(content):
        text = content[pos:]
        if "<" in text:
            return None
        out.append(("data", _html.unescape(text) if "&" in text else text))
    return out


# Material's Parser (mkdocs-material 9.x): its kept tags, its void tags, the headings it cuts at.
_KEEP = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Tags with which the handlers do more than fold text (skipped, preformatted; `hx`, the tag of a
# preface section, would match it): left to them.
_OTHER = frozenset({"object", "script", "style", "pre", "hx"})


def fold(found: list[tuple], section_class, element_class) -> list | None:
    """The sections Material's Parser handlers make of `found` (tokens), as Material's Section
    objects; None where a token asks for what only the handlers do (then feed them)."""
    context: list[str] = []  # the open elements' tags (Material compares its elements by tag)
    links: list[bool] = []  # whether each is a heading's permalink (<a class="headerlink">)
    permalinks = 0
    data: list = []
    section = None

    def new(tag, attrs, depth=0):
        made = section_class(element_class(tag, attrs), depth)
        made.tag = tag
        data.append(made)
        return made

    for token in found:
        kind = token[0]
        if kind == "data":
            text = token[1]
            space = text.isspace()
            text = " " if space else text.replace("\n", " ")
            if section is None:
                section = new("hx", None)
            if section.tag in context:
                if not permalinks:
                    section.title.append(_html.escape(text, quote=False))
            elif space:
                if not section.text or not section.text[-1].isspace():
                    section.text.append(text)
            else:
                section.text.append(_html.escape(text, quote=False))
            continue
        tag = token[1]
        if kind != "end":
            if tag in _VOID:  # not opened; its end (a startend's) finds another tag open, or none
                continue
            if tag in _OTHER:
                return None
            attrs = dict(token[2])
            for key, value in token[2]:
                if key == "data-search-exclude" or (key == "class" and value == "linenodiv"):
                    return None
            context.append(tag)
            link = tag == "a" and attrs.get("class") == "headerlink"
            links.append(link)
            permalinks += link
            if tag in _HEADINGS and "id" in attrs:
                depth = len(context)
                if tag != "h1" and not data:
                    section = new("hx", None, depth)
                had = bool(data)
                section = new(tag, attrs, depth)
                if had:
                    section.id = attrs["id"]
            if section is None:
                section = new("hx", None)
            if tag in _KEEP:
                (section.title if section.tag in context else section.text).append(f"<{tag}>")
            if kind == "start":
                continue
        # an end tag (or a startend's end)
        if not context or context[-1] != tag:
            continue
        if section.depth > len(context):
            for earlier in reversed(data):
                if earlier.depth <= len(context):
                    section.depth = float("inf")
                    section = earlier
                    break
        context.pop()
        permalinks -= links.pop()
        if tag in _KEEP:
            target = section.title if section.tag in context else section.text
            opening = f"<{tag}>"
            if opening not in target:  # the handler's data.index raises: let it
                return None
            index = target.index(opening)
            for i in range(index + 1, len(target)):
                if not target[i].isspace():
                    index = len(target)
                    break
            if len(target) > index:
                del target[index:]
            else:
                target.append(f"</{tag}>")
    for made in data:
        del made.tag
    return data


def sections(parser, content: str) -> list | None:
    """`parser` (a fresh Material search `Parser`) given the page's tokens; its sections, or None
    when the page is not one this tokeniser reads (then feed the parser as Material does)."""
    found = tokens(content)
    if found is None:
        return None
    module = sys.modules.get(type(parser).__module__)
    section_class, element_class = getattr(module, "Section", None), getattr(module, "Element", None)
    if section_class is not None and element_class is not None:
        folded = fold(found, section_class, element_class)
        if folded is not None:
            return folded
    start, end, data = parser.handle_starttag, parser.handle_endtag, parser.handle_data
    for token in found:
        kind = token[0]
        if kind == "data":
            data(token[1])
        elif kind == "start":
            start(token[1], token[2])
        elif kind == "end":
            end(token[1])
        else:  # HTMLParser.handle_startendtag: the start, then the end
            start(token[1], token[2])
            end(token[1])
    return parser.data


def index_page(index, page, parser_class) -> None:
    """SearchIndex.add_entry_from_context for a generated page: Material's, with the page cut by
    `sections` where it can be (else fed to Material's parser)."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return
    parser = parser_class()
    found = sections(parser, page.content)
    if found is None:
        parser.feed(page.content)
        parser.close()
        found = parser.data
    for section in found:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)


# What Material's search plugin strips from every page's HTML after indexing it (its on_page_context:
# `re.sub(SEARCH_ATTRIBUTES, "", page.content)`): a pattern without a literal start, tried at every
# character of every page, though only a page with "data-search-" in it can match.
SEARCH_ATTRIBUTES = r"\s?data-search-\w+=\"[^\"]+\""


class _PluginRe:
    """The `re` of Material's search plugin module: its `sub` of SEARCH_ATTRIBUTES returns a page
    without "data-search-" as it is (no match is possible), anything else is the re module's."""

    def __init__(self, module):
        self._re = module

    def __getattr__(self, name):
        return getattr(self._re, name)

    def sub(self, pattern, repl, string, count=0, flags=0):
        if pattern == SEARCH_ATTRIBUTES and not flags and type(string) is str and "data-search-" not in string:
            return string
        return self._re.sub(pattern, repl, string, count, flags)


def install(index, ours) -> bool:
    """Material's search index `index` cuts the pages for which `ours(page)` holds with
    `sections`; whether it could (a search plugin whose Parser this module knows)."""
    import sys

    module = sys.modules.get(type(index).__module__)
    parser_class = getattr(module, "Parser", None)
    original = getattr(index, "add_entry_from_context", None)
    if parser_class is None or original is None or not all(
            hasattr(parser_class, h) for h in ("handle_starttag", "handle_endtag", "handle_data")):
        return False
    original = getattr(original, "__wrapped__", original)

    def add_entry_from_context(page):
        if ours(page):
            return index_page(index, page, parser_class)
        return original(page)

    add_entry_from_context.__wrapped__ = original
    index.add_entry_from_context = add_entry_from_context
    if getattr(module, "re", None) is re:
        module.re = _PluginRe(re)
    return True
