"""pr-check reads Git through `git` itself (gittree.py): an ops folder whose path has spaces, quotes
and Chinese characters, file names Git would quote, renames and deletions; the base's rules decide."""
from __future__ import annotations

import json
import shutil

import git as gitpython
import pytest

from conftest import Repo
from erpops import gittree
from prcheck_fixture import LOGINS, NOW, OPEN, OPEN_PATH, GitOps, append, event, move_to_beta
from tickets_fixture import line, setup

ODD = "运维 资料/it's \"ops\""  # the ops folder inside the Git repository
ODD_FILE = "说明 \"第二版\"\t.md"  # Git quotes such a name in its plain output


@pytest.fixture
def odd(tmp_path, repo, monkeypatch):
    """The tickets fixture with logins and the open ticket, at ODD inside a Git repository, on branch pr."""
    monkeypatch.setenv("ERPOPS_NOW", NOW)
    top = tmp_path / "top"
    ops_repo = Repo(top / ODD)
    shutil.copytree(repo.root, ops_repo.root)
    setup(ops_repo)
    for pid, login in LOGINS.items():
        ops_repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {login}\n")
    ops_repo.write(OPEN_PATH, OPEN)
    ops = GitOps.__new__(GitOps)
    ops.repo, ops.g = ops_repo, gitpython.Repo.init(top, initial_branch="main")
    ops.base = ops.commit("base")
    ops.branch("pr")
    return ops


def gate(cli, ops, author="li-gh"):
    ops.commit("change")
    ops.merge("pr")
    res = cli("pr-check", "--base", ops.base, "--author", author, "--format", "json", cwd=ops.repo.root)
    payload = json.loads(res.out)
    return res.code, [(d["path"], d["line"], d["rule"]) for d in payload["diagnostics"]], payload


def test_a_comment_in_an_ops_folder_with_spaces_quotes_and_chinese_is_accepted(odd, cli):
    append(odd.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="已电话联系"))
    odd.repo.write(ODD_FILE, "第二版\n")
    code, found, payload = gate(cli, odd)
    assert (code, found, payload["summary"]["files"]) == (0, [], 2)


def test_an_event_in_someone_elses_name_there_is_refused_at_its_line(odd, cli):
    append(odd.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="代记"))
    code, found, _ = gate(cli, odd, author="zhou-gh")
    assert (code, found) == (1, [(OPEN_PATH, line(odd.repo.read(OPEN_PATH), "by: li-user", 2), "pr-author")])


def test_a_deletion_there_is_refused(odd, cli):
    (odd.repo.root / OPEN_PATH).unlink()
    assert gate(cli, odd)[:2] == (1, [(OPEN_PATH, 1, "pr-ticket-deleted")])


def test_a_move_there_is_one_renamed_file(odd, cli):
    move_to_beta(odd)
    code, found, payload = gate(cli, odd)
    assert (code, found, payload["summary"]["files"]) == (0, [], 1)


def test_a_login_the_pull_request_adds_to_the_roster_counts_only_after_the_merge(odd, cli):
    """The base roster decides: the head's new login is unknown, and the roster is a protected path."""
    odd.repo.edit("roster/people.yaml", "github: li-gh\n", "github: li-new\n")
    append(odd.repo, OPEN_PATH, event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注"))
    code, found, payload = gate(cli, odd, author="li-new")
    by = line(odd.repo.read(OPEN_PATH), "by: li-user", 2)
    assert (code, sorted(found)) == (1, sorted([("roster/people.yaml", 1, "pr-protected-path"),
                                                (OPEN_PATH, by, "pr-author")]))
    assert "`github: li-new`" in next(d["message"] for d in payload["diagnostics"] if d["rule"] == "pr-author")


def test_an_unknown_revision_with_odd_characters_is_a_usage_error(odd, cli):
    for rev in ("no such\nrev", "--all", "main:roster"):
        res = cli("pr-check", "--base", rev, "--author", "li-gh", cwd=odd.repo.root)
        assert (res.code, res.out) == (2, ""), rev
        assert "找不到提交" in res.err


def test_trees_and_changes_read_names_git_would_quote(tmp_path):
    """gittree alone: a file name with a newline, a tab, quotes and Chinese characters is listed, read
    and diffed as it is; a rename is one change; a deleted file has no new path."""
    ops = Repo(tmp_path / "r")
    odd_name = "docs/第一\n行 \"引号\"\t.md"
    ops.write(odd_name, "一\n")
    ops.write("docs/keep.md", "keep this file's text long enough for Git to see a rename\n" * 5)
    ops.write("docs/gone.md", "gone\n")
    g = GitOps(ops)
    g.commit("one")
    ops.write(odd_name, "二\n")
    (ops.root / "docs/keep.md").rename(ops.root / "docs/kept.md")
    (ops.root / "docs/gone.md").unlink()
    g.commit("two")
    repo, prefix = gittree.open_repo(ops.root)
    try:
        base, head = gittree.commit(repo, "HEAD^"), gittree.commit(repo, "HEAD")
        old, new = gittree.tree(repo, base, prefix), gittree.tree(repo, head, prefix)
        assert prefix == "" and base.hexsha == head.parents[0]
        assert gittree.changes(old, new) == [gittree.Change("docs/gone.md", None),
                                             gittree.Change("docs/keep.md", "docs/kept.md"),
                                             gittree.Change(odd_name, odd_name)]
        assert gittree.TreeFiles(old).read_bytes(odd_name) == "一\n".encode()
        assert gittree.TreeFiles(new).read_bytes(odd_name) == "二\n".encode()
        assert gittree.TreeFiles(new).under("docs") == sorted([odd_name, "docs/kept.md"])
        assert not gittree.TreeFiles(new).exists("docs/gone.md") and gittree.TreeFiles(old).exists("docs/gone.md")
        with pytest.raises(FileNotFoundError):
            gittree.TreeFiles(new).read_bytes("docs")  # a folder is not a file
        assert gittree.same(old, new, ("docs/keep.md",)) is False
        assert gittree.same(old, new, ("nowhere.md",)) is True
    finally:
        repo.close()


def _git(top, *args, data: bytes | None = None) -> str:
    import subprocess

    return subprocess.run(["git", *args], cwd=top, input=data, capture_output=True, check=True).stdout.decode().strip()


def test_a_zero_padded_tree_mode_is_still_a_tree(tmp_path):
    """Git accepts a tree entry written `040000` (fsck only warns): its files are still seen, not hidden
    behind what would look like one file named like the folder."""
    top = tmp_path / "padded"
    top.mkdir()
    _git(top, "init", "-q", "-b", "main")
    (top / "improvements").mkdir()
    (top / "improvements" / "IMP-1.yaml").write_text("id: IMP-1\n", "utf-8")
    _git(top, "add", "-A")
    _git(top, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "base")
    sub = _git(top, "rev-parse", "HEAD:improvements")
    padded = b"040000 improvements\0" + bytes.fromhex(sub)
    root = _git(top, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", data=padded)
    head = _git(top, "-c", "user.name=t", "-c", "user.email=t@x", "commit-tree", root, "-p", "HEAD", "-m", "padded")
    repo, prefix = gittree.open_repo(top)
    try:
        tree = gittree.tree(repo, gittree.commit(repo, head), prefix)
        files = gittree.TreeFiles(tree)
        assert files.under("improvements") == ["improvements/IMP-1.yaml"]
        assert files.read_bytes("improvements/IMP-1.yaml") == b"id: IMP-1\n"
        with pytest.raises(gittree.GitError):
            repo.entries("0" * 40)  # a tree that is not there is an error, never an empty folder
        assert repo.object("HEAD\0x") is None and repo.object("0" * 40) is None
    finally:
        repo.close()


def test_an_improvement_item_the_head_tree_hides_from_the_loader_is_missing_not_unchecked(repo, cli, monkeypatch):
    """A gitlink (a submodule entry) named like an item: git diff-tree lists the change, but there is
    no file for the loader to read, and no check rule says anything about it. The gate must not let
    the change through unchecked: `file-missing` at the item's path."""
    from prcheck_fixture import NOW, base_repo

    monkeypatch.setenv("ERPOPS_NOW", NOW)
    ops, base = base_repo(repo)
    item = "improvements/IMP-2026-001.yaml"
    ops.g.git.update_index("--add", "--cacheinfo", f"160000,{base},{item}")
    ops.g.git.commit("-q", "-m", "an item as a submodule")
    res = cli("pr-check", "--base", base, "--format", "json", cwd=repo.root)
    found = [(d["path"], d["line"], d["rule"]) for d in json.loads(res.out)["diagnostics"]]
    assert (res.code, found) == (2, [(item, 0, "file-missing")])  # unreadable input, as a missing file
