"""A one-line progress count on a terminal for long operations; silent in CI and in pipes.

Shown only when the stream is a terminal, `$CI` is unset (CI logs keep no carriage returns)
and the job is long enough to be worth it. The line is redrawn at most ten times a second and
erased when the work is done, so what the command prints afterwards stands alone.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from erpops.i18n import t

MIN_TOTAL = 500  # items; fewer finish before a person would look
INTERVAL = 0.1  # seconds between redraws


def wanted(stream: TextIO, total: int) -> bool:
    if total < MIN_TOTAL or os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """The catalogue text `key` (placeholders `{done}`, `{total}`, `{percent}`) as work advances."""

    def __init__(self, key: str, total: int, stream: TextIO | None = None) -> None:
        self.key = key
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.on = wanted(self.stream, total)
        self.last = 0.0
        self.width = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.on:
            return
        now = time.monotonic()
        if now - self.last < INTERVAL and self.done < self.total:
            return
        self.last = now
        line = t(self.key, done=self.done, total=self.total, percent=100 * self.done // max(1, self.total))
        self.width = max(self.width, len(line) * 2)  # CJK characters take two columns
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        if self.on and self.last:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        self.on = False
