"""The five caches in .erpops-cache/ (parsed YAML, the check's, the ticket index, the hand-in answers,
jieba's cuts) go through doccache.write_cache/read_cache: a cache folder that is a link is never
written into nor read through, the folder gets a .gitignore of `*`, a file's older versions go, and a
cache file that is cut short is no cache: every command answers as it does with no cache at all."""
from __future__ import annotations

import datetime as dt
import marshal
import os
import shutil

import pytest

from erpops import checkcache, checks, doccache, load, ticketindex
from erpops.commands import ticket as ticket_cmd
from erpops.reports import handin
from erpops.site import cutcache

from generated_fixture import generated
from test_report_status import handed  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ERPOPS_CACHE", raising=False)


CUTS = {("审批流程".encode(), False, True, False): ("审批流", "程")}


class Kind:
    """One cache as its own module writes and reads it, on a root of its own."""

    def __init__(self, name, write, read, file, stale=None, sub=""):
        self.name, self.write, self.read, self.file, self.stale, self.sub = name, write, read, file, stale, sub


def _doc_write(root):
    cache = doccache.Cache(root, "ticket")
    cache.put(b"k" * 20, {"id": "X", "opened": dt.date(2026, 11, 20)})
    cache.save()


KINDS = [
    Kind("doccache", _doc_write, lambda root: doccache.Cache(root, "ticket").old or None,
         lambda root: doccache.Cache(root, "ticket").path, stale="ticket-0000000000000000.marshal"),
    Kind("checkcache", lambda root: checkcache._save(root, 1, b"context", {}), checkcache._read,
         checkcache.path, stale="check-0000000000000000.marshal"),
    Kind("ticketindex", lambda root: ticketindex.save(root, 1, {"tickets/a.yaml": ((1, 2, 3, 4), None)}),
         ticketindex._read, ticketindex.path, stale="index-0000000000000000.marshal"),
    Kind("handin", lambda root: handin._keep(root, {"head  2026-10": []}), lambda root: handin._kept(root) or None,
         lambda root: root / doccache.FOLDER / handin.KEPT),
    Kind("cutcache", lambda root: cutcache.save(root / doccache.FOLDER / "site", "key", CUTS),
         lambda root: cutcache.load(root / doccache.FOLDER / "site", "key") or None,
         lambda root: root / doccache.FOLDER / "site" / cutcache.NAME, sub="site"),
]
LINKED = [(k, where) for k in KINDS for where in ([doccache.FOLDER] + ([f"{doccache.FOLDER}/{k.sub}"] if k.sub else []))]


def _contents(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_cache_is_read_back_and_its_folder_gets_a_gitignore_of_star(tmp_path, kind):
    root = tmp_path / "ops"
    root.mkdir()
    assert kind.read(root) is None  # none yet
    kind.write(root)
    assert kind.file(root).is_file() and kind.read(root) is not None
    assert (root / doccache.FOLDER / ".gitignore").read_bytes() == b"*\n"


@pytest.mark.parametrize("kind, where", LINKED, ids=[f"{k.name}-{w}" for k, w in LINKED])
def test_a_cache_folder_that_is_a_link_is_neither_written_into_nor_read_through(tmp_path, kind, where):
    root, target = tmp_path / "ops", tmp_path / "elsewhere"
    (root / where).parent.mkdir(parents=True)
    target.mkdir()
    (root / where).symlink_to(target, target_is_directory=True)
    kind.write(root)
    assert list(target.iterdir()) == [] and (root / where).is_symlink()
    assert kind.read(root) is None
    # A good cache behind the link (written by another root) is not read either.
    other = tmp_path / "other"
    other.mkdir()
    kind.write(other)
    shutil.copytree(other / where, target, dirs_exist_ok=True)
    before = _contents(target)
    assert kind.read(root) is None
    kind.write(root)
    assert _contents(target) == before


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_cache_folder_that_is_a_dangling_link_is_left_alone(tmp_path, kind):
    root = tmp_path / "ops"
    root.mkdir()
    (root / doccache.FOLDER).symlink_to(tmp_path / "nowhere", target_is_directory=True)
    kind.write(root)
    assert kind.read(root) is None and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_older_versions_of_a_cache_file_are_removed_and_other_files_kept(tmp_path, kind):
    root = tmp_path / "ops"
    folder = kind.file(root).parent
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine\n")
    if kind.stale:
        (folder / kind.stale).write_bytes(marshal.dumps({}))
    kind.write(root)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([kind.file(root).name, "notes.txt"] + ([".gitignore"] if not kind.sub else []))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_cache_file_cut_short_or_that_is_a_link_is_no_cache(tmp_path, kind):
    root = tmp_path / "ops"
    root.mkdir()
    kind.write(root)
    path = kind.file(root)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert kind.read(root) is None
    kept = tmp_path / "kept.marshal"
    kept.write_bytes(whole)
    path.unlink()
    path.symlink_to(kept)  # O_NOFOLLOW: the file itself a link is not read
    assert kind.read(root) is None
    kind.write(root)  # the link is replaced, not written through
    assert not path.is_symlink() and kept.read_bytes() == whole and kind.read(root) is not None


# The commands over a generated organisation: the same answers as with no cache at all.

def _flat(found):
    return sorted((d.path, d.line, d.column, d.rule, d.severity, d.args, d.key) for d in found)


def _answers(root):
    """What the check, a full load and a one-ticket command (`erpops ticket …`) give."""
    found, files = checkcache.check(root)
    repo = load.load(root)
    docs = {r: (d.data, d.text) for r, d in repo.documents.items()}
    rel = sorted(tk.src.path for tk in repo.tickets)[5]
    one, tk = ticket_cmd.one(root, rel.rsplit("/", 1)[-1][:-5])
    text = (root / rel).read_text("utf-8")
    return (_flat(found), files, _flat(checks.diagnostics(repo)), docs, repo.tickets,
            tk, _flat(ticket_cmd.findings(one, rel, text)))


def _cold(root, monkeypatch):
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    out = _answers(root)
    monkeypatch.delenv("ERPOPS_CACHE")
    return out


@pytest.fixture
def ops(tmp_path, monkeypatch):
    return generated(tmp_path, monkeypatch, 30, seed=7, aged="**/*")


def test_a_linked_cache_folder_gives_the_answers_of_no_cache_and_stays_empty(ops, tmp_path, monkeypatch, parsed):
    cold = _cold(ops, monkeypatch)
    assert not (ops / doccache.FOLDER).exists()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (ops / doccache.FOLDER).symlink_to(target, target_is_directory=True)
    for _ in range(2):
        parsed.clear()
        assert _answers(ops) == cold
        assert list(target.iterdir()) == [] and len(set(parsed)) == 30  # nothing kept, every ticket read


def test_a_warm_cache_moved_behind_a_link_is_not_read(ops, tmp_path, monkeypatch, parsed):
    cold = _cold(ops, monkeypatch)
    assert _answers(ops) == cold
    names = {p.name.split("-")[0] for p in (ops / doccache.FOLDER).glob("*.marshal")}
    assert names == {"check", "index", "setup", "ticket"}
    target = tmp_path / "elsewhere"
    (ops / doccache.FOLDER).rename(target)
    (ops / doccache.FOLDER).symlink_to(target, target_is_directory=True)
    before = _contents(target)
    assert checkcache._read(ops) is None and ticketindex._read(ops) is None
    assert doccache.Cache(ops, "ticket").old == {}
    parsed.clear()
    assert _answers(ops) == cold and len(set(parsed)) == 30
    assert _contents(target) == before


def test_cache_files_cut_short_give_the_answers_of_no_cache_and_are_written_again(ops, monkeypatch, parsed):
    cold = _cold(ops, monkeypatch)
    assert _answers(ops) == cold
    files = sorted((ops / doccache.FOLDER).glob("*.marshal"))
    assert [p.name.split("-")[0] for p in files] == ["check", "index", "setup", "ticket"]
    for path in files:
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    parsed.clear()
    assert _answers(ops) == cold and len(set(parsed)) == 30  # the cold path: every ticket read
    assert checkcache._read(ops) is not None and ticketindex._read(ops) is not None
    assert len(doccache.Cache(ops, "ticket").old) == 30
    assert (ops / doccache.FOLDER / ".gitignore").read_bytes() == b"*\n"


def test_older_cache_versions_go_when_a_command_writes_its_cache(ops, monkeypatch):
    folder = ops / doccache.FOLDER
    folder.mkdir()
    stale = ["check-0000000000000000.marshal", "index-0000000000000000.marshal", "setup-0000000000000000.marshal",
             "ticket-0000000000000000.marshal"]
    for name in stale:
        (folder / name).write_bytes(b"\x00old")
    (folder / "handin.marshal").write_bytes(marshal.dumps({}))
    cold = _cold(ops, monkeypatch)
    assert _answers(ops) == cold
    names = sorted(p.name for p in folder.iterdir())
    assert not set(stale) & set(names) and "handin.marshal" in names and len(names) == 6  # + .gitignore


# The hand-in answers over a Git repository.

def test_hand_in_answers_with_a_linked_cut_short_or_forged_cache_are_gits(handed, tmp_path, monkeypatch):
    repo, _ = handed
    root = repo.root
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    cold = handin.first_commits(root, "2026-10")
    monkeypatch.delenv("ERPOPS_CACHE")
    assert not (root / doccache.FOLDER).exists()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (root / doccache.FOLDER).symlink_to(target, target_is_directory=True)
    assert handin.first_commits(root, "2026-10") == cold and list(target.iterdir()) == []
    (root / doccache.FOLDER).unlink()
    assert handin.first_commits(root, "2026-10") == cold  # kept now
    kept = root / doccache.FOLDER / handin.KEPT
    forged = {key: [("alpha", "2020-01-01T00:00:00+08:00", "deadbeef")] for key in marshal.loads(kept.read_bytes())}
    kept.write_bytes(marshal.dumps(forged))
    assert handin.first_commits(root, "2026-10") != cold  # the cache is read …
    (root / doccache.FOLDER).rename(target / "moved")
    (root / doccache.FOLDER).symlink_to(target / "moved", target_is_directory=True)
    assert handin.first_commits(root, "2026-10") == cold  # … but not through a link
    assert marshal.loads((target / "moved" / handin.KEPT).read_bytes()) == forged
    (root / doccache.FOLDER).unlink()
    (target / "moved").rename(root / doccache.FOLDER)
    whole = kept.read_bytes()
    kept.write_bytes(whole[: len(whole) // 2])
    assert handin.first_commits(root, "2026-10") == cold
    assert (root / doccache.FOLDER / ".gitignore").read_bytes() == b"*\n"
    assert os.path.getsize(kept) > len(whole) // 2  # written again, whole


def test_the_ticket_draft_is_neither_kept_nor_read_through_a_linked_cache_folder(tmp_path):
    from erpops.commands import ticket_new

    root, elsewhere = tmp_path / "ops", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    ticket_new.save_draft(root, {"title": "月末结账按钮灰色", "symptom": " "})
    assert ticket_new.read_draft(root) == {"title": "月末结账按钮灰色"}
    assert (root / ".erpops-cache/.gitignore").read_text("utf-8") == "*\n"
    shutil.rmtree(root / ".erpops-cache")
    (root / ".erpops-cache").symlink_to(elsewhere, target_is_directory=True)
    ticket_new.save_draft(root, {"title": "写到别处"})
    assert list(elsewhere.iterdir()) == []
    (elsewhere / "ticket-draft.yaml").write_text("title: 别处的草稿\n", "utf-8")
    assert ticket_new.read_draft(root) == {}
