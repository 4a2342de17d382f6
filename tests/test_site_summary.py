"""The site's warm model (checkcache.check_loading(summaries=True), erpops.ticketsummary): the settled
tickets whose files did not change come from the warm check's cache as stubs, the others are read in
full; a --dirty build after an edit gives the site a cold full build gives, byte for byte."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import types

import pytest
from site_repo import ENV, demo_copy

from erpops import checkcache, load, ticketindex, ticketsummary
from erpops.i18n import t
from erpops.site import pages
from erpops.site.plugin import ErpopsPlugin
from erpops.site.sections import tickets

LOCAL = {k: v for k, v in ENV.items() if k not in ("CI", "ERPOPS_CACHE")}
COLD = {**LOCAL, "ERPOPS_CACHE": "0"}
CLOSED = "tickets/quality/2026/QLT-20260903-EHHZ.yaml"  # closed, no runbook
RESOLVED = "tickets/materials/2026/MAT-20260922-U4Z5.yaml"  # awaiting its reporter's confirmation
WITH_RUNBOOK = "tickets/hr/2026/HR-20260909-LEUH.yaml"  # closed, links backup-restore
UNSETTLED = 7  # the demo's open, escalated and resolved tickets: read in full every build
TOTAL = 41


def _demo(root):
    """The demo organisation without the caches another test's run may have left in the fixture."""
    demo_copy(root)
    shutil.rmtree(root / ".erpops-cache", ignore_errors=True)
    return root


def _mkdocs(root, site, *, dirty: bool, env=LOCAL) -> str:
    cmd = [sys.executable, "-m", "mkdocs", "build", "-d", str(site)] + (["--dirty", "--no-strict"] if dirty else [])
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _cold(root, site):
    """The site as a full build without any cache makes it."""
    _mkdocs(root, site, dirty=False, env=COLD)
    return site


def _erpops(root, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "erpops", *args], cwd=root, capture_output=True, text=True,
                          env=LOCAL)
    assert done.returncode == 0, done.stderr


def _model_line(full: int, settled: int) -> str:
    return t("site.info-model", "zh", full=full, settled=settled)


def _files(site) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _same_site(dirty, cold, stale: tuple = ()) -> None:
    """Every file the same bytes; the search index the same entries (a --dirty build merges the
    unchanged pages' entries back after the rebuilt ones: search.keep_unchanged_entries). `stale`:
    the pages of deleted files, which MkDocs leaves in the site folder (it deletes only with --clean)."""
    a, b = _files(dirty), _files(cold)
    assert sorted(set(a) - set(b)) == sorted(stale) and set(b) <= set(a)
    for rel in b:
        if rel == "search/search_index.json":
            x, y = json.loads(a[rel]), json.loads(b[rel])
            key = lambda e: (e["location"], e["title"], e["text"])  # noqa: E731
            assert x["config"] == y["config"] and sorted(x["docs"], key=key) == sorted(y["docs"], key=key)
        else:
            assert a[rel] == b[rel], rel


def _replace(root, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _comment(root):
    _erpops(root, "ticket", "comment", "QLT-20260903-EHHZ", "--note", "补充：<b>已核对</b>", "--by", "yang-qiyun",
            "--at", "2026-11-24T10:00:00+08:00")


def _reopen(root):
    _erpops(root, "ticket", "reopen", "QLT-20260903-EHHZ", "--note", "又出现了", "--by", "niu-chun",
            "--at", "2026-11-24T10:00:00+08:00")


def _close(root):
    _erpops(root, "ticket", "close", "MAT-20260922-U4Z5", "--by", "du-yangyang", "--at", "2026-11-24T10:00:00+08:00")


def _new(root):
    text = (root / CLOSED).read_text("utf-8").replace("QLT-20260903-EHHZ", "QLT-20261120-K7QF")
    (root / CLOSED).with_name("QLT-20261120-K7QF.yaml").write_text(text.replace("2026-09-03", "2026-11-20"), "utf-8")


def _delete(root):
    (root / CLOSED).unlink()


def _runbook_title(root):
    _replace(root, "runbooks/common/backup-restore.md", "title: 数据备份与恢复", "title: 数据备份与恢复（新版）")


def _roster(root):
    _replace(root, "roster/people.yaml", "name: 牛春", "name: 牛春春")


def _touch(root):
    later = time.time() - 3600
    os.utime(root / CLOSED, (later, later))


# Each edit, and the tickets the dirty build after it reads in full, of all it has.
EDITS = {
    "comment on a closed ticket": (_comment, UNSETTLED + 1, TOTAL),
    "reopen a closed ticket": (_reopen, UNSETTLED + 1, TOTAL),
    "close a resolved ticket": (_close, UNSETTLED, TOTAL),  # read in full anyway: it was unfinished
    "a new ticket": (_new, UNSETTLED + 1, TOTAL + 1),
    "a deleted ticket": (_delete, UNSETTLED, TOTAL - 1),
    "a runbook's title": (_runbook_title, TOTAL, TOTAL),  # a cold check: the full load
    "a roster change": (_roster, TOTAL, TOTAL),  # as cold, and every page made again
    "a touch without change": (_touch, UNSETTLED + 1, TOTAL),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_dirty_build_after_an_edit_gives_the_cold_full_build_site(tmp_path, edit):
    change, full, total = EDITS[edit]
    root, site = _demo(tmp_path / "ops"), tmp_path / "site"
    first = _mkdocs(root, site, dirty=True)  # no cache yet: a cold check, the full model
    assert _model_line(TOTAL, 0) in first
    again = _mkdocs(root, site, dirty=True)  # nothing changed: the settled tickets are stubs
    assert _model_line(UNSETTLED, TOTAL - UNSETTLED) in again
    page = site / "tickets/quality/2026/QLT-20260903-EHHZ/index.html"
    written = page.stat().st_mtime_ns if page.exists() else None
    change(root)
    stderr = _mkdocs(root, site, dirty=True)
    assert _model_line(full, total - full) in stderr, stderr
    _same_site(site, _cold(root, tmp_path / "cold"),
               ("tickets/quality/2026/QLT-20260903-EHHZ/index.html",) if edit == "a deleted ticket" else ())
    if edit == "a touch without change":  # read, same digest: its page kept, not written again
        assert page.stat().st_mtime_ns == written


def test_a_racy_entry_is_read_in_full_every_warm_build(tmp_path):
    """A ticket file whose mtime is not older than the cache's writing may change again unseen
    (ticketindex.racy): never a stub, whatever the cache holds."""
    root, site = _demo(tmp_path / "ops"), tmp_path / "site"
    ahead = time.time() + 3600
    os.utime(root / CLOSED, (ahead, ahead))
    _mkdocs(root, site, dirty=True)
    for _ in range(2):
        assert _model_line(UNSETTLED + 1, TOTAL - UNSETTLED - 1) in _mkdocs(root, site, dirty=True)
    _same_site(site, _cold(root, tmp_path / "cold"))


def test_a_stub_whose_page_the_store_lost_reads_its_file_for_the_page(tmp_path):
    root, site = _demo(tmp_path / "ops"), tmp_path / "site"
    _mkdocs(root, site, dirty=True)
    (root / ".erpops-cache/site/zh-internal/tickets/quality/2026/QLT-20260903-EHHZ.md").unlink()
    (site / "tickets/quality/2026/QLT-20260903-EHHZ/index.html").unlink()
    assert _model_line(UNSETTLED + 1, TOTAL - UNSETTLED - 1) in _mkdocs(root, site, dirty=True)
    _same_site(site, _cold(root, tmp_path / "cold"))


def _warm(root, monkeypatch):
    for name in ("CI", "ERPOPS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ERPOPS_NOW", ENV["ERPOPS_NOW"])
    monkeypatch.setenv("ERPOPS_TODAY", ENV["ERPOPS_TODAY"])
    calls = []

    def loader(r):
        calls.append(r)
        return load.load(r)

    checkcache.check_loading(root, loader, summaries=True)  # cold: fills the cache
    found, count, repo = checkcache.check_loading(root, loader, summaries=True)
    assert len(calls) == 1  # the warm model is the check's own
    return found, count, repo


def test_a_stub_has_what_the_site_reads_of_its_ticket(tmp_path, monkeypatch):
    root = _demo(tmp_path / "ops")
    found, count, repo = _warm(root, monkeypatch)
    cold = load.load(root)
    assert (sorted(found), count) == (sorted(checkcache._cold(cold, None)), cold.files)
    assert [tk.src.path for tk in repo.tickets] == [tk.src.path for tk in cold.tickets]
    stubs = ticketsummary.stubs(repo.tickets)
    assert len(stubs) == TOTAL - UNSETTLED and {tk.status for tk in stubs} == {"closed", "cancelled"}
    assert {tk.src.path for tk in stubs} >= {CLOSED, WITH_RUNBOOK}
    full = {tk.src.path: tk for tk in cold.tickets}
    ctx, cold_ctx = pages.context(repo), pages.context(cold)
    for tk in stubs:
        real = full[tk.src.path]
        for attr in ("id", "title", "subsystem", "type", "priority", "status", "tier", "assignee", "opened",
                     "runbooks", "feedback"):
            assert getattr(tk, attr) == getattr(real, attr), (tk.src.path, attr)
        assert (tk.hold is None) == (real.hold is None) and (tk.hold is None or tk.hold.reason == real.hold.reason)
        assert tickets._fields(tk, {}) == tickets._fields(real, {})
        assert tickets.ticket_key(ctx, tk, "") == tickets.ticket_key(cold_ctx, real, "")
        assert ticketsummary.full(tk) == real
    for day in ("2026-11-25", "2027-09-10", "2027-12-31"):  # archived as the full ticket is, any day
        today = dt.date.fromisoformat(day)
        assert [tickets.archived(tk, today) for tk in stubs] == [tickets.archived(full[tk.src.path], today)
                                                                 for tk in stubs]


def test_pages_made_from_the_warm_model_are_those_of_the_full_one(tmp_path, monkeypatch):
    root = _demo(tmp_path / "ops")
    _found, _count, repo = _warm(root, monkeypatch)
    assert ticketsummary.stubs(repo.tickets)
    before = ticketsummary.loaded
    assert pages.build(repo) == pages.build(load.load(root))  # no store: every page made
    assert ticketsummary.loaded - before == TOTAL - UNSETTLED  # each stub's file read for its page


def test_the_full_model_where_the_store_lacks_many_stubs_pages(tmp_path, monkeypatch):
    root = _demo(tmp_path / "ops")
    _found, _count, repo = _warm(root, monkeypatch)
    plugin = ErpopsPlugin()
    plugin.load_config({})
    plugin.root, plugin.repo = root, repo
    kept = {tickets.path(tk): "x" for tk in repo.tickets}
    assert plugin._settle(types.SimpleNamespace(keys=kept)) == TOTAL - UNSETTLED and plugin.repo is repo
    monkeypatch.setattr(ticketindex, "MAX_STALE", 5)
    assert plugin._settle(types.SimpleNamespace(keys=dict(list(kept.items())[:-5]))) == TOTAL - UNSETTLED
    assert plugin._settle(types.SimpleNamespace(keys={})) == 0  # a first build: read them all at once
    assert plugin.repo.tickets == load.load(root).tickets
    plugin.repo = repo
    assert plugin._settle(None) == 0 and not ticketsummary.stubs(plugin.repo.tickets)  # no store
