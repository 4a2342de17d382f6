"""The JSON Schemas shipped in the package, and validation that reports file and line."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Iterator

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from erpops import fastschema
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
    return Registry().with_resources(
        (n + _SUFFIX, Resource.from_contents(schema(n), default_specification=DRAFT202012))
        for n in names()
    )


_draft_type = Draft202012Validator.VALIDATORS["type"]


def _type(validator: Any, types: Any, instance: Any, subschema: dict) -> Iterator[ValidationError]:
    # An unquoted date is fine where the schema asks for a date: YAML read it as one.
    fmt = subschema.get("format")
    if fmt == "date-time" and isinstance(instance, dt.datetime):
        return
    if fmt == "date" and type(instance) is dt.date:
        return
    yield from _draft_type(validator, types, instance, subschema)


_Validator = validators.extend(Draft202012Validator, validators={"type": _type})


@lru_cache(maxsize=None)
def validator(name: str) -> Any:
    return _Validator(
        schema(name), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@lru_cache(maxsize=None)
def _compiler() -> fastschema.Compiler:
    return fastschema.Compiler({n + _SUFFIX: schema(n) for n in names()})


@lru_cache(maxsize=None)
def quick(name: str) -> Callable[[Any], bool]:
    """A predicate that is True only for data the full validator finds nothing in (see fastschema)."""
    return _compiler().compile(name + _SUFFIX)


def validate(doc: Document, name: str) -> list[Diagnostic]:
    """Every schema violation in `doc`, as Diagnostics at the line of the offending entry."""
    if quick(name)(doc.data):
        return []
    out = []
    for error in validator(name).iter_errors(doc.data):
        out.append(_diagnostic(doc, _specific(error)))
    return sorted(set(out))


def _specific(error: ValidationError) -> ValidationError:
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
