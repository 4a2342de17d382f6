"""One mail's bytes → sender, subject, text and attachment names, or the reason it cannot be read.

Mail from Chinese clients is often labelled gb2312 (or gbk) but holds GBK or GB18030 characters
such as 镕 or 㙟; Python's codecs for those labels turn them into U+FFFD. GB18030 is a superset of
both, so every part labelled gb2312, gbk, cp936 or gb18030 is decoded as GB18030.
"""
from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.utils
import html as html_module
import re
import unicodedata
from dataclasses import dataclass
from email.message import Message

_GB = {"gb2312", "gb_2312", "gb_2312-80", "csgb2312", "euc-cn", "euccn", "x-euc-cn", "gbk", "x-gbk",
       "cp936", "ms936", "windows-936", "gb18030", "chinese", "hz-gb-2312"}
MAX_NAME = 120


class Unreadable(Exception):
    """The mail cannot be read: args = (catalogue key, params)."""


@dataclass(frozen=True)
class Attachment:
    name: str  # sanitised: no folders, no control characters
    size: int


@dataclass(frozen=True)
class Mail:
    sender: str  # the address, lower case
    subject: str
    text: str
    message_id: str | None
    attachments: tuple[Attachment, ...] = ()
    automatic: bool = False  # an auto-reply, bounce or list mail: never answered


def charset(label: str | None) -> str:
    """The codec to read a part labelled `label` with."""
    name = (label or "").strip().strip('"').lower()
    if name in _GB:
        return "gb18030"
    return name or "us-ascii"


def _decode(data: bytes, label: str | None) -> str:
    codec = charset(label)
    try:
        if "escape" in codec or codecs.lookup(codec).name in ("idna", "punycode"):
            raise LookupError(codec)  # not a character set a mail is written in
        return data.decode(codec)
    except LookupError:
        raise Unreadable("mail.unreadable.charset", {"charset": (label or "")[:40]}) from None
    except UnicodeDecodeError:
        if codec == "us-ascii":  # unlabelled 8-bit text: the usual Chinese client's default
            try:
                return data.decode("gb18030") if not _utf8(data) else data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        raise Unreadable("mail.unreadable.bytes", {"charset": codec}) from None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def header(value) -> str:
    """A header (text, or the email package's Header for raw 8-bit bytes) as text: each RFC 2047
    encoded word decoded with `charset`, raw 8-bit bytes read as UTF-8 if they are, else GB18030."""
    if value is None or value == "":
        return ""
    try:
        parts = email.header.decode_header(value)
    except email.errors.HeaderParseError:
        raise Unreadable("mail.unreadable.parse", {}) from None
    out = []
    for chunk, label in parts:
        if isinstance(chunk, bytes):
            out.append(_decode(chunk, None if label in (None, "unknown-8bit") else label))
        else:
            out.append(chunk)
    return " ".join("".join(out).split())


def safe_name(name: str) -> str:
    """An attachment's name as a plain file name: no folders, dots, control or format characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name
                   if unicodedata.category(c) not in ("Cf", "Co", "Cs", "Cn"))
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name or "attachment"


def _raw_header(msg: Message, name: str):
    """The header as the email package holds it: text, or a Header when it has raw 8-bit bytes."""
    return msg.get(name)


def _plain(msg: Message, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else str(value)


def _text(msg: Message) -> tuple[str, tuple[Attachment, ...]]:
    plain: list[str] = []
    html: list[str] = []
    files: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_param("filename", header="content-disposition") or part.get_param("name")
        if isinstance(filename, tuple):  # RFC 2231: (charset, language, %-decoded text)
            filename = _decode(filename[2].encode("raw-unicode-escape"), filename[0] or "utf-8")
        disposition = (part.get("content-disposition") or "").split(";")[0].strip().lower()
        if filename or disposition == "attachment" or part.get_content_maintype() not in ("text",):
            files.append(Attachment(safe_name(header(filename) if filename else ""), len(payload)))
            continue
        text = _decode(payload, part.get_content_charset())
        (html if part.get_content_subtype() == "html" else plain).append(text)
    if plain:
        body = "\n".join(plain)
    elif html:
        body = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", "", "\n".join(html))
        body = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h[1-6])\s*>", "\n", body)
        body = html_module.unescape(re.sub(r"<[^>]*>", "", body))
        body = re.sub(r"\n[ \t]*\n(\s*\n)+", "\n\n", body)
    else:
        body = ""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip(), tuple(files)


def _automatic(msg: Message, sender: str) -> bool:
    auto = (_plain(msg, "Auto-Submitted") or "no").strip().lower()
    precedence = _plain(msg, "Precedence").strip().lower()
    local = sender.split("@", 1)[0]
    return auto != "no" or precedence in ("bulk", "list", "junk") or local in ("mailer-daemon", "postmaster") \
        or msg.get("List-Id") is not None or msg.get_content_type() == "multipart/report"


def read(raw: bytes) -> Mail:
    """The mail in `raw`; Unreadable when it has no sender or its text cannot be decoded."""
    try:
        return _read(raw)
    except Unreadable:
        raise
    except Exception:  # whatever else a malformed mail trips in the email package: one bad mail, not a stop
        raise Unreadable("mail.unreadable.parse", {}) from None


def _read(raw: bytes) -> Mail:
    msg = email.message_from_bytes(raw)
    addresses = email.utils.getaddresses([_plain(msg, "From")])
    sender = next((a for _n, a in addresses if "@" in a), "")
    if not sender or len(addresses) != 1 or not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender):
        raise Unreadable("mail.unreadable.sender", {})
    subject = header(_raw_header(msg, "Subject"))
    text, files = _text(msg)
    if not subject and not text:
        raise Unreadable("mail.unreadable.empty", {})
    found = re.search(r"<[^<>\s]{1,250}>", _plain(msg, "Message-ID"))
    message_id = found.group(0) if found else None
    return Mail(sender.lower(), subject, text, message_id, files, _automatic(msg, sender.lower()))
