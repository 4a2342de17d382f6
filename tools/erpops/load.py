"""The one door into a repository: files → Documents → schema checks → model, all problems kept."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from erpops import doccache, loadpool, ticketindex
from erpops import policy as policy_model
from erpops import improvement as improvement_model
from erpops import schemas
from erpops import ticket as ticket_model
from erpops.diagnostics import Diagnostic
from erpops.improvement import Improvement
from erpops.model import (
    KeyUserGroup, Office, Person, Roster, Runbook, Section, Source, Subsystem, Vendor,
)
from erpops.repository import Repository, paused_gc
from erpops.ticket import Ticket
from erpops.yamlio import MAX_BYTES, Document, decode, load_bytes, load_front_matter

PEOPLE = "roster/people.yaml"
OFFICE = "roster/office.yaml"
VENDOR = "roster/vendor.yaml"
SUBSYSTEMS = "roster/subsystems"
RUNBOOKS = "runbooks"
POLICY = "policy.yaml"
TICKETS = "tickets"
REPORTS = "reports"
IMPROVEMENTS = improvement_model.FOLDER


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a `roster/` folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "roster").is_dir():
            return folder
    return None


class LinkRefused(OSError):
    """The path is, or passes through, a symbolic link: never followed (it may lead anywhere)."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class Files:
    """Where the loader reads from: a folder on disk. `gitdiff.TreeFiles` reads a Git commit instead.

    Symbolic links are never followed: a link named like a ticket could show /etc/passwd, or a
    file outside the repository, in `check`, the site and the reports. `links` names them.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, bool] = {}  # folder → whether it or one above it is a link

    def _folder_is_link(self, folder: str) -> bool:
        """Whether `folder` or a folder above it (below the root) is a symbolic link: each folder
        is looked at once per Files, not once per file in it (20,000 tickets sit in a few folders)."""
        known = self._folders.get(folder)
        if known is None:
            parent, _, _ = folder.rpartition("/")
            known = (bool(parent) and self._folder_is_link(parent)) or os.path.islink(os.path.join(self.root, folder))
            self._folders[folder] = known
        return known

    def is_link(self, rel: str) -> bool:
        """Whether `rel`, or a folder on the way to it from the root, is a symbolic link."""
        folder, _, _ = rel.rpartition("/")
        return (bool(folder) and self._folder_is_link(folder)) or os.path.islink(os.path.join(self.root, rel))

    def read_bytes(self, rel: str) -> bytes:
        """The file's bytes; FileNotFoundError, LinkRefused (or another OSError) when it cannot be read."""
        folder, _, _ = rel.rpartition("/")
        if (folder and self._folder_is_link(folder)) or (not _NOFOLLOW and self.is_link(rel)):
            raise LinkRefused(rel)
        try:  # O_NOFOLLOW refuses a link as the file itself: no lstat of every file first
            fd = os.open(os.path.join(self.root, rel), os.O_RDONLY | _NOFOLLOW | _BINARY)
        except OSError:
            if self.is_link(rel):
                raise LinkRefused(rel) from None
            raise
        try:  # os.read: no file object per ticket
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def exists(self, rel: str) -> bool:
        return os.path.lexists(self.root / rel)

    def under(self, folder: str) -> list[str]:
        """Every regular file below `folder` (links left out), as sorted paths relative to the root."""
        if self.is_link(folder) or not (self.root / folder).is_dir():
            return []
        out: list[str] = []
        pending = [folder]
        while pending:  # linked folders are not descended into, linked files left out
            here = pending.pop()
            try:
                with os.scandir(os.path.join(self.root, here)) as entries:
                    for entry in entries:
                        rel = here + "/" + entry.name
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(rel)
                        elif entry.is_file(follow_symlinks=False):
                            out.append(rel)
            except OSError:
                continue  # an unreadable folder: skipped, as os.walk does
        return sorted(out)

    def links(self, folder: str) -> list[str]:
        """Every symbolic link at or below `folder` (files and folders), as sorted relative paths."""
        if self.is_link(folder):
            return [folder]
        if not (self.root / folder).is_dir():
            return []
        out: list[str] = []
        pending = [folder]
        while pending:  # a linked folder is named, not descended into
            here = pending.pop()
            try:
                with os.scandir(os.path.join(self.root, here)) as entries:
                    for entry in entries:
                        rel = here + "/" + entry.name
                        if entry.is_symlink():
                            out.append(rel)
                        elif entry.is_dir(follow_symlinks=False):
                            pending.append(rel)
            except OSError:
                continue
        return sorted(out)


SETUP = "setup"  # doccache.Cache of the roster and policy files (their schema is in the key)


class _Reader:
    def __init__(self, files: Files, max_bytes: int, *, keep_in: Path | None = None) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self.documents: dict[str, Document] = {}
        self.diagnostics: list[Diagnostic] = []
        self.attempted: set[str] = set()
        # `keep_in` (the work tree): the roster and policy, parsed and schema-clean, from its
        # .erpops-cache where there is one already (a repository big enough for the other caches;
        # a small work tree stays untouched): a one-ticket command, pr-check (whose base revision's
        # files are keyed by their bytes as any others) or a warm check parses and validates none.
        self.kept = doccache.Cache(keep_in, SETUP) if keep_in is not None and doccache.enabled() \
            and (keep_in / doccache.FOLDER).is_dir() else None

    def close(self) -> None:
        """The roster and policy are read: keep them, and read what follows (improvement items) as before."""
        if self.kept is not None:
            self.kept.save()
            self.kept = None

    def raw(self, rel: str) -> bytes | None:
        self.attempted.add(rel)
        data, problems = read_raw(self.files, rel)
        self.diagnostics.extend(problems)
        return data

    def read_markdown(self, rel: str, schema: str) -> tuple[Document, str, int] | None:
        """A Markdown file with YAML front matter, the front matter checked against `schema`."""
        raw = self.raw(rel)
        if raw is None:
            return None
        text, problems = decode(raw, rel, self.max_bytes)
        self.diagnostics.extend(problems)
        if text is None:
            return None
        doc, body, body_line, problems = load_front_matter(text, rel)
        self.diagnostics.extend(problems)
        if doc is None:
            return None
        self.documents[rel] = doc
        self.diagnostics.extend(schemas.validate(doc, schema))
        return doc, body, body_line

    def read(self, rel: str, schema: str, required: bool = True) -> Document | None:
        if not required and not self.files.exists(rel):
            return None
        self.attempted.add(rel)
        if self.kept is None:
            doc, problems = read_yaml(self.files, rel, schema, self.max_bytes)
        else:
            doc, problems = self._read_kept(rel, schema)
        return self.take(rel, doc, problems)

    def _read_kept(self, rel: str, schema: str) -> tuple[Document | None, list[Diagnostic]]:
        """`read_yaml`, or what it gave for these bytes and this schema before, without problems."""
        raw, problems = read_raw(self.files, rel)
        if raw is None:
            return None, problems
        key = doccache.digest(schema.encode() + b"\0" + raw)
        doc = self.kept.document(key, raw, rel, self.max_bytes)
        if doc is not None:
            return doc, []
        doc, problems = parse_yaml(raw, rel, schema, self.max_bytes)
        if doc is not None and not problems:
            self.kept.put(key, doc.data)
        return doc, problems

    def take(self, rel: str, doc: Document | None, problems: list[Diagnostic]) -> Document | None:
        """Record what reading `rel` gave (see `read_yaml`)."""
        self.attempted.add(rel)
        self.diagnostics.extend(problems)
        if doc is not None:
            self.documents[rel] = doc
        return doc


def read_raw(files: Files, rel: str) -> tuple[bytes | None, list[Diagnostic]]:
    try:
        return files.read_bytes(rel), []
    except LinkRefused:
        return None, [Diagnostic.make(rel, 1, "file-symlink")]
    except FileNotFoundError:
        return None, [Diagnostic.make(rel, 0, "file-missing", column=0)]
    except OSError as err:
        return None, [Diagnostic.make(rel, 0, "file-missing", column=0, reason=str(err))]


def read_yaml(files: Files, rel: str, schema: str, max_bytes: int) -> tuple[Document | None, list[Diagnostic]]:
    """One YAML file read, parsed and checked against `schema`: its Document (None if unreadable)
    and every problem found. A pure function of the file, so it may run in another process."""
    raw, problems = read_raw(files, rel)
    if raw is None:
        return None, problems
    return parse_yaml(raw, rel, schema, max_bytes)


def parse_yaml(raw: bytes, rel: str, schema: str, max_bytes: int) -> tuple[Document | None, list[Diagnostic]]:
    """`read_yaml` of bytes already read: parsed and checked against `schema`."""
    doc, problems = load_bytes(raw, rel, max_bytes)
    if doc is None:
        return None, problems
    return doc, problems + schemas.validate(doc, schema)


def load(root: Path, max_bytes: int = MAX_BYTES) -> Repository:
    """Load the repository at `root`; every problem found on the way is in `.diagnostics`."""
    return load_files(Files(root), root, max_bytes=max_bytes)


def load_files(files: Files, root: Path, ticket_paths: list[str] | None = None,
               max_bytes: int = MAX_BYTES) -> Repository:
    """Load from `files`: the roster, the policy, the runbooks and the tickets at `ticket_paths`
    (default: every ticket). The PR gate passes only the changed tickets, to stay fast."""
    with paused_gc():
        return _load(files, root, ticket_paths, max_bytes)


def load_roster_policy(root: Path, max_bytes: int = MAX_BYTES) -> Repository:
    """The roster and the policy only, with what reading them found: enough for `who`,
    `codeowners` and `issue-form`, which need no ticket, runbook or improvement item."""
    files = Files(root)
    with paused_gc():
        reader = _Reader(files, max_bytes, keep_in=root)
        roster = _read_roster(files, reader)
        policy = policy_model.build(reader.read(POLICY, "policy", required=_any_ticket(files)))
        reader.close()
        reader.diagnostics += _links(files, reader, ("roster", POLICY))
        return Repository(root, roster, reader.documents, reader.diagnostics, policy=policy)


def _any_ticket(files: Files) -> bool:
    """Whether tickets/ holds a ticket file (the policy is then required): stops at the first."""
    if files.is_link(TICKETS):
        return False
    for _top, _dirs, names in os.walk(files.root / TICKETS):
        if any(name.endswith(".yaml") for name in names):
            return True
    return False


def load_context(root: Path, max_bytes: int = MAX_BYTES) -> Repository:
    """Everything but the tickets: the roster, the policy, the runbooks and the improvement items,
    and the links among them (the warm check, checkcache.py, takes the tickets from its cache)."""
    files = Files(root)
    with paused_gc():
        reader = _Reader(files, max_bytes, keep_in=root)
        roster = _read_roster(files, reader)
        runbooks, runbook_list = _read_runbooks(files, reader)
        policy = policy_model.build(reader.read(POLICY, "policy", required=_any_ticket(files)))
        reader.close()
        improvements = _improvements(files, reader)
        reader.diagnostics += _links(files, reader, ("roster", POLICY, RUNBOOKS, REPORTS, IMPROVEMENTS))
        return Repository(root, roster, reader.documents, reader.diagnostics, runbooks, runbook_list,
                          policy, [], improvements)


def load_some(root: Path, ticket_paths: list[str], max_bytes: int = MAX_BYTES) -> Repository:
    """The roster, the policy, the runbooks and only the tickets at `ticket_paths` (no
    improvement items, no search for links): what a one-ticket command reads."""
    files = Files(root)
    with paused_gc():
        reader = _Reader(files, max_bytes, keep_in=root)
        roster = _read_roster(files, reader)
        runbooks, runbook_list = _read_runbooks(files, reader)
        policy = policy_model.build(reader.read(POLICY, "policy"))
        reader.close()
        tickets = []
        for rel, doc, problems, ticket in read_ticket_files(files, ticket_paths, max_bytes):
            reader.take(rel, doc, problems)
            if ticket is not None:
                tickets.append(ticket)
        return Repository(root, roster, reader.documents, reader.diagnostics, runbooks, runbook_list,
                          policy, tickets)


def read_ticket_files(files: Files, ticket_paths: Iterable[str], max_bytes: int = MAX_BYTES
                      ) -> Iterator[tuple[str, Document | None, list[Diagnostic], Ticket | None]]:
    """Each of `ticket_paths` read and checked as a ticket file, in that order: its path, its
    Document (None where refused), its problems, and its Ticket (None where none can be built)."""
    for rel in ticket_paths:
        doc, problems = read_yaml(files, rel, "ticket", max_bytes)
        yield rel, doc, problems, ticket_model.build(doc) if doc is not None else None


def read_tickets(root: Path, ticket_paths: list[str], max_bytes: int = MAX_BYTES) -> list[Ticket]:
    """The tickets at `ticket_paths` that could be built, in that order (problems not kept)."""
    return [tk for _, _, _, tk in read_ticket_files(Files(root), ticket_paths, max_bytes) if tk is not None]


def _read_roster(files: Files, reader: _Reader) -> Roster:
    people = reader.read(PEOPLE, "people")
    office = reader.read(OFFICE, "office")
    vendor = reader.read(VENDOR, "vendor", required=False)
    subsystem_docs = []
    roster_files = files.under("roster")
    for rel in roster_files:
        if rel.startswith(SUBSYSTEMS + "/") and rel.count("/") == 2 and rel.endswith(".yaml"):
            doc = reader.read(rel, "subsystem")
            if doc is not None:
                subsystem_docs.append(doc)
    for rel in roster_files:
        if rel.endswith((".yaml", ".yml")) and rel not in reader.attempted:
            reader.diagnostics.append(Diagnostic.make(rel, 1, "unknown-file", "warning"))
    return Roster(
        people_list=tuple(_people(people)),
        subsystem_list=tuple(s for s in map(_subsystem, subsystem_docs) if s is not None),
        office=_office(office),
        vendor=_vendor(vendor),
    )


def _read_runbooks(files: Files, reader: _Reader) -> tuple[dict[str, Runbook], list[Runbook]]:
    runbooks: dict[str, Runbook] = {}
    runbook_list: list[Runbook] = []
    runbook_files = [rel for rel in files.under(RUNBOOKS) if rel.endswith(".md")]
    for rel in runbook_files:
        if rel.count("/") == 2:
            loaded = reader.read_markdown(rel, "runbook")
            runbook = _runbook(*loaded) if loaded else None
            if runbook is not None:
                runbooks.setdefault(runbook.id, runbook)
                runbook_list.append(runbook)
    for rel in runbook_files:
        if rel not in reader.attempted:
            reader.diagnostics.append(Diagnostic.make(rel, 1, "runbook-misplaced", "warning"))
    return runbooks, runbook_list


def _load(files: Files, root: Path, ticket_paths: list[str] | None, max_bytes: int) -> Repository:
    reader = _Reader(files, max_bytes, keep_in=root)
    roster = _read_roster(files, reader)
    runbooks, runbook_list = _read_runbooks(files, reader)
    whole = ticket_paths is None
    indexed = whole and type(files) is Files and doccache.enabled()
    if indexed:  # stat before reading: an edit made while loading shows as a change next time
        written, stats = time.time_ns(), ticketindex.stat_tree(root)
    if whole:
        ticket_files = files.under(TICKETS)
        ticket_paths = [rel for rel in ticket_files if rel.endswith(".yaml")]
        reader.diagnostics += [Diagnostic.make(rel, 1, "ticket-file-extension")
                               for rel in ticket_files if _misnamed_ticket(rel)]
    policy = policy_model.build(reader.read(POLICY, "policy", required=bool(ticket_paths)))
    reader.close()
    tickets = []
    if type(files) is Files:  # on disk: several processes, and the cache, may read them
        results = loadpool.read_all(files.root, ticket_paths, "ticket", max_bytes)
    else:
        results = (read_yaml(files, rel, "ticket", max_bytes) for rel in ticket_paths)
    for rel, (doc, problems) in zip(ticket_paths, results):
        doc = reader.take(rel, doc, problems)
        ticket = ticket_model.build(doc) if doc is not None else None
        if ticket is not None:
            tickets.append(ticket)
    if indexed and len(ticket_paths) >= doccache.MIN_FILES:
        ticketindex.record(root, written, stats, tickets)
    improvements = _improvements(files, reader)
    if whole:
        reader.diagnostics += _links(files, reader, ("roster", POLICY, RUNBOOKS, TICKETS, REPORTS, IMPROVEMENTS))
    return Repository(root, roster, reader.documents, reader.diagnostics, runbooks, runbook_list,
                      policy, tickets, improvements)


def _improvements(files: Files, reader: _Reader) -> list[Improvement]:
    """Every improvement item (a few per month: always all of them, the PR gate too)."""
    out = []
    for rel in files.under(IMPROVEMENTS):
        if not rel.endswith(".yaml"):
            continue
        doc = reader.read(rel, "improvement")
        item = improvement_model.build(doc) if doc is not None else None
        if item is not None:
            out.append(item)
    return out


def _misnamed_ticket(rel: str) -> bool:
    """A ticket saved as .yml or .YAML: the loader reads only .yaml, so say so instead of skipping it."""
    name = rel.rsplit("/", 1)[-1]
    return not name.startswith(".") and not rel.endswith(".yaml") and name.lower().endswith((".yml", ".yaml"))


def _links(files: Files, reader: _Reader, where: tuple[str, ...]) -> list[Diagnostic]:
    """A finding for each symbolic link among the repository's data, unless reading it said so."""
    if not hasattr(files, "links"):
        return []  # a Git tree: its links are blobs holding the target's name, never followed
    said = {d.path for d in reader.diagnostics if d.rule == "file-symlink"}
    found = sorted({rel for w in where for rel in files.links(w)} - said)
    return [Diagnostic.make(rel, 1, "file-symlink") for rel in found]


# Lenient builders: a field of the wrong type was already reported by the schema; here it is
# simply left out so that one bad field does not hide every other finding.

def _str(d: dict, key: str) -> str | None:
    v = d.get(key)
    return v if isinstance(v, str) else (v.isoformat() if hasattr(v, "isoformat") else None)


def _ids(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list):
        return tuple(x for x in v if isinstance(x, str))
    return ()


def _mapping(doc: Document | None) -> dict:
    return doc.data if doc is not None and isinstance(doc.data, dict) else {}


def _people(doc: Document | None) -> list[Person]:
    items = _mapping(doc).get("people")
    out = []
    for i, d in enumerate(items if isinstance(items, list) else []):
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            continue
        out.append(
            Person(
                id=d["id"], name=_str(d, "name") or d["id"], src=Source(doc, ("people", i)),
                name_en=_str(d, "name_en"), department=_str(d, "department"),
                organisation=_str(d, "organisation"), title=_str(d, "title"),
                phone=_str(d, "phone"), email=_str(d, "email"), wecom=_str(d, "wecom"),
                github=_str(d, "github"), gitlab=_str(d, "gitlab"), gitea=_str(d, "gitea"),
                emails=_ids(d.get("emails")),
                placeholder=d.get("placeholder") is True,
            )
        )
    return out


def _office(doc: Document | None) -> Office | None:
    d = _mapping(doc)
    if not d:
        return None
    limit = d.get("max_admin_posts")
    return Office(
        name=_str(d, "name") or "", department=_str(d, "department") or "",
        lead=_str(d, "lead") or "", members=_ids(d.get("members")), src=Source(doc),
        name_en=_str(d, "name_en"),
        max_admin_posts=limit if isinstance(limit, int) and not isinstance(limit, bool) else 4,
    )


def _subsystem(doc: Document) -> Subsystem | None:
    d = _mapping(doc)
    code = _str(d, "code")
    if not code:
        return None
    group = d.get("key_user_group") if isinstance(d.get("key_user_group"), dict) else {}
    return Subsystem(
        code=code, name=_str(d, "name") or code,
        business_admins=_ids(d.get("business_admin")), erp_admins=_ids(d.get("erp_admin")),
        key_user_group=KeyUserGroup(
            leader=_str(group, "leader") or "", members=_ids(group.get("members")),
            population=_str(group, "population"),
        ),
        src=Source(doc), name_en=_str(d, "name_en"), aliases=_ids(d.get("aliases")),
    )


def _vendor(doc: Document | None) -> Vendor | None:
    d = _mapping(doc)
    if not d:
        return None
    support = d.get("on_site_support") if isinstance(d.get("on_site_support"), dict) else {}
    return Vendor(
        name=_str(d, "name") or "", period=_str(support, "period") or "", src=Source(doc),
        name_en=_str(d, "name_en"), product=_str(d, "product"), hotline=_str(d, "hotline"),
        contacts=_ids(d.get("contacts")), on_site_from=_str(support, "from"),
        on_site_until=_str(support, "until"), consultants=_ids(support.get("consultants")),
    )



_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _runbook(doc: Document, body: str, body_line: int) -> Runbook | None:
    d = _mapping(doc)
    rid = _str(d, "id")
    if not rid:
        return None
    interval = d.get("review_interval_days")
    sections = tuple(
        Section(m.group(1).strip(), body_line + body.count("\n", 0, m.start()))
        for m in _HEADING.finditer(body)
    )
    return Runbook(
        id=rid, title=_str(d, "title") or rid, kind=_str(d, "kind") or "",
        subsystems=_ids(d.get("subsystems")), owner=_str(d, "owner") or "", src=Source(doc),
        severity=_ids(d.get("severity")), symptoms=_ids(d.get("symptoms")),
        keywords=_ids(d.get("keywords")), last_reviewed=_str(d, "last_reviewed"),
        review_interval_days=interval if isinstance(interval, int) and not isinstance(interval, bool) else None,
        sections=sections, body=body, body_line=body_line,
    )
