"""erpops who: who owns a subsystem, what a person does, and whom to call."""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import load
from erpops.i18n import language, t
from erpops.model import Person, Roster, Subsystem
from erpops.resolve import find_people, find_subsystem, who_nearest
from erpops.rules.roster import roles

_CONTACT_FIELDS = ("department", "phone", "email", "wecom", "github")


def _contacts(p: Person, lang: str) -> str:
    parts = [f"{t('field.' + f, lang)} {getattr(p, f)}" for f in _CONTACT_FIELDS if getattr(p, f)]
    return "  ".join(parts) if parts else t("who.none", lang)


def _person_line(roster: Roster, pid: str | None, lang: str) -> str:
    p = roster.people.get(pid or "")
    if p is None:
        return f"  {pid or t('who.none', lang)}"
    return f"  {p.display(lang)}（{p.id}）  {_contacts(p, lang)}"


def describe_subsystem(roster: Roster, s: Subsystem, lang: str) -> list[str]:
    def name(pid: str | None) -> str:
        p = roster.people.get(pid or "")
        return p.display(lang) if p else (pid or t("who.none", lang))

    vendor = roster.vendor.name if roster.vendor else t("tier.vendor", lang)
    g = s.key_user_group
    lines = [
        t("who.subsystem", lang, name=s.display(lang), code=s.code),
        t("who.path", lang, business=name(s.business_admin), erp=name(s.erp_admin), vendor=vendor),
        "",
        t("who.business-admin", lang),
        *(_person_line(roster, pid, lang) for pid in s.business_admins or (None,)),
        t("who.erp-admin", lang),
        *(_person_line(roster, pid, lang) for pid in s.erp_admins or (None,)),
    ]
    if g.population:
        lines.append(t("who.population", lang, leader=name(g.leader), population=g.population))
    else:
        lines.append(t("who.key-users", lang, leader=name(g.leader), count=len(g.members)))
        lines.append("  " + t("list.sep", lang).join(name(m) for m in g.members))
    if roster.vendor:
        lines.append(t("who.vendor", lang, vendor=roster.vendor.name))
    return lines


def describe_role(roster: Roster, role: str, lang: str) -> str:
    kind, _, code = role.partition(":")
    s = roster.subsystems.get(code)
    return t("role." + kind, lang, subsystem=s.display(lang) if s else code)


def describe_person(roster: Roster, p: Person, lang: str) -> list[str]:
    held = roles(roster).get(p.id, [])
    lines = [t("who.person", lang, name=p.display(lang), id=p.id),
             f"  {t('who.contacts', lang)}: {_contacts(p, lang)}", t("who.roles", lang)]
    lines += [f"  - {describe_role(roster, r, lang)}" for r in held] or [f"  {t('who.no-roles', lang)}"]
    return lines


def who(root: Path, query: str, lang: str | None = None) -> int:
    lang = language(lang)
    repo = load.load_roster_policy(root)
    roster = repo.roster
    blocks: list[list[str]] = []
    subsystem = find_subsystem(roster, query)
    if subsystem:
        blocks.append(describe_subsystem(roster, subsystem, lang))
    blocks += [describe_person(roster, p, lang) for p in find_people(roster, query)]
    if not blocks:
        sys.stderr.write(t("who.not-found", lang, query=query) + who_nearest(roster, query) + "\n")
        return 1
    sys.stdout.write("\n\n".join("\n".join(b) for b in blocks) + "\n")
    return 0
