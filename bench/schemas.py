"""The ticket schema's validators side by side, over the tickets' parsed documents (issue #17 item 4).

    python bench/schemas.py ROOT [--jsonschema-sample 2000]

Parses every ticket once (libyaml's CSafeLoader: the same Python types as erpops' loader, dates
as date/datetime), then times, in this process (CPU seconds, time.process_time), each validator
over all of them:

- erpops' quick yes (`schemas.quick`): jsonschema-rs on the documents as parsed, dates and times
  turned into marked objects that the schemas accept exactly where they ask for a date format;
  a `False` sends the document to the jsonschema validator for the diagnostics. (Until this
  measurement it was the hand-compiled tools/erpops/fastschema.py: 3.40 CPU s over the 20,000
  tickets of bench/README.md, where jsonschema-rs took 0.39 + 1.56 for the conversion.)
- jsonschema: the full validator that writes erpops' diagnostics (Draft 2020-12, iter_errors);
  slow, so timed on a sample and scaled, and said so;
- jsonschema-rs (Rust, Draft 2020-12, formats checked) and fastjsonschema (generated Python):
  both take JSON only, so dates are first turned back into strings (timed apart, and added);

then checks that each gives the same verdict as jsonschema on mutated documents, and prints what
each can say about an error (the path to the offending entry and a message), which is what a
diagnostic needs for its file:line and its translated text.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))

from erpops import schemas  # noqa: E402

NAME = "ticket"


def jsonable(x):
    """The document as JSON would have it: dates and times as ISO strings (YAML read them unquoted)."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [jsonable(v) for v in x]
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    return x


def timed(fn, docs) -> tuple[float, list[bool]]:
    started = time.process_time()
    verdicts = [fn(d) for d in docs]
    return time.process_time() - started, verdicts


def _retrieve(uri: str):
    return schemas.schema(uri.rsplit("/", 1)[-1].split("#")[0][: -len(".schema.json")])


def rs_validator():
    import jsonschema_rs

    return jsonschema_rs.validator_for(copy.deepcopy(schemas.schema(NAME)), validate_formats=True,
                                       retriever=lambda uri: copy.deepcopy(_retrieve(uri)),
                                       base_uri="https://erpops.invalid/ticket.schema.json")


def fjs_validator():
    import fastjsonschema

    return fastjsonschema.compile({**copy.deepcopy(schemas.schema(NAME)), "$id": "https://erpops.invalid/ticket.schema.json"},
                                  handlers={"https": lambda uri: copy.deepcopy(_retrieve(uri))})


def mutants(doc: dict) -> list[tuple[str, dict]]:
    """Documents each with one mistake a person makes (the reference verdict: jsonschema's)."""
    out = []

    def m(label, change):
        d = copy.deepcopy(doc)
        change(d)
        out.append((label, d))

    m("priority P9", lambda d: d.__setitem__("priority", "P9"))
    m("no title", lambda d: d.pop("title"))
    m("unknown field", lambda d: d.__setitem__("colour", "red"))
    m("opened not a time", lambda d: d.__setitem__("opened", "yesterday"))
    m("opened without offset", lambda d: d.__setitem__("opened", "2026-11-02T09:00:00"))
    m("event kind unknown", lambda d: d["history"][0].__setitem__("event", "teleport"))
    m("event without by", lambda d: d["history"][0].pop("by"))
    m("id lower case", lambda d: d.__setitem__("id", d["id"].lower()))
    m("history empty", lambda d: d.__setitem__("history", []))
    m("history a string", lambda d: d.__setitem__("history", "none"))
    m("title an unquoted date", lambda d: d.__setitem__("title", dt.date(2026, 11, 2)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--jsonschema-sample", type=int, default=2000,
                    help="documents the slow full validator is timed on (0: all)")
    args = ap.parse_args(argv)
    files = sorted((args.root / "tickets").rglob("*.yaml"))
    started = time.process_time()
    docs = [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in files]
    parse_s = time.process_time() - started
    n = len(docs)
    print(f"{n} tickets parsed (CSafeLoader) in {parse_s:.2f} CPU s")

    rows = []
    quick = schemas.quick(NAME)
    quick(docs[0])  # compiled outside the timing, as the others are
    t, v = timed(quick, docs)
    rows.append(("erpops schemas.quick (jsonschema-rs, marked dates)", t, 0.0, sum(v)))
    full = schemas.validator(NAME)
    sample = docs if args.jsonschema_sample in (0, None) or args.jsonschema_sample >= n else docs[: args.jsonschema_sample]
    t, v = timed(lambda d: not any(True for _ in full.iter_errors(d)), sample)
    rows.append((f"jsonschema (full, iter_errors){'' if sample is docs else f'; {len(sample)} timed, scaled'}",
                 t * n / len(sample), 0.0, round(sum(v) * n / len(sample))))
    started = time.process_time()
    plain = [jsonable(d) for d in docs]
    convert_s = time.process_time() - started
    rs = fjs = None
    try:
        rs = rs_validator()
        t, v = timed(rs.is_valid, plain)
        rows.append(("jsonschema-rs is_valid (+ dates to strings)", t, convert_s, sum(v)))
    except ImportError:
        rows.append(("jsonschema-rs: not installed", None, None, None))
    try:
        fjs = fjs_validator()

        def fjs_ok(d):
            try:
                fjs(d)
                return True
            except Exception:  # noqa: BLE001 (JsonSchemaValueException; the first error only)
                return False

        t, v = timed(fjs_ok, plain)
        rows.append(("fastjsonschema (+ dates to strings)", t, convert_s, sum(v)))
    except ImportError:
        rows.append(("fastjsonschema: not installed", None, None, None))
    print()
    print(f"{'validator':52} | {'CPU s':>7} | {'+ convert':>9} | {'total':>7} | {'× parse':>7} | valid")
    for name, t, conv, valid in rows:
        if t is None:
            print(f"{name:52} |")
            continue
        print(f"{name:52} | {t:7.2f} | {conv:9.2f} | {t + conv:7.2f} | {(t + conv) / parse_s:7.3f} | {valid}/{n}")

    print("\nverdicts on mutated documents (reference: jsonschema):")
    agree = {"schemas.quick": 0, "jsonschema-rs": 0, "fastjsonschema": 0}
    cases = mutants(docs[len(docs) // 2])
    for label, d in cases:
        ref = not any(True for _ in full.iter_errors(d))
        got = {"schemas.quick": quick(d)}
        if rs is not None:
            got["jsonschema-rs"] = rs.is_valid(jsonable(d))
        if fjs is not None:
            got["fastjsonschema"] = fjs_ok(jsonable(d))
        for k, ok in got.items():
            # the quick yes may say "look closer" (False) on a valid document, never True on an invalid one
            agree[k] += ok == ref or (k == "schemas.quick" and not ok and ref)
        print(f"  {label:24} jsonschema: {'valid' if ref else 'invalid':7} " +
              " ".join(f"{k}: {'valid' if ok else 'invalid'}" for k, ok in got.items()))
    print("  agreeing: " + ", ".join(f"{k} {v}/{len(cases)}" for k, v in agree.items()))

    label, bad = cases[0]
    print(f"\nwhat each says about one document with two mistakes ({label}, and no title):")
    bad = copy.deepcopy(bad)
    bad.pop("title")
    for e in full.iter_errors(bad):
        print(f"  jsonschema:     path {list(e.absolute_path)}, keyword {e.validator}, {e.message[:80]}")
    if rs is not None:
        for e in rs.iter_errors(jsonable(bad)):
            print(f"  jsonschema-rs:  path {list(e.instance_path)}, kind {type(e.kind).__name__}, {e.message[:80]}")
    if fjs is not None:
        try:
            fjs(jsonable(bad))
        except Exception as e:  # noqa: BLE001
            print(f"  fastjsonschema: path {getattr(e, 'path', '?')}, rule {getattr(e, 'rule', '?')}, "
                  f"{str(e)[:80]} (the first error only)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
