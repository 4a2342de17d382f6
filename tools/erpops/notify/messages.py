"""A notice as text a person reads: one short Chinese paragraph from the catalogue (notify.yaml),
names instead of ids, and the links to the ticket's page and issue."""
from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from erpops.i18n import t
from erpops.notify.config import NotifyConfig
from erpops.notify.notices import Notice

if TYPE_CHECKING:
    from erpops.repository import Repository

PEOPLE_ARGS = ("by", "holder", "reporter", "owner")
GROUP_ARGS = ("above", "admins")
ISSUE = re.compile(r"#([0-9]+)")


def _name(repo: Repository, pid: str, lang: str | None) -> str:
    p = repo.roster.people.get(pid)
    return p.display(lang or "zh") if p else pid


def ticket_url(config: NotifyConfig, notice: Notice) -> str | None:
    """The ticket's page on the site: tickets/<subsystem>/<year>/<id>/ (MkDocs directory URLs)."""
    if not config.site_url or notice.ticket is None:
        return None
    return config.site_url + posixpath.splitext(notice.ticket.src.path)[0] + "/"


def issue_url(config: NotifyConfig, notice: Notice) -> str | None:
    """The issue the ticket came from (`ticket from-issue` notes its number on the open event)."""
    if not config.issue_url or notice.ticket is None:
        return None
    first = notice.ticket.history[0].note or ""
    found = ISSUE.search(first)
    return config.issue_url.replace("{number}", found.group(1)) if found else None


def render(repo: Repository, config: NotifyConfig, notice: Notice, lang: str | None = None) -> str:
    args: dict[str, Any] = notice.args
    sep = t("list.sep", lang)
    for k in PEOPLE_ARGS:
        if k in args:
            args[k] = _name(repo, args[k], lang)
    for k in GROUP_ARGS:
        if k in args:
            args[k] = sep.join(_name(repo, p, lang) for p in args[k]) or t("notify.nobody", lang)
    if "tier" in args:
        args["tier"] = t(f"tier.{args['tier']}", lang)
    if "subsystem" in args:
        sub = repo.roster.subsystems.get(args["subsystem"])
        args["subsystem"] = sub.display(lang or "zh") if sub else args["subsystem"]
    lines = [t(notice.text, lang, **args)]
    page, issue = ticket_url(config, notice), issue_url(config, notice)
    if page:
        lines.append(t("notify.link-page", lang, url=page))
    if issue:
        lines.append(t("notify.link-issue", lang, url=issue))
    return "\n".join(lines)
