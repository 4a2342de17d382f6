"""A section's block on the home dashboard: a title that links to the section, its figures
and, for sections with more to say (open tickets, latest reports), a Markdown body."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass(frozen=True)
class Figure:
    label: str
    value: object


@dataclass(frozen=True)
class Panel:
    title: str
    target: str
    figures: tuple[Figure, ...] = field(default=())
    body: Markup = field(default=Markup(""))
