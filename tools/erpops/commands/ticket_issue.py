"""erpops ticket from-issue: turn a submitted ticket form (a GitHub `issues` event) into a ticket,
committed on a branch, through the same code as `erpops ticket new`.

Everything in the payload is untrusted text: it is only ever parsed, matched against the roster
and the form's own options, and written through the ticket writer, which quotes what it must.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import sys
from pathlib import Path

from erpops import attachments, issueform, siteconfig
from erpops.commands import issue_answer
from erpops.commands.ticket import _repo, instant, open_ticket
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.repository import Repository


def _gitlab_issue(data, path: Path) -> dict:
    """GitLab's issue as the API gives it (GET /projects/:id/issues/:iid) or as an Issue Hook of
    action `open` (whose `user` is then the author), in the shape of GitHub's."""
    if not isinstance(data, dict):
        raise FatalError(t("issueform.not-an-issue", path=path))
    hook = data.get("object_kind") == "issue"
    attrs = data.get("object_attributes") if hook else data
    user = data.get("user") if hook else data.get("author")
    if not isinstance(attrs, dict) or (hook and attrs.get("action") != "open"):
        raise FatalError(t("issueform.not-an-issue", path=path))
    found = data.get("labels") if hook else attrs.get("labels")
    labels = [{"name": lb.get("title") if isinstance(lb, dict) else lb} for lb in found] \
        if isinstance(found, list) else []
    created = attrs.get("created_at")
    if isinstance(created, str) and created.endswith(" UTC"):   # the hook's "2026-11-30 08:00:00 UTC"
        created = created[:-4].replace(" ", "T") + "Z"
    return {"number": attrs.get("iid"), "title": attrs.get("title"), "body": attrs.get("description"),
            "html_url": attrs.get("web_url") or attrs.get("url"),
            "labels": labels, "created_at": created,
            "user": {"login": user.get("username")} if isinstance(user, dict) else None}


def _payload(path: Path, forge: str = "github") -> dict:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise FatalError(t("issueform.bad-event", path=path, reason=err)) from None
    if forge == "gitlab":
        data = {"issue": _gitlab_issue(data, path)}
    issue = data.get("issue") if isinstance(data, dict) else None
    user = issue.get("user") if isinstance(issue, dict) else None
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int) \
            or not isinstance(user, dict) or not isinstance(user.get("login"), str):
        raise FatalError(t("issueform.not-an-issue", path=path))
    return issue


def _author(repo: Repository, login: str, forge: str = "github") -> str:
    for p in repo.roster.people.values():
        name = getattr(p, forge, None)
        if name and name.lower() == login.lower():
            return p.id
    raise FatalError(t("issueform.unknown-login", login=login))


def _reporter(repo: Repository, value: str | None) -> str | None:
    """A person id or a person's exact name, Chinese or English."""
    if value is None:
        return None
    text = " ".join(value.split())
    people = repo.roster.people
    if text in people:
        return text
    named = [p.id for p in people.values() if text in (p.name, p.name_en)]
    if len(named) == 1:
        return named[0]
    raise FatalError(t("issueform.unknown-reporter", value=text[:60]))


def from_issue(root: Path, event_path: Path, branch: str | None = None, forge: str | None = None,
               answer_file: Path | None = None) -> int:
    """`forge`: whose payload and logins (github, gitlab, gitea); None: the policy's `forge:`.
    With `answer_file`, a refusal also leaves there the answer for the issue (issue_answer)."""
    if answer_file is None:
        return _from_issue(root, event_path, branch, forge, [])
    stage = ["event"]
    try:
        with issue_answer.copied_stderr() as printed:
            code = _from_issue(root, event_path, branch, forge, stage)
    except FatalError as err:
        issue_answer.write(answer_file, str(err), stage[-1])
        raise
    if code != 0:
        issue_answer.write(answer_file, printed.getvalue(), "rules")
    return code


def _from_issue(root: Path, event_path: Path, branch: str | None, forge: str | None, stage: list[str]) -> int:
    repo = _repo(root)
    forge = forge or (repo.policy.forge if repo.policy else None) or "github"
    issue = _payload(event_path, forge)
    number, login = issue["number"], issue["user"]["login"]
    found = issue.get("labels")
    labels = {lb.get("name") for lb in found if isinstance(lb, dict)} if isinstance(found, list) else set()
    if issueform.LABEL not in labels:
        raise FatalError(t("issueform.no-label", number=number, label=issueform.LABEL))
    lang = siteconfig.read(root).lang
    stage.append("author")
    who = _author(repo, login, forge)
    stage.append("form")
    parse = issueform.parse_markdown if forge == "gitlab" else issueform.parse
    try:
        fields = parse(str(issue.get("body") or ""), repo.roster, repo.policy, lang)
    except issueform.FormError as err:
        raise FatalError(t(err.args[0], **err.args[1]) + t("issueform.in-issue", number=number)) from None
    title = " ".join(str(issue.get("title") or "").split())
    prefix = t("issueform.title-prefix", lang).strip()
    if prefix and title.startswith(prefix):
        title = title[len(prefix):].strip()
    if not title:
        raise FatalError(t("issueform.no-title", number=number))
    fields, found = _attachments(fields, forge, issue.get("html_url"))
    opened = instant(repo, issue.get("created_at") if isinstance(issue.get("created_at"), str) else None)
    code, tid, rel = file_ticket(repo, who, opened, title=title, fields=fields, attachments=found,
                                 note=t("issueform.note", lang, number=number, login=login), branch=branch,
                                 issue=issue_ref(forge, number, issue.get("html_url")))
    if code == 0:
        _outputs(branch, tid, rel, title, number, lang)
    return code


def issue_ref(forge: str, number: int, url: object) -> dict:
    """The ticket's `issue:` record: the forge, the issue's number, and its web address when the
    payload gives an http(s) one."""
    ref: dict = {"forge": forge, "number": number}
    if isinstance(url, str) and url.startswith(("https://", "http://")) and not any(c.isspace() for c in url):
        ref["url"] = url
    return ref


def _attachments(fields: dict[str, str | None], forge: str, issue_url: object
                 ) -> tuple[dict[str, str | None], tuple[attachments.Attachment, ...]]:
    """The pasted images and files of the form's texts, on the forge's own hosts, out of the texts."""
    web = re.sub(r"(/-)?/issues/[0-9]+/?$", "", issue_url) if isinstance(issue_url, str) else None
    where = attachments.place(forge, web)
    found: dict[str, attachments.Attachment] = {}
    out = dict(fields)
    for field in issueform.TEXTAREAS:
        if out.get(field):
            text, more = attachments.extract(out[field] or "", where)
            found.update((a.url, a) for a in more if a.url not in found)
            out[field] = text or None
    if found and not out.get("symptom"):
        out["symptom"] = t("issueform.see-attachments")
    return out, tuple(found.values())


def file_ticket(repo: Repository, who: str, opened: dt.datetime, *, title: str, fields: dict[str, str | None],
                note: str | None, branch: str | None, issue: dict | None = None,
                attachments: tuple = ()) -> tuple[int, str, str]:
    """Open the ticket an intake (the ticket form, a mail) describes, filed by `who`: `fields` as
    issueform.parse gives them (subsystem, type, priority, symptom required; the others may be
    None). The reporter is checked against the roster; (exit code, id, file) as open_ticket."""
    reporter = _reporter(repo, fields.get("reporter"))
    end_user = " ".join(fields["end_user"].split()) if fields.get("end_user") else None
    if end_user and reporter:
        raise FatalError(t("issueform.reporter-and-end-user"))
    return open_ticket(
        repo, who, opened, subsystem=fields["subsystem"], type_=fields["type"], priority=fields["priority"],
        title=title, symptom=fields["symptom"], cause=fields.get("cause"), impact=fields.get("impact"),
        reporter=reporter, end_user=end_user, runbooks=issueform.runbook_ids(fields.get("runbooks")),
        note=note, branch=branch, issue=issue, attachments=tuple((a.name, a.url) for a in attachments))


def _outputs(branch: str | None, tid: str, rel: str, title: str, number: int, lang: str) -> None:
    """The step's outputs for the next step (gh): one line each, the body with a random delimiter."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    write_outputs(target, branch, tid, rel, pr_title=t("issueform.pr-title", lang, id=tid, title=title),
                  comment=t("issueform.comment", lang, id=tid),
                  body=t("issueform.pr-body", lang, id=tid, path=rel, number=number))
    sys.stdout.write(t("issueform.outputs", path=target) + "\n")


def write_outputs(target: str, branch: str | None, tid: str, rel: str, *, pr_title: str, comment: str,
                  body: str) -> None:
    """Append a ticket step's outputs to $GITHUB_OUTPUT: one line each, the pull request's body
    between random delimiters (a typed line cannot end it)."""
    delimiter = "ERPOPS_" + secrets.token_hex(16)
    lines = [f"branch={branch or ''}", f"ticket={tid}", f"path={rel}", "pr-title=" + pr_title,
             "comment=" + comment, f"pr-body<<{delimiter}", body, delimiter]
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    except OSError as err:
        raise FatalError(t("issueform.no-output", path=target, reason=err)) from None
