"""What one mail asks for, decided from the roster and the policy alone (no servers, no writes).

A mail whose subject holds a ticket id is a reply to that ticket: its first line may confirm
(close) or reopen it, in the catalogue's words (mail.words.*, Chinese and English both count);
anything else is a comment. Any other mail opens a ticket in the subsystem its subject's tag
names (`[生产]`, `[production]`, `【生产系统】`), else in the mailbox's own subsystem (--subsystem).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from erpops.i18n import LANGUAGES, t
from erpops.repository import Repository
from erpops.mailin.read import Mail

TICKET_ID = re.compile(r"(?<![A-Z0-9])([A-Z][A-Z0-9]{1,9}-\d{8}-[0-9A-Z]{4})(?![A-Z0-9])")
TAG = re.compile(r"[\[【]\s*([^\]】]{1,40}?)\s*[\]】]")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
MAX_NOTE = 4000


@dataclass(frozen=True)
class NewTicket:
    who: str
    subsystem: str
    title: str
    symptom: str


@dataclass(frozen=True)
class Reply:
    who: str
    ticket: str
    kind: str  # comment, close or reopen
    note: str | None


@dataclass(frozen=True)
class Refuse:
    key: str
    params: dict


def sender(repo: Repository, address: str) -> str | None:
    """The person whose `email` (or one of `emails`) is `address`."""
    address = address.lower()
    for p in repo.roster.people.values():
        if address in {e.lower() for e in (p.email, *p.emails) if e}:
            return p.id
    return None


def _words(key: str) -> tuple[str, ...]:
    found: list[str] = []
    for lang in LANGUAGES:
        found += [w.strip().lower() for w in re.split(r"[,，、]", t(key, lang)) if w.strip()]
    return tuple(sorted(set(found), key=len, reverse=True))


def own_text(text: str) -> str:
    """The reply's own words: without the quoted mail below (`> …` lines, `On … wrote:`)."""
    lines: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if re.match(r"^(-{2,}\s*(original message|原始邮件)\s*-{2,}|on .+ wrote:|在 .+ 写道[:：]|.*发件人[:：])",
                    stripped, re.IGNORECASE):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def _kind(first: str) -> str:
    head = re.sub(r"^[\s\W_]+", "", first).lower()
    for kind in ("reopen", "close"):  # reopen first: 没解决 holds 解决
        if any(head.startswith(w) for w in _words(f"mail.words.{kind}")):
            return kind
    return "comment"


def subsystem_of(repo: Repository, subject: str) -> tuple[str | None, str]:
    """The subsystem a tag in `subject` names, and the subject without that tag."""
    for m in TAG.finditer(subject):
        tag = m.group(1).strip().lower()
        for sub in repo.roster.subsystems.values():
            names = {sub.code, sub.name, sub.name_en or "", *sub.aliases}
            names |= {n[:-2] for n in names if n.endswith("系统") and len(n) > 2}
            if tag in {n.lower() for n in names if n}:
                rest = (subject[: m.start()] + " " + subject[m.end():]).strip()
                return sub.code, " ".join(rest.split())
    return None, subject


def route(repo: Repository, mail: Mail, default_subsystem: str | None = None) -> NewTicket | Reply | Refuse:
    who = sender(repo, mail.sender)
    if who is None:
        return Refuse("mail.refused.unknown-sender", {"sender": mail.sender})
    found = TICKET_ID.search(mail.subject.upper())
    if found:
        tid = found.group(1)
        if tid not in {tk.id for tk in repo.tickets}:
            return Refuse("mail.refused.unknown-ticket", {"id": tid})
        text = own_text(mail.text)
        kind = _kind(text.partition("\n")[0])
        bare = re.sub(r"[\W_]+", "", text).lower() in {re.sub(r"[\W_]+", "", w) for w in _words(f"mail.words.{kind}")}
        note = None if kind != "comment" and bare else text[:MAX_NOTE] or None  # the key user's own words, kept
        if kind == "comment" and not note:
            return Refuse("mail.refused.empty-reply", {"id": tid})
        return Reply(who, tid, kind, note)
    code, title = subsystem_of(repo, REPLY_PREFIX.sub("", mail.subject))
    code = code or default_subsystem
    if code is None:
        tags = ", ".join(f"[{s.name}]" for s in repo.roster.subsystems.values())
        return Refuse("mail.refused.no-subsystem", {"tags": tags})
    if not title:
        return Refuse("mail.refused.no-title", {})
    symptom = own_text(mail.text)[:MAX_NOTE] or title
    return NewTicket(who, code, title[:200], symptom)
