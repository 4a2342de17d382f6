"""The plugin's loading in a rebuild: the findings come from the warm check (checkcache) and, between
`mkdocs serve` rebuilds, the model from the kept one (erpops.site.reload); both equal a cold run's,
an edit that breaks a rule included."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

from site_repo import ENV, XSS_TICKET, demo_copy, real_data_copy

from erpops import load, ticketsummary
from erpops.checks import diagnostics
from erpops.site.plugin import ErpopsPlugin

# The page store and the caches as on a developer's machine (off in CI unless asked for).
LOCAL = {k: v for k, v in ENV.items() if k not in ("CI", "ERPOPS_CACHE")}
DIRTY = [sys.executable, "-m", "mkdocs", "build", "--dirty", "--no-strict"]
PAST = 1_700_000_000


def _errors(stderr: str) -> list[str]:
    """The erpops findings of a failed build, without MkDocs' own lines."""
    return [ln for ln in stderr.splitlines() if re.match(r"\S+\.(yaml|md):\d+", ln.strip())]


def _break_rule(root) -> None:
    path = root / XSS_TICKET
    path.write_text(path.read_text("utf-8").replace("assignee: chi-shengfeng\n", "assignee: no-such-person\n", 1),
                    "utf-8")


def test_a_dirty_build_fails_on_a_broken_rule_as_a_cold_build_does(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    first = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env=LOCAL)
    assert first.returncode == 0, first.stderr
    assert (root / ".erpops-cache").is_dir()  # the warm check's cache was written
    _break_rule(root)
    warm = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env=LOCAL)
    cold = subprocess.run(DIRTY, cwd=root, capture_output=True, text=True, env={**LOCAL, "ERPOPS_CACHE": "0"})
    assert warm.returncode == cold.returncode == 1
    assert _errors(warm.stderr) == _errors(cold.stderr) != []
    assert any("no-such-person" in ln for ln in _errors(warm.stderr))


def test_serve_rebuilds_read_the_edited_ticket_only_and_find_what_a_cold_check_finds(tmp_path, monkeypatch):
    for name in ("CI", "ERPOPS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ERPOPS_NOW", ENV["ERPOPS_NOW"])
    monkeypatch.setenv("ERPOPS_TODAY", ENV["ERPOPS_TODAY"])
    root = real_data_copy(tmp_path / "ops")
    for p in (root / "tickets").rglob("*.yaml"):
        os.utime(p, (PAST, PAST))
    plugin = ErpopsPlugin()  # one object across rebuilds, as `mkdocs serve` keeps it
    repo, found, _count = plugin._load(root)
    assert plugin.kept.reread is None and sorted(found) == sorted(diagnostics(load.load(root)))
    _break_rule(root)
    # The warm check trusts its cache: the model is its own (the settled tickets as stubs), the kept
    # one is not consulted.
    repo, found, _count = plugin._load(root)
    assert plugin.kept.reread is None
    cold = diagnostics(load.load(root))
    assert sorted(found) == sorted(cold) and any(d.is_error for d in found)
    assert [ticketsummary.full(tk) for tk in repo.tickets] == load.load(root).tickets
    assert XSS_TICKET in {tk.src.path for tk in repo.tickets if type(tk) is not ticketsummary.Settled}
    # A roster edit: every ticket's findings may change, a cold check, and the kept model reads
    # again only the ticket file changed since it was made.
    people = root / "roster/people.yaml"
    people.write_text(people.read_text("utf-8") + "# a comment\n", "utf-8")
    repo, found, _count = plugin._load(root)
    assert plugin.kept.reread == [XSS_TICKET]
    assert sorted(found) == sorted(diagnostics(load.load(root)))
    assert repo.tickets == load.load(root).tickets


def test_a_cold_build_loads_the_repository_once_for_the_check_and_the_pages(tmp_path, monkeypatch):
    from erpops import checkcache

    for name in ("CI", "ERPOPS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    root = real_data_copy(tmp_path / "ops")
    calls = []

    def loader(r):
        calls.append(r)
        return load.load(r)

    found, count, repo = checkcache.check_loading(root, loader)  # no cache yet: cold, filling it
    assert len(calls) == 1 and (found, count) == checkcache.check(root) and repo.files == count
    found, count, repo = checkcache.check_loading(root, loader)  # warm
    assert len(calls) == 2 and sorted(found) == sorted(diagnostics(load.load(root)))


EDITED = "tickets/after-sales/2026/AFS-20260918-25UA.yaml"  # closed, key-user tier, opened 2026


def _outputs(site) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def _retitle(root) -> None:
    path = root / EDITED
    path.write_text(path.read_text("utf-8").replace("title: 服务单如何关联原销售发货单\n",
                                                    "title: 服务单如何关联原销售发货单（补充）\n", 1), "utf-8")


def test_a_second_dirty_build_writes_the_edited_ticket_and_the_pages_that_show_it_as_a_cold_build_does(tmp_path):
    root, site, cold_site = demo_copy(tmp_path / "ops"), tmp_path / "site", tmp_path / "cold"
    first = subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, text=True, env=LOCAL)
    assert first.returncode == 0, first.stderr
    before = _outputs(site)
    _retitle(root)
    second = subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, text=True, env=LOCAL)
    assert second.returncode == 0, second.stderr
    after = _outputs(site)
    assert set(after) == set(before)
    written = sorted(rel for rel in after if after[rel] != before[rel])
    # The ticket's page, its lists (status, tier, subsystem: the row shows the title), the search index
    # and the search worker (written every build); not the other 40 tickets, not the home page and the
    # ticket index (they list open tickets only), not 404.html, not the sitemap.
    assert written == ["assets/javascripts/workers/erpops-search.js", "search/search_index.json",
                       "tickets/after-sales/2026/AFS-20260918-25UA/index.html",
                       "tickets/status/closed/index.html", "tickets/subsystem/after-sales/index.html",
                       "tickets/tier/key-user/index.html"], written
    cold = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(cold_site)], cwd=root,
                          capture_output=True, text=True, env={**LOCAL, "ERPOPS_CACHE": "0"})
    assert cold.returncode == 0, cold.stderr
    for rel in written[2:]:
        assert (site / rel).read_bytes() == (cold_site / rel).read_bytes(), rel
    # The index too: the edited page's entries where its old ones were, the others as they were.
    assert (site / "search/search_index.json").read_bytes() == (cold_site / "search/search_index.json").read_bytes()


def test_a_dirty_build_after_a_page_appears_writes_the_sitemap_again(tmp_path):
    root, site = demo_copy(tmp_path / "ops"), tmp_path / "site"
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    sitemap = (site / "sitemap.xml").stat().st_mtime_ns
    (root / "docs" / "extra.md").write_text("# 另一页\n", "utf-8")
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    assert (site / "sitemap.xml").stat().st_mtime_ns != sitemap and (site / "extra/index.html").is_file()


def test_a_dirty_build_after_mkdocs_yml_changes_writes_the_sitemap_and_404_again(tmp_path):
    """The same pages on the same day, but a site_url set: the sitemap's addresses and the 404 page
    are made again (the last build's SITE_WIDE_MARK was made from the old mkdocs.yml)."""
    root, site = demo_copy(tmp_path / "ops"), tmp_path / "site"
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    again = subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL)
    assert again.returncode == 0
    marks = {rel: (site / rel).stat().st_mtime_ns for rel in ("sitemap.xml", "404.html", ".erpops-site-wide")}
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "site_url:" not in text
    config.write_text("site_url: https://ops.example.invalid/new/\n" + text, "utf-8")
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    assert all((site / rel).stat().st_mtime_ns != when for rel, when in marks.items())
    assert "https://ops.example.invalid/new/" in (site / "sitemap.xml").read_text("utf-8")


def test_the_left_out_pages_urls_and_outputs_are_those_mkdocs_gives_them():
    from mkdocs.structure.files import File

    from erpops.site import dirty

    for uri in ("index.md", "tickets/index.md", "tickets/hr/2024/HR-20240429-VPRO.md", "tickets/status/closed/2024-2.md",
                "运维/说明.md", "guide/README.md", "README.md", "a/index.md", "a/.md", ".md", "a/b.c.md", "a b/c.md",
                "a/b~c_d.md", "x.markdown"):
        for directory_urls in (True, False):
            f = File(uri, src_dir=None, dest_dir="/site", use_directory_urls=directory_urls)
            assert (dirty.dest_uri(uri, directory_urls), dirty.url(uri, directory_urls)) == (f.dest_uri, f.url), uri
    assert dirty.nav_uris(["index.md", {"规则": ["rules/index.md", {"x": "https://example.org/"}]}, {"y": "/abs.md"}]) \
        == {"index.md", "rules/index.md"}


# First lines of Markdown pages: the title a render gives them, and whether the first line alone tells it.
HEADINGS = {
    "# 管理员入门\n\n正文。\n": True,
    "# 在 GitLab、Gitea/Forgejo 上使用，以及没有 Pages 时发布网站\n正文紧接着标题。\n": True,
    "\n\n# 含 **粗体**、`代码` 与 A & B <b>标签</b>\n\n正文。\n": True,
    "# 标题 #\n": True,
    "#  两个  空格  \n": True,
    "# [参考链接][ref] 之后\n\n[ref]: https://example.invalid/\n": False,
    "# 脚注[^1]\n\n[^1]: 说明。\n": False,
    "Setext 标题\n=========\n\n正文。\n": False,
    "正文在前。\n\n# 后面的标题\n": False,
    "#\n": False,
}


def _site_config(root):
    from mkdocs.config import load_config

    from erpops.site.plugin import SAFE_MARKDOWN

    config = load_config(config_file=str(root / "mkdocs.yml"))
    config.markdown_extensions.append(SAFE_MARKDOWN)  # as the plugin's on_config adds it
    return config


def test_a_pages_first_heading_line_gives_the_title_a_render_of_the_whole_page_gives(tmp_path):
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from erpops.site.dirty import HeadingTitles

    config = _site_config(demo_copy(tmp_path / "ops"))
    titles = HeadingTitles(config)
    for source, told in HEADINGS.items():
        page = Page(None, File("guide/some-page.md", src_dir=None, dest_dir="/site", use_directory_urls=True), config)
        page.markdown, page.meta = source, {}
        page.render(config, Files([]))
        title = titles(source)
        assert (title is not None) == told, source
        if told:
            assert title == page.title == page._title_from_render, source
    assert titles("\n\n# 含 **粗体**、`代码` 与 A & B <b>标签</b>\n") == "含 粗体、代码 与 A &amp; B &lt;b&gt;标签&lt;/b&gt;"


NAV_PAGES = {  # docs/ pages added to the nav: their source and the title MkDocs gives them
    "extra/markup.md": ("# 含 **粗体** 与 `代码` & 符号\n\n正文。\n", "含 粗体 与 代码 &amp; 符号"),
    "extra/setext.md": ("Setext 标题\n=========\n\n正文。\n", "Setext 标题"),
    "extra/ref.md": ("# 见[说明][r]\n\n[r]: ../guide/index.md\n", "见说明"),
    "extra/meta.md": ("---\ntitle: 头信息里的标题\n---\n\n# 正文标题\n", "头信息里的标题"),
    "extra/no-heading.md": ("只有正文。\n", "No heading"),
}


def _nav_titles(page_html: str) -> list[str]:
    nav = page_html[page_html.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[:nav.index('<div class="md-sidebar md-sidebar--secondary"')]  # the primary nav and its sections
    return [" ".join(re.sub(r"<[^>]+>", "", m).split())
            for m in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.DOTALL)]


def test_a_page_a_dirty_build_writes_shows_every_nav_pages_title_as_a_full_build_does(tmp_path):
    root, site, cold_site = demo_copy(tmp_path / "ops"), tmp_path / "site", tmp_path / "cold"
    for rel, (source, _title) in NAV_PAGES.items():
        (root / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / rel).write_text(source, "utf-8")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "      - cli.md\n" in text
    config.write_text(text.replace("      - cli.md\n", "      - cli.md\n" + "".join(f"      - {rel}\n" for rel in NAV_PAGES),
                                   1), "utf-8")
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    _retitle(root)
    second = subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, text=True, env=LOCAL)
    assert second.returncode == 0, second.stderr
    cold = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(cold_site)], cwd=root,
                          capture_output=True, text=True, env={**LOCAL, "ERPOPS_CACHE": "0"})
    assert cold.returncode == 0, cold.stderr
    for rel in ("tickets/after-sales/2026/AFS-20260918-25UA/index.html", "tickets/status/closed/index.html"):
        dirty_page, cold_page = ((s / rel).read_text("utf-8") for s in (site, cold_site))
        shown = _nav_titles(dirty_page)
        assert [t for _s, t in NAV_PAGES.values()] == shown[-len(NAV_PAGES):], repr(shown)
        assert shown == _nav_titles(cold_page) and "None" not in shown
        assert dirty_page == cold_page
    # The pages not rebuilt are not written.
    assert (site / "extra/markup/index.html").stat().st_mtime_ns < (site / rel).stat().st_mtime_ns


def test_jiebas_cuts_are_kept_under_the_words_and_dictionaries_they_were_cut_with(tmp_path):
    from erpops.site import cutcache

    key = cutcache.key(["审批流", "杨起运"])
    assert key == cutcache.key(["审批流", "杨起运"])
    assert len({key, cutcache.key(["杨起运", "审批流"]), cutcache.key(["审批流"]),
                cutcache.key(["审批流", "杨起运"], (str(tmp_path / "user.txt"),))}) == 4
    user = tmp_path / "user.txt"
    user.write_text("审批流 10\n", "utf-8")
    with_user = cutcache.key(["审批流"], (str(user),))
    user.write_text("审批流 20\n", "utf-8")
    os.utime(user, ns=(PAST * 10**9, PAST * 10**9))
    assert cutcache.key(["审批流"], (str(user),)) != with_user  # the user dictionary changed
    folder = tmp_path / ".erpops-cache" / "site"
    assert cutcache.load(folder, key) == {}  # none yet
    cuts = {("审批流程".encode(), False, True, False): ("审批流", "程")}
    cutcache.save(folder, key, cuts)
    assert cutcache.load(folder, key) == cuts
    assert cutcache.load(folder, cutcache.key(["审批流"])) == {}  # other words: other cuts
    (folder / cutcache.NAME).write_bytes(b"\x00not marshal")
    assert cutcache.load(folder, key) == {}


MEMO_PROBE = """
import jieba
from erpops.site import search
search._UNTAUGHT[:] = ["审批流"]
memo = search.memoise_jieba({("甲乙丙".encode(), False, True, False): ("甲", "乙丙")})
print(list(jieba.cut("甲乙丙".encode())), jieba.dt.initialized, search.untaught())
print(list(jieba.cut("审批流".encode())), jieba.dt.initialized, search.untaught(), len(memo))
"""


def test_a_run_cut_by_the_last_build_is_taken_from_its_cuts_and_a_new_run_is_cut_after_this_builds_words():
    out = subprocess.run([sys.executable, "-c", MEMO_PROBE], capture_output=True, text=True, env=LOCAL, check=True)
    first, second = out.stdout.splitlines()
    assert first == "['甲', '乙丙'] False ['审批流']"  # jieba's dictionary not loaded
    assert second == "['审批流'] True [] 2"  # jieba alone: 审批 / 流


def test_a_dirty_build_indexes_a_rebuilt_page_with_the_cuts_a_cold_build_makes(tmp_path):
    """The last build's cuts stand in for jieba where the runs are the same: the index entries of a
    ticket page a dirty build writes, with a new run in the edit and without, are a cold build's."""
    from erpops.site import cutcache

    root, site, cold_site = demo_copy(tmp_path / "ops"), tmp_path / "site", tmp_path / "cold"
    assert subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, env=LOCAL).returncode == 0
    kept = root / ".erpops-cache" / "site" / cutcache.NAME
    assert kept.is_file()
    for title in ("服务单如何关联原销售发货单（补充）", "服务单如何关联原销售发货单（鳄鱼翡翠）"):
        path = root / EDITED
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"title: 服务单如何关联原销售发货单.*\n", f"title: {title}\n", text, count=1), "utf-8")
        second = subprocess.run(DIRTY + ["-d", str(site)], cwd=root, capture_output=True, text=True, env=LOCAL)
        assert second.returncode == 0, second.stderr
        cold = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(cold_site)], cwd=root,
                              capture_output=True, text=True, env={**LOCAL, "ERPOPS_CACHE": "0"})
        assert cold.returncode == 0, cold.stderr
        entries = [[e for e in json.loads((s / "search/search_index.json").read_text("utf-8"))["docs"]
                    if e["location"].startswith("tickets/after-sales/2026/AFS-20260918-25UA/")] for s in (site, cold_site)]
        assert entries[0] == entries[1] != [] and title in entries[0][0]["title"].replace("\u200b", "")


class _Index:
    """Material's search index as keep_unchanged_entries sees it (material/plugins/search/plugin.py)."""

    def __init__(self, entries):
        self.entries = entries

    def generate_search_index(self, prev):
        return json.dumps({"config": {"lang": ["zh"], "separator": "[\\s\\u200b]+"}, "docs": self.entries},
                          separators=(",", ":"), default=str)


class _Search:
    def __init__(self, entries):
        self.search_index, self.search_index_prev = _Index(entries), None


def test_splicing_the_last_index_puts_a_rebuilt_pages_entries_in_place_of_its_old_ones(tmp_path):
    from types import SimpleNamespace

    from erpops.site import search

    last = [{"location": "", "title": "首页", "text": "<p>含 \"引号\" 与 {\"location\":\"x\"}</p>"},
            {"location": "tickets/a/", "title": "A", "text": "旧"},
            {"location": "tickets/a/#history", "title": "记录", "text": "旧"},
            {"location": "tickets/gone/", "title": "G", "text": "", "boost": 2.0},
            {"location": "%E8%BF%90%E7%BB%B4/", "title": "运维", "text": "\\ 反斜杠"},
            {"location": "运维/说明/", "title": "说明", "text": "x", "tags": ["标签"]},
            {"location": "tickets/b/", "title": "B", "text": "留下"}]
    (tmp_path / "search").mkdir()
    pages = {"./", "tickets/a/", "tickets/new/", "%E8%BF%90%E7%BB%B4/", "运维/说明/", "tickets/b/"}
    a_new = [{"location": "tickets/a/", "title": "A", "text": "新"}, {"location": "tickets/a/#x", "title": "X", "text": "新"}]
    new_page = [{"location": "tickets/new/", "title": "N", "text": "新页"}]
    cases = [  # (this build's entries, the pages rebuilt, the locations written)
        (a_new, {"tickets/a/"}, ["", "tickets/a/", "tickets/a/#x", "%E8%BF%90%E7%BB%B4/", "运维/说明/", "tickets/b/"]),
        ([], {"tickets/a/"}, ["", "%E8%BF%90%E7%BB%B4/", "运维/说明/", "tickets/b/"]),  # now excluded from search
        ([], set(), ["", "tickets/a/", "tickets/a/#history", "%E8%BF%90%E7%BB%B4/", "运维/说明/", "tickets/b/"]),
        (new_page + a_new, {"tickets/new/", "tickets/a/"},
         ["", "tickets/a/", "tickets/a/#x", "%E8%BF%90%E7%BB%B4/", "运维/说明/", "tickets/b/", "tickets/new/"]),
    ]
    for new, rebuilt, expected in cases:
        written = {}
        for splice in (False, True):
            plugin = _Search([dict(e) for e in new])
            (tmp_path / "search" / "search_index.json").write_text(_Index(last).generate_search_index(None), "utf-8")
            config = SimpleNamespace(site_dir=str(tmp_path), plugins={"search": plugin})
            search.keep_unchanged_entries(config, rebuilt, pages, splice=splice)
            written[splice] = json.loads(plugin.search_index.generate_search_index(None))
        assert [e["location"] for e in written[True]["docs"]] == expected, rebuilt
        key = lambda e: json.dumps(e, sort_keys=True)  # noqa: E731
        assert written[True]["config"] == written[False]["config"]
        assert sorted(written[True]["docs"], key=key) == sorted(written[False]["docs"], key=key)  # as merging them
        assert written[True]["docs"][0] == last[0] and {"boost": 2.0} not in written[True]["docs"]
    assert search._entries('{"config":{},"docs":[{"title":"x","location":"a/"}]}') is None


def test_nav_pages_are_rendered_for_their_titles_only_where_the_heading_line_cannot_tell_or_another_plugin_reads_them(
        tmp_path, monkeypatch):
    from types import SimpleNamespace

    from mkdocs.commands import build
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    root = demo_copy(tmp_path / "ops")
    docs = root / "docs"
    (docs / "a.md").write_text("# 标题甲\n\n正文。\n", "utf-8")
    (docs / "b.md").write_text("标题乙\n=====\n", "utf-8")
    (docs / "c.md").write_text("---\ntitle: 标题丙\n---\n正文。\n", "utf-8")
    config = _site_config(root)
    plugin = config.plugins["erpops"]
    files = Files([File(name, str(docs), str(tmp_path / "site"), True) for name in ("a.md", "b.md", "c.md")])
    rendered = []
    monkeypatch.setattr(build, "_populate_page", lambda page, config, files, dirty=False: rendered.append(page.file.src_uri))

    def read():
        rendered.clear()
        plugin.nav = SimpleNamespace(pages=[Page(None, f, config) for f in files])
        plugin._read_nav_pages(config, files)
        return rendered, [p.title for p in plugin.nav.pages]

    assert read() == (["b.md"], ["标题甲", "B", "标题丙"])  # b: the (stubbed) render would give its title
    config.plugins.events["page_markdown"].append(lambda markdown, **kwargs: markdown)  # another plugin's
    assert read()[0] == ["a.md", "b.md"]


def test_a_build_with_the_templates_code_kept_writes_the_pages_a_build_without_writes(tmp_path):
    """The second build takes every template's code from the user's Jinja2 folder (moved into the
    test's folder by TMPDIR); its pages are byte for byte those of a build in CI (no caches)."""
    root = real_data_copy(tmp_path / "ops")
    user = {**LOCAL, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    build = [sys.executable, "-m", "mkdocs", "build", "-q", "--no-strict", "-d"]
    for site in ("first", "second"):
        done = subprocess.run(build + [str(tmp_path / site)], cwd=root, capture_output=True, text=True, env=user)
        assert done.returncode == 0, done.stderr
    kept = list((tmp_path / "tmp" / f"_jinja2-cache-{os.getuid()}").iterdir())
    assert all(p.name.startswith("__erpops_") for p in kept)
    # One set of files per environment: the theme's (Material's templates, dozens), our Markdown
    # and our HTML templates.
    by_env = Counter(p.name.split("_")[3] for p in kept)
    assert len(by_env) == 3 and max(by_env.values()) > 20
    (tmp_path / "ci-tmp").mkdir()
    ci = subprocess.run(build + [str(tmp_path / "ci")], cwd=root, capture_output=True, text=True,
                        env={**ENV, "CI": "true", "TMPDIR": str(tmp_path / "ci-tmp")})
    assert ci.returncode == 0, ci.stderr
    assert not list((tmp_path / "ci-tmp").glob("_jinja2-cache-*"))  # (jieba keeps its dictionary there)
    pages = sorted(p.relative_to(tmp_path / "ci").as_posix() for p in (tmp_path / "ci").rglob("*.html"))
    assert len(pages) > 30
    assert pages == sorted(p.relative_to(tmp_path / "second").as_posix() for p in (tmp_path / "second").rglob("*.html"))
    for page in pages:
        assert (tmp_path / "second" / page).read_bytes() == (tmp_path / "ci" / page).read_bytes(), page


def test_the_page_store_is_not_kept_through_a_linked_cache_folder(tmp_path):
    """A .erpops-cache, or its site folder, that is a link: the build writes no page there (the
    site is built as without the cache); unlinked, the store's folder is ignored by Git."""
    root = real_data_copy(tmp_path / "ops")
    build = [sys.executable, "-m", "mkdocs", "build", "-q", "--no-strict", "-d"]
    plain = subprocess.run(build + [str(tmp_path / "plain")], cwd=root, capture_output=True, text=True, env=LOCAL)
    assert plain.returncode == 0, plain.stderr
    assert (root / ".erpops-cache/.gitignore").read_text("utf-8") == "*\n"
    assert list((root / ".erpops-cache/site").glob("zh-internal/tickets/**/*.md"))
    for linked in (".erpops-cache/site", ".erpops-cache"):
        shutil.rmtree(root / ".erpops-cache")
        elsewhere = tmp_path / f"elsewhere-{linked.count('/')}"
        elsewhere.mkdir()
        (root / linked).parent.mkdir(parents=True, exist_ok=True)
        (root / linked).symlink_to(elsewhere, target_is_directory=True)
        site = tmp_path / f"site-{linked.count('/')}"
        done = subprocess.run(build + [str(site)], cwd=root, capture_output=True, text=True, env=LOCAL)
        assert done.returncode == 0, done.stderr
        assert not list(elsewhere.rglob("*.md")) and not list(elsewhere.rglob("keys.marshal")), linked
        assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) == \
            sorted(p.relative_to(tmp_path / "plain").as_posix() for p in (tmp_path / "plain").rglob("*.html"))
        (root / linked).unlink()
