"""Generated pages are cut into search sections without HTMLParser (erpops.site.search_sections):
the sections, and the whole built site with its search index, are what Material's parser makes."""
from __future__ import annotations

import json

import pytest
from material.plugins.search.plugin import Element, Parser, Section
from mkdocs.commands.build import build
from mkdocs.config import load_config

from erpops import clock, load
from erpops.site import search_sections
from erpops.site.sections import tickets
from site_repo import XSS_TICKET_ID, real_data_copy


def _material(content: str) -> list:
    parser = Parser()
    parser.feed(content)
    parser.close()
    return parser.data


def _ours(content: str) -> list | None:
    return search_sections.sections(Parser(), content)


def _plain(found) -> list:
    return [(s.el.tag, s.el.attrs, s.id, s.depth, list(s.title), list(s.text), s.is_excluded()) for s in found]


def _folded(content: str) -> list | None:
    return search_sections.fold(search_sections.tokens(content), Section, Element)


PAGES = [
    '<h1 id="t">Title &amp; &lt;b&gt;<a class="headerlink" href="#t" title="Permanent link">&para;</a></h1>\n'
    '<table>\n<thead>\n<tr>\n<th>字段</th>\n<th style="text-align: right;">值</th>\n</tr>\n</thead>\n'
    '<tbody>\n<tr>\n<td>a\nb</td>\n<td><a href="../x/">&#34;q&#34; &amp;amp;</a></td>\n</tr>\n</tbody>\n</table>\n'
    '<h2 id="s&amp;x">Sub<a class="headerlink" href="#s">&para;</a></h2>\n<p>  </p>\n<ul>\n<li>one</li>\n<li></li>\n</ul>\n'
    '<p>tail &lt;script&gt;</p>\n',
    "text before any heading<br/>more<br>\n<p><strong>x</strong></p>",
    '<h3 id="only">Three</h3><p data-search-exclude>hidden</p><p>shown</p>',
    '<h2>no id</h2><p>x</p><h1 id="a">A</h1>\n\n\n<p>\n</p>',
    "",
    "plain & text without tags",
]


@pytest.mark.parametrize("content", PAGES)
def test_sections_are_materials(content):
    assert _plain(_ours(content)) == _plain(_material(content))


@pytest.mark.parametrize("content", PAGES[:2] + PAGES[3:])
def test_folded_tokens_are_the_sections_materials_handlers_make(content):
    found = _folded(content)
    assert found is not None
    assert _plain(found) == _plain(_material(content))


# Pieces of HTML from which random pages are put together: headings with and without ids, at
# depth and nested, permalinks, kept and other tags, void tags (and their end tags), Chinese, entities.
_PIECES = ['<h1 id="a">', "</h1>", '<h2 id="b&amp;c">', "</h2>", "<h3>", "</h3>", '<h4 id="d"/>', "<p>", "</p>",
           "<p/>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", '<a class="headerlink" href="#a">', "</a>",
           '<a href="x">', "<table>", "</table>", "<td>", "</td>", "<br>", "<br/>", "</br>", "<div>", "</div>",
           "<code>", "</code>", "<sub>", "</sub>", '<span class="erpops-id">', "</span>", "<strong>", "</strong>",
           " ", "\n", "  \n ", "text", "中文 字", "&amp;", "&lt;x&gt;", '"q"', "'s'"]


def test_folded_random_pages_are_what_materials_handlers_make():
    import random

    pick = random.Random(17)
    for _ in range(3000):
        content = "".join(pick.choice(_PIECES) for _ in range(pick.randint(0, 30)))
        assert _plain(_folded(content)) == _plain(_material(content)), content


@pytest.mark.parametrize("content", [
    "<h1 id='a'>A</h1><pre>  x\n  y</pre>",
    '<h1 id="a">A</h1><p data-search-exclude>hidden</p>',
    '<div class="linenodiv">1</div>',
    "<object>x</object>",
    "<hx>x</hx>",
])
def test_what_only_materials_handlers_do_is_left_to_them(content):
    found = search_sections.tokens(content)
    assert found is None or search_sections.fold(found, Section, Element) is None
    if found is not None:
        assert _plain(_ours(content)) == _plain(_material(content))


@pytest.mark.parametrize("content", [
    "<!-- a comment --><p>x</p>",
    "<p>a < b</p>",
    "<script>var a = '<p>';</script>",
    "<style>p{}</style>",
    "<p class='single'>x</p>",
    "<p class=bare>x</p>",
    "<![CDATA[x]]>",
    "<!DOCTYPE html><p>x</p>",
    "<p>x</p><",
])
def test_what_the_tokeniser_does_not_know_is_left_to_material(content):
    assert search_sections.tokens(content) is None


def test_tokens_are_htmlparsers_calls():
    assert search_sections.tokens('<A HREF="x&amp;y" Hidden>T&lt;</A><br/>') == [
        ("start", "a", [("href", "x&y"), ("hidden", None)]), ("data", "T<"), ("end", "a"), ("startend", "br", [])]


def test_a_page_the_tokeniser_does_not_know_is_indexed_by_materials_parser():
    class Index:
        def __init__(self):
            self.found = []

        def create_entry_for_section(self, section, toc, url, page):
            self.found.append((section.id, "".join(section.text)))

    class Page:
        meta, toc, url = {}, [], "p/"
        content = '<h1 id="a">A</h1><!-- c --><p>x</p><h2 id="b">B</h2><p>y</p>'

    index = Index()
    search_sections.index_page(index, Page(), Parser)
    assert index.found == [(None, "<p>x</p>"), ("b", "<p>y</p>")]
    Page.meta = {"search": {"exclude": True}}
    index.found = []
    search_sections.index_page(index, Page(), Parser)
    assert index.found == []


def _files(site):
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_site_and_its_index_are_what_materials_parser_makes(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")  # no page store: a cold build
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = real_data_copy(tmp_path / "ops")
    indexed = []
    real = search_sections.index_page

    def index_page(index, page, parser_class):
        if not (page.meta.get("search") or {}).get("exclude"):
            indexed.append(page.file.src_uri)
        return real(index, page, parser_class)

    monkeypatch.setattr(search_sections, "index_page", index_page)

    def site(name):
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / name))
        build(config)
        return _files(tmp_path / name)

    ours = site("ours")
    # the ticket pages but the archived ones (search: exclude), and the tickets' index; not the lists
    repo = load.load(root)
    assert sorted(indexed) == sorted([tickets.path(tk) for tk in repo.tickets if not tickets.archived(tk, clock.today())]
                                     + [tickets.INDEX])
    monkeypatch.setattr(search_sections, "install", lambda index, ours: False)
    theirs = site("theirs")
    assert ours.keys() == theirs.keys()
    assert [k for k in ours if ours[k] != theirs[k]] == []
    docs = json.loads(ours["search/search_index.json"])["docs"]
    assert any(XSS_TICKET_ID in d["location"] for d in docs)


@pytest.mark.parametrize("content", [
    "", "<p>x</p>", '<p data-search-exclude="">x</p>', '<h2 id="a" data-search-boost="2">A</h2>\n<p>b</p>',
    "<p>data-search-x=&#34;y&#34;</p>", '<p> data-search-x="y"</p>', "中文 data-search-", '\ndata-search-a="b"',
])
def test_material_strips_the_search_attributes_as_before(content):
    import re

    ours = search_sections._PluginRe(re)
    assert ours.sub(search_sections.SEARCH_ATTRIBUTES, "", content) == re.sub(search_sections.SEARCH_ATTRIBUTES, "", content)
    assert ours.sub(r"p", "q", content) == re.sub(r"p", "q", content)
    assert ours.compile is re.compile


def test_installing_gives_materials_search_module_the_shortcut():
    import sys

    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex()
    assert search_sections.install(index, lambda page: False)
    module = sys.modules[SearchIndex.__module__]
    assert isinstance(module.re, search_sections._PluginRe)
    # the pattern Material's on_page_context strips with is the one the shortcut knows
    import inspect

    assert 'r"\\s?data-search-\\w+=\\"[^\\"]+\\""' in inspect.getsource(module.SearchPlugin.on_page_context)
