"""Ticket pages assembled from a pre-rendered page shell (erpops.site.shell) are byte for byte the
pages the theme renders itself, with the plugin's page passes; the search index is the same too.
Real in-process `mkdocs build`s of the demo data with an XSS ticket (tests/site_repo.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from markupsafe import Markup

from erpops.site import html, shell
from erpops.site.context import environment
from site_repo import XSS_TICKET_ID, real_data_copy

TICKET = f"tickets/production/2026/{XSS_TICKET_ID}"
SITE_URL = "https://ops.example.com/"


def _build(root: Path, site: Path, **overrides):
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), **overrides)
    build(config)
    return config.plugins["erpops"]


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")  # no page store: a cold build, as in CI
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    return real_data_copy(tmp_path / "ops")


def _theme_only(monkeypatch):
    """The build before shells: every page rendered by the theme, then the plugin's passes."""
    monkeypatch.setattr(shell.Shells, "key", lambda self, page: None)


@pytest.mark.parametrize("flat", [False, True], ids=["directory-urls", "flat-urls"])
def test_assembled_pages_are_the_pages_the_theme_renders(root, tmp_path, monkeypatch, flat):
    overrides = {"site_url": SITE_URL, "use_directory_urls": not flat}
    plugin = _build(root, tmp_path / "shell", **overrides)
    tickets = sum(1 for _ in (root / "tickets").rglob("*.yaml"))
    assert plugin.shells.made >= tickets  # every ticket page (and the lists outside the nav)
    assert plugin.shells.renders < plugin.shells.made
    with monkeypatch.context() as m:
        _theme_only(m)
        reference = _build(root, tmp_path / "theme", **overrides)
    assert reference.shells.made == 0
    ours, theirs = _files(tmp_path / "shell"), _files(tmp_path / "theme")
    assert ours.keys() == theirs.keys()
    assert [k for k in ours if ours[k] != theirs[k]] == []


def test_an_assembled_ticket_page_escapes_its_parts(root, tmp_path):
    plugin = _build(root, tmp_path / "site", site_url=SITE_URL)
    assert plugin.shells.made > 0
    page = (tmp_path / "site" / TICKET / "index.html").read_text("utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("Content-Security-Policy") == 1
    assert page.index('<meta http-equiv="Content-Security-Policy"') == page.index("<head>") + len("<head>")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; 叉车称重数据没有传到完工报告 - ERP 运维</title>" in page
    assert ('<span class="md-ellipsis">\n            \n              '
            '&lt;script&gt;alert(1)&lt;/script&gt; 叉车称重数据没有传到完工报告\n') in page
    assert f'<link rel="canonical" href="{SITE_URL}{TICKET}/">' in page
    assert '<a href="#alert1-叉车称重数据没有传到完工报告" class="md-skip">' in page
    assert '<a href="#处理记录" class="md-nav__link">' in page  # the table of contents
    assert '<span class="erpops-id">PRD-20261020-TCBS</span>' in page  # lay_out ran on the content
    assert "assets/javascripts/workers/erpops-search.js" in page and "workers/search." not in page
    assert 'href="../../../../subsystems/production/"' in page
    docs = json.loads((tmp_path / "site/search/search_index.json").read_text("utf-8"))["docs"]
    entry = next(d for d in docs if d["location"] == f"{TICKET}/")
    assert entry["title"] == ("&lt;script&gt;alert(1)&lt;/script&gt; "
                              "\u200b叉车\u200b称重\u200b数据\u200b没有\u200b传到\u200b完工\u200b报告")


def test_a_page_in_the_nav_is_rendered_by_the_theme(root, tmp_path):
    plugin = _build(root, tmp_path / "site")
    index = (tmp_path / "site/tickets/index.html").read_text("utf-8")
    assert 'class="md-nav__link md-nav__link--active"' in index  # only the theme knows the active entry


GRID_CASES = [
    (("a", "b<"), [(1, None), (Markup("<a>x</a>"), " y \n z ")], (1,)),
    (("a",), [], ()),
    ((Markup("<b>H</b>"), "<script>", None, 2.5), [("&amp;", "", 0, "\t"), ("x",)], (0, 3)),
]


@pytest.mark.parametrize("heads,rows,right", GRID_CASES)
def test_the_python_grid_writes_what_the_grid_macro_writes(heads, rows, right):
    env = environment("zh", html=True)
    macro = env.from_string('{% from "tickets/grid.html.j2" import grid with context %}'
                            "{{ grid(heads, rows, right=right) }}")
    assert html.grid(heads, iter(rows), right) == macro.render(heads=heads, rows=iter(rows), right=right)


def test_random_grids_are_what_the_grid_macro_writes():
    import random

    env = environment("zh", html=True)
    macro = env.from_string('{% from "tickets/grid.html.j2" import grid with context %}'
                            "{{ grid(heads, rows, right=right) }}")
    values = ["", " ", "a b", "中文\u3000 字", "<script>", "&amp;", "'q'", '"dq"', "a\n\tb", "x > y", None, 0, 2.5,
              Markup("<a href='x'>&amp;</a>"), Markup(" m "), "\x85nel", "&#39;"]
    pick = random.Random(11)
    for _ in range(500):
        width = pick.randint(0, 7)
        heads = [pick.choice(values) for _ in range(width)]
        rows = [[pick.choice(values) for _ in range(width)] for _ in range(pick.randint(0, 4))]
        right = tuple(i for i in range(width) if pick.random() < 0.3)
        assert html.grid(heads, iter(rows), right) == macro.render(heads=heads, rows=iter(rows), right=right)
    assert html.grid([["a list"]], [], ()) == macro.render(heads=[["a list"]], rows=[], right=())  # not a key
    for head in ("<b>H</b>", Markup("<b>H</b>"), "<b>H</b>"):  # equal as str, not as HTML
        assert html.grid([head], [], ()) == macro.render(heads=[head], rows=[], right=())


def test_front_matter_is_yaml_and_reads_back_as_mkdocs_reads_it():
    import random

    import yaml
    from mkdocs.utils.meta import get_data

    chars = [chr(c) for c in (*range(0, 0x250), *range(0x2000, 0x2070), *range(0x3000, 0x3040),
                              *range(0x4E00, 0x4E40), *range(0xE000, 0xE010), *range(0xFEF0, 0x10000),
                              0x1F600, 0x10FFFF)] + ['"', "\\", "'", "<", "&amp;", "\n---\n", "\n...\n", "#", ": ", "- "]
    pick = random.Random(3)
    for _ in range(3000):
        title = "".join(pick.choice(chars) for _ in range(pick.randint(0, 12)))
        for meta in ({"title": title}, {"title": title, "search": {"exclude": True}, "hide": ["toc"]},
                     {"title": title, "hide": ["toc"]}, {"search": {"exclude": True}}, {"hide": ["toc"]}):
            source = f"---\n{html._dump(meta)}---\n{html.MARKER}\n<p>x</p>\n"
            assert yaml.safe_load(html._dump(meta)) == meta
            assert get_data(source) == (f"{html.MARKER}\n<p>x</p>\n", meta)
            assert html.front_matter(source) == get_data(source), title
    assert html._dump({"title": "a\x85\u2028\ufeff\x7f"}) == 'title: "a\\u0085\\u2028\\ufeff\\u007f"\n'


@pytest.mark.parametrize("source", [
    "---\n---\n<!-- erpops:html -->\n<p>x</p>\n",  # no key: MkDocs' own reading
    "---\ntitle: x\n---\nbody",  # not what erpops.site.html.page writes
    '---\ntitle: "\x85"\n---\nbody',
    '---\ntitle: "\\ud83d\\ude00"\n---\nbody',  # a pair of escapes JSON joins and YAML does not
    "# a Markdown page\n",
])
def test_front_matter_it_did_not_write_is_left_to_mkdocs(source):
    assert html.front_matter(source) is None


def test_a_page_whose_context_a_plugin_extended_is_rendered_by_the_theme(root, tmp_path, monkeypatch):
    from erpops.site.plugin import ErpopsPlugin

    def on_page_context(self, context, /, *, page, config, nav):
        context["page_facts"] = page.url  # a per-page value the theme could show
        return context

    monkeypatch.setattr(ErpopsPlugin, "on_page_context", on_page_context, raising=False)
    plugin = _build(root, tmp_path / "site")
    assert plugin.shells.made == 0 and plugin.shells.renders == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_python_ticket_table_writes_what_the_tickets_macro_writes(lang):
    env = environment(lang, html=True)
    macro = env.from_string('{% from "tickets/grid.html.j2" import tickets with context %}{{ tickets(rows) }}')
    row = {"link": Markup('<a href="../x/">PRD-20261103-K7QF</a>'), "title": "菜单 <script> & \"q\" 'a'\n  b",
           "subsystem": "生产系统", "priority": "P1", "status": "已超时", "tier": None, "assignee": "",
           "opened": "2026-11-03 09:00", "sla": Markup("<b>x</b>")}
    for rows in ([], [row], [row, dict(row, title="", sla="")] * 3):
        assert env.globals["ticket_table"](rows) == macro.render(rows=rows)
    assert html.ticket_table(env.globals["t"], [row]) == macro.render(rows=[row])
