"""Rules of ticket handling: the history, the tiers, who may do what, and the SLA clock."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator

from erpops import clock
from erpops.diagnostics import Diagnostic
from erpops.model import Roster, Subsystem
from erpops.policy import Policy
from erpops.rules import at, repeats
from erpops.rules.ticket_sla import awaiting_confirmation, sla
from erpops.ticket import ALLOWED_FROM, DONE, ENDS_HOLD, STATUS_AFTER, Ticket

if TYPE_CHECKING:
    from erpops.repository import Repository

CUSTOM_REPORT = "custom-report-publish"


def holds(roster: Roster, sub: Subsystem, tier: str, pid: str | None) -> bool:
    """Whether `pid` holds `tier` for subsystem `sub`.

    key-user: the key-user group's leader or a member; where the group is a population
    (everyone who uses the system, no member list), any person in the roster.
    business-admin: the subsystem's business-system admin. erp-admin: its ERP admin or any
    member of the ops office. vendor: a vendor contact or on-site consultant.
    """
    if not pid:
        return False
    if tier == "key-user":
        g = sub.key_user_group
        return pid == g.leader or pid in g.members or (not g.members and bool(g.population) and pid in roster.people)
    if tier == "business-admin":
        return pid in sub.business_admins
    if tier == "erp-admin":
        return pid in sub.erp_admins or (roster.office is not None and pid in roster.office.staff)
    if tier == "vendor":
        v = roster.vendor
        return v is not None and pid in v.contacts + v.consultants
    return False


def default_holder(roster: Roster, sub: Subsystem, tier: str) -> str | None:
    """The one person a ticket goes to at `tier` when nobody is named: the subsystem's own admin
    for the admin tiers, the vendor's single contact for the vendor; None where there is a choice."""
    if tier == "business-admin":
        return sub.business_admin
    if tier == "erp-admin":
        return sub.erp_admin
    if tier == "vendor" and roster.vendor is not None:
        people = list(dict.fromkeys(roster.vendor.contacts + roster.vendor.consultants))
        return people[0] if len(people) == 1 else None
    return None


def file_name(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """A ticket lives at tickets/<subsystem>/<YYYY of opened>/<id>.yaml: the file name is the id."""
    if t.opened is None:
        return
    expected = f"tickets/{t.subsystem}/{_local(repo, t.opened).year}/{t.id}.yaml"
    if t.src.path != expected:
        yield at(t.src, ("id",), "ticket-file-name", expected=expected)


def id_format(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The id is <the subsystem's prefix>-<the date opened, YYYYMMDD>-<4 random base32 characters>;
    a ticket moved to another subsystem keeps the id, and so the prefix, it was opened with."""
    first = t.first_subsystem
    prefix = repo.policy.ticket_prefixes.get(first) if repo.policy else None
    if prefix is None or t.opened is None or first not in repo.roster.subsystems:
        return
    day = _local(repo, t.opened)
    start = f"{prefix}-{day.year:04d}{day.month:02d}{day.day:02d}-"  # %Y%m%d, without strftime
    if not t.id.startswith(start):
        yield at(t.src, ("id",), "ticket-id", id=t.id, start=start)


def unique_ids(repo: Repository) -> Iterator[Diagnostic]:
    """Ticket ids are unique across the repository."""
    for t, first in repeats(repo.tickets, lambda t: t.id):
        yield at(t.src, ("id",), "ticket-unique-id", id=t.id, first=first.src.path)


def known_references(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The subsystem, the type, each person and prefix a ticket names exist in the roster and the policy."""
    if t.subsystem not in repo.roster.subsystems:
        yield at(t.src, ("subsystem",), "ticket-unknown-subsystem", subsystem=t.subsystem)
    elif repo.policy and t.subsystem not in repo.policy.ticket_prefixes:
        yield at(t.src, ("subsystem",), "ticket-unknown-subsystem", key="rule.ticket-no-prefix",
                 subsystem=t.subsystem)
    if repo.policy and t.type not in repo.policy.ticket_types:
        yield at(t.src, ("type",), "ticket-unknown-type", type=t.type)
    people = repo.roster.people
    refs = [(t.src, ("reporter", "person"), t.reporter.person), (t.src, ("reporter", "filed_by"), t.reporter.filed_by),
            (t.src, ("assignee",), t.assignee)]
    for e in t.history:
        refs += [(e.src, ("by",), e.by), (e.src, ("assignee",), e.assignee)]
    if t.resolution:
        refs.append((t.src, ("resolution", "by"), t.resolution.by))
    if t.publication:
        refs += [(t.src, ("publication", "designer"), t.publication.designer),
                 (t.src, ("publication", "reviewer"), t.publication.reviewer)]
    for src, fields, pid in refs:
        if pid and pid not in people:
            yield at(src, fields, "ticket-unknown-person", person=pid)


def time_zone(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Every time in a ticket carries its UTC offset (+08:00)."""
    times = [(t.src, ("opened",), t.opened)] + [(e.src, ("at",), e.at) for e in t.history]
    if t.resolution:
        times.append((t.src, ("resolution", "at"), t.resolution.at))
    for src, fields, value in times:
        if value is not None and value.tzinfo is None:
            yield at(src, fields, "ticket-time-zone")


def history_order(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The history starts with one `open` at the time opened, and its events are in time order."""
    if not t.history:
        return
    first = t.history[0]
    if first.kind != "open":
        yield at(first.src, ("event",), "ticket-history-order", key="rule.ticket-history-first")
    elif _aware(first.at) and _aware(t.opened) and first.at != t.opened:
        yield at(first.src, ("at",), "ticket-history-order", key="rule.ticket-history-opened")
    for e in t.history[1:]:
        if e.kind == "open":
            yield at(e.src, ("event",), "ticket-history-order", key="rule.ticket-history-first")
    last = None
    for e in t.history:
        if not _aware(e.at):
            continue
        if last is not None and e.at < last:
            yield at(e.src, ("at",), "ticket-history-order", at=e.at.isoformat(), before=last.isoformat())
        last = e.at if last is None else max(last, e.at)


def history_transitions(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Each event may only happen from certain states: close after resolve, reopen after resolve or close…
    hold only while active and not on hold, resume only while on hold (resolve and cancel end a hold)."""
    status, on_hold = None, False
    for e in t.history:
        allowed = ALLOWED_FROM.get(e.kind)
        if allowed is not None and status is not None and status not in allowed:
            yield at(e.src, ("event",), "ticket-history-transition", event=e.kind, status=status)
        elif (e.kind == "hold") == on_hold and e.kind in ("hold", "resume"):
            yield at(e.src, ("event",), "ticket-history-transition", key=f"rule.ticket-history-{e.kind}")
        status = STATUS_AFTER.get(e.kind, status)
        on_hold = (on_hold or e.kind == "hold") and e.kind not in ENDS_HOLD


def history_consistent(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The status, tier and assignee are what the history leads to; only escalate changes the tier."""
    status = tier = assignee = None
    for e in t.history:
        if e.kind in ("open", "escalate"):
            tier = e.tier
        elif tier is not None and e.tier != tier:
            yield at(e.src, ("tier",), "ticket-history-consistent", key="rule.ticket-history-tier-jump",
                     event=e.kind, tier=e.tier, was=tier)
        if e.kind in ("open", "assign", "escalate") and (e.assignee or e.kind != "open"):
            assignee = e.assignee
        status = STATUS_AFTER.get(e.kind, status)
    if status is None:
        return
    for name, have, want in (("status", t.status, status), ("tier", t.tier, tier), ("assignee", t.assignee, assignee)):
        if have != want:
            yield at(t.src, (name,), "ticket-history-consistent", field=name, have=have or "-", want=want or "-")


def open_tier(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """A ticket is opened at a tier its opener holds for the subsystem (a key user opens at tier 1)."""
    sub = repo.roster.subsystems.get(t.first_subsystem)
    if sub is None or not t.history or t.history[0].kind != "open":
        return
    e = t.history[0]
    if e.by in repo.roster.people and not holds(repo.roster, sub, e.tier, e.by):
        yield at(e.src, ("tier",), "ticket-open-tier", person=_name(repo, e.by), tier=e.tier, subsystem=sub.name)


def escalation_one_tier(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Escalation goes up one tier at a time; the only skip is an emergency P1 with a contingency runbook."""
    p = repo.policy
    if p is None:
        return
    for prev, e in _escalations(t):
        if e.tier == "vendor":
            continue  # the vendor has its own rule
        if p.rank(e.tier) == p.rank(prev) + 1:
            continue
        skip = p.emergency_skip
        if (t.priority == skip.priority and prev == skip.from_tier and e.tier == skip.to_tier
                and any(r in repo.runbooks and repo.runbooks[r].kind == skip.runbook_kind for r in t.runbooks)):
            continue
        yield at(e.src, ("tier",), "ticket-escalation-one-tier", was=prev, tier=e.tier)


def vendor_from_erp_admin(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The vendor is reached only from the ERP admin tier."""
    for prev, e in _escalations(t):
        if e.tier == "vendor" and prev != "erp-admin":
            yield at(e.src, ("tier",), "ticket-vendor-from-erp-admin", was=prev)


def assignee_holds_tier(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Each assignee holds that tier for the subsystem the ticket was in then (it may have moved since)."""
    for e, at_then in zip(t.history, _subsystems(t)):
        sub = repo.roster.subsystems.get(at_then)
        if sub is None:
            continue
        if e.assignee and e.assignee in repo.roster.people and not holds(repo.roster, sub, e.tier, e.assignee):
            yield at(e.src, ("assignee",), "ticket-assignee-tier",
                     person=_name(repo, e.assignee), tier=e.tier, subsystem=sub.name)


def filed_by_key_user(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """A ticket for an end user is filed by a key user of the subsystem it was opened in."""
    sub = repo.roster.subsystems.get(t.first_subsystem)
    pid = t.reporter.filed_by
    if sub is not None and pid and pid in repo.roster.people and not holds(repo.roster, sub, "key-user", pid):
        yield at(t.src, ("reporter", "filed_by"), "ticket-filed-by-key-user", person=_name(repo, pid), subsystem=sub.name)


def symptom_and_cause(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Leaving tier 1 needs a written symptom and cause (the operation that produced it)."""
    first = repo.policy.tiers[0] if repo.policy else "key-user"
    for prev, e in _escalations(t):
        if prev == first and not (t.symptom and t.cause):
            yield at(e.src, ("event",), "ticket-symptom-cause")
            return


def reserved_type(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """A reserved type is resolved only at its tier or above."""
    p = repo.policy
    kind = p.ticket_types.get(t.type) if p else None
    if kind is None:
        return
    for e in t.history:
        if e.kind == "resolve" and p.rank(e.tier) < p.rank(kind.min_tier):
            yield at(e.src, ("tier",), "ticket-reserved-type", type=kind.name, tier=e.tier, min_tier=kind.min_tier)


def custom_report_review(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Publishing a custom report records its designer (the business-system admin) and a different
    reviewer (the ERP admin; where one person holds both roles, another ops-office member)."""
    sub = repo.roster.subsystems.get(t.subsystem)
    if t.type != CUSTOM_REPORT or sub is None:
        return
    pub = t.publication
    if pub is None:
        if t.status in DONE:
            yield at(t.src, ("status",), "ticket-custom-report-review", key="rule.ticket-custom-report-missing")
        return
    if pub.designer not in sub.business_admins:
        yield at(t.src, ("publication", "designer"), "ticket-custom-report-review",
                 key="rule.ticket-custom-report-designer", person=_name(repo, pub.designer), subsystem=sub.name)
    if pub.reviewer == pub.designer:
        yield at(t.src, ("publication", "reviewer"), "ticket-custom-report-review",
                 key="rule.ticket-custom-report-same", person=_name(repo, pub.reviewer))
        return
    dual = set(sub.erp_admins) & set(sub.business_admins)
    staff = repo.roster.office.staff if repo.roster.office else ()
    if pub.designer in dual or not sub.erp_admins:
        if pub.reviewer not in staff:
            yield at(t.src, ("publication", "reviewer"), "ticket-custom-report-review",
                     key="rule.ticket-custom-report-office", person=_name(repo, pub.reviewer))
    elif pub.reviewer not in sub.erp_admins:
        yield at(t.src, ("publication", "reviewer"), "ticket-custom-report-review",
                 key="rule.ticket-custom-report-reviewer", person=_name(repo, pub.reviewer), subsystem=sub.name)


def has_resolution(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Resolved and closed tickets have a resolution (summary, root cause, who, when)."""
    if t.status in DONE and t.resolution is None:
        yield at(t.src, ("status",), "ticket-resolution", status=t.status)


def resolution_history(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """The resolution's `by` and `at` are what the last resolve event says (an update may correct
    its summary and root cause, never who resolved it or when)."""
    last = next((e for e in reversed(t.history) if e.kind == "resolve"), None)
    if t.resolution is None or last is None:
        return  # ticket-resolution and the transitions say what is missing
    for name, have, want in (("by", t.resolution.by, last.by), ("at", t.resolution.at, last.at)):
        if name == "at" and not (_aware(have) and _aware(want)):
            continue  # ticket-time-zone reports it
        if have != want:
            yield at(t.src, ("resolution", name), "ticket-resolution-history", field=name,
                     have=_show(have), want=_show(want))


def runbooks_exist(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Linked runbooks exist under runbooks/."""
    for i, rid in enumerate(t.runbooks):
        if rid not in repo.runbooks:
            yield at(t.src, ("runbooks", i), "ticket-runbook-exists", runbook=rid)


def moves_lead_elsewhere(repo: Repository, t: Ticket) -> Iterator[Diagnostic]:
    """Each move leaves the subsystem named in its `from` for another one: the next move's `from`,
    or, after the last move, the ticket's subsystem."""
    moves = [e for e in t.history if e.kind == "move"]
    for e, after in zip(moves, moves[1:] + [None]):
        to = after.from_subsystem if after is not None else t.subsystem
        if e.from_subsystem == to:
            yield at(e.src, ("from",), "ticket-move", subsystem=to)


def future_events(t: Ticket, now: dt.datetime) -> Iterator[Diagnostic]:
    """No event is dated after now: history records what has happened."""
    for e in t.history:
        if _aware(e.at) and e.at > now:
            yield at(e.src, ("at",), "ticket-event-future", at=e.at.isoformat(), now=now.isoformat())


def _subsystems(t: Ticket) -> list[str]:
    """t.subsystem_at(i) for each history entry i, in one pass from the end (not one walk each)."""
    out, current = [], t.subsystem
    for e in reversed(t.history):
        if e.kind == "move" and e.from_subsystem:
            current = e.from_subsystem
        out.append(current)
    out.reverse()
    return out


def _escalations(t: Ticket):
    tier = None
    for e in t.history:
        if e.kind == "escalate" and tier is not None:
            yield tier, e
        if e.kind in ("open", "escalate"):
            tier = e.tier


def _show(v: object) -> str:
    if v is None:
        return "-"
    return v.isoformat() if isinstance(v, dt.datetime) else str(v)


def _aware(v: dt.datetime | None) -> bool:
    return v is not None and v.tzinfo is not None


def _local(repo: Repository, v: dt.datetime) -> dt.datetime:
    return v.astimezone(repo.policy.calendar.tz) if repo.policy and v.tzinfo else v


def _name(repo: Repository, pid: str) -> str:
    p = repo.roster.people.get(pid)
    return p.name if p else pid


RULES = (
    file_name, id_format, known_references, time_zone, history_order, history_transitions,
    history_consistent, open_tier, escalation_one_tier, vendor_from_erp_admin, assignee_holds_tier,
    filed_by_key_user, symptom_and_cause, reserved_type, custom_report_review, has_resolution,
    resolution_history, runbooks_exist, moves_lead_elsewhere,
)


def check(repo: Repository, now: dt.datetime | None = None) -> list[Diagnostic]:
    """Every ticket rule over every ticket; `now` (for the SLA clock) defaults to $ERPOPS_NOW or the present."""
    if not repo.tickets or repo.policy is None:
        return []
    now = now or clock.now(repo.policy.calendar.tz)
    found = list(unique_ids(repo))
    for t in repo.tickets:
        found += per_ticket(repo, t, now)
    return found


def per_ticket(repo: Repository, t: Ticket, now: dt.datetime) -> list[Diagnostic]:
    """The findings of the rules that look at one ticket alone (with the roster, policy and runbooks)."""
    found: list[Diagnostic] = []
    for rule in RULES:
        found += rule(repo, t)
    found += sla(repo, t, now)
    found += awaiting_confirmation(repo, t, now)
    found += future_events(t, now)
    return found

