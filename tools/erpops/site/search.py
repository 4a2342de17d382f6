"""Chinese search: teach jieba the names and terms of this repository before pages are indexed.

Material's search plugin cuts Chinese text into words with jieba at build time, and the
browser then matches what a person types against those words. jieba's general dictionary
splits many names (杨起运 → 杨/起运) and ERP terms (审批流 → 审批/流), so a search for them
would find nothing. The words below are added to jieba's dictionary for this build.
"""
from __future__ import annotations

import functools
import json
import logging
import re
from importlib import resources
from pathlib import Path
from typing import Iterable

from erpops import yamlio
from erpops.i18n import t
from erpops.repository import Repository

# ERP terms of the rulebook that jieba's general dictionary cuts apart.
GLOSSARY = ("审批流", "运维记录表", "关键用户组", "预案")


# Our search worker, served beside Material's so that Material's relative paths (../lunr) hold.
WORKER_URI = "assets/javascripts/workers/erpops-search.js"
_MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")


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


# The generated pages' own titles, kept whole so that typing one finds its page.
TITLE_KEYS = ("site.contacts-title", "site.organisation", "site.subsystems", "site.runbooks",
              "site.tickets", "site.reports", "site.backlog")


def page_titles(lang: str) -> list[str]:
    return [t(key, lang) for key in TITLE_KEYS]


def _chinese(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


# Words teach_jieba was given, added to jieba's dictionary on the first cut (memoise_jieba): adding
# one loads jieba's dictionary (~1 s), which a --dirty rebuild that cuts no new run does not need.
_UNTAUGHT: list[str] = []


def teach_jieba(repo: Repository, extra: Iterable[str] = ()) -> None:
    try:
        import jieba
    except ImportError:  # Material then indexes Chinese without segmentation
        return
    jieba.setLogLevel(logging.WARNING)
    _UNTAUGHT[:] = sorted(words(repo) | set(extra))


def untaught() -> list[str]:
    """The words teach_jieba was given that are not added yet, in the order they will be."""
    return list(_UNTAUGHT)


def _add_untaught(jieba) -> None:
    words_, _UNTAUGHT[:] = list(_UNTAUGHT), []
    for word in words_:
        jieba.add_word(word)


# Distinct Chinese runs remembered per build; past this many the memo starts again (memory).
CUT_MEMO = 200_000


def memoise_jieba(cuts: dict | None = None) -> dict | None:
    """Material's search plugin cuts every run of Chinese characters of every page with
    `jieba.cut` (material/plugins/search/plugin.py, `_segment_chinese`); a site of tickets
    repeats the same runs (table heads, states, event names) thousands of times. jieba's result
    depends only on the text and its dictionary, so each distinct run is cut once per build:
    call this after teach_jieba, which adds its words before the first run is cut. `cuts`: runs
    cut under the same dictionary and words (erpops.site.cutcache), the memo's start. Returns the
    memo (None without jieba)."""
    try:
        import jieba
    except ImportError:
        return None
    cut = getattr(jieba.cut, "__wrapped__", jieba.cut)
    memo: dict = dict(cuts or {})

    @functools.wraps(cut)
    def cached(sentence, cut_all=False, HMM=True, use_paddle=False):
        key = (sentence, cut_all, HMM, use_paddle)
        found = memo.get(key)
        if found is None:
            if _UNTAUGHT:  # this build's words first (before anything is cut)
                _add_untaught(jieba)
            if len(memo) >= CUT_MEMO:
                memo.clear()
            found = memo[key] = tuple(cut(sentence, cut_all, HMM, use_paddle))
        return iter(found)

    jieba.cut = cached
    return memo


def synonyms(lang: str) -> dict[str, str]:
    """The colloquial phrases people type → the words the pages use (site/synonyms/<lang>.yaml)."""
    path = resources.files("erpops").joinpath("site", "synonyms", f"{lang}.yaml")
    doc, problems = yamlio.load_text(path.read_text("utf-8"), f"synonyms/{lang}.yaml")
    if problems or doc is None or not isinstance(doc.data, dict):
        raise ValueError(f"synonyms/{lang}.yaml is not a mapping of phrase to words")
    return {str(k).strip().lower(): " ".join(str(v).split()) for k, v in doc.data.items() if str(k).strip()}


def material_worker() -> str:
    """The file name of Material's search worker in the installed theme."""
    import material

    found = sorted((Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers")
                   .glob("search.*.min.js"))
    if not found:
        raise FileNotFoundError("Material's search worker (assets/javascripts/workers/search.*.min.js)")
    return found[-1].name


def worker_script(lang: str) -> str:
    """Our worker: query rewriting (phrases, Latin|Chinese, longest index words) around Material's."""
    source = resources.files("erpops").joinpath("site", "js", "search-worker.js").read_text("utf-8")
    table = dict(sorted(synonyms(lang).items(), key=lambda kv: -len(kv[0])))
    return (source.replace("__SYNONYMS__", json.dumps(table, ensure_ascii=False))
            .replace("__MATERIAL__", json.dumps(material_worker())))


def use_worker(html: str) -> str:
    """A page that asks for Material's search worker asks for ours (which loads Material's)."""
    return _MATERIAL_WORKER.sub(WORKER_URI, html)


def _search_plugin(config):
    return next((p for p in config.plugins.values() if hasattr(p, "search_index") and hasattr(p, "search_index_prev")),
                None)


def _location(url: str) -> str:
    """A page's URL as the search index writes it (the home page's `./` is ``)."""
    return "" if url in ("./", ".") else url


def keep_unchanged_entries(config, rebuilt: set[str], pages: set[str], *, splice: bool = False) -> None:
    """In a `--dirty` build only the changed pages are indexed: put back every other page's
    entries from the last index (Material's own merge assumes one changed page), and drop the
    entries of pages that are gone. Runs just before Material's search plugin writes the index.
    `splice` (a build, not `mkdocs serve`, which keeps the index in memory for the next rebuild):
    the last index's entries go into the new one as the text they are (`_splice`), not parsed and
    encoded again (16 MB at 20,000 tickets), and a rebuilt page's entries take its old entries' place."""
    plugin = _search_plugin(config)
    if plugin is None or getattr(plugin, "search_index", None) is None:
        return
    rebuilt, pages = {_location(u) for u in rebuilt}, {_location(u) for u in pages}
    keep = lambda page: page not in rebuilt and page in pages  # noqa: E731
    prev = plugin.search_index_prev.entries if plugin.search_index_prev is not None else None
    if prev is None:
        try:
            text = (Path(config.site_dir) / "search" / "search_index.json").read_text("utf-8")
        except (OSError, ValueError):
            return
        last = _entries(text) if splice else None
        if last is not None:
            plugin.search_index_prev = None
            _splice(plugin.search_index, last, keep)
            return
        try:
            prev = json.loads(text)["docs"]
        except (ValueError, KeyError, TypeError):
            return
    kept = [e for e in prev if keep(e.get("location", "").split("#")[0])]
    plugin.search_index.entries = kept + plugin.search_index.entries
    plugin.search_index_prev = None  # merged here; Material keeps this index for the next rebuild


_ENTRY = '{"location":"'
_DOCS = ',"docs":['


def _entries(text: str) -> list[tuple[str, str]] | None:
    """The entries of an index Material wrote (json.dumps with `(",", ":")` separators: each entry an
    object whose first key is `location`), each as (its page's location, its text); None for a text of
    another shape. An entry's start is found by its first key: inside a JSON string every `"` is
    escaped, so `{"location":"` is only ever an entry's start."""
    docs = text.find(_DOCS)
    if not text.startswith('{"config":') or docs < 0 or not text.endswith("]}"):
        return None
    body_start, body_end = docs + len(_DOCS), len(text) - 2
    if body_start == body_end:
        return []
    if not text.startswith(_ENTRY, body_start):
        return None
    starts = []
    at = body_start
    while at >= 0:
        starts.append(at)
        at = text.find("," + _ENTRY, at + 1, body_end)
        at = at + 1 if at >= 0 else -1
    found = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else body_end
        location = text[start + len(_ENTRY):text.find('"', start + len(_ENTRY))]
        if "\\" in location:
            try:
                location = json.loads(f'"{location}"')
            except ValueError:
                return None
        found.append((location.split("#")[0], text[start:end]))
    return found


def _splice(index, last: list[tuple[str, str]], keep) -> None:
    """Material's index writer for this build: its own text of this build's entries, put where the
    same page's entries were in the last index (as a full build orders them), the last index's
    entries `keep` accepts (by page) as they were, and the entries of pages new to the index last."""
    generate = index.generate_search_index

    def spliced(prev):
        whole = generate(None)  # this build's entries only
        docs = whole.index(_DOCS) + len(_DOCS)
        made = _entries(whole)
        if made is None:  # not Material's shape after all: the last index's kept entries first
            kept = ",".join(entry for page, entry in last if keep(page))
            return whole[:docs] + kept + ("," if kept and whole[docs] != "]" else "") + whole[docs:]
        new: dict[str, list[str]] = {}
        for page, entry in made:
            new.setdefault(page, []).append(entry)
        out = []
        for page, entry in last:
            if page in new:
                out.extend(new.pop(page))
            elif keep(page):
                out.append(entry)
        for entries in new.values():
            out.extend(entries)
        return whole[:docs] + ",".join(out) + "]}"

    index.generate_search_index = spliced
