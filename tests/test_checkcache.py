"""The warm check gives what a cold check gives, on repositories bent after the cache was written,
and reads only the tickets it must."""
from __future__ import annotations

import os

import pytest

from erpops import checkcache, checks, load

from generated_fixture import generated



@pytest.fixture
def ops(tmp_path, monkeypatch):
    return generated(tmp_path, monkeypatch, 80, seed=23, aged="**/*")



def _flat(found):
    return sorted((d.path, d.line, d.column, d.rule, d.severity, d.args, d.key) for d in found)


def _cold(root, monkeypatch):
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    repo = load.load(root)
    found = checks.diagnostics(repo)
    monkeypatch.delenv("ERPOPS_CACHE")
    return _flat(found), repo.files


def _same(root, monkeypatch):
    warm, files = checkcache.check(root)
    cold = _cold(root, monkeypatch)
    assert (_flat(warm), files) == cold
    return cold[0]


def _tickets(root):
    return sorted(p.relative_to(root).as_posix() for p in (root / "tickets").rglob("*.yaml"))


def _primed(root, monkeypatch, parsed):
    first = _same(root, monkeypatch)
    assert checkcache.path(root).is_file()
    parsed.clear()
    assert _flat(checkcache.check(root)[0]) == first
    return first


def test_a_warm_check_reads_only_the_tickets_whose_findings_can_change(ops, parsed, monkeypatch):
    first = _primed(ops, monkeypatch, parsed)
    assert first  # the generated set has SLA warnings and more
    unfinished = [tk.src.path for tk in load.load(ops).tickets if tk.status not in checkcache.SETTLED]
    assert sorted(set(parsed)) == sorted(unfinished) and len(parsed) < 40


def test_an_edited_ticket(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    rel = _tickets(ops)[17]
    text = (ops / rel).read_text("utf-8")
    (ops / rel).write_text(text.replace("priority: P", "priority: Q", 1), "utf-8")
    assert any(d[0] == rel for d in _same(ops, monkeypatch))
    (ops / rel).write_text(text.replace("tier: ", "tier: vendor\nx: ", 1), "utf-8")
    _same(ops, monkeypatch)


def test_a_duplicate_id_in_another_subsystem_folder_and_then_deleted(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    tickets = _tickets(ops)
    rel = tickets[-1]
    other = next(r for r in tickets if r.split("/")[1] != rel.split("/")[1])
    sub, year = other.split("/")[1:3]
    dup = ops / f"tickets/{sub}/{year}/{rel.rsplit('/', 1)[-1]}"
    dup.write_text((ops / rel).read_text("utf-8"), "utf-8")
    assert "ticket-unique-id" in {d[3] for d in _same(ops, monkeypatch)}
    dup.unlink()
    assert "ticket-unique-id" not in {d[3] for d in _same(ops, monkeypatch)}


def test_a_recurrence_and_a_deleted_ticket(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    repo = load.load(ops)
    newest = max((tk for tk in repo.tickets if not tk.runbooks and tk.status != "cancelled"),
                 key=lambda tk: tk.opened)
    rel = newest.src.path
    text = (ops / rel).read_text("utf-8")
    for letters in ("AAAA", "BBBB"):
        (ops / rel.replace(newest.id, newest.id[:-4] + letters)).write_text(
            text.replace(newest.id, newest.id[:-4] + letters), "utf-8")
    assert "ticket-recurring-without-runbook" in {d[3] for d in _same(ops, monkeypatch)}
    (ops / rel).unlink()
    _same(ops, monkeypatch)


def test_a_changed_roster_person_and_a_deleted_runbook(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    repo = load.load(ops)
    tk = next(tk for tk in repo.tickets if tk.runbooks and tk.assignee)
    (ops / repo.runbooks[tk.runbooks[0]].src.path).unlink()
    assert "ticket-runbook-exists" in {d[3] for d in _same(ops, monkeypatch)}
    people = (ops / "roster/people.yaml").read_text("utf-8")
    (ops / "roster/people.yaml").write_text(people.replace(f"id: {tk.assignee}\n", "id: someone-else\n"), "utf-8")
    assert "ticket-unknown-person" in {d[3] for d in _same(ops, monkeypatch)}


def test_touched_files_and_a_same_size_same_mtime_edit(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    tickets = _tickets(ops)
    for rel in tickets[:5]:
        os.utime(ops / rel)  # no content change: read again, the same answer
    parsed.clear()
    _same(ops, monkeypatch)
    assert set(tickets[:5]) <= set(parsed)
    victim = ops / tickets[40]
    before = victim.stat()
    text = victim.read_text("utf-8")
    changed = text.replace("priority: P", "priority: Q", 1)
    assert len(changed) == len(text) and changed != text
    victim.write_text(changed, "utf-8")
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert any(d[0] == tickets[40] and d[4] == "error" for d in _same(ops, monkeypatch))


def test_a_racy_entry_is_read_again(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    rel = _tickets(ops)[33]
    written, data = checkcache._read(ops)
    key = data["entries"][rel][0]
    entries = {r: checkcache.Entry(*e) for r, e in data["entries"].items()}
    checkcache._save(ops, key[1], data["context"], entries)  # as if written in that file's second
    parsed.clear()
    _same(ops, monkeypatch)
    assert rel in parsed


@pytest.mark.parametrize("later", ["2026-11-27T09:00:00+08:00", "2027-03-01T09:00:00+08:00"])
def test_time_passing_recomputes_the_clocks(ops, parsed, monkeypatch, later):
    _primed(ops, monkeypatch, parsed)
    monkeypatch.setenv("ERPOPS_NOW", later)
    monkeypatch.setenv("ERPOPS_TODAY", later[:10])
    _same(ops, monkeypatch)


def test_the_clock_set_back_before_some_events(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    monkeypatch.setenv("ERPOPS_NOW", "2026-06-01T09:00:00+08:00")
    assert "ticket-event-future" in {d[3] for d in _same(ops, monkeypatch)}


def test_a_broken_file_and_a_link_give_the_cold_answer(ops, parsed, monkeypatch, tmp_path):
    _primed(ops, monkeypatch, parsed)
    rel = _tickets(ops)[9]
    (ops / rel).write_text("id: [unclosed\n", "utf-8")
    assert "yaml-syntax" in {d[3] for d in _same(ops, monkeypatch)}
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: 1\n", "utf-8")
    (ops / rel).unlink()
    os.symlink(outside, ops / rel)
    assert "file-symlink" in {d[3] for d in _same(ops, monkeypatch)}


def test_never_in_ci_nor_with_the_cache_off(ops, monkeypatch):
    for name, value in (("CI", "true"), ("ERPOPS_CACHE", "0")):
        monkeypatch.setenv(name, value)
        checkcache.check(ops)
        assert not checkcache.path(ops).exists()
        monkeypatch.delenv(name)


def test_a_corrupt_cache_is_a_cold_run(ops, parsed, monkeypatch):
    _primed(ops, monkeypatch, parsed)
    checkcache.path(ops).write_bytes(b"\x00not marshal")
    _same(ops, monkeypatch)


def test_the_cli_check_is_the_same_warm_and_cold(ops, cli, monkeypatch):
    cold = cli("check", "--repo", str(ops))
    warm = cli("check", "--repo", str(ops))
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    assert cli("check", "--repo", str(ops)) == warm == cold
