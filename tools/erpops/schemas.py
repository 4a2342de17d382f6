"""The JSON Schemas shipped in the package, and validation that reports file and line."""
from __future__ import annotations

import copy
import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # jsonschema is imported when a document fails the quick check, not before
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

from erpops.diagnostics import Diagnostic
from erpops.yamlio import Document

_SUFFIX = ".schema.json"


def names() -> list[str]:
    """The schema names (`people`, `subsystem`, …), the shared `defs` last."""
    found = sorted(
        p.name[: -len(_SUFFIX)]
        for p in resources.files("erpops").joinpath("schemas").iterdir()
        if p.name.endswith(_SUFFIX)
    )
    return [n for n in found if n != "defs"] + (["defs"] if "defs" in found else [])


@lru_cache(maxsize=None)
def text(name: str) -> str:
    path = resources.files("erpops").joinpath("schemas", name + _SUFFIX)
    if not path.is_file():
        raise KeyError(name)
    return path.read_text("utf-8")


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    return json.loads(text(name))


@lru_cache(maxsize=None)
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (n + _SUFFIX, Resource.from_contents(schema(n), default_specification=DRAFT202012))
        for n in names()
    )


def _instant(instance: object) -> bool:
    """`format: date-time` is what the model reads as an instant (ticket._time: Python's ISO
    reading), offset or not: a quoted time it cannot read is refused here, and one without its
    offset by ticket-time-zone, each once. jsonschema checks date-time only with rfc3339-validator
    installed, which is not a dependency: without this a quoted "2026-11-31T09:00:00+08:00" passed."""
    if isinstance(instance, str):
        dt.datetime.fromisoformat(instance)
    return True


@lru_cache(maxsize=None)
def _full() -> tuple[type, Any]:
    """The full validator's class and format checker (jsonschema, imported here: a run whose
    documents all pass the quick check, such as a warm check or a rebuild, never needs it)."""
    from jsonschema import Draft202012Validator, validators

    draft_type = Draft202012Validator.VALIDATORS["type"]

    def _type(validator: Any, types: Any, instance: Any, subschema: dict):
        # An unquoted date is fine where the schema asks for a date: YAML read it as one.
        fmt = subschema.get("format")
        if fmt == "date-time" and isinstance(instance, dt.datetime):
            return
        if fmt == "date" and type(instance) is dt.date:
            return
        yield from draft_type(validator, types, instance, subschema)

    formats = copy.copy(Draft202012Validator.FORMAT_CHECKER)
    formats.checkers = {**formats.checkers, "date-time": (_instant, ValueError)}
    return validators.extend(Draft202012Validator, validators={"type": _type}), formats


@lru_cache(maxsize=None)
def validator(name: str) -> Any:
    cls, formats = _full()
    return cls(schema(name), registry=_registry(), format_checker=formats)


_BASE = "https://erpops.invalid/schemas/"
# YAML reads an unquoted date or time as a date or datetime, which the full validator accepts
# exactly where the schema asks for that format (_type above), and nowhere else. JSON has no such
# type: for jsonschema-rs each becomes a one-key object under a mark no YAML mapping of ours has,
# and the schemas accept that object exactly where they ask for the format; elsewhere it is an
# object where a string, a number … is expected, so the document is looked at closer.
_MARKS = {"date-time": "\x00datetime", "date": "\x00date"}


def _marked(node: Any) -> Any:
    """A schema, with each date or date-time subschema also accepting its marked object."""
    if isinstance(node, list):
        return [_marked(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _marked(v) for k, v in node.items()}
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt in _MARKS:
        mark = {"type": "object", "required": [_MARKS[fmt]], "maxProperties": 1}
        return {"anyOf": [out, mark]}
    return out


def _retrieve(uri: str) -> dict[str, Any]:
    """Another of our schemas, by the file name a `$ref` gives (none is fetched from anywhere)."""
    if not (uri.startswith(_BASE) and uri.endswith(_SUFFIX)):
        raise ValueError(f"not one of erpops' schemas: {uri}")
    return _marked(schema(uri[len(_BASE):-len(_SUFFIX)]))


_DATE_MARK, _DATETIME_MARK = _MARKS["date"], _MARKS["date-time"]


_AS_IS = frozenset({str, int, float, bool, type(None)})  # what _jsonable gives back unchanged


def _jsonable(x: Any) -> Any:
    """The document in JSON's types for jsonschema-rs, dates and times marked (see _MARKS)."""
    t = type(x)
    if t is dict:
        if _DATE_MARK in x or _DATETIME_MARK in x:
            raise ValueError("a mapping with erpops' own mark")  # never hidden: looked at closer
        return {k: v if type(v) in _AS_IS else _jsonable(v) for k, v in x.items()}
    if t is list:
        return [v if type(v) in _AS_IS else _jsonable(v) for v in x]
    if t is dt.datetime:
        return {_DATETIME_MARK: ""}
    if t is dt.date:
        return {_DATE_MARK: ""}
    if isinstance(x, dt.date):  # a subclass: as the full validator, by its exact type
        return {_DATE_MARK if type(x) is dt.date else "\x00other": ""}
    return x


@lru_cache(maxsize=None)
def quick(name: str) -> Callable[[Any], bool]:
    """A predicate that is True only for data the full validator finds nothing in: jsonschema-rs
    (Draft 2020-12, formats checked, at least as strict as the full validator); False means "look
    closer", and the full validator, which writes the diagnostics, runs. A document with what JSON
    has no type for (a key that is not a string, a number too large) is looked at closer too."""
    import jsonschema_rs  # here: a warm check validates nothing

    is_valid = jsonschema_rs.validator_for(
        _marked(schema(name)), validate_formats=True, retriever=_retrieve, base_uri=_BASE + name + _SUFFIX,
    ).is_valid

    def check(data: Any) -> bool:
        try:
            return is_valid(_jsonable(data))
        except (ValueError, TypeError, OverflowError):
            return False

    return check


def validate(doc: Document, name: str) -> list[Diagnostic]:
    """Every schema violation in `doc`, as Diagnostics at the line of the offending entry."""
    if quick(name)(doc.data):
        return []
    out = []
    for error in validator(name).iter_errors(doc.data):
        out.append(_diagnostic(doc, _specific(error)))
    return sorted(set(out))


def _specific(error: ValidationError) -> ValidationError:
    from jsonschema.exceptions import best_match

    while error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


_TYPE_WORDS = {
    bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null",
    dict: "object", list: "array", dt.date: "date", dt.datetime: "datetime",
}


def _value_kind(value: Any) -> str:
    return _TYPE_WORDS.get(type(value), type(value).__name__)


def _field(path: tuple) -> str:
    names_ = [str(p) for p in path if isinstance(p, str)]
    return names_[-1] if names_ else "-"


def _diagnostic(doc: Document, error: ValidationError) -> Diagnostic:
    path = tuple(error.absolute_path)
    kw: dict[str, Any] = {"field": _field(path)}
    v = error.validator
    sub = error.schema if isinstance(error.schema, dict) else {}
    hint = sub.get("title", "")
    if v == "required":
        missing = next(iter(error.validator_value), "")
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance:
                missing = name
                break
        key, kw = "schema.required", {"field": missing}
    elif v == "additionalProperties":
        allowed = set(sub.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        if extra:
            path = path + (extra[0],)
        key = "schema.additional"
        kw = {"field": extra[0] if extra else "", "allowed": ", ".join(sorted(allowed))}
    elif v == "type":
        source = doc.source_text(path)
        expected = error.validator_value
        wants_string = expected == "string" or (isinstance(expected, list) and "string" in expected)
        if wants_string and source is not None and not isinstance(error.instance, str):
            line, col = doc.position(path)
            return Diagnostic.make(
                doc.path, line, "yaml-implicit-type", column=col,
                field=_field(path), text=source, read_as=_value_kind(error.instance),
                value=_show(error.instance),
            )
        key = "schema.type"
        kw.update(expected=expected if isinstance(expected, str) else "/".join(expected),
                  actual=_value_kind(error.instance))
    elif v == "enum":
        key = "schema.enum"
        kw.update(value=_show(error.instance), allowed=", ".join(map(str, error.validator_value)))
    elif v == "pattern" and isinstance(error.instance, str) and not error.instance.strip():
        key = "schema.empty"  # blank: only spaces (a title of spaces would show as the ticket's id)
    elif v in ("pattern", "format"):
        key = "schema.pattern"
        kw.update(value=_show(error.instance), hint=hint or str(error.validator_value))
    elif v in ("minLength", "minItems"):
        key = "schema.empty"
    elif v == "uniqueItems":
        key = "schema.unique"
    else:
        key = "schema.other"
        kw.update(detail=error.message, hint=hint)
    line, col = doc.position(path)
    return Diagnostic.make(doc.path, line, "schema", column=col, key=key, **kw)


def _show(value: Any) -> str:
    text_ = str(value)
    return text_ if len(text_) <= 60 else text_[:57] + "…"
