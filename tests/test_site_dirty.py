"""The plugin's loading in a rebuild: the findings come from the warm check (checkcache) and, between
`mkdocs serve` rebuilds, the model from the kept one (erpops.site.reload); both equal a cold run's,
an edit that breaks a rule included."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

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
    index, cold_index = (json.loads((s / "search/search_index.json").read_text("utf-8")) for s in (site, cold_site))
    key = lambda e: (e["location"], e["title"], e["text"])  # noqa: E731
    assert sorted(index["docs"], key=key) == sorted(cold_index["docs"], key=key)


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
                "运维/说明.md", "guide/README.md"):
        for directory_urls in (True, False):
            f = File(uri, src_dir=None, dest_dir="/site", use_directory_urls=directory_urls)
            assert (dirty.dest_uri(uri, directory_urls), dirty.url(uri, directory_urls)) == (f.dest_uri, f.url), uri
    assert dirty.nav_uris(["index.md", {"规则": ["rules/index.md", {"x": "https://example.org/"}]}, {"y": "/abs.md"}]) \
        == {"index.md", "rules/index.md"}
