"""Text from the repository made inert for the site: escaped for Markdown, HTML and mermaid.

Every `{{ value }}` in a page template passes through `markdown_text` (the Jinja2 `finalize`
hook) and then through HTML autoescaping, so a name like `<script>` or `a|b` or `[x](y)` shows
as those characters and never as markup, a table column or a link. Builders that must emit
Markdown on purpose (a link, a runbook's body) wrap it in `Markup`.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup, escape

# The characters Python-Markdown accepts after a backslash (core + tables' `|`). Only these may
# be escaped: a backslash before any other character stays visible. `<`, `>`, `&` and quotes are
# left to HTML escaping, which runs afterwards.
MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|"
_SPECIAL = re.compile("[" + re.escape(MARKDOWN_SPECIAL) + "]")
_SPACE = re.compile(r"\s+")


def markdown_text(value: object) -> object:
    """Jinja2 finalize: plain values become Markdown-inert text on one line; Markup is trusted."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = _SPACE.sub(" ", str(value)).strip()
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def text(value: object) -> Markup:
    """`value` as Markdown that renders as exactly its characters (escaped for Markdown and HTML)."""
    return Markup(escape(markdown_text(value)))


def link(label: object, target: str) -> Markup:
    """A Markdown link with escaped text to a page path the builder made (never user input)."""
    return Markup(f"[{text(label)}]({quote(target, safe='/#.-_~')})")


_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/[A-Za-z0-9._~%!$&'*+,;=:@/?#-]*")


_EXTENSION = re.compile(r"(?:转|ext\.?|x)\s*([0-9]+)\s*$")


def tel_link(phone: object) -> Markup:
    """A phone number as written, linked as `tel:` with only its digits (and a leading +), the
    extension (`转 801`, `ext. 801`) as `;ext=801`; text without a digit stays plain text."""
    shown = str(phone)
    ext = _EXTENSION.search(shown)
    number = shown[: ext.start()] if ext else shown
    digits = ("+" if number.strip().startswith("+") else "") + re.sub(r"[^0-9]", "", number)
    if not digits.strip("+"):
        return text(shown)
    target = f"tel:{digits}" + (f";ext={ext.group(1)}" if ext else "")
    return Markup(f"[{text(shown)}]({target})")


_MERMAID_PLAIN = re.compile(r"[0-9A-Za-z\u4e00-\u9fff ]")


def mermaid_label(value: object) -> str:
    """Label text for a mermaid node: every character but letters, digits, CJK and space
    becomes a mermaid entity code (`#60;`), so no label can close its quotes or carry markup."""
    return "".join(
        ch if _MERMAID_PLAIN.match(ch) else f"#{ord(ch)};" for ch in _SPACE.sub(" ", str(value))
    )


def join(parts, sep: str = " ") -> Markup:
    """Markup and plain text joined by `sep` (our own text): plain parts are escaped, Markup kept."""
    return Markup(escape(sep)).join(p if isinstance(p, Markup) else text(p) for p in parts)
