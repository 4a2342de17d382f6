"""Rules of the organisation: owners, groups, references, segregation of duties."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from erpops.diagnostics import WARNING, Diagnostic
from erpops.model import Roster
from erpops.rules import at, repeats


def unique_ids(roster: Roster) -> Iterator[Diagnostic]:
    """Person ids and subsystem codes are unique."""
    for p, first in repeats(roster.people_list, lambda p: p.id):
        yield at(p.src, ("id",), "roster-unique-id", id=p.id, first=first.src.line("id"))
    for s, first_s in repeats(roster.subsystem_list, lambda s: s.code):
        yield at(s.src, ("code",), "roster-unique-id", key="rule.roster-unique-code",
                 code=s.code, first=first_s.src.path)


def file_name(roster: Roster) -> Iterator[Diagnostic]:
    """roster/subsystems/<code>.yaml: the file is named after the code it holds."""
    for s in roster.subsystem_list:
        stem = s.src.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if stem != s.code:
            yield at(s.src, ("code",), "roster-file-name", code=s.code, stem=stem)


def one_business_admin(roster: Roster) -> Iterator[Diagnostic]:
    """Each subsystem has exactly one business-system admin."""
    for s in roster.subsystem_list:
        if len(s.business_admins) != 1:
            yield at(s.src, ("business_admin",), "roster-one-business-admin",
                     subsystem=s.name, count=len(s.business_admins))


def one_erp_admin(roster: Roster) -> Iterator[Diagnostic]:
    """Each subsystem has exactly one ERP subsystem admin."""
    for s in roster.subsystem_list:
        if len(s.erp_admins) != 1:
            yield at(s.src, ("erp_admin",), "roster-one-erp-admin",
                     subsystem=s.name, count=len(s.erp_admins))


def key_user_leader(roster: Roster) -> Iterator[Diagnostic]:
    """Each key-user group is led by its subsystem's business-system admin."""
    for s in roster.subsystem_list:
        leader = s.key_user_group.leader
        if s.business_admin and leader and leader != s.business_admin:
            yield at(s.src, ("key_user_group", "leader"), "roster-key-user-leader",
                     subsystem=s.name, leader=_name(roster, leader),
                     admin=_name(roster, s.business_admin))


def known_people(roster: Roster) -> Iterator[Diagnostic]:
    """Every person named anywhere in the roster is in roster/people.yaml."""
    people = roster.people

    def check(src, fields, pid):
        if pid and pid not in people:
            return at(src, fields, "roster-unknown-person", person=pid)
        return None

    refs = []
    if roster.office:
        o = roster.office
        refs.append((o.src, ("lead",), o.lead))
        refs += [(o.src, ("members", i), m) for i, m in enumerate(o.members)]
    for s in roster.subsystem_list:
        for name in ("business_admin", "erp_admin"):
            ids = s.business_admins if name == "business_admin" else s.erp_admins
            fields = [(name,)] if len(ids) == 1 else [(name, i) for i in range(len(ids))]
            refs += [(s.src, f, pid) for f, pid in zip(fields, ids)]
        g = s.key_user_group
        refs.append((s.src, ("key_user_group", "leader"), g.leader))
        refs += [(s.src, ("key_user_group", "members", i), m) for i, m in enumerate(g.members)]
    if roster.vendor:
        v = roster.vendor
        refs += [(v.src, ("contacts", i), c) for i, c in enumerate(v.contacts)]
        refs += [(v.src, ("on_site_support", "consultants", i), c)
                 for i, c in enumerate(v.consultants)]
    for ref in refs:
        found = check(*ref)
        if found:
            yield found


def erp_admin_in_office(roster: Roster) -> Iterator[Diagnostic]:
    """ERP subsystem admins are staff of the ops office / its department."""
    office = roster.office
    if office is None:
        return
    for s in roster.subsystem_list:
        for pid in s.erp_admins:
            person = roster.people.get(pid)
            if person is None:
                continue
            if pid not in office.staff and person.department != office.department:
                yield at(s.src, ("erp_admin",), "roster-erp-admin-in-office",
                         person=person.name, subsystem=s.name, department=office.department)


def roles(roster: Roster) -> dict[str, list[str]]:
    """Every role each person holds, as catalogue keys with the subsystem where there is one."""
    out: dict[str, list[str]] = {}

    def add(pid: str, role: str) -> None:
        out.setdefault(pid, []).append(role)

    if roster.office:
        add(roster.office.lead, "office-lead")
        for m in roster.office.members:
            add(m, "office-member")
    for s in roster.subsystem_list:
        for pid in s.business_admins:
            add(pid, f"business-admin:{s.code}")
        for pid in s.erp_admins:
            add(pid, f"erp-admin:{s.code}")
        add(s.key_user_group.leader, f"key-user-leader:{s.code}")
        for pid in s.key_user_group.members:
            add(pid, f"key-user:{s.code}")
    if roster.vendor:
        for pid in roster.vendor.contacts + roster.vendor.consultants:
            add(pid, "vendor")
    return out


def person_has_role(roster: Roster) -> Iterator[Diagnostic]:
    """Warn about a person who holds no role at all: a leftover or a typo elsewhere."""
    held = roles(roster)
    for p in roster.people_list:
        if p.id not in held:
            yield at(p.src, ("id",), "roster-no-role", WARNING, person=p.name)


def segregation_of_duties(roster: Roster) -> Iterator[Diagnostic]:
    """Warn where one person is both admins of a subsystem: no second pair of eyes."""
    for s in roster.subsystem_list:
        both = set(s.business_admins) & set(s.erp_admins)
        for pid in sorted(both):
            yield at(s.src, ("erp_admin",), "roster-segregation-of-duties", WARNING,
                     person=_name(roster, pid), subsystem=s.name)


def post_concentration(roster: Roster) -> Iterator[Diagnostic]:
    """Warn where one person holds more admin posts than the office's limit."""
    limit = roster.office.max_admin_posts if roster.office else 4
    counts = Counter(pid for s in roster.subsystem_list for pid in s.business_admins + s.erp_admins)
    people = roster.people
    for pid, count in sorted(counts.items()):
        if count > limit and pid in people:
            p = people[pid]
            yield at(p.src, ("id",), "roster-post-concentration", WARNING,
                     person=p.name, count=count, limit=limit,
                     subsystems=tuple(sorted({s.name for _, s in roster.posts(pid)})))


def escalation_people(roster: Roster) -> list[str]:
    """The people someone may have to call when a ticket goes up: business and ERP admins,
    the vendor's contacts, the ops office's lead and members; each once, in roster order."""
    pids: list[str] = []
    for s in roster.subsystem_list:
        pids += list(s.business_admins) + list(s.erp_admins)
    if roster.vendor:
        pids += list(roster.vendor.contacts)
    if roster.office:
        pids += [roster.office.lead, *roster.office.members]
    return list(dict.fromkeys(p for p in pids if p))


def contact_recorded(roster: Roster) -> Iterator[Diagnostic]:
    """Warn about a person on an escalation path with neither phone nor WeCom: nobody can reach them."""
    people = roster.people
    for pid in escalation_people(roster):
        p = people.get(pid)
        if p is not None and not (p.phone or p.wecom):
            yield at(p.src, ("id",), "roster-no-contact", WARNING, person=p.name, id=p.id)


def _name(roster: Roster, pid: str) -> str:
    p = roster.people.get(pid)
    return p.name if p else pid


RULES = (
    unique_ids, file_name, one_business_admin, one_erp_admin, key_user_leader, known_people,
    erp_admin_in_office, person_has_role, segregation_of_duties, post_concentration,
    contact_recorded,
)


def check(roster: Roster) -> list[Diagnostic]:
    return [d for rule in RULES for d in rule(roster)]
