"""The keys of what was delivered: one JSON file, replaced atomically after each delivery, kept
on its own branch (`notify-state`) by the workflow so that no run depends on the one before it
having happened on time."""
from __future__ import annotations

import json
from pathlib import Path

from erpops.atomic import write_text
from erpops.errors import FatalError
from erpops.i18n import t

VERSION = 1


class State:
    """Delivered keys (a notice on one channel) and when each was delivered."""

    def __init__(self, path: Path | None, sent: dict[str, str] | None = None) -> None:
        self.path = path
        self.sent: dict[str, str] = dict(sent or {})

    def __contains__(self, key: str) -> bool:
        return key in self.sent

    def mark(self, keys: list[str], when: str) -> None:
        for k in keys:
            self.sent.setdefault(k, when)
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        body = {"version": VERSION, "sent": dict(sorted(self.sent.items()))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, json.dumps(body, ensure_ascii=False, indent=1) + "\n")


def load(path: Path | None) -> State:
    if path is None or not path.exists():
        return State(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise FatalError(t("notify.bad-state", path=path, reason=err)) from None
    sent = data.get("sent") if isinstance(data, dict) else None
    if not isinstance(sent, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in sent.items()):
        raise FatalError(t("notify.bad-state", path=path, reason="sent"))
    return State(path, sent)
