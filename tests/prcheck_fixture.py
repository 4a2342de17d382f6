"""Real Git repositories for the PR gate tests: a base on main, a PR branch, and the merge commit
GitHub checks out for a pull request (HEAD^1 the base, HEAD^2 the PR's head)."""
from __future__ import annotations

import git

from conftest import Repo
from tickets_fixture import PATH, TICKET, setup

OPEN_PATH = "tickets/alpha/2026/ALP-20261102-AB2C.yaml"
# Opened by key user li-user for zhou-user, assigned to li-user: still open.
OPEN = """\
id: ALP-20261102-AB2C
title: 如何查询本月领料汇总
subsystem: alpha
type: operation-question
priority: P4
status: open
reporter:
  person: zhou-user
opened: 2026-11-02T09:00:00+08:00
tier: key-user
assignee: li-user
symptom: 不会查询领料汇总
cause: 新到岗，未培训
history:
  - event: open
    at: 2026-11-02T09:00:00+08:00
    by: li-user
    tier: key-user
    assignee: li-user
"""
RESOLUTION = """\
resolution:
  summary: 演示了领料汇总表的查询
  root_cause: 不熟悉操作
  by: {by}
  at: {at}
"""
LOGINS = {"zhao-admin": "zhao-gh", "qian-erp": "qian-gh", "sun-lead": "sun-gh", "li-user": "li-gh",
          "zhou-user": "zhou-gh", "vendor-wu": "wu-gh"}
COMMIT_TIME = "2026-11-02T10:00:00+08:00"
NOW = "2026-11-03T09:00:00+08:00"


def event(kind: str, at: str, by: str, tier: str = "key-user", **extra: str) -> str:
    text = f"  - event: {kind}\n    at: {at}\n    by: {by}\n    tier: {tier}\n"
    return text + "".join(f"    {k}: {v}\n" for k, v in extra.items())


class GitOps:
    """The ops repository `repo` as a Git repository with dated commits."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.g = git.Repo.init(repo.root, initial_branch="main")

    def commit(self, message: str, when: str = COMMIT_TIME, email: str = "li@example.com") -> str:
        self.g.git.add("-A")
        env = {"GIT_AUTHOR_NAME": email.split("@")[0], "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com", "GIT_COMMITTER_DATE": when}
        self.g.git.commit("--allow-empty", "-q", "-m", message, env=env)
        return self.g.head.commit.hexsha

    def branch(self, name: str) -> None:
        self.g.git.switch("-q", "-c", name)

    def merge(self, branch: str, into: str = "main", when: str = COMMIT_TIME) -> str:
        """The merge commit GitHub makes for a pull request: first parent the base, second the PR."""
        self.g.git.switch("-q", into)
        env = {"GIT_AUTHOR_NAME": "github", "GIT_AUTHOR_EMAIL": "noreply@github.com", "GIT_AUTHOR_DATE": when,
               "GIT_COMMITTER_NAME": "github", "GIT_COMMITTER_EMAIL": "noreply@github.com",
               "GIT_COMMITTER_DATE": when}
        message = f"Merge {self.g.commit(branch).hexsha} into {self.g.head.commit.hexsha}"
        self.g.git.merge("--no-ff", "-q", "-m", message, branch, env=env)
        return self.g.head.commit.hexsha


def base_repo(repo: Repo, extra: dict[str, str] | None = None) -> tuple[GitOps, str]:
    """The tickets fixture with GitHub logins, the open ticket and the closed one, committed on main
    after a first commit (so that a depth-2 clone of the merge commit really is cut short)."""
    setup(repo)
    for pid, login in LOGINS.items():
        more = (extra or {}).get(pid, "")
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    github: {login}\n{more}")
    ops = GitOps(repo)
    repo.write("README.md", "ops\n")
    ops.commit("first", "2026-11-01T09:00:00+08:00")
    repo.write(OPEN_PATH, OPEN)
    repo.write(PATH, TICKET)
    base = ops.commit("base", "2026-11-02T09:05:00+08:00")
    ops.branch("pr")
    return ops, base


def append(repo: Repo, rel: str, text: str, **replace: str) -> None:
    """Add history entries at the end of the history, and set top-level fields."""
    body = repo.read(rel)
    head, sep, tail = body.partition("resolution:\n")
    body = head + text + sep + tail
    for key, value in replace.items():
        lines = body.splitlines(keepends=True)
        idx = next(i for i, ln in enumerate(lines) if ln.startswith(f"{key}:"))
        lines[idx] = f"{key}: {value}\n"
        body = "".join(lines)
    repo.write(rel, body)


def move_to_beta(ops) -> None:
    """A subsystem `beta` added at a new base, and the open ticket moved to it in the head: an explicit
    `move` event and the file renamed (`ops` is a GitOps-like fixture with `repo`, `commit` and `base`)."""
    beta = ops.repo.read("roster/subsystems/alpha.yaml").replace("code: alpha", "code: beta").replace("甲系统", "乙系统")
    ops.repo.write("roster/subsystems/beta.yaml", beta.replace("name_en: Alpha", "name_en: Beta"))
    ops.repo.edit("policy.yaml", "  alpha: ALP\n", "  alpha: ALP\n  beta: BET\n")
    ops.base = ops.commit("add beta")
    text = OPEN.replace("subsystem: alpha", "subsystem: beta")
    text += event("move", "2026-11-02T09:40:00+08:00", "li-user", **{"from": "alpha", "note": "属于乙系统"})
    (ops.repo.root / OPEN_PATH).unlink()
    ops.repo.write("tickets/beta/2026/ALP-20261102-AB2C.yaml", text)
