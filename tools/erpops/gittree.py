"""An ops repository as one Git commit holds it, and what changed between two commits (GitPython).

Only trees and blobs are read, never the work tree, so the PR gate sees exactly the two revisions;
a clone fetched with depth 2 is enough (the merge commit and its two parents).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import t
from erpops.load import IMPROVEMENTS, TICKETS

TICKET_SUFFIX = ".yaml"


def open_repo(root: Path):
    """The Git repository holding `root`, and `root`'s folder inside it ('' at the top)."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FatalError(t("pr.not-git", root=root)) from None
    top = Path(repo.working_tree_dir or root).resolve()
    prefix = Path(root).resolve().relative_to(top).as_posix()
    return repo, "" if prefix == "." else prefix


def commit(repo, rev: str):
    """The commit `rev` names; a clear error when it is unknown (a shallow clone, a typo)."""
    import git

    try:
        return repo.commit(rev)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        raise FatalError(t("pr.bad-rev", rev=rev)) from None


_GITHUB_MERGE = re.compile(r"^Merge ([0-9a-f]{7,40}) into ([0-9a-f]{7,40})\s*$")


def is_github_merge(c) -> bool:
    """Whether `c` is the merge commit GitHub makes to test a pull request (refs/pull/N/merge):
    two parents and the message "Merge <PR head> into <base tip>" naming them."""
    m = _GITHUB_MERGE.match(c.message or "")
    return (m is not None and len(c.parents) == 2 and c.parents[1].hexsha.startswith(m.group(1))
            and c.parents[0].hexsha.startswith(m.group(2)))


def base_of(repo, rev: str, head):
    """The commit to compare `head` with, and whether it is not `rev` itself.

    For GitHub's pull-request merge commit that is its first parent when `rev` is an ancestor of
    it or missing from a shallow clone: GitHub merges into the base branch's current tip, and the
    event's base SHA can be older. Comparing with the older commit would count other pull
    requests' merged changes as this one's.
    """
    import git

    if not is_github_merge(head):
        return commit(repo, rev), False
    first = head.parents[0]
    try:
        given = repo.commit(rev)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        return first, True
    if given == first:
        return first, False
    try:
        older = repo.is_ancestor(given, first)
    except git.GitCommandError:
        older = False
    return (first, True) if older else (given, False)


def tree(repo, c, prefix: str):
    """The commit's tree at the ops repository's folder (None if the folder is not in that commit)."""
    if not prefix:
        return c.tree
    try:
        return c.tree / prefix
    except KeyError:
        return None


def same(a, b, paths: tuple[str, ...]) -> bool:
    """Whether trees `a` and `b` hold the same object (by its id), or both nothing, at each path."""
    def at(tree, rel):
        try:
            return (tree / rel).hexsha if tree is not None else None
        except KeyError:
            return None
    return all(at(a, rel) == at(b, rel) for rel in paths)


class TreeFiles:
    """`load.Files` over a Git tree: the loader reads blobs instead of files on disk."""

    def __init__(self, root_tree) -> None:
        self.tree = root_tree

    def _object(self, rel: str):
        if self.tree is None:
            raise FileNotFoundError(rel)
        try:
            return self.tree / rel
        except KeyError:
            raise FileNotFoundError(rel) from None

    def read_bytes(self, rel: str) -> bytes:
        obj = self._object(rel)
        if obj.type != "blob":
            raise FileNotFoundError(rel)
        return obj.data_stream.read()

    def exists(self, rel: str) -> bool:
        try:
            self._object(rel)
            return True
        except FileNotFoundError:
            return False

    def under(self, folder: str) -> list[str]:
        try:
            sub = self._object(folder)
        except FileNotFoundError:
            return []
        if sub.type != "tree":
            return []
        return sorted(posixpath.join(folder, posixpath.relpath(o.path, sub.path))
                      for o in sub.traverse() if o.type == "blob")


@dataclass(frozen=True)
class Change:
    """One changed file: its path at the base (None if added) and at the head (None if deleted)."""

    old: str | None
    new: str | None


def is_ticket(rel: str | None) -> bool:
    return bool(rel) and rel.startswith(TICKETS + "/") and rel.endswith(TICKET_SUFFIX)


def is_improvement(rel: str | None) -> bool:
    return bool(rel) and rel.startswith(IMPROVEMENTS + "/") and rel.endswith(TICKET_SUFFIX)


def changes(base_tree, head_tree) -> list[Change]:
    """The files that differ, with Git's rename detection; a ticket deleted in one place and added
    with the same file name (its id) in another is a rename too, however much it changed."""
    if head_tree is None or (base_tree is not None and base_tree.hexsha == head_tree.hexsha):
        return []
    if base_tree is None:  # the ops folder is new: every file is added
        return [Change(None, posixpath.relpath(o.path, head_tree.path) if head_tree.path else o.path)
                for o in head_tree.traverse() if o.type == "blob"]
    out = []
    for d in base_tree.diff(head_tree):
        old = None if d.new_file else d.a_path
        new = None if d.deleted_file else d.b_path
        out.append(Change(old, new))
    gone = {posixpath.basename(c.old): c for c in out if c.new is None and is_ticket(c.old)}
    paired = []
    for c in out:
        match = gone.get(posixpath.basename(c.new)) if c.old is None and is_ticket(c.new) else None
        if match is not None:
            paired.append(match)
            out[out.index(c)] = Change(match.old, c.new)
    return sorted((c for c in out if c not in paired), key=lambda c: (c.new or c.old or ""))


def ticket_paths(repo, base_tree) -> dict[str, str]:
    """Ticket id (the file name) → path, for every ticket in the tree: one `git ls-tree`."""
    if base_tree is None:
        return {}
    listing = repo.git.ls_tree("-r", "--name-only", base_tree.hexsha, "--", TICKETS)
    return {posixpath.basename(p)[: -len(TICKET_SUFFIX)]: p
            for p in listing.splitlines() if p.endswith(TICKET_SUFFIX)}
