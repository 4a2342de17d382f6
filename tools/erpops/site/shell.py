"""Generated item pages (tickets) assembled from a pre-rendered page shell.

Material's `main.html` was a quarter of a cold build (cProfile, 5,000 tickets): `base.html`
(mkdocs-material 9.8.2, material/templates/base.html, `block site_nav`) includes
`partials/nav.html`, which calls `nav-item.html`'s `render` macro for every nav entry and level
on every page (half of the template's time), then the header, footer, icons and `__config` JSON. For the
thousands of ticket pages none of that differs from one page to the next except the page's own
parts: its title (in `<title>` and the header), its content, its table of contents, the skip link
to its first heading, and links relative to the page's folder. So the theme's template is rendered
once per *shell key* — the page's depth and the leading folders that the navigation's links can
share with it, its table of contents, its front matter besides the title — for the first page
with that key, with marked stand-ins for the varying parts. The output is cut at the stand-ins,
and every further page with the same key is the pieces joined with its own escaped values.

A page is assembled this way only when nothing else of it can reach the template: it is not in
the navigation (no previous/next page, no ancestors), has no edit link, and the cut shell holds
no trace of the first page's own URL; otherwise (and for a stand-in found in a form this module
does not know) the page is rendered by the theme as before. The shell has been through the
plugin's page passes (lay_out, the search worker, the CSP) once; a page's content goes through
lay_out and the worker rewrite on its own (tests/test_site_shell.py checks the result is byte for
byte what the theme and the passes make of the page).
"""
from __future__ import annotations

import posixpath
import re
from typing import Callable

from markupsafe import Markup, escape

SHELL_TEMPLATE = "erpops-shell.html"

_MARK = "ERPOPS" + "SHELL"  # never in a shell's fixed text (checked)
_TITLE_HTML = f"{_MARK}<i>T</i>ITLE"          # page.meta.title as the header shows it (raw HTML)
_TITLE_TEXT = f"{_MARK}TITLE"                 # `| striptags | e`, as <title> shows it
_TITLE_ESC = str(escape(_TITLE_HTML))         # `| e`
_CONTENT = f"<h1>{_MARK}CONTENT</h1>"         # content.html looks for "<h1" in the content
_SKIP = f"{_MARK}SKIP"                        # the first heading's id (the skip link)
_CANONICAL = f"https://{_MARK}.invalid/CANONICAL"
_SLOTS = {_TITLE_HTML: "title_html", _TITLE_ESC: "title_esc", _TITLE_TEXT: "title_text",
          _CONTENT: "content", _SKIP: "skip", _CANONICAL: "canonical"}
_SPLIT = re.compile("(" + "|".join(re.escape(s) for s in sorted(_SLOTS, key=len, reverse=True)) + ")")


# What MkDocs puts in a page's template context (mkdocs.commands.build.get_context). A plugin that
# adds more (git authors, …) may vary it per page: such pages are rendered by the theme.
MKDOCS_CONTEXT = frozenset({"nav", "pages", "base_url", "extra_css", "extra_javascript", "mkdocs_version",
                            "build_date_utc", "config", "page"})


class _Stand(dict):
    """page.meta with the stand-in title."""


class _ProbeToc(list):
    """page.toc with the stand-in id on its first heading (the rest as it is)."""


class _Anchor:
    def __init__(self, real, ident: str):
        self._real, self.id = real, ident

    def __getattr__(self, name):
        return getattr(self._real, name)

    @property
    def url(self) -> str:
        return "#" + self.id


class _Probe:
    """The page as the theme sees it for the shell: stand-ins where pages differ."""

    def __init__(self, page, meta: dict, toc):
        self._page, self.meta, self.toc = page, meta, toc
        self.title = _TITLE_HTML
        self.content = _CONTENT
        self.canonical_url = _CANONICAL if page.canonical_url is not None else None

    def __getattr__(self, name):
        return getattr(self._page, name)


def _toc_key(items) -> tuple:
    return tuple((i.level, i.id, str(i.title), _toc_key(i.children)) for i in items)


class Shells:
    """The shells of one build. `render(context)` is the template global behind SHELL_TEMPLATE:
    the page's HTML, or None where the theme must render the page itself."""

    def __init__(self, page_pass: Callable[[str], str], shell_pass: Callable[[str], str],
                 link_targets: list[str] = ()):
        self.page_pass, self.shell_pass = page_pass, shell_pass
        # Every leading run of folders of a URL the shell links to (nav pages, assets, search).
        self.prefixes = {tuple(parts[:n]) for u in (*link_targets, "assets/", "search/")
                         for parts in [_parts(u)] for n in range(len(parts) + 1)}
        self.shells: dict[tuple, list | None] = {}
        self.assembled: set[str] = set()  # page URLs made here (their page passes are done)
        self.renders = 0  # theme renders for shells
        self.made = 0  # pages assembled from a shell

    def key(self, page) -> tuple | None:
        if (page.previous_page is not None or page.next_page is not None or page.edit_url
                or page.is_homepage or page.ancestors or not page.meta.get("title")):
            return None
        toc = list(page.toc)
        if not toc or toc[0].level != 1 or "<h1" not in (page.content or ""):
            return None
        parts = _parts(page.url)
        # The front matter the theme may read (`search` is only the search plugin's).
        meta = tuple(sorted((k, repr(v)) for k, v in page.meta.items() if k not in ("title", "template", "search")))
        # Links in the shell are relative to the page: a link to a target is the same from two
        # pages of the same depth that share the same longest run of leading folders with the
        # targets (tickets/production/2024/X/ and tickets/hr/2021/Y/ both share `tickets`).
        shared = len(parts)
        while tuple(parts[:shared]) not in self.prefixes:
            shared -= 1
        return (len(parts), page.url.endswith("/"), tuple(parts[:shared]), page.canonical_url is None,
                _toc_key(toc[0].children), meta)

    def render(self, context, template) -> str | None:
        page = context["page"]
        if not context.keys() <= MKDOCS_CONTEXT | template.environment.globals.keys():
            return None
        key = self.key(page)
        if key is None:
            return None
        if key not in self.shells:
            self.shells[key] = self._make(context, template, page)
        pieces = self.shells[key]
        if pieces is None:
            return None
        content = self.page_pass(page.content)
        if 'class="mermaid"' in content:  # mermaid's script goes in per page: the theme's way
            return None
        title = page.meta["title"]
        values = {"title_html": title, "title_text": escape(Markup(str(title)).striptags()),
                  "title_esc": escape(title), "content": content, "skip": list(page.toc)[0].id,
                  "canonical": page.canonical_url or ""}
        self.assembled.add(page.url)
        self.made += 1
        return "".join(p if isinstance(p, str) else values[p[0]] for p in pieces)

    def _make(self, context, template, page) -> list | None:
        """The theme's page for the stand-ins, cut at them; None if the cut leaves a trace."""
        toc = list(page.toc)
        probe_toc = _ProbeToc([_Anchor(toc[0], _SKIP), *toc[1:]])
        probe = _Probe(page, _Stand(page.meta, title=_TITLE_HTML), probe_toc)
        self.renders += 1
        out = self.shell_pass(template.render(dict(context, page=probe)))
        pieces: list = []
        for i, part in enumerate(_SPLIT.split(out)):
            pieces.append(part if i % 2 == 0 else (_SLOTS[part],))
        fixed = "".join(p for p in pieces if isinstance(p, str))
        stem = posixpath.basename(page.url.rstrip("/")).removesuffix(".html")
        if _MARK in fixed or (stem and stem in fixed) or 'class="mermaid"' in fixed:
            return None
        if sum(1 for p in pieces if p == ("content",)) != 1:
            return None
        return pieces


def _parts(url: str) -> list[str]:
    return [p for p in url.split("/") if p]
