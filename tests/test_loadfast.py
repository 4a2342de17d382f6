"""Load what a command needs: the one-ticket path gives the findings of the full load, on
repositories bent in the ways that can change a cross-ticket verdict, and reads one ticket."""
from __future__ import annotations

import os
import shutil

import pytest

from erpops import doccache, load, ticketindex
from erpops.commands import ticket as ticket_cmd
from erpops.rules import recurrence

from generated_fixture import generated



@pytest.fixture
def ops(tmp_path, monkeypatch):
    """60 generated tickets, the index written by a full load."""
    root = generated(tmp_path, monkeypatch, 60, seed=11, aged="tickets/**/*.yaml")
    load.load(root)
    assert ticketindex.path(root).is_file()
    return root



def _tickets(root):
    return sorted(p.relative_to(root).as_posix() for p in (root / "tickets").rglob("*.yaml"))


def _same(root, monkeypatch, rel, text, replaces=None):
    """The findings of `text` as `rel` by the one-ticket path and by the full load: equal; returned."""
    tid = rel.rsplit("/", 1)[-1][:-5] if replaces is None else replaces.rsplit("/", 1)[-1][:-5]
    fast, tk = ticket_cmd.one(root, tid)
    assert fast.index is not None and len(fast.tickets) == 1
    quick = ticket_cmd.findings(fast, rel, text, replaces)
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    full = load.load(root)
    monkeypatch.delenv("ERPOPS_CACHE")
    assert full.index is None
    cold = ticket_cmd.findings(full, rel, text, replaces)
    assert sorted(quick) == sorted(cold)
    return sorted(cold)


def _rules(found):
    return sorted({d.rule for d in found})


def test_the_recurrence_window_is_the_rules(ops):
    assert ticketindex.WINDOW == recurrence.WINDOW


def test_one_ticket_reads_one_file_and_finds_what_the_full_load_finds(ops, parsed, monkeypatch):
    rel = _tickets(ops)[20]
    text = (ops / rel).read_text("utf-8")
    fast, tk = ticket_cmd.one(ops, rel.rsplit("/", 1)[-1][:-5])
    assert parsed == [rel] and tk.src.path == rel
    assert fast.improvements == [] and fast.runbooks  # runbooks are read: a ticket's rules use them
    parsed.clear()
    assert _same(ops, monkeypatch, rel, text) == []
    bent = text.replace(f"type: {tk.type}", "type: no-such-type", 1)
    assert "ticket-unknown-type" in _rules(_same(ops, monkeypatch, rel, bent))


def test_a_duplicate_id_in_another_subsystem_folder(ops, monkeypatch):
    tickets = _tickets(ops)
    rel = tickets[-1]
    other = next(r for r in tickets if r.split("/")[1] != rel.split("/")[1])
    sub, year = other.split("/")[1:3]
    text = (ops / rel).read_text("utf-8")
    dup = f"tickets/{sub}/{year}/{rel.rsplit('/', 1)[-1]}"
    (ops / dup).write_text(text, "utf-8")  # added after the index was written
    found = _same(ops, monkeypatch, rel, text)
    assert [(d.rule, d.line) for d in found if d.rule == "ticket-unique-id"] == [("ticket-unique-id", 2)]
    os.unlink(ops / dup)  # deleted again: the index drops it
    assert "ticket-unique-id" not in _rules(_same(ops, monkeypatch, rel, text))


def _recent(root, n):
    """`n` tickets opened within the last 30 days of NOW, newest last."""
    full = load.load(root)
    tks = sorted((tk for tk in full.tickets if tk.opened and str(tk.opened) >= "2026-10-25"),
                 key=lambda tk: tk.opened)
    assert len(tks) >= n
    return tks[-n:]


def test_a_recurrence_made_by_copies_of_a_ticket(ops, monkeypatch):
    (newest,) = _recent(ops, 1)
    rel = newest.src.path
    text = (ops / rel).read_text("utf-8")
    if newest.runbooks:
        start = text.index("runbooks:")
        end = text.index("\n", text.index("\n", start) + 1)
        text = text[:start] + text[end + 1:]
    (ops / rel).write_text(text, "utf-8")  # a same-size edit is caught by ctime; this one grows
    day = newest.opened.strftime("%Y%m%d")
    for n, letters in enumerate(("AAAA", "BBBB")):
        copy = text.replace(newest.id, f"{newest.id[:-4]}{letters}")
        path = ops / rel.replace(newest.id, f"{newest.id[:-4]}{letters}")
        path.write_text(copy, "utf-8")
    assert day in path.name
    found = _same(ops, monkeypatch, rel, text)
    assert "ticket-recurring-without-runbook" in _rules(found)


def test_a_person_gone_from_the_roster_and_a_runbook_deleted(ops, monkeypatch):
    full = load.load(ops)
    tk = next(tk for tk in full.tickets if tk.runbooks and tk.assignee)
    rel = tk.src.path
    text = (ops / rel).read_text("utf-8")
    (ops / full.runbooks[tk.runbooks[0]].src.path).unlink()
    people = (ops / "roster/people.yaml").read_text("utf-8")
    (ops / "roster/people.yaml").write_text(people.replace(f"id: {tk.assignee}\n", "id: someone-else\n"), "utf-8")
    found = _same(ops, monkeypatch, rel, text)
    assert {"ticket-unknown-person", "ticket-runbook-exists"} <= set(_rules(found))


def test_touched_files_are_read_again_and_give_the_same_answer(ops, parsed, monkeypatch):
    tickets = _tickets(ops)
    for rel in tickets[:5]:
        os.utime(ops / rel)  # no content change
    rel = tickets[30]
    ticket_cmd.one(ops, rel.rsplit("/", 1)[-1][:-5])
    assert sorted(parsed) == sorted(tickets[:5] + [rel])
    parsed.clear()
    ticket_cmd.one(ops, rel.rsplit("/", 1)[-1][:-5])
    # The index was rewritten; the files touched this very second stay racy: read again.
    assert set(parsed) <= set(tickets[:5] + [rel]) and rel in parsed
    _same(ops, monkeypatch, rel, (ops / rel).read_text("utf-8"))


def test_a_same_size_same_mtime_edit_is_seen(ops, monkeypatch):
    tickets = _tickets(ops)
    rel = tickets[-1]
    tid = rel.rsplit("/", 1)[-1][:-5]
    victim = ops / tickets[0]
    before = victim.stat()
    text = victim.read_text("utf-8")
    other_id = tickets[0].rsplit("/", 1)[-1][:-5]
    changed = text.replace(f"id: {other_id}", f"id: {tid}", 1)
    assert len(changed) == len(text)
    victim.write_text(changed, "utf-8")
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as before
    found = _same(ops, monkeypatch, rel, (ops / rel).read_text("utf-8"))
    assert "ticket-unique-id" in _rules(found)


def test_a_racy_entry_is_not_trusted(ops, parsed, monkeypatch):
    """An entry whose mtime is not older than the index's writing is read again, even unchanged."""
    tickets = _tickets(ops)
    written, entries = ticketindex._read(ops)
    assert not any(ticketindex.racy(key, written) for key, _row in entries.values())
    rel = tickets[7]
    ticket_cmd.one(ops, rel.rsplit("/", 1)[-1][:-5])
    assert parsed == [rel]
    parsed.clear()
    key = entries[tickets[3]][0]
    ticketindex.save(ops, key[1], entries)  # written in the same second as that file's mtime
    ticket_cmd.one(ops, rel.rsplit("/", 1)[-1][:-5])
    assert tickets[3] in parsed


def test_no_index_in_ci_nor_with_the_cache_off(ops, parsed, monkeypatch):
    rel = _tickets(ops)[5]
    tid = rel.rsplit("/", 1)[-1][:-5]
    for name, value in (("CI", "true"), ("ERPOPS_CACHE", "0")):
        monkeypatch.setenv(name, value)
        parsed.clear()
        repo, tk = ticket_cmd.one(ops, tid)
        assert repo.index is None and len(parsed) == 60
        monkeypatch.delenv(name)


def test_a_corrupt_or_linked_index_means_the_full_load(ops, parsed, tmp_path):
    rel = _tickets(ops)[5]
    tid = rel.rsplit("/", 1)[-1][:-5]
    ticketindex.path(ops).write_bytes(b"\x00garbage")
    repo, _ = ticket_cmd.one(ops, tid)
    assert repo.index is None and len(repo.tickets) == 60
    load.load(ops)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(ops / doccache.FOLDER, elsewhere)
    os.symlink(elsewhere, ops / doccache.FOLDER)
    parsed.clear()
    repo, _ = ticket_cmd.one(ops, tid)
    assert repo.index is None and len(repo.tickets) == 60


def test_a_moved_ticket(ops, monkeypatch):
    tickets = _tickets(ops)
    rel = tickets[-1]
    sub = rel.split("/")[1]
    other = next(r.split("/")[1] for r in tickets if r.split("/")[1] != sub)
    target = rel.replace(f"tickets/{sub}/", f"tickets/{other}/")
    text = (ops / rel).read_text("utf-8").replace(f"subsystem: {sub}", f"subsystem: {other}", 1)
    _same(ops, monkeypatch, target, text, replaces=rel)


def test_cli_comment_and_show_and_list_as_with_the_full_load(ops, cli, parsed, monkeypatch):
    full = load.load(ops)
    tk = next(tk for tk in sorted(full.tickets, key=lambda t: t.opened) if tk.status == "closed")
    tid = tk.id
    parsed.clear()
    shown = cli("ticket", "show", tid[-4:], "--repo", str(ops))
    listed = cli("ticket", "list", "--all", "--repo", str(ops))
    assert parsed == [tk.src.path]
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    assert cli("ticket", "show", tid[-4:], "--repo", str(ops)) == shown
    assert cli("ticket", "list", "--all", "--repo", str(ops)) == listed
    assert shown.code == 0 and tid in shown.out and listed.out.count("\n") == 61
    path = ops / tk.src.path
    before = path.read_text("utf-8")
    last = max(e.at for e in tk.history).isoformat()
    answers = {}
    # By a suffix of the id: the full load, then the index; by the full id: its file alone (`own`).
    for cache, name in (("0", tid[-4:]), ("1", tid[-4:]), ("1", tid)):
        monkeypatch.setenv("ERPOPS_CACHE", cache)
        parsed.clear()
        args = ("ticket", "comment", name, "--note", "x", "--by", tk.assignee, "--repo", str(ops))
        early = cli(*args, "--at", "2020-01-01T10:00")  # before its history: refused
        assert early.code == 1 and "ticket-history-order" in early.err and path.read_text("utf-8") == before
        done = cli(*args, "--at", last)
        assert done.code == 0
        answers[cache, name] = (early, done, path.read_text("utf-8"), len(parsed))
        path.write_text(before, "utf-8")
    assert answers["0", tid[-4:]][:3] == answers["1", tid[-4:]][:3] == answers["1", tid][:3]
    # two commands: every ticket each, a few, or only the ticket's own file
    assert answers["0", tid[-4:]][3] == 120 and answers["1", tid[-4:]][3] < 10
    assert answers["1", tid][3] == 2


def test_who_reads_no_ticket(ops, cli, parsed):
    assert cli("who", "sales", "--repo", str(ops)).code == 0
    assert parsed == []


def test_show_by_full_id_reads_the_file_the_id_names(ops, cli, parsed, monkeypatch):
    full = load.load(ops)
    tk = full.tickets[12]
    monkeypatch.setenv("ERPOPS_CACHE", "0")  # no index needed
    parsed.clear()
    shown = cli("ticket", "show", tk.id, "--repo", str(ops))
    assert parsed == [tk.src.path] and shown.code == 0 and tk.id in shown.out
    # Moved to another subsystem's folder: the id no longer names its path; the index finds it.
    sub = tk.src.path.split("/")[1]
    other = next(t.subsystem for t in full.tickets if t.subsystem != sub)
    moved = tk.src.path.replace(f"tickets/{sub}/", f"tickets/{other}/")
    (ops / moved).parent.mkdir(parents=True, exist_ok=True)
    os.rename(ops / tk.src.path, ops / moved)
    assert ticket_cmd.named(ops, tk.id) is None
    again = cli("ticket", "show", tk.id, "--repo", str(ops))
    assert again.code == 0 and moved in again.out
    monkeypatch.delenv("ERPOPS_CACHE")
    assert cli("ticket", "show", tk.id, "--repo", str(ops)) == again
