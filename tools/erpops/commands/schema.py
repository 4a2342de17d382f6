"""erpops schema: list, print or export the JSON Schemas shipped in the package."""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import schemas
from erpops.atomic import write_text
from erpops.i18n import t


def schema(name: str | None, out: Path | None, lang: str | None = None) -> int:
    available = schemas.names()
    if out is not None:
        for n in available:
            write_text(out / f"{n}.schema.json", schemas.text(n))
        sys.stdout.write(t("schema.exported", lang, count=len(available), folder=out) + "\n")
        return 0
    if name is None:
        sys.stdout.write(t("schema.list", lang) + "\n")
        for n in available:
            sys.stdout.write(f"  {n:<12} {schemas.schema(n).get('title', '')}\n")
        return 0
    if name not in available:
        sys.stderr.write(t("schema.unknown", lang, name=name, names=", ".join(available)) + "\n")
        return 2
    sys.stdout.write(schemas.text(name))
    return 0
