"""One resolver for what people type: a subsystem, a person, a ticket type, status, tier or priority,
or a ticket id, given as code, Chinese or English name, alias, id or person's name, in any case.

A unique match gives the canonical code; a miss or an ambiguous query is a FatalError (exit 2)
naming the nearest matches (difflib) and the valid values. Pure lookups on the model, no I/O.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from erpops.errors import FatalError
from erpops.i18n import language, t
from erpops.model import Person, Roster, Subsystem
from erpops.policy import PRIORITIES, TIERS, Policy
from erpops.ticket import ACTIVE, STATUS_AFTER, Ticket

STATUSES = tuple(dict.fromkeys(STATUS_AFTER.values()))
# Filter words for "not finished yet": the active statuses.
UNRESOLVED = ("unresolved", "active", "未解决", "未完成", "处理中")
_SPLIT = re.compile(r"[/／、,，（）()]+")


@dataclass(frozen=True)
class Option:
    value: str  # the canonical code
    label: str  # how it is shown in a list of choices
    names: tuple[str, ...]  # every accepted spelling


def norm(text: str) -> str:
    """Case, width and spaces do not matter: `ＥＲＰ 系统管理员` = `erp系统管理员`."""
    text = text or ""
    if text.isascii() and text.isprintable() and " " not in text:  # an id: NFKC changes nothing
        return text.lower()
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def label(name: str, code: str) -> str:
    return t("resolve.label", name=name, code=code) if name and norm(name) != norm(code) else code


def matches(query: str, options: Sequence[Option], *, partial: bool = True) -> list[Option]:
    """The options `query` names exactly; else (with `partial`) those whose name contains it."""
    q = norm(query)
    if not q:
        return []
    exact = [o for o in options if q in {norm(n) for n in o.names if n}]
    if exact or not partial or len(q) < 2:
        return exact
    return [o for o in options if any(q in norm(n) for n in o.names if n)]


def canonical(query: str, options: Sequence[Option], *, partial: bool = True) -> str:
    """The code `query` names uniquely, else `query` itself (for a caller that words its own refusal)."""
    found = matches(query, options, partial=partial)
    return found[0].value if len(found) == 1 else query


def pick(kind: str, query: str, options: Sequence[Option], *, partial: bool = True,
         list_valid: bool = True) -> str:
    """The one option `query` names, else exit 2 with the nearest matches and the valid values."""
    found = matches(query, options, partial=partial)
    if len(found) == 1:
        return found[0].value
    what = t(f"resolve.kind.{kind}")
    sep = t("list.sep")
    if found:
        raise FatalError(t("resolve.ambiguous", query=query, kind=what, matches=sep.join(o.label for o in found)))
    raise FatalError(t("resolve.unknown", query=query, kind=what)
                     + nearest(query, options)
                     + (t("resolve.valid", values=sep.join(o.label for o in options)) if list_valid else
                        t("resolve.valid-people")))


def nearest(query: str, options: Sequence[Option]) -> str:
    """" Did you mean …?" from difflib over every spelling, or empty."""
    by_name: dict[str, Option] = {}
    for o in options:
        for n in o.names:
            if n:
                by_name.setdefault(norm(n), o)
    close = difflib.get_close_matches(norm(query), list(by_name), n=6, cutoff=0.6)
    picked = list(dict.fromkeys(by_name[c].label for c in close))[:3]
    return t("resolve.nearest", matches=t("list.sep").join(picked)) if picked else ""


# --- the kinds ------------------------------------------------------------------------------

def _parts(name: str | None) -> tuple[str, ...]:
    """A name and its pieces: `系统故障/缺陷` → itself, `系统故障`, `缺陷`."""
    if not name:
        return ()
    pieces = tuple(p for p in _SPLIT.split(name) if p.strip())
    return (name, *pieces) if len(pieces) > 1 else (name,)


def subsystem_options(roster: Roster) -> list[Option]:
    lang = language()
    return [Option(s.code, label(s.display(lang), s.code), (s.code, *_parts(s.name), *_parts(s.name_en), *s.aliases))
            for s in roster.subsystems.values()]


def person_options(roster: Roster) -> list[Option]:
    lang = language()
    return [Option(p.id, label(p.display(lang), p.id), (p.id, p.name, p.name_en or ""))
            for p in roster.people.values()]


def type_options(policy: Policy) -> list[Option]:
    lang = language()
    return [Option(k.id, label(k.display(lang), k.id), (k.id, *_parts(k.name), *_parts(k.name_en)))
            for k in policy.ticket_types.values()]


def tier_options(policy: Policy | None) -> list[Option]:
    tiers = policy.tiers if policy else TIERS
    return [Option(tier, label(t(f"tier.{tier}"), tier),
                   (tier, str(i + 1), *(t(f"tier.{tier}", lang) for lang in ("zh", "en"))))
            for i, tier in enumerate(tiers)]


def priority_options(policy: Policy | None = None) -> list[Option]:
    keys = tuple(policy.sla) if policy and policy.sla else PRIORITIES
    return [Option(p, p, (p, p.lstrip("Pp"))) for p in keys]


def status_options() -> list[Option]:
    return [Option(s, label(t(f"ticket.status.{s}"), s),
                   (s, *(t(f"ticket.status.{s}", lang) for lang in ("zh", "en")))) for s in STATUSES]


def subsystem(roster: Roster, query: str) -> str:
    return pick("subsystem", query, subsystem_options(roster))


def person(roster: Roster, query: str) -> str:
    """A person by id, Chinese or English name; namesakes are refused, listing their ids."""
    return pick("person", query, person_options(roster), partial=False, list_valid=False)


def ticket_type(policy: Policy, query: str) -> str:
    return pick("type", query, type_options(policy))


def tier(policy: Policy | None, query: str) -> str:
    return pick("tier", query, tier_options(policy))


def priority(policy: Policy | None, query: str) -> str:
    return pick("priority", query, priority_options(policy))


def statuses(query: str) -> tuple[str, ...]:
    """The statuses a filter word means: one status, or every active one for `unresolved`/`未解决`."""
    options = status_options() + [Option("unresolved", label(t("resolve.unresolved"), "unresolved"), UNRESOLVED)]
    found = pick("status", query, options)
    return ACTIVE if found == "unresolved" else (found,)


def ticket_id(ids: Iterable[str], query: str) -> str:
    """The id `query` names: the id itself, or a unique end of it (`LFPR`, `20261123-LFPR`)."""
    q = norm(query)
    every = sorted(set(ids))
    normed = [(norm(i), i) for i in every]
    exact = [i for n, i in normed if n == q]
    found = exact or ([i for n, i in normed if n.endswith(q)] if q else [])
    if len(found) == 1:
        return found[0]
    if found:
        raise FatalError(t("resolve.ambiguous-ticket", query=query, matches=t("list.sep").join(found)))
    raise FatalError(t("ticket.not-found", id=query) + nearest(query, [Option(i, i, (i,)) for i in every]))


def ticket(tickets: Iterable[Ticket], query: str) -> Ticket:
    """A ticket by its id or a unique end of it (ticket_id)."""
    by_id: dict[str, Ticket] = {}
    for tk in tickets:
        by_id.setdefault(tk.id, tk)  # a repeated id: the first file, as the rules report it
    return by_id[ticket_id(by_id, query)]


# --- lenient lookups for `erpops who` (several answers are fine there) ------------------------

def find_subsystem(roster: Roster, query: str) -> Subsystem | None:
    found = matches(query, subsystem_options(roster))
    return roster.subsystems.get(found[0].value) if len(found) == 1 else None


def find_people(roster: Roster, query: str) -> list[Person]:
    return [roster.people[o.value] for o in matches(query, person_options(roster), partial=False)]


def who_nearest(roster: Roster, query: str) -> str:
    return nearest(query, subsystem_options(roster) + person_options(roster))
