"""A quick yes for valid documents: a JSON Schema compiled into plain Python predicates.

`schemas.validate` asks this first. `True` means the full validator would find nothing, so it is
skipped; `False` means "look closer", and the full validator (the one that writes the
diagnostics) runs as before. So a wrong `False` costs only time, never a different message, and
every predicate below is written to never say `True` where the full validator would object.

Keywords not implemented here compile to "look closer". Where a predicate's `False` decides
something (inside `oneOf`, `anyOf`, `not`, `if`), it must also be exact, not just cautious: the
compiler tracks that and falls back to "look closer" when it cannot promise it.
"""
from __future__ import annotations

import datetime as dt
import numbers
import re
from typing import Any, Callable

from jsonschema import Draft202012Validator

Check = Callable[[Any], bool]
_FORMATS = Draft202012Validator.FORMAT_CHECKER
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "examples",
                          "default", "deprecated", "readOnly", "writeOnly"})


def _never(_: Any) -> bool:
    return False


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "integer": _is_integer,
    "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
}
_number = _TYPES["number"]
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda x, v: x >= v, "maximum": lambda x, v: x <= v,
    "exclusiveMinimum": lambda x, v: x > v, "exclusiveMaximum": lambda x, v: x < v,
}


class Compiler:
    """Compiles the schemas of one family (documents that `$ref` each other by file name)."""

    def __init__(self, documents: dict[str, dict]) -> None:
        self.documents = documents  # "ticket.schema.json" -> schema
        self.done: dict[tuple[str, str], tuple[Check, bool]] = {}

    def compile(self, doc: str, pointer: str = "") -> Check:
        return self._ref(doc, pointer)[0]

    def _ref(self, doc: str, pointer: str) -> tuple[Check, bool]:
        key = (doc, pointer)
        if key in self.done:
            return self.done[key]
        # A placeholder for recursive references: cautious and not exact until compiled.
        box: list[Check] = [_never]
        self.done[key] = (lambda x: box[0](x), False)
        node = self._resolve(doc, pointer)
        check, exact = self._schema(node, doc) if node is not None else (_never, False)
        box[0] = check
        self.done[key] = (check, exact)
        return check, exact

    def _resolve(self, doc: str, pointer: str) -> Any:
        node: Any = self.documents.get(doc)
        for part in filter(None, pointer.split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _schema(self, s: Any, doc: str) -> tuple[Check, bool]:
        """(predicate, exact) for one schema object."""
        if s is True or s == {}:
            return (lambda x: True), True
        if s is False:
            return _never, True
        if not isinstance(s, dict):
            return _never, False
        checks: list[Check] = []
        exact = True
        for key, value in s.items():
            if key in _ANNOTATIONS:
                continue
            made = self._keyword(key, value, s, doc)
            if made is None:
                return _never, False
            checks.append(made[0])
            exact = exact and made[1]
        if not checks:
            return (lambda x: True), exact
        if len(checks) == 1:
            return checks[0], exact
        checks_t = tuple(checks)

        def every(x: Any) -> bool:
            for c in checks_t:
                if not c(x):
                    return False
            return True

        return every, exact

    def _keyword(self, key: str, v: Any, s: dict, doc: str) -> tuple[Check, bool] | None:
        if key == "$ref":
            if not isinstance(v, str) or "#" not in v and not v.endswith(".json"):
                return None
            target, _, pointer = v.partition("#")
            target = target or doc
            if target not in self.documents or (pointer and not pointer.startswith("/")):
                return None
            return self._ref(target, pointer)
        if key == "type":
            return _type(v, s.get("format"))
        if key == "format":
            fmt = v
            return (lambda x: _FORMATS.conforms(x, fmt)), True
        if key == "enum":
            if not all(isinstance(e, str) for e in v):
                return None
            allowed = frozenset(v)
            return (lambda x: isinstance(x, str) and x in allowed), True
        if key == "const":
            if not isinstance(v, str):
                return None
            return (lambda x: isinstance(x, str) and x == v), True
        if key == "pattern":
            rx = re.compile(v)
            return (lambda x: not isinstance(x, str) or rx.search(x) is not None), True
        if key == "minLength":
            return (lambda x: not isinstance(x, str) or len(x) >= v), True
        if key == "maxLength":
            return (lambda x: not isinstance(x, str) or len(x) <= v), True
        if key == "minItems":
            return (lambda x: not isinstance(x, list) or len(x) >= v), True
        if key == "maxItems":
            return (lambda x: not isinstance(x, list) or len(x) <= v), True
        if key == "uniqueItems":
            if not v:
                return (lambda x: True), True
            return (lambda x: not isinstance(x, list) or (
                all(isinstance(i, str) for i in x) and len(set(x)) == len(x))), False
        if key in _BOUNDS:
            bound = _BOUNDS[key]
            if not _number(v):
                return None
            return (lambda x: not _number(x) or bound(x, v)), True
        if key == "minProperties":
            return (lambda x: not isinstance(x, dict) or len(x) >= v), True
        if key == "propertyNames":
            name, exact = self._schema(v, doc)
            return (lambda x: not isinstance(x, dict) or all(name(k) for k in x)), exact
        if key == "required":
            names = tuple(v)
            return (lambda x: not isinstance(x, dict) or all(n in x for n in names)), True
        if key == "properties":
            compiled = {name: self._schema(sub, doc) for name, sub in v.items()}
            props = {name: c for name, (c, _) in compiled.items()}
            exact = all(e for _, e in compiled.values())

            def properties(x: Any) -> bool:
                if isinstance(x, dict):
                    for k, value in x.items():
                        c = props.get(k)
                        if c is not None and not c(value):
                            return False
                return True

            return properties, exact
        if key == "additionalProperties":
            if v is not False or "patternProperties" in s:
                return None
            allowed = frozenset(s.get("properties", {}))
            return (lambda x: not isinstance(x, dict) or allowed.issuperset(x)), True
        if key == "items":
            if "prefixItems" in s:
                return None
            item, exact = self._schema(v, doc)

            def items(x: Any) -> bool:
                if isinstance(x, list):
                    for i in x:
                        if not item(i):
                            return False
                return True

            return items, exact
        if key == "allOf":
            parts = [self._schema(sub, doc) for sub in v]
            fns = tuple(c for c, _ in parts)
            return (lambda x: all(f(x) for f in fns)), all(e for _, e in parts)
        if key in ("oneOf", "anyOf"):
            parts = [self._schema(sub, doc) for sub in v]
            if not all(e for _, e in parts):
                return None
            fns = tuple(c for c, _ in parts)
            if key == "anyOf":
                return (lambda x: any(f(x) for f in fns)), True
            return (lambda x: sum(1 for f in fns if f(x)) == 1), True
        if key == "not":
            inner, exact = self._schema(v, doc)
            if not exact:
                return None
            return (lambda x: not inner(x)), True
        if key == "if":
            cond, exact = self._schema(v, doc)
            if not exact:
                return None
            then, e1 = self._schema(s.get("then", True), doc)
            other, e2 = self._schema(s.get("else", True), doc)
            return (lambda x: then(x) if cond(x) else other(x)), e1 and e2
        if key in ("then", "else"):
            return (lambda x: True), True  # applied by "if"
        return None


def _type(v: Any, fmt: Any) -> tuple[Check, bool] | None:
    """The type keyword as erpops extends it: an unquoted YAML date is a date where the schema says so."""
    names = [v] if isinstance(v, str) else v
    if not isinstance(names, list) or not all(n in _TYPES for n in names):
        return None
    fns = tuple(_TYPES[n] for n in names)

    def check(x: Any) -> bool:
        if fmt == "date-time" and isinstance(x, dt.datetime):
            return True
        if fmt == "date" and type(x) is dt.date:
            return True
        return any(f(x) for f in fns)

    return check, True
