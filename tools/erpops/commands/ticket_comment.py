"""erpops ticket from-comment: a command typed on a ticket's issue (`/补充 …`, `/确认`, `/升级 原因：…`)
becomes one event of the ticket, through the same functions as `erpops ticket …`, committed on a
branch of its own for a pull request that the gate judges like any other.

The comment is untrusted text: only its first word chooses what happens; the rest is a note, a
cause or a person's name that the ticket writer quotes and the resolver checks. Who acted is the
roster person whose forge login wrote the comment; when it is the comment's `created_at` (forge
time). A refusal (an unknown command or login, a ticket not found, a rule or the gate's entitlement
saying no) writes nothing; with `answer` it is answered on the issue with the reason and what to type.

Why a branch per comment, not a push onto the ticket's open `ticket/issue-N`: the data gate holds
every new event of a pull request to one acting person (the issue's author for `ticket/issue-N`),
so a comment by someone else on that branch would be refused; and a ticket whose form pull request
is not merged yet is not on the default branch to be found (that comment is answered: wait for it).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import sys
from pathlib import Path

from erpops import atomic, clock, gitbranch, gitdiff, siteconfig
from erpops import ticket as ticket_model
from erpops.commands import ticket as commands
from erpops.commands.ticket_issue import _author, write_outputs
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.issuecomment import Command, Comment, labelled, parse, read_event
from erpops.yamlio import load_text

# The ticket event each action records.
KIND = {"note": "comment", "confirm": "close", "reopen": "reopen", "escalate": "escalate",
        "cancel": "cancel", "assign": "assign", "resolve": "resolve"}


class Refused(Exception):
    """Why a comment is not recorded, worded for the issue, and what to type instead."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint


def find_ticket(root: Path, forge: str, number: int) -> str | None:
    """The file of the ticket whose `issue:` is issue `number` on `forge`: a look at each ticket's
    text for its `number:` line, no ticket parsed but the one found."""
    pattern = re.compile(rf"(?m)^issue:[ \t]*\n(?:[ \t]+\S.*\n)*?[ \t]+number:[ \t]*{number}[ \t]*(?:#.*)?$")
    hits = []
    for path in sorted((root / "tickets").glob("*/*/*.yaml")):
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if f"number: {number}" in text and pattern.search(text + "\n"):
            doc, _ = load_text(text, path.relative_to(root).as_posix())
            tk = ticket_model.build(doc) if doc is not None else None
            if tk is not None and tk.issue is not None and tk.issue.number == number \
                    and tk.issue.forge in (forge, ""):
                hits.append(path.relative_to(root).as_posix())
    return hits[0] if len(hits) == 1 else None


@contextlib.contextmanager
def _captured():
    """What the command functions write to stderr (a refusal's reasons), still shown in the log."""
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer
    sys.stderr.write(buffer.getvalue())


def _reasons(text: str) -> str:
    """The reasons a command function gave, as a list for the issue: each finding's "[rule] message"
    (without its file and line), else the error's message; its advice for a terminal left out."""
    found = [m.group(1) for m in re.finditer(r"(?m)^\S+:\d+:\d+: (\[[^\]]+\] .*)$", text)]
    if not found:
        found = [line.removeprefix("erpops: ") for line in text.splitlines() if line.startswith("erpops: ")]
    return "\n".join("- " + line for line in found or [text.strip()])


def _hint(action: str) -> str:
    return t(f"comment.hint.{action}")


def _run(root: Path, tk: ticket_model.Ticket, cmd: Command, who: str, at: str | None) -> int:
    """Record `cmd` on ticket `tk` by `who` through the command functions (no branch: the caller
    commits once the gate's entitlement agrees)."""
    tid = tk.id
    lead, parts = labelled(cmd.text)
    text = " ".join(cmd.text.split()) or None
    common = {"by": who, "at": at}
    if cmd.action in ("note", "reopen", "cancel") and not text:
        raise Refused(t("comment.needs-text", word=cmd.word), _hint(cmd.action))
    if cmd.action == "note":
        return commands.event(root, tid, "comment", note=text, **common)
    if cmd.action == "confirm":
        return commands.event(root, tid, "close", note=text or t("comment.confirmed-note"), **common)
    if cmd.action in ("reopen", "cancel"):
        return commands.event(root, tid, cmd.action, note=text, **common)
    if cmd.action == "assign":
        if not lead:
            raise Refused(t("comment.needs-person", word=cmd.word), _hint("assign"))
        person, _, note = lead.partition(" ")
        return commands.event(root, tid, "assign", to=person, note=note.strip() or None, **common)
    if cmd.action == "resolve":
        if not lead or "cause" not in parts:
            raise Refused(t("comment.needs-resolution", word=cmd.word), _hint("resolve"))
        return commands.event(root, tid, "resolve", summary=lead, root_cause=parts["cause"], note=lead, **common)
    # escalate: the cause and impact given are recorded first (an update), then the escalation.
    changes = {k: v for k, v in parts.items() if v != getattr(tk, k)}
    if changes:
        code = commands.update(root, tid, note=t("comment.update-note"), **changes, **common)
        if code != 0:
            return code
    return commands.event(root, tid, "escalate", note=lead or text, **common)


def _gate(root: Path, rel: str, before: ticket_model.Ticket) -> list[str]:
    """The gate's verdict on the change just written, as the pull request will get it (merge-queue
    mode: the recorded person must be entitled under the rules of this checkout)."""
    repo = commands._repo(root)
    doc, _ = load_text((root / rel).read_text("utf-8"), rel)
    after = ticket_model.build(doc) if doc is not None else None
    if after is None:
        return []
    gate = gitdiff.Gate(roster=repo.roster, policy=repo.policy, now=clock.now(repo.policy.calendar.tz))
    return [f"- [{d.rule}] {d.message()}" for d in sorted(gitdiff.compare(before, after, gate)) if d.is_error]


def apply(root: Path, c: Comment, cmd: Command, branch: str | None) -> tuple[str, str]:
    """Record `cmd` from comment `c` and commit it on `branch`: (ticket id, file). Refused otherwise."""
    if not cmd.action:
        raise Refused(t("comment.unknown-command", word=cmd.word[:20]), t("comment.hint.all"))
    rel = find_ticket(root, c.forge, c.issue)
    if rel is None:
        raise Refused(t("comment.no-ticket", number=c.issue), t("comment.hint.wait"))
    repo = commands._repo(root)
    try:
        who = _author(repo, c.login, c.forge)
    except FatalError:
        raise Refused(t("comment.unknown-login", login=c.login, forge=t(f"comment.forge.{c.forge}")),
                      t("comment.hint.login", login=c.login, forge=c.forge)) from None
    tk = next((x for x in repo.tickets if x.src.path == rel), None)
    if tk is None:
        raise Refused(t("comment.no-ticket", number=c.issue), t("comment.hint.wait"))
    if branch:
        try:
            gitbranch.ensure_free(root, branch)
        except FatalError as err:
            raise Refused(str(err)) from None
    raw = (root / rel).read_bytes()
    at = _at(c.created_at)
    with _captured() as err:
        try:
            code = _run(root, tk, cmd, who, at)
        except FatalError as fatal:
            sys.stderr.write(f"erpops: {fatal}\n")
            code = 1
    if code != 0:
        _restore(root, rel, raw)
        raise Refused(t("comment.refused", word=cmd.word) + "\n\n" + _reasons(err.getvalue()), _hint(cmd.action))
    refused = _gate(root, rel, tk)
    if refused:
        _restore(root, rel, raw)
        raise Refused(t("comment.not-entitled", word=cmd.word) + "\n\n" + "\n".join(refused), _hint(cmd.action))
    if branch:
        gitbranch.commit_on_branch(root, branch, rel,
                                   f"Ticket {tk.id}: {KIND[cmd.action]} from comment {c.id} on issue #{c.issue} by {who}")
        sys.stdout.write(t("ticket.committed", branch=branch) + "\n")
    return tk.id, rel


def _at(value: str | None) -> str | None:
    """The comment's time as `--at` takes it (Z as +00:00)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FatalError(t("ticket.bad-time", value=value)) from None
    return when.isoformat()


def _restore(root: Path, rel: str, raw: bytes) -> None:
    """The ticket file as it was before a refused change (an update may have been written)."""
    if atomic.current(root / rel) != raw:
        atomic.write_bytes(root / rel, raw)


def answer_text(reason: str, hint: str) -> str:
    return t("comment.answer", reason=reason, hint=hint) if hint else t("comment.answer-no-hint", reason=reason)


def from_comment(root: Path, event_path: Path, branch: str | None = None, forge: str | None = None,
                 answer: bool = False) -> int:
    """0: recorded (and committed on `branch`), or not a command (ignored); 1: refused (with `answer`,
    answered on the issue: then 0); 2: unusable input."""
    policy_forge = _policy_forge(root)
    forge = forge or policy_forge or "github"
    c = read_event(event_path, forge)
    cmd = parse(c.body)
    if cmd is None or c.is_pull or c.by_bot:
        sys.stdout.write(t("comment.ignored", id=c.id) + "\n")
        return 0
    lang = siteconfig.read(root).lang
    try:
        tid, rel = apply(root, c, cmd, branch)
    except Refused as refusal:
        body = answer_text(refusal.reason, refusal.hint)
        sys.stderr.write(body + "\n")
        if not answer:
            return 1
        from erpops import forges

        forges.make(forges.choose(forge, policy_forge=policy_forge)).comment_issue(c.issue, body)
        sys.stdout.write(t("comment.answered", number=c.issue) + "\n")
        return 0
    _outputs(branch, tid, rel, c, cmd, lang)
    return 0


def _policy_forge(root: Path) -> str | None:
    try:
        repo = commands._repo(root)
    except FatalError:
        return None
    return repo.policy.forge if repo.policy else None


def _outputs(branch: str | None, tid: str, rel: str, c: Comment, cmd: Command, lang: str) -> None:
    """The step's outputs for the next step (push, pull request, acknowledgement)."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    what = t(f"comment.action.{cmd.action}", lang)
    body = t("comment.pr-body", lang, id=tid, path=rel, number=c.issue, comment=c.id, action=what)
    write_outputs(target, branch, tid, rel, pr_title=t("comment.pr-title", lang, id=tid, action=what, number=c.issue),
                  comment=t("comment.ack", lang, id=tid, action=what), body=body)
