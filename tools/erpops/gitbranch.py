"""Commit one ticket change on a new branch with GitPython, ready to push as a pull request."""
from __future__ import annotations

from pathlib import Path

from erpops.errors import FatalError
from erpops.i18n import t


def _repo(root: Path):
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FatalError(t("ticket.not-git", root=root)) from None


def ensure_free(root: Path, branch: str) -> None:
    """Refuse before anything is written: not a Git work tree, a bad name, or a branch that exists."""
    import git

    repo = _repo(root)
    try:
        repo.git.check_ref_format("--branch", branch)
    except git.GitCommandError:
        raise FatalError(t("ticket.bad-branch", branch=branch)) from None
    if branch in repo.heads:
        raise FatalError(t("ticket.branch-exists", branch=branch))


def commit_on_branch(root: Path, branch: str, rel: str, message: str, also: tuple[str, ...] = ()) -> None:
    """Create `branch` at HEAD, switch to it, and commit only the file `rel` there (and the files
    `also`, such as the old place of a moved ticket, removed)."""
    import git

    repo = _repo(root)
    top = Path(repo.working_tree_dir).resolve()
    paths = [str((root / r).resolve().relative_to(top)) for r in (rel, *also)]
    try:
        repo.git.switch("-c", branch)
        repo.git.add("-A", "--", *paths)
        repo.git.commit("-m", message, "--only", "--", *paths)
    except git.GitCommandError as err:
        raise FatalError(t("ticket.git-failed", error=str(err.stderr or err).strip())) from None
