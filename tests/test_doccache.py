"""The parsed-file cache: a hit only for the very same bytes, the same results as without it."""
from __future__ import annotations

import marshal
import os
import shutil

import pytest

from erpops import checks, doccache, load, schemas

from generated_fixture import generated



@pytest.fixture
def ops(tmp_path, monkeypatch):
    root = generated(tmp_path, monkeypatch, 40, seed=5)
    tickets = sorted((root / "tickets").rglob("*.yaml"))
    bad = tickets[3]
    bad.write_text(bad.read_text("utf-8").replace("priority: P", "priority: Q", 1), "utf-8")
    return root



def _snapshot(root):
    repo = load.load(root)
    return checks.diagnostics(repo), {r: (d.data, d.text) for r, d in repo.documents.items()}, repo.tickets


def _entries(root):
    (path,) = (root / doccache.FOLDER).glob("ticket-*.marshal")
    return marshal.loads(path.read_bytes())


def test_a_warm_cache_gives_the_same_results_without_parsing(ops, parsed, monkeypatch):
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    plain = _snapshot(ops)
    assert not (ops / doccache.FOLDER).exists()
    monkeypatch.delenv("ERPOPS_CACHE")
    parsed.clear()
    assert _snapshot(ops) == plain
    assert len(parsed) == 40
    assert len(_entries(ops)) == 39  # the file with a schema error is not kept
    assert (ops / doccache.FOLDER / ".gitignore").read_text() == "*\n"
    parsed.clear()
    assert _snapshot(ops) == plain
    (bad,) = [d.path for d in plain[0] if d.path.startswith("tickets/")]
    assert parsed == [bad]  # only the file that is not clean is parsed again


def test_an_edit_of_the_same_size_and_time_is_seen(ops, parsed):
    _snapshot(ops)
    path = sorted((ops / "tickets").rglob("*.yaml"))[10]
    stat = path.stat()
    text = path.read_text("utf-8")
    path.write_text(text.replace("priority: P", "priority: X", 1), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    parsed.clear()
    found = checks.diagnostics(load.load(ops))
    rel = path.relative_to(ops).as_posix()
    assert rel in parsed and len(parsed) == 2
    assert [(d.rule, d.key) for d in found if d.path == rel] == [("schema", "schema.enum")]


def test_a_corrupt_cache_is_ignored_and_rewritten(ops, parsed):
    plain = _snapshot(ops)
    (path,) = (ops / doccache.FOLDER).glob("ticket-*.marshal")
    path.write_bytes(b"\x00garbage")
    parsed.clear()
    assert _snapshot(ops) == plain
    assert len(parsed) == 40
    assert len(_entries(ops)) == 39
    # A well-formed file with wrong contents is no better.
    key = next(iter(_entries(ops)))
    path.write_bytes(marshal.dumps({key: ("t", "not a time")}))
    parsed.clear()
    assert _snapshot(ops) == plain


def test_no_cache_in_ci(ops, monkeypatch):
    monkeypatch.setenv("CI", "true")
    _snapshot(ops)
    assert not (ops / doccache.FOLDER).exists()


def test_other_schemas_mean_another_cache(monkeypatch):
    before = doccache._namespace()
    doccache._namespace.cache_clear()
    real = schemas.text
    monkeypatch.setattr(schemas, "text", lambda name: real(name) + (" " if name == "ticket" else ""))
    try:
        assert doccache._namespace() != before
    finally:
        doccache._namespace.cache_clear()


def test_the_roster_and_policy_are_kept_once_the_cache_folder_exists(tmp_path, monkeypatch):
    """A one-ticket command's roster and policy (load_roster_policy, load_some, load_context)
    come from .erpops-cache, parsed and validated once, with the same results as without; a small
    work tree without the folder stays untouched; an edited file is read again, its finding kept."""
    root = generated(tmp_path, monkeypatch, 12, seed=5)
    shutil.rmtree(root / doccache.FOLDER, ignore_errors=True)
    seen: list[str] = []
    real = load.load_bytes

    def spy(raw, rel, max_bytes):
        seen.append(rel)
        return real(raw, rel, max_bytes)
    monkeypatch.setattr(load, "load_bytes", spy)

    def snapshot():
        repo = load.load_roster_policy(root)
        return sorted(repo.diagnostics), {r: (d.data, d.text) for r, d in repo.documents.items()}, repo.roster

    monkeypatch.setenv("ERPOPS_CACHE", "0")
    plain = snapshot()
    monkeypatch.delenv("ERPOPS_CACHE")
    assert snapshot() == plain and not (root / doccache.FOLDER).exists()
    (root / doccache.FOLDER).mkdir()
    seen.clear()
    assert snapshot() == plain and "roster/people.yaml" in seen and "policy.yaml" in seen
    assert [p.name.split("-")[0] for p in (root / doccache.FOLDER).glob("*.marshal")] == ["setup"]
    seen.clear()
    assert snapshot() == plain and seen == []
    assert load.load_context(root).roster == plain[2] and seen == []
    people = root / "roster/people.yaml"
    people.write_text(people.read_text("utf-8").replace("name:", "nmae:", 1), "utf-8")
    seen.clear()
    edited = snapshot()
    assert seen == ["roster/people.yaml"]
    assert any(d.path == "roster/people.yaml" and d.is_error for d in edited[0])
    monkeypatch.setenv("ERPOPS_CACHE", "0")
    assert edited == snapshot()


def test_a_git_trees_roster_and_policy_are_kept_by_their_bytes_too(tmp_path, monkeypatch):
    """pr-check reads the roster and policy from Git trees (gittree.TreeFiles): the same bytes,
    the same kept entries; the results are those of a cold read."""
    import subprocess

    from erpops import gittree

    root = generated(tmp_path, monkeypatch, 12, seed=5)
    shutil.rmtree(root / doccache.FOLDER, ignore_errors=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(root)]
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "data"], check=True)
    repo, prefix = gittree.open_repo(root)

    def from_git():
        files = gittree.TreeFiles(gittree.tree(repo, gittree.commit(repo, "HEAD"), prefix))
        model = load.load_files(files, root, [])
        return sorted(model.diagnostics), model.roster, model.policy

    monkeypatch.setenv("ERPOPS_CACHE", "0")
    cold = from_git()
    monkeypatch.delenv("ERPOPS_CACHE")
    (root / doccache.FOLDER).mkdir()
    assert from_git() == cold
    seen: list[str] = []
    real = load.load_bytes
    monkeypatch.setattr(load, "load_bytes", lambda raw, rel, max_bytes: seen.append(rel) or real(raw, rel, max_bytes))
    assert from_git() == cold
    assert not [rel for rel in seen if rel.startswith("roster/") or rel == "policy.yaml"]
