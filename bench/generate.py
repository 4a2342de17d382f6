"""A synthetic ops repository: this organisation's roster and policy, N tickets over five years.

    python bench/generate.py OUT --tickets 20000 [--seed 8] [--years 5] [--git]

Every ticket is valid under every rule of `erpops check`: opened by a key user of its subsystem,
escalated one tier at a time to people who hold the tier, resolved at or above its type's tier,
within its SLA in working time. Events after `--now` are cut off, which leaves the latest tickets
open, as in a live repository. Same seed, same repository, byte for byte.

With `--git` the history is a git repository with one commit per ticket change (each event),
written in one pass by `git fast-import`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT / "tools"))
sys.path.insert(0, str(HERE))

from erpops import load as erp_load  # noqa: E402
from erpops.rules.tickets import holds  # noqa: E402
from erpops.worktime import add_working_hours  # noqa: E402

import texts  # noqa: E402
from erpops.i18n import t as _t  # noqa: E402

UNCONFIRMED = _t("ticket.unconfirmed-note", "zh", days=5)

COPIED = ("roster", "runbooks", "docs", "policy.yaml", "mkdocs.yml")
NOW = "2026-11-20T16:00:00+08:00"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
TIERS = ("key-user", "business-admin", "erp-admin", "vendor")
# How often each type is filed (operation questions and faults dominate in practice).
TYPE_WEIGHTS = {
    "operation-question": 30, "data-correction": 18, "fault": 22, "template": 5,
    "subsystem-master-data": 5, "customisation": 3, "permission-change": 6, "system-parameter": 2,
    "process-config": 2, "global-master-data": 2, "custom-report-publish": 1, "backup-restore": 1,
    "test-environment": 1, "network-security": 1,
}
PRIORITY_WEIGHTS = {"P1": 2, "P2": 13, "P3": 50, "P4": 35}


@dataclass
class Event:
    kind: str
    by: str
    tier: str
    at: dt.datetime | None = None
    assignee: str | None = None
    note: str | None = None


@dataclass
class Plan:
    id: str
    subsystem: str
    type: str
    priority: str
    opened: dt.datetime
    title: str
    symptom: str
    cause: str
    summary: str
    root_cause: str
    reporter: dict
    events: list[Event]
    impact: str | None = None
    runbooks: list[str] = field(default_factory=list)
    publication: dict | None = None
    feedback: list[dict] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"tickets/{self.subsystem}/{self.opened.year}/{self.id}.yaml"


class Generator:
    def __init__(self, source: Path, seed: int, years: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed)
        repo = erp_load.load(source)
        self.roster, self.policy = repo.roster, repo.policy
        self.cal = self.policy.calendar
        self.tz = self.cal.tz
        self.now = now.astimezone(self.tz)
        self.start = (self.now - dt.timedelta(days=365 * years)).date()
        self.runbooks = repo.runbooks
        self.subs = sorted(self.roster.subsystems)
        self.holders = {
            (code, tier): [p for p in sorted(self.roster.people) if holds(self.roster, sub, tier, p)]
            for code, sub in self.roster.subsystems.items() for tier in TIERS
        }
        self.cases = _demo_cases(repo)
        self.ids: set[str] = set()

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def opened_at(self) -> dt.datetime:
        days = (self.now.date() - self.start).days
        while True:
            day = self.start + dt.timedelta(days=self.rng.randrange(days + 1))
            if not self.cal.is_working_day(day):
                continue
            a, b = self.rng.choice(self.cal.working_hours)
            minutes = (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)
            at = dt.datetime.combine(day, a, self.tz) + dt.timedelta(minutes=self.rng.randrange(minutes))
            if at <= self.now:
                return at

    def new_id(self, code: str, opened: dt.datetime) -> str:
        prefix = self.policy.ticket_prefixes[code]
        while True:
            tid = f"{prefix}-{opened:%Y%m%d}-" + "".join(self.rng.choice(BASE32) for _ in range(4))
            if tid not in self.ids:
                self.ids.add(tid)
                return tid

    def ticket(self) -> Plan:
        rng = self.rng
        code = rng.choice(self.subs)
        sub = self.roster.subsystems[code]
        case = rng.choice(self.cases[code]) if self.cases.get(code) and rng.random() < 0.3 else None
        kind = case["type"] if case else self.pick(TYPE_WEIGHTS)
        if kind not in self.policy.ticket_types:
            kind = "operation-question"
        priority = case["priority"] if case else self.pick(PRIORITY_WEIGHTS)
        opened = self.opened_at()
        if case:
            title, symptom, cause, summary, root = (case[k] for k in ("title", "symptom", "cause", "summary", "root_cause"))
        else:
            values = texts.fill(rng, sub.name, code)
            parts = rng.choice(texts.TEMPLATES[kind])
            title, symptom, cause, summary, root = (p.format(**values) for p in parts)
        plan = Plan(
            id=self.new_id(code, opened), subsystem=code, type=kind, priority=priority, opened=opened,
            title=title, symptom=symptom, cause=cause, summary=summary, root_cause=root,
            reporter={}, events=[],
        )
        if priority in ("P1", "P2"):
            plan.impact = f"{rng.choice(texts.PLACES)}相关业务受影响，约 {rng.randint(2, 60)} 人无法正常操作。"
        self.lifecycle(plan, sub)
        links = [r for r, rb in sorted(self.runbooks.items()) if kind in r or (kind == "fault" and code in rb.subsystems)]
        if links and rng.random() < 0.15:
            plan.runbooks = [rng.choice(links)]
        if rng.random() < 0.05:
            plan.feedback = [{"kind": rng.choice(("system", "organisation", "process")),
                              "text": f"建议把“{title}”的处理方法写入{sub.name}操作手册。"}]
        return plan

    def lifecycle(self, plan: Plan, sub) -> None:
        rng, code = self.rng, plan.subsystem
        min_rank = TIERS.index(self.policy.ticket_types[plan.type].min_tier)
        # Most tickets end where they may first be solved; some climb further.
        top = min_rank
        while top < 3 and rng.random() < 0.12:
            top += 1
        if top >= 1 and not self.holders[(code, "business-admin")]:
            top = 0
        opener = rng.choice(self.holders[(code, "key-user")])
        if rng.random() < 0.4:
            plan.reporter = {"end_user": f"{rng.choice(texts.PLACES)}{rng.choice(texts.ROLES)} {texts.person_name(rng)}",
                             "filed_by": opener}
        else:
            plan.reporter = {"person": opener}
        ev = [Event("open", opener, TIERS[0], assignee=opener)]
        holder, tier = opener, TIERS[0]
        if top == 0 and rng.random() < 0.08:
            ev.append(Event("cancel", opener, tier, note=rng.choice(texts.NOTES["cancel"])))
            plan.events = ev
            self.times(plan)
            return
        if top == 0 and rng.random() < 0.15 and len(self.holders[(code, tier)]) > 1:
            holder = rng.choice(self.holders[(code, tier)])
            ev.append(Event("assign", opener, tier, assignee=holder, note=rng.choice(texts.NOTES["assign"])))
        for rank in range(1, top + 1):
            tier = TIERS[rank]
            nxt = rng.choice(self.holders[(code, tier)])
            ev.append(Event("escalate", holder, tier, assignee=nxt, note=rng.choice(texts.NOTES["escalate"])))
            holder = nxt
        if len(ev) < 4 and rng.random() < 0.3:
            ev.append(Event("comment", holder, tier, note=rng.choice(texts.NOTES["comment"]).format(place=rng.choice(texts.PLACES))))
        ev.append(Event("resolve", holder, tier, note=rng.choice(texts.NOTES["resolve"])))
        if len(ev) <= 3 and rng.random() < 0.05:
            ev.append(Event("reopen", opener, tier, note=texts.NOTES["reopen"][0]))
            ev.append(Event("resolve", holder, tier, note=rng.choice(texts.NOTES["resolve"])))
        if rng.random() < 0.9:
            ev.append(Event("close", opener, tier))
        elif self.roster.office is not None and self.roster.office.staff:
            # The reporter never answered: the office closes it once the policy's wait is over
            # (no random draw, so the rest of the set stays as it was).
            ev.append(Event("close", self.roster.office.staff[0], tier, note=UNCONFIRMED))
        plan.events = ev
        if plan.type == "custom-report-publish":
            designer = sub.business_admins[0]
            dual = set(sub.erp_admins) & set(sub.business_admins)
            pool = self.roster.office.staff if designer in dual or not sub.erp_admins else sub.erp_admins
            plan.publication = {"designer": designer,
                                "reviewer": rng.choice([p for p in pool if p != designer])}
        self.times(plan)

    def times(self, plan: Plan) -> None:
        """Respond within half the target, resolve within 70 % of it, in working hours."""
        target = self.policy.sla[plan.priority]
        rng, n = self.rng, len(plan.events)
        first = target.respond_hours * rng.uniform(0.05, 0.45)
        last = max(first, target.resolve_hours * rng.uniform(0.1, 0.7))
        resolve_at = max((i for i, e in enumerate(plan.events) if e.kind == "resolve"), default=n - 1)
        offsets = [0.0]
        for i in range(1, n):
            if i <= resolve_at:
                share = (i - 1) / max(1, resolve_at - 1)
                offsets.append(first + (last - first) * share)
            elif plan.events[i].note == UNCONFIRMED:
                day = sum((dt.datetime.combine(dt.date(2000, 1, 1), b) - dt.datetime.combine(dt.date(2000, 1, 1), a))
                          .total_seconds() / 3600 for a, b in self.cal.working_hours)
                offsets.append(offsets[-1] + day * (self.policy.confirmation.wait_working_days + 1))
            else:
                offsets.append(offsets[-1] + rng.uniform(0.2, 6))
        for e, h in zip(plan.events, offsets):
            e.at = add_working_hours(self.cal, plan.opened, h).replace(second=0, microsecond=0)
        plan.events[0].at = plan.opened


def _demo_cases(repo) -> dict[str, list[dict]]:
    """The wording of the repository's own tickets, by subsystem, for reuse."""
    cases: dict[str, list[dict]] = {}
    for t in repo.tickets:
        if t.resolution and t.symptom and t.cause and t.type != "custom-report-publish":
            cases.setdefault(t.subsystem, []).append({
                "type": t.type, "priority": t.priority, "title": t.title, "symptom": t.symptom,
                "cause": t.cause, "summary": t.resolution.summary, "root_cause": t.resolution.root_cause,
            })
    return cases


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9][^\n]*$")


def q(s: str) -> str:
    """A YAML scalar: plain where that reads back as the same string, else double-quoted."""
    if _PLAIN.match(s) and ": " not in s and " #" not in s and not s.endswith((" ", ":")) \
            and s.lower() not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"):
        return s
    return json.dumps(s, ensure_ascii=False)


def render(plan: Plan, upto: int) -> str:
    """The ticket file as it stands after its first `upto` events."""
    events = plan.events[:upto]
    status = tier = assignee = None
    resolved = None
    for e in events:
        if e.kind in ("open", "escalate"):
            tier = e.tier
        if e.kind in ("open", "assign", "escalate"):
            assignee = e.assignee
        status = {"open": "open", "assign": "assigned", "escalate": "escalated", "resolve": "resolved",
                  "close": "closed", "reopen": "reopened", "cancel": "cancelled"}.get(e.kind, status)
        if e.kind == "resolve":
            resolved = e
    out = [f"# {plan.title}", f"id: {plan.id}", f"title: {q(plan.title)}", f"subsystem: {plan.subsystem}",
           f"type: {plan.type}", f"priority: {plan.priority}", f"status: {status}", "reporter:"]
    out += [f"  {k}: {q(v)}" for k, v in plan.reporter.items()]
    out += [f"opened: {plan.opened.isoformat()}", f"tier: {tier}", f"assignee: {assignee}",
            f"symptom: {q(plan.symptom)}", f"cause: {q(plan.cause)}"]
    if plan.impact:
        out.append(f"impact: {q(plan.impact)}")
    if plan.runbooks:
        out += ["runbooks:"] + [f"  - {r}" for r in plan.runbooks]
    out.append("history:")
    for e in events:
        out += [f"  - event: {e.kind}", f"    at: {e.at.isoformat()}", f"    by: {e.by}", f"    tier: {e.tier}"]
        if e.assignee and e.kind in ("open", "assign", "escalate"):
            out.append(f"    assignee: {e.assignee}")
        if e.note:
            out.append(f"    note: {q(e.note)}")
    if resolved is not None and status in ("resolved", "closed"):
        out += ["resolution:", f"  summary: {q(plan.summary)}", f"  root_cause: {q(plan.root_cause)}",
                f"  by: {resolved.by}", f"  at: {resolved.at.isoformat()}"]
        out += [f"feedback:"] + [f"  - kind: {f['kind']}\n    text: {q(f['text'])}" for f in plan.feedback] \
            if plan.feedback else []
    if plan.publication:
        out += ["publication:", f"  designer: {plan.publication['designer']}",
                f"  reviewer: {plan.publication['reviewer']}"]
    return "\n".join(out) + "\n"


def plans(source: Path, count: int, seed: int, years: int, now: dt.datetime) -> list[Plan]:
    gen = Generator(source, seed, years, now)
    out = []
    for _ in range(count):
        plan = gen.ticket()
        # Events after `now` have not happened yet.
        plan.events = [e for e in plan.events if e.at <= gen.now]
        out.append(plan)
    return sorted(out, key=lambda p: p.path)


def copy_base(source: Path, out: Path) -> None:
    for name in COPIED:
        src, dst = source / name, out / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dst)
    (out / ".gitignore").write_text("/site/\n", "utf-8")


def generate(out: Path, count: int, seed: int = 8, years: int = 5, now: str = NOW,
             git: bool = False, source: Path = REPO_ROOT) -> list[Plan]:
    """Write the repository into `out` (which must not hold one yet); return the tickets' plans."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    copy_base(source, out)
    all_plans = plans(source, count, seed, years, dt.datetime.fromisoformat(now))
    made: set[Path] = set()
    for plan in all_plans:
        path = out / plan.path
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(render(plan, len(plan.events)), "utf-8")
    if git:
        git_history(out, all_plans)
    return all_plans


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def git_history(out: Path, all_plans: list[Plan]) -> None:
    """One commit for the base files, then one per ticket event in time order (git fast-import)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    stream: list[bytes] = []
    base = sorted(p for p in out.rglob("*") if p.is_file() and ".git" not in p.parts
                  and not p.relative_to(out).as_posix().startswith("tickets/"))
    first = min((p.opened for p in all_plans), default=dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc))
    ident = b"erpops bench <bench@example.invalid>"

    def commit(when: dt.datetime, message: str, files: list[tuple[str, bytes]]) -> None:
        stamp = b"%d +0800" % int(when.timestamp())
        stream.append(b"commit refs/heads/main\ncommitter " + ident + b" " + stamp + b"\n")
        stream.append(_data(message.encode("utf-8")))
        for rel, payload in files:
            stream.append(b"M 100644 inline " + rel.encode("utf-8") + b"\n" + _data(payload))

    commit(first - dt.timedelta(days=1), "Add the organisation, policy and runbooks",
           [(p.relative_to(out).as_posix(), p.read_bytes()) for p in base])
    changes = sorted(((e.at, i, k) for i, plan in enumerate(all_plans) for k, e in enumerate(plan.events, 1)),
                     key=lambda c: (c[0], c[1], c[2]))
    for when, i, k in changes:
        plan = all_plans[i]
        commit(when, f"{plan.id}: {plan.events[k - 1].kind}", [(plan.path, render(plan, k).encode("utf-8"))])
    subprocess.run(["git", "-C", str(out), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(out), "reset", "-q"], check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--now", default=NOW, help="events after this instant are left out (ISO, with offset)")
    ap.add_argument("--git", action="store_true", help="also write a git history, one commit per ticket event")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    made = generate(args.out, args.tickets, args.seed, args.years, args.now, args.git)
    events = sum(len(p.events) for p in made)
    print(f"{len(made)} tickets, {events} events in {args.out} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
