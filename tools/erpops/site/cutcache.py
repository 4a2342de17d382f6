"""jieba's cuts of the last build, kept in `.erpops-cache/site/` for the next `--dirty` build.

Material's search plugin cuts the Chinese runs of every indexed page with jieba (the plugin's memo,
erpops.site.search.memoise_jieba, cuts each distinct run once per build). The first cut loads jieba's
dictionary (about 1.5 CPU s), although a --dirty build after one ticket edit indexes one page whose
runs the last build already cut. A cut depends only on the run, jieba's version and dictionaries, and
the words this build teaches it (search.teach_jieba, added in the same order on the first cut): all in
`key`. Under the same key the last build's cuts are this build's, so a --dirty build starts from them
and loads the dictionary only for a run it has not seen. Like doccache: marshal (no code runs on
reading it), never used in CI or with ERPOPS_CACHE=0 (the plugin asks `cache_on`); anything wrong with
the file means no cuts.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path

from erpops import __version__, doccache

FORMAT = 1
NAME = "jieba-cuts.marshal"


def _file(h, path: str | None) -> None:
    try:
        st = os.stat(path) if path else None
    except OSError:
        st = None
    h.update(f"{path}\0{st.st_size if st else -1}\0{st.st_mtime_ns if st else -1}\0".encode("utf-8", "surrogateescape"))


def key(words: list[str], dictionaries: tuple[str | None, ...] = ()) -> str:
    """What jieba's cuts depend on: its version and main dictionary, the search plugin's own
    dictionaries (`jieba_dict`, `jieba_dict_user`), the words taught, in order."""
    import jieba

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {__version__} {jieba.__version__} {sys.version} {marshal.version}\0".encode())
    main = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    for path in (main, *dictionaries):
        _file(h, path)
    for word in words:
        h.update(word.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def load(folder: Path, key_: str) -> dict:
    """The cuts kept under `key_` in `folder` (.erpops-cache/site), or none."""
    try:
        kept, cuts = doccache.read_cache(folder.parent, f"{folder.name}/{NAME}")
    except (ValueError, TypeError):  # none, or not a pair
        return {}
    if kept != key_ or type(cuts) is not dict or not all(type(v) is tuple for v in cuts.values()):
        return {}
    return cuts


def save(folder: Path, key_: str, cuts: dict) -> None:
    doccache.write_cache(folder.parent, f"{folder.name}/{NAME}", (key_, cuts))
