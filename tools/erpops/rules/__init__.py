"""Rules: pure functions from the model to Diagnostics, one per clause of the rulebook."""
from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from erpops.diagnostics import ERROR, Diagnostic
from erpops.model import Source

Rule = Callable[..., Iterator[Diagnostic]]


def at(src: Source, fields: Iterable[Any], rule: str, severity: str = ERROR, *,
       key: str = "", **args: Any) -> Diagnostic:
    """A Diagnostic at the line of `fields` inside the record that `src` points to."""
    line, column = src.position(*fields)
    return Diagnostic.make(src.path, line, rule, severity, column=column, key=key, **args)


R = TypeVar("R")


def repeats(records: Iterable[R], key: Callable[[R], Hashable]) -> Iterator[tuple[R, R]]:
    """Each record whose key an earlier record already has, paired with that first record."""
    first: dict[Hashable, R] = {}
    for record in records:
        k = key(record)
        if k in first:
            yield record, first[k]
        else:
            first[k] = record
