"""Which messages to send on this run: the notices not yet delivered on a channel, held back
outside working hours (but P1), batched per robot within its rate limit, and gathered into one
daily digest for the people who chose it. Pure: the state is read, never written, here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from erpops.i18n import t
from erpops.notify.config import NotifyConfig, Robot, digest, mobile
from erpops.notify.messages import render
from erpops.notify.notices import Notice
from erpops.worktime import working_seconds

if TYPE_CHECKING:
    from erpops.repository import Repository
    from erpops.notify.state import State

EMAIL = "email"


@dataclass(frozen=True)
class Message:
    channel: str  # `robot:<name>` or `mail:<person id>`
    kind: str  # wecom | dingtalk | feishu | email
    secret: str  # the environment variable holding the webhook or mailto:// URL
    body: str
    keys: tuple[str, ...]  # what is marked delivered when it goes through
    to: tuple[str, ...] = ()  # person ids the message is for
    mobiles: tuple[str, ...] = ()  # robots: the numbers to @-mention
    address: str | None = None  # e-mail: the recipient's address
    subject: str = ""
    sign_secret: str | None = None


@dataclass(frozen=True)
class Plan:
    messages: tuple[Message, ...]
    waiting: int  # deliveries held for working hours, the digest hour or the rate limit


def working(repo: Repository, now: dt.datetime) -> bool:
    cal = repo.policy.calendar
    return working_seconds(cal, now, now + dt.timedelta(seconds=1)) > 0


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def plan(repo: Repository, config: NotifyConfig, notices: list[Notice], state: State, now: dt.datetime,
         lang: str | None = None) -> Plan:
    people = repo.roster.people
    open_now = working(repo, now)
    local = now.astimezone(repo.policy.calendar.tz)
    robot_queue: dict[str, list[tuple[Notice, str]]] = {}
    robots: dict[str, Robot] = {}
    mail_queue: dict[str, list[tuple[Notice, str]]] = {}
    digests: dict[str, list[tuple[Notice, str]]] = {}
    waiting = 0
    for n in notices:
        due_now = n.urgent or open_now
        robot = config.robot_for(n.robot)
        if robot is not None:
            key = f"{n.key}@robot:{robot.name}"
            if key not in state:
                if due_now:
                    robot_queue.setdefault(robot.name, []).append((n, key))
                    robots[robot.name] = robot
                else:
                    waiting += 1
        if config.email_secret is None:
            continue
        for pid in n.to:
            person = people.get(pid)
            if person is None or not person.email:
                continue
            key = f"{n.key}@mail:{pid}"
            if key in state:
                continue
            if digest(person):
                digests.setdefault(pid, []).append((n, key))
            elif due_now:
                mail_queue.setdefault(pid, []).append((n, key))
            else:
                waiting += 1
    out: list[Message] = []
    for name, items in robot_queue.items():
        robot = robots[name]
        batches = _chunks(items, config.batch)
        waiting += sum(len(b) for b in batches[config.rate_per_minute:])
        for batch in batches[:config.rate_per_minute]:
            to = tuple(dict.fromkeys(p for n, _ in batch for p in n.to if p in people and not digest(people[p])))
            mobiles = tuple(dict.fromkeys(m for m in (mobile(people[p]) for p in to) if m))
            body = "\n\n".join(render(repo, config, n, lang) for n, _ in batch)
            out.append(Message(f"robot:{name}", robot.kind, robot.secret, body, tuple(k for _, k in batch),
                               to, mobiles, sign_secret=robot.sign_secret))
    for pid, items in mail_queue.items():
        out.append(_mail(repo, config, pid, items, "notify.mail-subject", lang))
    today = local.date().isoformat()
    for pid, items in digests.items():
        day_key = f"digest:{pid}:{today}"
        if open_now and local.time() >= config.digest_at and day_key not in state:
            m = _mail(repo, config, pid, items, "notify.digest-subject", lang, day_key)
            out.append(m)
        else:
            waiting += len(items)
    return Plan(tuple(out), waiting)


def _mail(repo: Repository, config: NotifyConfig, pid: str, items: list[tuple[Notice, str]], subject: str,
          lang: str | None, extra: str | None = None) -> Message:
    person = repo.roster.people[pid]
    body = "\n\n".join(render(repo, config, n, lang) for n, _ in items)
    keys = tuple(k for _, k in items) + ((extra,) if extra else ())
    return Message(f"mail:{pid}", EMAIL, config.email_secret or "", body, keys, (pid,),
                   address=person.email, subject=t(subject, lang, count=len(items), name=person.display(lang or "zh")))
