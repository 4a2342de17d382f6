"""A cache of parsed, schema-clean YAML files in `.erpops-cache/`, keyed by their content.

Only a file that parsed without a problem and passed its schema is kept, under the hash of its
bytes (as git names a blob) and its schema name: the same bytes always give the same data, so a
hit needs no parsing and no schema check, and any edit, however small, is a miss. The cache
file's name carries a hash of the code and schemas that produced it, so a new erpops version
starts afresh. It is stored with `marshal` (no code runs on reading it, unlike pickle) and never
used in CI (`$CI` set), where a pull request could have put a crafted one in the work tree, nor
with `ERPOPS_CACHE=0`. Anything wrong with it (unreadable, corrupt, read-only folder) means no cache.

Every cache in `.erpops-cache/` (this one, checkcache, ticketindex, the hand-in answers, the site's
jieba cuts) is written by `write_cache` and read by `read_cache`: never through a folder that is a
symbolic link (a work tree's `.erpops-cache` pointing elsewhere is not written into or trusted), a
`.gitignore` of `*` so git never sees the folder, older versions of the same file removed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from erpops import __version__, schemas
from erpops.atomic import write_bytes
from erpops.yamlio import Document, decode

FOLDER = ".erpops-cache"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
FORMAT = 1
MIN_FILES = 500  # below this, parsing is quick and the work tree stays untouched
_CODE = ("yamlio.py", "schemas.py", "load.py", "doccache.py")


def enabled() -> bool:
    return not os.environ.get("CI") and os.environ.get("ERPOPS_CACHE", "").strip() != "0"


@lru_cache(maxsize=None)
def _namespace() -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{FORMAT} {__version__} {sys.version} {marshal.version}".encode())
    for name in _CODE:
        try:
            h.update(resources.files("erpops").joinpath(name).read_bytes())
        except OSError:  # pragma: no cover - installed without sources: the version must do
            h.update(name.encode())
    for name in schemas.names():
        h.update(schemas.text(name).encode("utf-8"))
    return h.hexdigest()


def through_link(cache: Path, name: str) -> bool:
    """Whether `cache` (the .erpops-cache folder) or a folder of `name` inside it is a link."""
    folder = cache
    if os.path.islink(folder):
        return True
    for part in Path(name).parent.parts:
        folder = folder / part
        if os.path.islink(folder):
            return True
    return False


def usable(cache: Path, name: str) -> bool:
    """Whether files may be kept at `cache/name` (a file, or a folder of files such as the site's
    page store): no link on the way, and the cache's `.gitignore` of `*` is there (written if not)."""
    if through_link(cache, name):
        return False
    try:
        cache.mkdir(parents=True, exist_ok=True)
        _ignored(cache)
    except OSError:
        return False
    return not os.path.islink(cache)


def _ignored(cache: Path) -> None:
    """The cache folder's `.gitignore` of `*`, so that git never sees what is kept there."""
    if not (cache / ".gitignore").exists():
        write_bytes(cache / ".gitignore", b"*\n")


def read_cache(cache: Path, name: str) -> Any:
    """What `write_cache(cache, name, …)` kept, unmarshalled; None when there is nothing to trust:
    no such file, a link on the way to it or as the file itself, unreadable or corrupt bytes."""
    if through_link(cache, name):
        return None
    try:
        fd = os.open(cache / name, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            return marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def read_stamped(cache: Path, name: str) -> tuple[int, dict] | None:
    """`read_cache` of a file kept as (the time it was written, in ns; a dict), or None."""
    loaded = read_cache(cache, name)
    if type(loaded) is tuple and len(loaded) == 2 and isinstance(loaded[0], int) and isinstance(loaded[1], dict):
        return loaded
    return None


def write_cache(cache: Path, name: str, value: Any, stale: str | None = None) -> bool:
    """Keep `value` (marshalled) as `cache/name` (`name` may be in a subfolder: "site/x.marshal"),
    atomically, with a `.gitignore` of `*` in `cache`; `stale`, a glob beside the file, names its
    family, whose other members (older versions) are removed. Nothing is written through a folder
    that is a link. False when nothing was written: a cache never fails a command. The caller
    decides whether caching is on: most ask `enabled()`, the site's `cache: on` keeps jieba's cuts
    even in CI."""
    if through_link(cache, name):
        return False
    target = cache / name
    try:
        data = marshal.dumps(value)
        _ignored(cache)
        if stale is not None:
            for old in target.parent.glob(stale):
                if old != target:
                    old.unlink()
        write_bytes(target, data)
    except (OSError, ValueError):  # ValueError: something marshal cannot hold
        return False
    return True


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=20).digest()


def _encode(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _encode(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if isinstance(x, dt.datetime):
        return ("t", x.isoformat())
    if isinstance(x, dt.date):
        return ("d", x.isoformat())
    return x


def _decode(x: Any) -> Any:
    kind = type(x)
    if kind is dict:
        return {k: _decode(v) for k, v in x.items()}
    if kind is list:
        return [_decode(v) for v in x]
    if kind is tuple:
        return dt.datetime.fromisoformat(x[1]) if x[0] == "t" else dt.date.fromisoformat(x[1])
    return x


class Cache:
    """The entries of one kind of file (`schema`) under `root`; `get`, `put`, then `save`."""

    def __init__(self, root: Path, schema: str) -> None:
        self.schema = schema
        self.folder = root / FOLDER
        self.path = self.folder / f"{schema}-{_namespace()}.marshal"
        loaded = read_cache(self.folder, self.path.name)
        self.old: dict[bytes, Any] = loaded if isinstance(loaded, dict) else {}
        self.new: dict[bytes, Any] = {}
        self.changed = False

    def get(self, key: bytes) -> tuple[bool, Any]:
        """(True, data) for a file with these bytes seen clean before; (False, None) otherwise."""
        if key not in self.old:
            return False, None
        encoded = self.old[key]
        try:
            data = _decode(encoded)
        except (ValueError, TypeError, IndexError, RecursionError):
            return False, None
        self.new[key] = encoded
        return True, data

    def document(self, key: bytes, raw: bytes, rel: str, max_bytes: int) -> Document | None:
        """The Document of `rel` kept for its bytes `raw` (`key`: their digest), or None: not
        seen clean before, too large, or bytes that do not decode without a problem."""
        hit, data = self.get(key) if len(raw) <= max_bytes else (False, None)
        if not hit:
            return None
        text, problems = decode(raw, rel, max_bytes)
        return Document(rel, data, text) if text is not None and not problems else None

    def put(self, key: bytes, data: Any) -> None:
        self.new[key] = _encode(data)
        self.changed = True

    def save(self) -> None:
        """Keep what this run used; entries for files that are gone or changed drop out."""
        if not self.changed and len(self.new) == len(self.old):
            return
        write_cache(self.folder, self.path.name, self.new, stale=f"{self.schema}-*.marshal")
