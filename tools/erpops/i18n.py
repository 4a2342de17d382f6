"""The zh/en catalogue: every text a person reads is looked up here by key."""
from __future__ import annotations

import os
import string
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("zh", "en")
DEFAULT_LANG = "zh"
_current: str | None = None


def set_language(lang: str | None) -> None:
    """Set the process-wide language (the CLI's --lang); None goes back to the default."""
    global _current
    _current = lang if lang in LANGUAGES else None


def language(lang: str | None = None) -> str:
    """The language in force: the argument, then --lang, then ERPOPS_LANG, then zh."""
    for candidate in (lang, _current, os.environ.get("ERPOPS_LANG")):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANG


def explicit_language() -> str | None:
    """The language someone asked for (--lang, then ERPOPS_LANG), or None: not the default."""
    for candidate in (_current, os.environ.get("ERPOPS_LANG")):
        if candidate in LANGUAGES:
            return candidate
    return None


def catalogue_files(lang: str) -> list:
    """One file per area (core, tickets, site, …) under locale/<lang>/, so areas grow apart."""
    folder = resources.files("erpops").joinpath("locale", lang)
    return sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        data = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for key, value in (data or {}).items():
            if key in merged:
                raise ValueError(f"catalogue key {key!r} is defined twice ({path.name})")
            merged[str(key)] = str(value)
    return merged


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text for `key`, with `{name}` placeholders filled; the key itself if it is unknown."""
    lang = language(lang)
    template = catalogue(lang).get(key)
    if template is None:
        template = catalogue("en").get(key, key)
    return string.Formatter().vformat(template, (), _Lenient(params))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
