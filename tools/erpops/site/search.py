"""Chinese search: teach jieba the names and terms of this repository before pages are indexed.

Material's search plugin cuts Chinese text into words with jieba at build time, and the
browser then matches what a person types against those words. jieba's general dictionary
splits many names (杨起运 → 杨/起运) and ERP terms (审批流 → 审批/流), so a search for them
would find nothing. The words below are added to jieba's dictionary for this build.
"""
from __future__ import annotations

import logging
from typing import Iterable

from erpops.load import Repository

# ERP terms of the rulebook that jieba's general dictionary cuts apart.
GLOSSARY = ("审批流", "运维记录表", "关键用户组", "预案")


def words(repo: Repository) -> set[str]:
    roster = repo.roster
    found: set[str] = set(GLOSSARY)
    found.update(p.name for p in roster.people.values())
    for s in roster.subsystem_list:
        found.update((s.name, *s.aliases))
    if roster.office is not None:
        found.add(roster.office.name)
    if roster.vendor is not None:
        found.add(roster.vendor.name)
    for r in repo.runbooks.values():
        found.update(r.keywords)
    return {w.strip() for w in found if _chinese(w) and len(w.strip()) > 1 and " " not in w.strip()}


def _chinese(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


def teach_jieba(repo: Repository, extra: Iterable[str] = ()) -> None:
    try:
        import jieba
    except ImportError:  # Material then indexes Chinese without segmentation
        return
    jieba.setLogLevel(logging.WARNING)
    for word in sorted(words(repo) | set(extra)):
        jieba.add_word(word)
