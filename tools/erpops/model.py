"""The domain as plain frozen records: people, the office, subsystems, the vendor, the roster."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from erpops.yamlio import Document


@dataclass(frozen=True)
class Source:
    """Where a record came from, so that a rule can name the file and line of any field."""

    doc: Document = field(compare=False, repr=False)
    base: tuple = ()

    @property
    def path(self) -> str:
        return self.doc.path

    def line(self, *fields: Any) -> int:
        return self.doc.line(self.base + fields)

    def position(self, *fields: Any) -> tuple[int, int]:
        return self.doc.position(self.base + fields)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    src: Source = field(compare=False, repr=False)
    name_en: str | None = None
    department: str | None = None
    organisation: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    wecom: str | None = None
    github: str | None = None
    gitlab: str | None = None
    gitea: str | None = None
    emails: tuple[str, ...] = ()
    placeholder: bool = False

    def display(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Office:
    name: str
    department: str
    lead: str
    members: tuple[str, ...]
    src: Source = field(compare=False, repr=False)
    name_en: str | None = None
    max_admin_posts: int = 4

    @property
    def staff(self) -> tuple[str, ...]:
        return (self.lead,) + tuple(m for m in self.members if m != self.lead)


@dataclass(frozen=True)
class KeyUserGroup:
    leader: str
    members: tuple[str, ...] = ()
    population: str | None = None


@dataclass(frozen=True)
class Subsystem:
    code: str
    name: str
    business_admins: tuple[str, ...]
    erp_admins: tuple[str, ...]
    key_user_group: KeyUserGroup
    src: Source = field(compare=False, repr=False)
    name_en: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def business_admin(self) -> str | None:
        """The business-system admin (tier 2); None unless there is exactly one."""
        return self.business_admins[0] if len(self.business_admins) == 1 else None

    @property
    def erp_admin(self) -> str | None:
        """The ERP subsystem admin (tier 3); None unless there is exactly one."""
        return self.erp_admins[0] if len(self.erp_admins) == 1 else None

    def display(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Vendor:
    name: str
    period: str
    src: Source = field(compare=False, repr=False)
    name_en: str | None = None
    product: str | None = None
    hotline: str | None = None
    contacts: tuple[str, ...] = ()
    on_site_from: str | None = None
    on_site_until: str | None = None
    consultants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A `## ` heading of a runbook's body and the line it is on."""

    title: str
    line: int


@dataclass(frozen=True)
class Runbook:
    """A contingency plan, procedure or routine: front matter plus a Markdown body."""

    id: str
    title: str
    kind: str
    subsystems: tuple[str, ...]
    owner: str
    src: Source = field(compare=False, repr=False)
    severity: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    last_reviewed: str | None = None
    review_interval_days: int | None = None
    sections: tuple[Section, ...] = ()
    body: str = field(default="", compare=False, repr=False)
    body_line: int = field(default=1, compare=False, repr=False)

    @property
    def folder(self) -> str:
        """The folder under runbooks/ it lives in: a subsystem code or `common`."""
        parts = self.src.path.split("/")
        return parts[1] if len(parts) > 2 else ""


@dataclass(frozen=True)
class Roster:
    """The organisation. `people_list` keeps duplicates so that a rule can report them."""

    people_list: tuple[Person, ...] = ()
    subsystem_list: tuple[Subsystem, ...] = ()
    office: Office | None = None
    vendor: Vendor | None = None

    @cached_property
    def people(self) -> Mapping[str, Person]:
        """By id, in file order; where an id repeats, the first entry counts."""
        out: dict[str, Person] = {}
        for p in self.people_list:
            out.setdefault(p.id, p)
        return out

    @cached_property
    def subsystems(self) -> Mapping[str, Subsystem]:
        """By code, in file order; where a code repeats, the first file counts."""
        out: dict[str, Subsystem] = {}
        for s in self.subsystem_list:
            out.setdefault(s.code, s)
        return out

    def posts(self, person_id: str) -> list[tuple[str, Subsystem]]:
        """The admin posts one person holds: ('business-admin'|'erp-admin', subsystem)."""
        out = []
        for s in self.subsystem_list:
            if person_id in s.business_admins:
                out.append(("business-admin", s))
            if person_id in s.erp_admins:
                out.append(("erp-admin", s))
        return out
