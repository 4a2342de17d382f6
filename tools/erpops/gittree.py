"""An ops repository as one Git commit holds it, and what changed between two commits (the `git` command).

Only trees and blobs are read, never the work tree, so the PR gate sees exactly the two revisions;
a clone fetched with depth 2 is enough (the merge commit and its two parents).

Objects come from one `git cat-file --batch` process and are parsed here (commits, trees), so a
path never passes through a command line or a line of input: names with spaces, quotes, Chinese
characters or newlines are looked up in the parsed trees. What changed is one `git diff-tree -z`.
No GitPython: importing it costs more than the whole rest of a one-ticket pull request's gate.
"""
from __future__ import annotations

import os
import posixpath
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import t
from erpops.load import IMPROVEMENTS, TICKETS

TICKET_SUFFIX = ".yaml"
_TREE, _LINK, _SUBMODULE = b"40000", b"120000", b"160000"
# Git's own commands, whatever the user's configuration says about colours, pagers or hooks.
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C",
        "GIT_LITERAL_PATHSPECS": "1"}  # a path given after `--` is that path: an ops folder `ops*` is no glob


class GitError(Exception):
    """A `git` command failed (its exit code and what it wrote to stderr)."""


class Repo:
    """A Git repository, read with `git` subprocesses run at its top folder."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self._batch: subprocess.Popen | None = None
        self._trees: dict[str, dict[str, tuple[bytes, str]]] = {}

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        """`git args…` at the top folder; GitError when its exit code is not in `ok`."""
        try:
            done = subprocess.run(["git", *args], cwd=self.top, capture_output=True,
                                  env={**os.environ, **_ENV})
        except OSError as err:
            raise GitError(str(err)) from None
        if done.returncode not in ok:
            raise GitError(done.stderr.decode("utf-8", "replace").strip())
        return done

    def text(self, *args: str) -> str:
        """What `git args…` printed, as text."""
        return self.run(*args).stdout.decode("utf-8", "surrogateescape")

    def object(self, name: str) -> tuple[str, str, bytes] | None:
        """(id, type, content) of the object `name` (an id, or any revision expression), None if unknown."""
        if "\n" in name or "\0" in name or not name:
            return None
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.top, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                           env={**os.environ, **_ENV})
        out, inp = self._batch.stdout, self._batch.stdin
        inp.write(name.encode("utf-8", "surrogateescape") + b"\n")
        inp.flush()
        header = out.readline()
        parts = header.split()
        if header.endswith((b" missing\n", b" ambiguous\n")):
            return None  # git's answer for a name it does not know: absent
        if len(parts) != 3 or not parts[2].isdigit():  # the process died, or said something else
            raise GitError(f"git cat-file --batch: {header[:200]!r}")
        size = int(parts[2])
        data = out.read(size + 1)
        if len(data) != size + 1:
            raise GitError(f"git cat-file --batch: {parts[0].decode()} cut short")
        return parts[0].decode(), parts[1].decode(), data[:size]

    def entries(self, tree_id: str) -> dict[str, tuple[bytes, str]]:
        """A tree's entries: name → (mode, object id); read once per tree."""
        known = self._trees.get(tree_id)
        if known is None:
            got = self.object(tree_id)
            if got is None or got[1] != "tree":  # a tree a commit or tree names is not there: never "empty"
                raise GitError(f"{tree_id}: not a tree in this repository")
            known = self._trees[tree_id] = _parse_tree(got[2], len(got[0]) // 2)
        return known

    def is_ancestor(self, a: str, b: str) -> bool:
        """Whether commit `a` is an ancestor of (or is) commit `b`."""
        return self.run("merge-base", "--is-ancestor", a, b, ok=(0, 1)).returncode == 0

    def close(self) -> None:
        if self._batch is not None:
            batch, self._batch = self._batch, None
            batch.stdin.close()  # end of input: it exits (and never blocks on output nobody reads)
            batch.stdout.close()
            batch.wait()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit the pipes may be gone already
            pass


def _kind(mode: bytes) -> bytes:
    """An entry's mode by its object type bits: git accepts zero-padded modes (`040000`, which fsck
    only warns about), and a padded tree taken for a file would hide the files under it from the gate."""
    try:
        bits = int(mode, 8) & 0o170000
    except ValueError:
        raise GitError(f"a tree entry with the mode {mode[:20]!r}") from None
    return {0o040000: _TREE, 0o120000: _LINK, 0o160000: _SUBMODULE}.get(bits, b"%o" % int(mode, 8))


def _parse_tree(data: bytes, id_bytes: int) -> dict[str, tuple[bytes, str]]:
    out = {}
    i, n = 0, len(data)
    while i < n:
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        mode, name = _kind(data[i:space]), data[space + 1:nul].decode("utf-8", "surrogateescape")
        out[name] = (mode, data[nul + 1:nul + 1 + id_bytes].hex())
        i = nul + 1 + id_bytes
    return out


@dataclass(frozen=True)
class Commit:
    """One commit: its id, its tree's id, its parents' ids and its message."""

    hexsha: str
    tree: str
    parents: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Tree:
    """A tree object of `repo`, found at `path` (relative to the commit's root) in its commit."""

    repo: Repo
    hexsha: str
    path: str = ""


def log_names(repo: Repo, fields: list[str], *args: str) -> list[tuple[list[str], list[str]]]:
    """`git log -z --name-only args…`: per commit, the values of the format placeholders `fields`
    (the first must be %H; e.g. ["%H", "%cI"]) and the paths it names, each as Git has it (with -z
    no name is C-quoted: without it a name that is not ASCII came out as "\\350\\277…").

    With -z every header and every name ends in NUL, and a commit's first name follows a newline.
    A header is told from a name by its start (a mark, then a commit id and a field separator), so a
    subject or file name holding the separators cannot shift the fields; the last field takes the rest."""
    out = repo.text("log", "-z", "--name-only", "--format=\x1e" + "\x1f".join(fields), *args)
    found: list[tuple[list[str], list[str]]] = []
    for token in out.split("\0"):
        if _LOG_HEAD.match(token):
            found.append((token[1:].split("\x1f", len(fields) - 1), []))
        elif found and token:
            found[-1][1].append(token[1:] if not found[-1][1] and token.startswith("\n") else token)
    return found


_LOG_HEAD = re.compile(r"\x1e[0-9a-f]{40,64}(\x1f|$)")


def open_repo(root: Path) -> tuple[Repo, str]:
    """The Git repository holding `root`, and `root`'s folder inside it ('' at the top)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True,
                              env={**os.environ, **_ENV})
    except OSError:
        done = None
    if done is None or done.returncode != 0 or not done.stdout.strip():
        raise FatalError(t("pr.not-git", root=root))
    top = Path(done.stdout.decode("utf-8", "surrogateescape").rstrip("\n")).resolve()
    prefix = Path(root).resolve().relative_to(top).as_posix()
    return Repo(top), "" if prefix == "." else prefix


def _commit(repo: Repo, rev: str) -> Commit | None:
    got = repo.object(f"{rev}^{{commit}}") if rev and not rev.startswith("-") else None
    if got is None or got[1] != "commit":
        return None
    head, _, message = got[2].partition(b"\n\n")
    tree, parents = "", []
    for line in head.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
    return Commit(got[0], tree, tuple(parents), message.decode("utf-8", "replace"))


def commit(repo: Repo, rev: str) -> Commit:
    """The commit `rev` names; a clear error when it is unknown (a shallow clone, a typo)."""
    found = _commit(repo, rev)
    if found is None:
        raise FatalError(t("pr.bad-rev", rev=rev))
    return found


_GITHUB_MERGE = re.compile(r"^Merge ([0-9a-f]{7,40}) into ([0-9a-f]{7,40})\s*$")


def is_github_merge(c: Commit) -> bool:
    """Whether `c` is the merge commit GitHub makes to test a pull request (refs/pull/N/merge):
    two parents and the message "Merge <PR head> into <base tip>" naming them."""
    m = _GITHUB_MERGE.match(c.message or "")
    return (m is not None and len(c.parents) == 2 and c.parents[1].startswith(m.group(1))
            and c.parents[0].startswith(m.group(2)))


def base_of(repo: Repo, rev: str, head: Commit) -> tuple[Commit, bool]:
    """The commit to compare `head` with, and whether it is not `rev` itself.

    For GitHub's pull-request merge commit that is its first parent when `rev` is an ancestor of
    it or missing from a shallow clone: GitHub merges into the base branch's current tip, and the
    event's base SHA can be older. Comparing with the older commit would count other pull
    requests' merged changes as this one's.
    """
    if not is_github_merge(head):
        return commit(repo, rev), False
    first = commit(repo, head.parents[0])
    given = _commit(repo, rev)
    if given is None:
        return first, True
    if given.hexsha == first.hexsha:
        return first, False
    try:
        older = repo.is_ancestor(given.hexsha, first.hexsha)
    except GitError:
        older = False
    return (first, True) if older else (given, False)


def _entry(repo: Repo, tree_id: str, rel: str) -> tuple[bytes, str] | None:
    """(mode, id) of what the tree holds at `rel` ('a/b/c'), None if nothing."""
    entry: tuple[bytes, str] | None = (_TREE, tree_id)
    for name in rel.split("/"):
        if not name:
            continue
        if entry is None or entry[0] != _TREE:
            return None
        entry = repo.entries(entry[1]).get(name)
    return entry


def tree(repo: Repo, c: Commit, prefix: str) -> Tree | None:
    """The commit's tree at the ops repository's folder (None if the folder is not in that commit)."""
    if not prefix:
        return Tree(repo, c.tree)
    entry = _entry(repo, c.tree, prefix)
    return Tree(repo, entry[1], prefix) if entry is not None and entry[0] == _TREE else None


def same(a: Tree | None, b: Tree | None, paths: tuple[str, ...]) -> bool:
    """Whether trees `a` and `b` hold the same object (by its id), or both nothing, at each path."""
    def at(tree_: Tree | None, rel: str) -> str | None:
        entry = _entry(tree_.repo, tree_.hexsha, rel) if tree_ is not None else None
        return entry[1] if entry is not None else None
    return all(at(a, rel) == at(b, rel) for rel in paths)


def _blobs(repo: Repo, tree_id: str, folder: str) -> list[str]:
    """Every file (blob or symbolic link, no submodule) below the tree, as paths joined to `folder`."""
    out = []
    for name, (mode, oid) in repo.entries(tree_id).items():
        rel = posixpath.join(folder, name) if folder else name
        if mode == _TREE:
            out += _blobs(repo, oid, rel)
        elif mode != _SUBMODULE:
            out.append(rel)
    return out


class TreeFiles:
    """`load.Files` over a Git tree: the loader reads blobs instead of files on disk."""

    def __init__(self, root_tree: Tree | None) -> None:
        self.tree = root_tree

    def _object(self, rel: str) -> tuple[bytes, str]:
        entry = _entry(self.tree.repo, self.tree.hexsha, rel) if self.tree is not None else None
        if entry is None:
            raise FileNotFoundError(rel)
        return entry

    def read_bytes(self, rel: str) -> bytes:
        mode, oid = self._object(rel)
        got = self.tree.repo.object(oid) if mode not in (_TREE, _SUBMODULE) else None
        if got is None or got[1] != "blob":
            raise FileNotFoundError(rel)
        return got[2]

    def exists(self, rel: str) -> bool:
        try:
            self._object(rel)
            return True
        except FileNotFoundError:
            return False

    def under(self, folder: str) -> list[str]:
        try:
            mode, oid = self._object(folder)
        except FileNotFoundError:
            return []
        return sorted(_blobs(self.tree.repo, oid, folder)) if mode == _TREE else []


@dataclass(frozen=True)
class Change:
    """One changed file: its path at the base (None if added) and at the head (None if deleted)."""

    old: str | None
    new: str | None


def is_ticket(rel: str | None) -> bool:
    return bool(rel) and rel.startswith(TICKETS + "/") and rel.endswith(TICKET_SUFFIX)


def is_improvement(rel: str | None) -> bool:
    return bool(rel) and rel.startswith(IMPROVEMENTS + "/") and rel.endswith(TICKET_SUFFIX)


def _raw_changes(repo: Repo, a: str, b: str) -> list[Change]:
    """`git diff-tree -r -M --raw -z a b`: (old, new) per changed file, renames paired by Git."""
    fields = repo.run("diff-tree", "-r", "-M", "--raw", "-z", "--no-abbrev", "--no-color",
                      "--no-ext-diff", a, b).stdout.split(b"\0")
    out, i = [], 0
    while i < len(fields) and fields[i]:
        status = fields[i].split(b" ")[-1][:1]
        first = fields[i + 1].decode("utf-8", "surrogateescape")
        if status in (b"R", b"C"):
            out.append(Change(first if status == b"R" else None, fields[i + 2].decode("utf-8", "surrogateescape")))
            i += 3
            continue
        out.append(Change(None if status == b"A" else first, None if status == b"D" else first))
        i += 2
    return out


def changes(base_tree: Tree | None, head_tree: Tree | None) -> list[Change]:
    """The files that differ, with Git's rename detection; a ticket deleted in one place and added
    with the same file name (its id) in another is a rename too, however much it changed."""
    if head_tree is None or (base_tree is not None and base_tree.hexsha == head_tree.hexsha):
        return []
    if base_tree is None:  # the ops folder is new: every file is added
        return [Change(None, rel) for rel in _blobs(head_tree.repo, head_tree.hexsha, "")]
    out = _raw_changes(head_tree.repo, base_tree.hexsha, head_tree.hexsha)
    gone = {posixpath.basename(c.old): c for c in out if c.new is None and is_ticket(c.old)}
    paired = []
    for c in out:
        match = gone.get(posixpath.basename(c.new)) if c.old is None and is_ticket(c.new) else None
        if match is not None:
            paired.append(match)
            out[out.index(c)] = Change(match.old, c.new)
    return sorted((c for c in out if c not in paired), key=lambda c: (c.new or c.old or ""))


def ticket_paths(repo: Repo, base_tree: Tree | None) -> dict[str, str]:
    """Ticket id (the file name) → path, for every ticket in the tree: one `git ls-tree`."""
    if base_tree is None:
        return {}
    entry = _entry(repo, base_tree.hexsha, TICKETS)
    if entry is None or entry[0] != _TREE:
        return {}
    listing = repo.run("ls-tree", "-r", "-z", "--name-only", entry[1]).stdout.split(b"\0")
    return {posixpath.basename(p)[: -len(TICKET_SUFFIX)]: f"{TICKETS}/{p}"
            for p in (x.decode("utf-8", "surrogateescape") for x in listing) if p.endswith(TICKET_SUFFIX)}
