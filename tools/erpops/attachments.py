"""Images and files pasted into an issue's text, taken out of it and kept as links in the ticket.

Pure: text in, the text without them and the attachments out. What a forge writes for a paste:
GitHub `![image](https://github.com/user-attachments/assets/…)`, `<img alt="…" src="…">` and
`[file.xlsx](https://github.com/user-attachments/files/…)`; GitLab `![x](/uploads/<hash>/x.png)`
relative to the project; Gitea `![x](/attachments/<uuid>)` relative to the server. Only an http(s)
address on the forge's own hosts becomes an attachment; any other link or image stays in the text
as it was typed (the site shows it as plain characters, never as a link).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

# GitHub serves pasted files from github.com and, for older pastes, from these.
GITHUB_HOSTS = ("github.com", "user-images.githubusercontent.com", "private-user-images.githubusercontent.com")
_MARKDOWN = re.compile(r"!?\[([^\]\n]{0,200})\]\(\s*<?([^\s()<>]{1,2000})>?(?:\s+\"[^\"\n]*\")?\s*\)")
_IMG = re.compile(r"<img\b[^>\n]{0,2000}>", re.I)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
_SAFE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/[A-Za-z0-9._~%!$&'*+,;=:@/?#-]*")


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str


@dataclass(frozen=True)
class Place:
    """Where a forge's pastes live: `base` to resolve relative links against, the `hosts` trusted."""

    base: str
    hosts: frozenset[str]


def place(forge: str, web_url: str | None) -> Place | None:
    """From the repository's (GitLab: the project's) web address as the forge's payload gives it."""
    if not web_url or not web_url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(web_url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    hosts = frozenset(GITHUB_HOSTS) if forge == "github" and host == "github.com" else frozenset({host})
    base = web_url.rstrip("/") + "/" if forge == "gitlab" else f"{parts.scheme}://{parts.netloc}/"
    return Place(base, hosts)


def _resolve(url: str, where: Place) -> str | None:
    url = re.sub(r"[^\x21-\x7e]", lambda m: quote(m.group(0)), url)   # 表.xlsx as a browser sends it
    if url.startswith("/") and not url.startswith("//"):
        url = urljoin(where.base, url.lstrip("/")) if where.base.count("/") > 3 else urljoin(where.base, url)
    if not _SAFE_URL.fullmatch(url):
        return None
    host = (urlsplit(url).hostname or "").lower()
    return url if host in where.hosts else None


def _name(label: str, url: str) -> str:
    label = " ".join(label.split())
    return label or unquote(posixpath.basename(urlsplit(url).path)) or url


def extract(text: str, where: Place | None) -> tuple[str, tuple[Attachment, ...]]:
    """`text` without the forge's attachments, and those attachments in order (each address once)."""
    if where is None or not text:
        return text, ()
    found: dict[str, Attachment] = {}

    def markdown(m: re.Match) -> str:
        url = _resolve(m.group(2), where)
        if url is None:
            return m.group(0)
        found.setdefault(url, Attachment(_name(m.group(1), url), url))
        return ""

    def img(m: re.Match) -> str:
        attrs = {a.group(1).lower(): a.group(3) if a.group(3) is not None else a.group(4)
                 for a in _ATTR.finditer(m.group(0))}
        url = _resolve(attrs.get("src") or "", where)
        if url is None:
            return m.group(0)
        found.setdefault(url, Attachment(_name(attrs.get("alt") or "", url), url))
        return ""

    out = _IMG.sub(img, _MARKDOWN.sub(markdown, text))
    lines = [line.rstrip() for line in out.split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return cleaned, tuple(found.values())
