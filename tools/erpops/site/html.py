"""Generated pages as HTML: what a page written straight from the autoescaped templates needs
instead of Python-Markdown (links to page URLs, heading ids, its table of contents).

Such a page's source is front matter plus one HTML block after a marker line. The erpops plugin
hands the block to MkDocs as the page's HTML without parsing it; plain MkDocs (without our
plugin) passes the block through as raw HTML, so the same file builds in both."""
from __future__ import annotations

import functools
import html as _html
import json
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape
from pymdownx.slugs import slugify

MARKER = "<!-- erpops:html -->"
_slug = slugify(case="lower")
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="headerlink"', re.DOTALL)
_THEAD = re.compile(r"<thead>(.*?)</thead>", re.DOTALL)
_SPACE = re.compile(r"\s+")
# A page with a table of this many columns gives the table-of-contents column to its content
# (as erpops.site.layout.WIDE_PAGE does for Markdown pages).
WIDE_PAGE = 7


def one_line(value: object) -> object:
    """Jinja2 finalize for HTML templates: None shows as nothing, text on one line; Markup kept."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return _SPACE.sub(" ", str(value)).strip()


def url(page: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page `page` (a path in the docs), relative to the site root."""
    stem = posixpath.splitext(page)[0]
    if not directory_urls:
        return stem + ".html"
    if posixpath.basename(stem) in ("index", "README"):
        parent = posixpath.dirname(stem)
        return parent + "/" if parent else ""
    return stem + "/"


def href(target: str, here: str, directory_urls: bool = True) -> str:
    """A relative link from page `here` to page `target` (both paths in the docs), as MkDocs
    would have rewritten `[x](target.md)` written on `here`."""
    to, at = url(target, directory_urls), url(here, directory_urls)
    base = posixpath.dirname(at) if at.endswith(".html") else at.rstrip("/")
    rel = _relpath(to or ".", base or ".")
    if to.endswith("/") or to == "":
        rel = rel.rstrip("/") + "/" if rel != "." else "./"
    return quote(rel, safe="/#.-_~")


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two relative paths of plain folder names (no "", "." or ".."
    among them but a lone "."): the same result without abspath's work (a ticket page has
    several links); anything else goes to posixpath.relpath."""
    to = [] if path == "." else path.rstrip("/").split("/")
    at = [] if start == "." else start.split("/")
    if "" in to or "." in to or ".." in to or "" in at or "." in at or ".." in at:
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(to, at):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(at) - common) + to[common:]
    return "/".join(parts) if parts else "."


def link(label: object, target: str, here: str, directory_urls: bool = True) -> Markup:
    # Markup('<a href="{}">{}</a>').format(…) without string.Formatter: each part escaped alike
    return Markup(f'<a href="{escape(href(target, here, directory_urls))}">{escape(label)}</a>')


def web_link(label: object, address: str) -> Markup:
    """A link with escaped text to a web address from the data (an attachment, the ticket's issue):
    only an http(s) address of plain URL characters is linked; anything else shows as text."""
    from erpops.site.escape import _WEB_ADDRESS

    if not _WEB_ADDRESS.fullmatch(address or ""):
        return escaped(label)
    return Markup('<a href="{}">{}</a>').format(address, label)


def heading_id(label: object) -> str:
    """The anchor the toc extension with pymdownx's slugify (lower case) gives this heading."""
    text = str(label) if not isinstance(label, Markup) else _html.unescape(_TAG.sub("", str(label)))
    return _slug(text, "-")


def heading(level: int, label: object) -> Markup:
    """A heading with its anchor and permalink, like `toc: {permalink: true}` writes it."""
    if type(level) is int and type(label) is str:  # the same few section headings on every page
        return _text_heading(level, label)
    return _heading(level, label)


def _heading(level: int, label: object) -> Markup:
    # Markup('<h{0} id="{1}">{2}<a …></h{0}>').format(level, ident, label), each part escaped alike
    ident, level = escape(heading_id(label)), escape(level)
    return Markup(f'<h{level} id="{ident}">{escape(label)}<a class="headerlink" href="#{ident}" '
                  f'title="Permanent link">&para;</a></h{level}>')


_text_heading = functools.lru_cache(maxsize=256)(_heading)


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    html: str  # the heading's text as HTML (escaped user text)


def headings(body: str) -> list[Heading]:
    return [Heading(int(m.group(1)), _html.unescape(m.group(2)), m.group(3)) for m in _HEADING.finditer(body)]


def toc_tokens(found: list[Heading]) -> list[dict]:
    """The headings as the toc extension's tokens (nested by level), for MkDocs' `get_toc`."""
    root: list[dict] = []
    stack: list[dict] = []
    for h in found:
        token = {"level": h.level, "id": h.id, "name": h.html, "children": []}
        while stack and stack[-1]["level"] >= h.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


_RIGHT = ' style="text-align: right;"'


def _escape_text(text: str) -> str:
    """str(markupsafe.escape(text)) for a str, without the Markup it makes (a grid cell's text)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text


def _grid_head(heads: tuple, right: tuple) -> str:
    out = ["<table>\n<thead>\n<tr>\n"]
    for i, head in enumerate(heads):
        out.append(f"<th{_RIGHT if i in right else ''}>{escaped(head)}</th>\n")
    out.append("</tr>\n</thead>\n<tbody>\n")
    return "".join(out)


# The headings of a grid of plain text (the same few on every ticket page), written once; not a
# Markup heading, which is equal to the str of its text and must not find that str's escaped form.
_text_grid_head = functools.lru_cache(maxsize=256)(_grid_head)


def grid(heads, rows, right=()) -> Markup:
    """templates/tickets/grid.html.j2's `grid` macro in Python, byte for byte (a ticket page has
    four such tables; the macro was a quarter of the page's cost): Python-Markdown's table HTML,
    every cell escaped text on one line (or Markup as it is)."""
    heads, right = tuple(heads), tuple(right)
    plain = all(type(h) is str for h in heads) and all(type(i) is int for i in right)
    out = [(_text_grid_head if plain else _grid_head)(heads, right)]
    opening = ("<td>", _RIGHT.join(("<td", ">")))
    for cells in rows:
        out.append("<tr>\n")
        for i, cell in enumerate(cells):
            # escaped(cell), inlined for plain text: `split` cuts at what `\s` matches (str.isspace)
            text = _escape_text(" ".join(cell.split())) if type(cell) is str else escaped(cell)
            out.append(f"{opening[i in right]}{text}</td>\n")
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n")
    return Markup("".join(out))


# A list of tickets: its columns (the keys of a row, erpops.site.sections.tickets.row) and headings.
TICKET_COLUMNS = ("link", "title", "subsystem", "priority", "status", "tier", "assignee", "opened", "sla")
_TICKET_HEADS = ("site.ticket-id", "site.ticket-title", "site.subsystem", "site.priority", "site.status",
                 "site.tier", "site.assignee", "site.opened", "site.sla")


def ticket_table(t, rows) -> Markup:
    """templates/tickets/grid.html.j2's `tickets` macro in Python, byte for byte (the list pages'
    200 rows each): `t` is the catalogue of the page's language, `rows` the rows' dicts."""
    if not rows:
        return Markup(f"<p>{escaped(t('site.no-tickets'))}</p>\n")
    return grid(tuple(t(key) for key in _TICKET_HEADS), (tuple(r[c] for c in TICKET_COLUMNS) for r in rows))


def is_wide(body: str) -> bool:
    return any(m.group(1).count("<th") >= WIDE_PAGE for m in _THEAD.finditer(body))


class Source(str):
    """The source of a page erpops wrote as HTML (only `page` makes one)."""


def page(body: str, *, search_exclude: bool = False) -> Source:
    """A page's source: front matter (its title as HTML, as MkDocs takes it from a rendered
    heading; search and toc settings), the marker line, then the HTML block."""
    meta: dict = {}
    found = headings(body)
    if found and found[0].level == 1:
        meta["title"] = found[0].html
    if search_exclude:
        meta["search"] = {"exclude": True}
    if is_wide(body):
        meta["hide"] = ["toc"]
    front = _dump(meta) if meta else ""
    return Source(f"---\n{front}---\n{MARKER}\n{body.strip()}\n")


# What a YAML double-quoted scalar may not hold as it is: what YAML readers reject as unprintable
# (libyaml also the BOM) and the line breaks besides \n, which a quoted scalar would fold.
_UNQUOTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _quoted(text: str) -> str:
    """`text` as a JSON string that is also a YAML double-quoted scalar of the same text (their
    escapes agree; JSON leaves a few characters raw that YAML may not hold raw: escaped here)."""
    out = json.dumps(text, ensure_ascii=False)
    return _UNQUOTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out) if _UNQUOTABLE.search(out) else out


def _dump(meta: dict) -> str:
    """The front matter `page` writes, one key a line: YAML (MkDocs and any Markdown tool read it)
    written as JSON values, which `front_matter` reads back without a YAML parser (yaml.safe_dump
    and MkDocs' yaml.load were a twentieth of a full build)."""
    out = []
    if "title" in meta:
        out.append(f"title: {_quoted(meta['title'])}\n")
    if "search" in meta:
        out.append('search: {"exclude": true}\n')
    if "hide" in meta:
        out.append('hide: ["toc"]\n')
    return "".join(out)


_FRONT = re.compile(r'---\n(?:title: ("(?:[^"\\\n]|\\.)*")\n)?(search: \{"exclude": true\}\n)?'
                    r'(hide: \["toc"\]\n)?---\n')


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def front_matter(source: str) -> tuple[str, dict] | None:
    """What MkDocs' front matter reading (mkdocs.utils.meta.get_data) makes of a page source that
    `page` wrote: the text after the front matter and its data; None for any other source."""
    m = _FRONT.match(source)
    if m is None or m.end() == 8:  # no key: MkDocs reads `---` lines otherwise
        return None
    meta: dict = {}
    if m.group(1) is not None:
        if _UNQUOTABLE.search(m.group(1)) or _SURROGATE.search(m.group(1)):  # where JSON and YAML differ
            return None
        try:
            meta["title"] = json.loads(m.group(1))
        except ValueError:
            return None
    if m.group(2):
        meta["search"] = {"exclude": True}
    if m.group(3):
        meta["hide"] = ["toc"]
    return source[m.end():].lstrip("\n"), meta


def body(markdown: str) -> str | None:
    """The HTML block of a generated page (its text after the front matter: the marker line,
    then the HTML), or None for a Markdown page."""
    if not markdown.startswith(MARKER + "\n"):
        return None
    return markdown[len(MARKER) + 1:]


def escaped(value: object) -> Markup:
    return escape(one_line(value))


def inert_marker(source: str) -> str:
    """A hand-written page never passes for a generated one: a marker line in it is escaped."""
    return source.replace(MARKER, _html.escape(MARKER)) if MARKER in source else source
