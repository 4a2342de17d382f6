"""erpops mail fetch: each new mail in the intake mailbox becomes a ticket, or an event on the
ticket it replies to, committed on its own branch `ticket/mail-<uid>` for a pull request.

Every mail is dealt with on its own: one that cannot be read, comes from an address not in the
roster, or is refused by the rules is answered with the reason (SMTP) and moved to the folder
erpops-rejected; the next one is read all the same. A mail dealt with is moved to erpops-done.

Exactly once: the branch `ticket/mail-<uid>` is written before the mail leaves the intake folder,
and a mail whose branch already exists (a run that stopped between the two) is only moved. With
`--push REMOTE` the branch is pushed before the move, and one already on REMOTE counts as written.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import sys
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

from erpops import clock
from erpops.commands.ticket import _repo, event, instant
from erpops.commands.ticket_issue import file_ticket
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.mailin import route as routing
from erpops.mailin import servers
from erpops.mailin.read import Mail, Unreadable, read


@dataclass
class Outcome:
    uid: int
    status: str  # done, already, rejected, unanswered, ignored, kept, failed
    branch: str | None = None
    ticket: str | None = None
    reason: str | None = None
    title: str | None = None  # the pull request's title


class _Git:
    """The checkout the branches are written in; every mail starts from where the run began."""

    def __init__(self, root: Path) -> None:
        import git

        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise FatalError(t("ticket.not-git", root=root)) from None
        if self.repo.is_dirty(untracked_files=False):
            raise FatalError(t("mail.dirty"))
        self.base = None if self.repo.head.is_detached else self.repo.active_branch.name
        self.sha = self.repo.head.commit.hexsha

    def has(self, branch: str, remote: str | None) -> bool:
        if branch in self.repo.heads:
            return True
        if remote:
            import git

            try:
                return bool(self.repo.git.ls_remote("--heads", remote, f"refs/heads/{branch}").strip())
            except git.GitCommandError as err:
                raise FatalError(t("mail.push-failed", remote=remote, reason=_short(err.stderr or err))) from None
        return False

    def back(self) -> None:
        if self.base:
            self.repo.git.switch("--quiet", "--force", self.base)
        else:
            self.repo.git.switch("--quiet", "--force", "--detach", self.sha)

    def push(self, remote: str, branch: str) -> str | None:
        """None, or why `branch` could not be pushed (it is then removed here, for the next run)."""
        import git

        try:
            self.repo.git.push("--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")
            return None
        except git.GitCommandError as err:
            self.back()
            self.repo.git.branch("-D", branch)
            return _short(err.stderr or err)


def _short(value: object) -> str:
    return " ".join(str(value).split())[:300]


def _received(fetched: servers.Fetched, tz) -> str | None:
    """When the mail reached the server (its INTERNALDATE), if that is a time an event can have."""
    at = fetched.received
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at > clock.now(tz):
        return None
    return at.isoformat()


def _attachments_note(mail: Mail) -> str | None:
    if not mail.attachments:
        return None
    names = "、".join(f"{a.name}（{max(1, round(a.size / 1024))} KB）" for a in mail.attachments)
    return t("mail.attachments", names=names, folder=servers.DONE)


def _apply(repo, action, mail: Mail, fetched: servers.Fetched, branch: str, args) -> tuple[int, str | None, str]:
    """Write what the mail asks for on `branch`: (exit code, ticket id, what the refusal said)."""
    at = _received(fetched, repo.policy.calendar.tz)
    said = io.StringIO()
    tid = None
    try:
        with redirect_stderr(said):
            if isinstance(action, routing.NewTicket):
                note = "\n".join(n for n in (t("mail.note", sender=mail.sender, uid=fetched.uid),
                                             _attachments_note(mail)) if n)
                fields = {"subsystem": action.subsystem, "type": args["type_"], "priority": args["priority"],
                          "symptom": action.symptom}
                code, tid, _rel = file_ticket(repo, action.who, instant(repo, at), title=action.title,
                                              fields=fields, note=note, branch=branch)
            else:
                extra = _attachments_note(mail)
                note = "\n".join(n for n in (action.note, extra) if n) or None
                code = event(repo.root, action.ticket, action.kind, note=note, by=action.who, at=at, branch=branch)
                tid = action.ticket
    except FatalError as err:
        said.write(str(err) + "\n")
        code = err.code
    except Exception:  # noqa: BLE001 - a bug met by one mail must not stop the others
        said.write(t("mail.bug", uid=fetched.uid, log=_log_bug()) + "\n")
        code = 3
    sys.stderr.write(said.getvalue())
    return code, tid, said.getvalue().strip()


def _log_bug() -> str:
    import traceback

    from erpops.errors import _log_path

    log = _log_path()
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as out:
            out.write(traceback.format_exc())
    except OSError:
        return "-"
    return str(log)


def _refuse(box: servers.Mailbox, smtp: servers.SmtpSettings | None, uid: int, to: str | None,
            subject: str, reason: str, message_id: str | None) -> Outcome:
    """Answer the sender with `reason`, then set the mail aside: a crash between the two answers twice."""
    out = Outcome(uid, "rejected", reason=reason)
    if to and smtp is not None:
        body = t("mail.answer.body", reason=reason, subject=subject or "-")
        try:
            servers.answer(smtp, to, t("mail.answer.subject", subject=subject or "-"), body, message_id)
        except servers.SEND_ERRORS as err:
            sys.stderr.write(t("mail.answer-failed", to=to, reason=_short(err)) + "\n")
            out.status = "unanswered"
    elif to:
        sys.stderr.write(t("mail.no-smtp", to=to) + "\n")
        out.status = "unanswered"
    box.set_aside(uid, servers.REJECTED)
    sys.stdout.write(t("mail.rejected", uid=uid, folder=servers.REJECTED, reason=reason) + "\n")
    return out


def _sender_of(raw: bytes) -> str | None:
    """The address to answer an unreadable mail at, if one can be read at all."""
    import email
    import email.utils

    try:
        msg = email.message_from_bytes(raw)
        found = [a for _n, a in email.utils.getaddresses([str(msg.get("From") or "")]) if "@" in a]
        auto = str(msg.get("Auto-Submitted") or "no").strip().lower() != "no"
    except Exception:  # as unreadable as the mail itself: no one to answer
        return None
    return found[0] if len(found) == 1 and not auto and "\n" not in found[0] else None


def _one(root: Path, box: servers.Mailbox, gitco: _Git, smtp, uid: int, args) -> Outcome:
    branch = f"ticket/mail-{uid}"
    if gitco.has(branch, args["push"]):
        box.set_aside(uid, servers.DONE)
        sys.stdout.write(t("mail.already", uid=uid, branch=branch, folder=servers.DONE) + "\n")
        return Outcome(uid, "already", branch)
    fetched = box.fetch(uid)
    if fetched is None:
        return Outcome(uid, "gone")
    try:
        mail = read(fetched.raw)
    except Unreadable as err:
        key, params = err.args
        return _refuse(box, smtp, uid, _sender_of(fetched.raw), "", t(key, **params), None)
    if mail.automatic:
        box.set_aside(uid, servers.REJECTED)
        sys.stdout.write(t("mail.ignored", uid=uid, sender=mail.sender, folder=servers.REJECTED) + "\n")
        return Outcome(uid, "ignored")
    repo = _repo(root)  # as the run's starting commit has it: each mail's branch starts there
    action = routing.route(repo, mail, args["subsystem"])
    if isinstance(action, routing.Refuse):
        return _refuse(box, smtp, uid, mail.sender, mail.subject, t(action.key, **action.params), mail.message_id)
    try:
        code, tid, said = _apply(repo, action, mail, fetched, branch, args)
    finally:
        gitco.back()
    if code == 3:  # a bug, logged: set aside for the ops staff, not answered with it
        box.set_aside(uid, servers.REJECTED)
        return Outcome(uid, "failed", reason=said)
    if code != 0:
        return _refuse(box, smtp, uid, mail.sender, mail.subject, said or t("mail.refused.rules"), mail.message_id)
    if args["push"]:
        failed = gitco.push(args["push"], branch)
        if failed:
            sys.stderr.write(t("mail.push-failed", remote=args["push"], reason=failed) + "\n")
            return Outcome(uid, "kept", reason=failed)
    box.set_aside(uid, servers.DONE)
    sys.stdout.write(t("mail.done", uid=uid, id=tid, branch=branch) + "\n")
    what = action.title if isinstance(action, routing.NewTicket) else t("mail.kind." + action.kind)
    return Outcome(uid, "done", branch, tid, title=t("mail.pr-title", id=tid, what=what))


def fetch(root: Path, *, subsystem: str | None = None, type_: str = "fault", priority: str = "P3",
          push: str | None = None, limit: int | None = None) -> int:
    """Read the intake mailbox once. Exit 0 when every mail was dealt with (refused ones answered),
    1 when one could not be answered or pushed, 2 when the mailbox or repository is unusable,
    3 when a mail met a bug (logged; that mail is set aside, the others are read)."""
    repo = _repo(root)
    if subsystem is not None and subsystem not in repo.roster.subsystems:
        raise FatalError(t("ticket.unknown-subsystem", subsystem=subsystem))
    if type_ not in repo.policy.ticket_types:
        raise FatalError(t("mail.unknown-type", type=type_, allowed=", ".join(repo.policy.ticket_types)))
    imap = servers.imap_settings()
    smtp = servers.smtp_settings()
    gitco = _Git(root)
    args = {"subsystem": subsystem, "type_": type_, "priority": priority, "push": push}
    box = servers.Mailbox(imap)
    outcomes: list[Outcome] = []
    try:
        for uid in box.uids()[: limit if limit and limit > 0 else None]:
            outcomes.append(_one(root, box, gitco, smtp, uid, args))
    except FatalError:
        raise
    except Exception as err:  # the connection dropped mid-run: what is done stays done
        raise FatalError(t("mail.imap-failed", host=imap.host, port=imap.port, reason=servers._reason(err))) from None
    finally:
        box.close()
    _outputs([o for o in outcomes if o.status == "done"])
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("done", "already", "rejected", "unanswered",
                                                                      "ignored", "kept", "failed")}
    sys.stdout.write(t("mail.summary", total=len(outcomes), **counts) + "\n")
    return 3 if counts["failed"] else 1 if counts["unanswered"] or counts["kept"] else 0


def _outputs(done: list[Outcome]) -> None:
    """For the workflow's next step: the hook a forge layer opens pull requests from. `pulls` has
    one line per branch written, `<branch><TAB><pull request title>`; `pr-body` is their body."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    delimiter = "ERPOPS_" + secrets.token_hex(16)
    pulls = [f"{o.branch}\t{' '.join((o.title or '').split())}" for o in done]
    lines = [f"count={len(done)}", f"pulls<<{delimiter}", *pulls, delimiter,
             f"pr-body<<{delimiter}", t("mail.pr-body", folder=servers.DONE), delimiter]
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    except OSError as err:
        raise FatalError(t("issueform.no-output", path=target, reason=err)) from None
