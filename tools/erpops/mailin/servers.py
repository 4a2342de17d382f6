"""The mailbox (IMAP, with imapclient) and the answers (SMTP, with smtplib), set up only from the
environment: credentials never come from a file or a flag.

IMAP: ERPOPS_IMAP_HOST, ERPOPS_IMAP_PORT (993, or 143 without TLS), ERPOPS_IMAP_USER,
ERPOPS_IMAP_PASSWORD, ERPOPS_IMAP_SSL (yes; `starttls`; `no` for a server on this machine only),
ERPOPS_IMAP_FOLDER (INBOX).
SMTP, as `erpops notify`: ERPOPS_SMTP_URL (smtp://user:password@host:port, smtps://… for TLS),
or ERPOPS_SMTP_HOST, ERPOPS_SMTP_PORT, ERPOPS_SMTP_USER, ERPOPS_SMTP_PASSWORD; ERPOPS_SMTP_FROM.
"""
from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from erpops.errors import FatalError
from erpops.i18n import t

DONE, REJECTED = "erpops-done", "erpops-rejected"
TIMEOUT = 30


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    tls: str  # yes, starttls or no
    folder: str


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str  # yes, starttls or no
    sender: str


def _port(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise FatalError(t("mail.bad-env", name=name, value=value[:20]))
    return int(value)


def _tls(name: str, value: str | None) -> str:
    value = (value or "yes").strip().lower()
    if value in ("yes", "true", "1", "ssl", "tls"):
        return "yes"
    if value in ("no", "false", "0", "starttls"):
        return "starttls" if value == "starttls" else "no"
    raise FatalError(t("mail.bad-env", name=name, value=value[:20]))


def imap_settings(env=os.environ) -> ImapSettings:
    missing = [n for n in ("ERPOPS_IMAP_HOST", "ERPOPS_IMAP_USER", "ERPOPS_IMAP_PASSWORD") if not env.get(n)]
    if missing:
        raise FatalError(t("mail.no-imap", names=", ".join(missing)))
    tls = _tls("ERPOPS_IMAP_SSL", env.get("ERPOPS_IMAP_SSL"))
    return ImapSettings(env["ERPOPS_IMAP_HOST"], _port("ERPOPS_IMAP_PORT", env.get("ERPOPS_IMAP_PORT"),
                                                       993 if tls == "yes" else 143),
                        env["ERPOPS_IMAP_USER"], env["ERPOPS_IMAP_PASSWORD"], tls,
                        env.get("ERPOPS_IMAP_FOLDER") or "INBOX")


def smtp_settings(env=os.environ) -> SmtpSettings | None:
    """None when no SMTP server is set: refusals are then set aside unanswered (with a warning)."""
    url = env.get("ERPOPS_SMTP_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
            raise FatalError(t("mail.bad-env", name="ERPOPS_SMTP_URL", value=parts.scheme or "?"))
        tls = {"smtp": "no", "smtps": "yes", "smtp+starttls": "starttls"}[parts.scheme]
        host, user = parts.hostname, unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        port = parts.port or (465 if tls == "yes" else 587 if tls == "starttls" else 25)
    elif env.get("ERPOPS_SMTP_HOST"):
        host = env["ERPOPS_SMTP_HOST"]
        port = _port("ERPOPS_SMTP_PORT", env.get("ERPOPS_SMTP_PORT"), 587)
        user, password = env.get("ERPOPS_SMTP_USER") or None, env.get("ERPOPS_SMTP_PASSWORD") or None
        tls = "yes" if port == 465 else "starttls" if user else "no"
    else:
        return None
    sender = env.get("ERPOPS_SMTP_FROM") or user or env.get("ERPOPS_IMAP_USER") or ""
    if "@" not in sender:
        raise FatalError(t("mail.bad-env", name="ERPOPS_SMTP_FROM", value=sender[:40]))
    return SmtpSettings(host, port, user, password, tls, sender)


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    received: dt.datetime | None  # the server's INTERNALDATE: when the mail arrived
    flags: tuple[str, ...]


class Mailbox:
    """The intake folder: new mails oldest first; each is moved out once it is dealt with."""

    def __init__(self, settings: ImapSettings) -> None:
        try:
            from imapclient import IMAPClient
        except ImportError:
            raise FatalError(t("mail.no-imapclient")) from None
        self.settings = settings
        try:
            context = ssl.create_default_context()
            self.client = IMAPClient(settings.host, port=settings.port, ssl=settings.tls == "yes",
                                     ssl_context=context if settings.tls == "yes" else None, timeout=TIMEOUT)
            if settings.tls == "starttls":
                self.client.starttls(context)
            self.client.normalise_times = False  # INTERNALDATE with its offset
            self.client.login(settings.user, settings.password)
            self.client.select_folder(settings.folder)
        except Exception as err:  # imapclient raises imaplib's, socket's and its own errors alike
            raise FatalError(t("mail.imap-failed", host=settings.host, port=settings.port,
                               reason=_reason(err))) from None
        for folder in (DONE, REJECTED):
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)

    def uids(self) -> list[int]:
        return sorted(self.client.search(["NOT", "DELETED"]))

    def fetch(self, uid: int) -> Fetched | None:
        data = self.client.fetch([uid], ["RFC822", "INTERNALDATE", "FLAGS"]).get(uid)
        if not data or b"RFC822" not in data:
            return None
        received = data.get(b"INTERNALDATE")
        flags = tuple(f.decode("ascii", "replace") if isinstance(f, bytes) else str(f) for f in data.get(b"FLAGS", ()))
        return Fetched(uid, bytes(data[b"RFC822"]), received, flags)

    def set_aside(self, uid: int, folder: str) -> None:
        """Move the mail out of the intake folder (MOVE, else COPY + delete + expunge of that uid)."""
        if self.client.has_capability("MOVE"):
            self.client.move([uid], folder)
        else:
            self.client.copy([uid], folder)
            self.client.delete_messages([uid])
            self.client.uid_expunge([uid]) if self.client.has_capability("UIDPLUS") else self.client.expunge()

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # already gone: nothing left to close
            pass


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return " ".join(text.split())[:200]


def answer(settings: SmtpSettings, to: str, subject: str, body: str, in_reply_to: str | None) -> None:
    """Send one plain-text answer (UTF-8); an OSError or smtplib error is left to the caller."""
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.sender, to
    msg["Subject"] = subject
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: mail robots do not answer it
    msg["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[1])
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(body)
    context = ssl.create_default_context()
    if settings.tls == "yes":
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with server:
        if settings.tls == "starttls":
            server.starttls(context=context)
        if settings.user and settings.password:
            server.login(settings.user, settings.password)
        server.send_message(msg)


SEND_ERRORS = (OSError, smtplib.SMTPException, socket.timeout)
