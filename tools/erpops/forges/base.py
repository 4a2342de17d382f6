"""What the gate, intake and notify need from a forge (GitHub, GitLab, Gitea/Forgejo), as one interface.

A forge is read from the CI environment it runs in (variables and the event payload) and spoken to
through its API with a token from that environment, never from a file or an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, runtime_checkable

from erpops.diagnostics import Diagnostic
from erpops.errors import FatalError

Env = Mapping[str, str]


class ForgeError(FatalError):
    """The forge could not be read or reached; the message is already worded (exit 2)."""


@dataclass(frozen=True)
class PullRequest:
    """A pull (merge) request as the forge tells it: what the gate may not take from the commits."""

    number: int | None = None
    base: str | None = None          # the base commit
    head: str | None = None          # the commit checked out (a merge commit or the source head)
    author: str | None = None        # the forge login of whoever opened it
    opened_at: str | None = None     # ISO 8601, as the forge gives it


@dataclass(frozen=True)
class Posted:
    """What the forge answered: the new object's number or id, and its web address if it gave one."""

    id: int | None = None
    url: str | None = None


@runtime_checkable
class Forge(Protocol):
    name: str

    def pull_request(self) -> PullRequest:
        """The pull request this CI job runs for (base, head, author, creation time)."""
        ...

    def post_findings(self, pr: PullRequest, findings: list[Diagnostic], body: str) -> Posted:
        """Put the gate's findings on the pull request: a note, a review or a comment, with `body` as text."""
        ...

    def comment_issue(self, number: int, body: str) -> Posted:
        """Answer on an issue."""
        ...

    def comment_pull(self, number: int, body: str) -> Posted:
        """Answer on a pull request."""
        ...

    def issue_comments(self, number: int) -> list[str]:
        """The text of every comment on an issue (to see whether an answer is already there)."""
        ...

    def close_issue(self, number: int, body: str) -> Posted:
        """Answer `body` on an issue (when not empty) and close it; Posted is the answer's."""
        ...

    def reopen_issue(self, number: int, body: str) -> Posted:
        """Answer `body` on an issue (when not empty) and open it again; Posted is the answer's."""
        ...

    def open_pull(self, head: str, base: str, title: str, body: str) -> Posted:
        """Open a pull request from branch `head` into `base`."""
        ...

    def approvers(self, pr: PullRequest) -> frozenset[str]:
        """The logins (lower case) whose approval of the pull request stands now."""
        ...


def need(env: Env, *names: str) -> str:
    """The first of the variables `names` that is set; a clear error naming them otherwise."""
    from erpops.i18n import t

    for name in names:
        value = (env.get(name) or "").strip()
        if value:
            return value
    raise ForgeError(t("forge.missing-env", names=" / ".join(names)))


def number(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
