"""The model a `mkdocs serve` process keeps between rebuilds (erpops.site.reload): after an edit
it reads only the changed ticket files and gives what a full load gives."""
from __future__ import annotations

import os

from erpops import load
from erpops.site import pages
from erpops.site.reload import Kept
from test_site_tickets import OPEN, OPEN_PATH, TODAY, _repo
from test_site_incremental import NOW
from tickets_fixture import PATH, SIMPLE_PATH

PAST = 1_700_000_000  # 2023: ticket files older than any load, so none is racy


def _age(root) -> None:
    for p in (root / "tickets").rglob("*.yaml"):
        os.utime(p, (PAST, PAST))


def _same(kept_repo, root) -> None:
    full = load.load(root)
    assert [tk.src.path for tk in kept_repo.tickets] == [tk.src.path for tk in full.tickets]
    assert kept_repo.tickets == full.tickets
    assert {r: d.text for r, d in kept_repo.documents.items()} == {r: d.text for r, d in full.documents.items()}
    assert sorted(kept_repo.diagnostics) == sorted(full.diagnostics)
    assert pages.build(kept_repo, today=TODAY, now=NOW) == pages.build(full, today=TODAY, now=NOW)


def test_a_rebuild_reads_only_the_edited_ticket(repo):
    _repo(repo)
    _age(repo.root)
    kept = Kept()
    kept.load(repo.root)
    assert kept.reread is None  # the first load reads everything
    repo.write(OPEN_PATH, OPEN.replace("title: 月末结账按钮灰色", "title: 月末结账按钮变灰"))
    again = kept.load(repo.root)
    assert kept.reread == [OPEN_PATH]
    assert next(tk for tk in again.tickets if tk.src.path == OPEN_PATH).title == "月末结账按钮变灰"
    _same(again, repo.root)


def test_added_deleted_and_broken_tickets_as_a_full_load_has_them(repo):
    _repo(repo)
    _age(repo.root)
    kept = Kept()
    kept.load(repo.root)
    (repo.root / SIMPLE_PATH).unlink()
    repo.write("tickets/alpha/2026/ALP-20261102-NEW1.yaml", OPEN.replace("ALP-20261102-OPEN", "ALP-20261102-NEW1"))
    repo.write(PATH, "id: [unclosed\n")
    again = kept.load(repo.root)
    assert kept.reread == [PATH, "tickets/alpha/2026/ALP-20261102-NEW1.yaml"]
    assert SIMPLE_PATH not in {tk.src.path for tk in again.tickets}
    assert any(d.path == PATH and d.is_error for d in again.diagnostics)
    _same(again, repo.root)


def test_a_roster_edit_is_read_and_a_racy_file_is_read_again(repo):
    _repo(repo)
    kept = Kept()
    kept.load(repo.root)  # the files were just written: racy, read again next time
    repo.edit("roster/people.yaml", "name: 钱系统", "name: 钱大系统")
    again = kept.load(repo.root)
    assert sorted(kept.reread) == sorted(tk.src.path for tk in again.tickets)
    assert "钱大系统" in again.documents["roster/people.yaml"].text
    _same(again, repo.root)


def test_a_link_among_the_tickets_means_a_full_load(repo):
    _repo(repo)
    _age(repo.root)
    kept = Kept()
    kept.load(repo.root)
    os.symlink(repo.root / PATH, repo.root / "tickets/alpha/2026/ALP-20261102-LINK.yaml")
    again = kept.load(repo.root)
    assert kept.reread is None and any(d.rule == "file-symlink" for d in again.diagnostics)
