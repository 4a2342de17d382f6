"""A section's block on the home dashboard: a title that links to the section and its figures."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    label: str
    value: object


@dataclass(frozen=True)
class Panel:
    title: str
    target: str
    figures: tuple[Figure, ...] = field(default=())
