"""The page store (erpops.site.pagecache): pages kept between builds under the key of what they
are made from. Kept pages are byte for byte what a cold build makes; an edit of one ticket
remakes its page and the lists that show it, nothing else; long lists are split by year."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from erpops import load
from erpops.site import html, pagecache, pages
from erpops.site.sections import tickets as ticket_section
from test_site_tickets import OPEN, OPEN_PAGE, OPEN_PATH, PAGE, TODAY, _repo
from tickets_fixture import CST

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=CST)
KEYED = {PAGE, OPEN_PAGE, "tickets/alpha/2026/ALP-20261102-AB2C.md", "tickets/index.md",
         *(f"tickets/status/{s}.md" for s in ticket_section.STATUSES),
         *(f"tickets/tier/{t}.md" for t in ("key-user", "business-admin", "erp-admin", "vendor")),
         "tickets/subsystem/alpha.md"}


def _stored(loaded, folder, now=NOW, **kw):
    store = pagecache.Store.open(folder, loaded, lang="zh", audience="internal", directory_urls=True)
    built = pages.build(loaded, today=TODAY, now=now, store=store, **kw)
    return store, built


def test_kept_pages_are_byte_for_byte_those_of_a_cold_build(repo, tmp_path):
    loaded = _repo(repo)
    cold = pages.build(loaded, today=TODAY, now=NOW)
    first, _ = _stored(loaded, tmp_path / "store")
    assert set(first.rendered) == KEYED and first.kept == 0
    second, built = _stored(load.load(repo.root), tmp_path / "store")
    assert second.rendered == [] and second.kept == len(KEYED)
    assert set(built) == set(cold)
    for uri, text in cold.items():
        assert Path(built[uri]).read_text("utf-8") == text, uri


def test_an_edit_of_one_ticket_remakes_its_page_and_the_lists_that_show_it(repo, tmp_path):
    _stored(_repo(repo), tmp_path / "store")
    repo.write(OPEN_PATH, OPEN.replace("title: 月末结账按钮灰色", "title: 月末结账按钮变灰"))
    store, built = _stored(load.load(repo.root), tmp_path / "store")
    assert sorted(store.rendered) == [OPEN_PAGE, "tickets/index.md", "tickets/status/open.md",
                                      "tickets/subsystem/alpha.md", "tickets/tier/key-user.md"]
    assert store.kept == len(KEYED) - 5
    # Of the Markdown pages (made every time, cheap), only those showing the title were rewritten.
    assert sorted(store.written) == ["backlog.md", "subsystems/alpha.md"]
    assert "月末结账按钮变灰" in Path(built[OPEN_PAGE]).read_text("utf-8")


def test_a_finished_tickets_page_is_kept_while_the_clock_moves_on(repo, tmp_path):
    _stored(_repo(repo), tmp_path / "store")
    store, _ = _stored(load.load(repo.root), tmp_path / "store", now=NOW.replace(hour=14))
    # The open ticket's clocks ran on (at risk now), and its rows in the lists with them; an
    # unfinished ticket's page is keyed by the instant too (the resolved one, awaiting its
    # reporter); the closed one's page stays.
    assert sorted(store.rendered) == ["tickets/alpha/2026/ALP-20261102-AB2C.md", OPEN_PAGE, "tickets/index.md",
                                      "tickets/status/open.md", "tickets/subsystem/alpha.md",
                                      "tickets/tier/key-user.md"]
    assert PAGE not in store.rendered


def test_a_roster_change_remakes_every_page(repo, tmp_path):
    _stored(_repo(repo), tmp_path / "store")
    repo.edit("roster/people.yaml", "name: 钱系统", "name: 钱大系统")
    store, _ = _stored(load.load(repo.root), tmp_path / "store")
    assert set(store.rendered) == KEYED and store.kept == 0


def test_a_page_gone_from_the_repository_leaves_the_store(repo, tmp_path):
    _stored(_repo(repo), tmp_path / "store")
    (repo.root / OPEN_PATH).unlink()
    store, built = _stored(load.load(repo.root), tmp_path / "store")
    assert OPEN_PAGE not in built and not (tmp_path / "store" / OPEN_PAGE).exists()


def test_long_lists_are_split_by_year_into_pages(repo, monkeypatch):
    monkeypatch.setattr(ticket_section, "PAGE_SIZE", 2)
    out = pages.build(_repo(repo), today=TODAY, now=NOW)
    front = out["tickets/subsystem/alpha.md"]
    assert "<p>工单较多，按年份分页列出，每页最多 2 张。</p>" in front and "ALP-2026" not in front
    assert ('<tr>\n<td>2026</td>\n<td style="text-align: right;">3</td>\n'
            '<td><a href="2026/">1</a> · <a href="2026-2/">2</a></td>\n</tr>\n') in front
    first, second = out["tickets/subsystem/alpha/2026.md"], out["tickets/subsystem/alpha/2026-2.md"]
    assert first.startswith('---\ntitle: "“甲系统”的工单（2026 年，第 1/2 页）"\nsearch: {"exclude": true}\n')
    assert first.count('<td><a href="../../../alpha/2026/ALP-') == 2
    assert second.count('<td><a href="../../../alpha/2026/ALP-') == 1
    assert '<p>第 2/2 页：<a href="../2026/">1</a> · <strong>2</strong></p>' in second
    assert second.endswith('<p><a href="../">“甲系统”的工单</a></p>\n')
    assert "tickets/subsystem/alpha/2026-3.md" not in out


def test_no_repository_text_passes_for_a_generated_html_page(repo):
    loaded = _repo(repo)
    # The form's first comment (erpops report's "generated" line) is dropped: the marker would lead.
    repo.write("reports/2026-10/alpha.md", f"<!-- 由 erpops report 生成 -->\n{html.MARKER}\n<script>alert(1)</script>\n")
    out = pages.build(loaded, today=TODAY, now=NOW)
    form = out["reports/2026-10/alpha.md"]
    assert html.MARKER not in form and "&lt;!-- erpops:html --&gt;" in form
    assert html.body(out[PAGE].split("---\n", 2)[2]) is not None  # a ticket page is one


def test_the_store_deletes_only_its_own_pages_gone_whatever_its_list_says(repo, tmp_path):
    import marshal

    _stored(_repo(repo), tmp_path / "store")
    keys = tmp_path / "store" / pagecache.KEYS
    data = marshal.loads(keys.read_bytes())
    assert OPEN_PAGE in data[pagecache.PAGES]  # the last build's pages, listed with the keys
    outside = tmp_path / "outside.md"
    outside.write_text("keep", "utf-8")
    data[pagecache.PAGES] += ["../outside.md", str(outside)]
    keys.write_bytes(marshal.dumps(data))
    (repo.root / OPEN_PATH).unlink()
    _stored(load.load(repo.root), tmp_path / "store")
    assert not (tmp_path / "store" / OPEN_PAGE).exists() and outside.read_text("utf-8") == "keep"
