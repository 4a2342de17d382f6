"""Delivery: the channel interface the notify command talks to. The core (erpops.notify, the
rules, the loader) imports nothing from here; only commands/notify.py does, and only when it
sends. Webhooks, signing secrets and SMTP passwords are read from the environment here, never
from the repository."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Protocol

from erpops.notify.plan import Message


@dataclass(frozen=True)
class Delivery:
    ok: bool
    reason: str = ""
    tries: int = 1


class Channel(Protocol):
    def send(self, message: Message, env: Mapping[str, str]) -> Delivery: ...


def deliver(channel: Channel, message: Message, env: Mapping[str, str], tries: int = 3,
            pause: float = 1.0) -> Delivery:
    """Send, trying again after a pause (doubling) when the channel fails; the last reason counts."""
    last = Delivery(False, "")
    for attempt in range(1, tries + 1):
        last = channel.send(message, env)
        if last.ok:
            return Delivery(True, "", attempt)
        if attempt < tries:
            time.sleep(pause * 2 ** (attempt - 1))
    return Delivery(False, last.reason, tries)
