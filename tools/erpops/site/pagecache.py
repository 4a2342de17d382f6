"""Generated pages kept between builds, each under the key of everything it is made from.

A store is a folder of page sources (the same files `erpops site pages` writes) plus an index of
their keys (`keys.marshal`). A page whose key is unchanged is not made again and its file is
not touched, so its modification time tells MkDocs' `--dirty` builds that it did not change. The
key of every page starts with what all pages share: the package's code (every .py, template and
catalogue file), the roster and policy files, the language, the audience and the URL style."""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

KEYS = "keys.marshal"
PAGES = "\0pages"  # the entry of the keys that lists every page of the last build
PACKAGE = Path(__file__).resolve().parent.parent  # tools/erpops
_CODE: str | None = None


def code_version() -> str:
    """A digest of the package's own files that shape a page (computed once per process)."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        for p in sorted(PACKAGE.rglob("*")):
            if p.suffix in (".py", ".j2", ".yaml", ".json") and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(PACKAGE)).encode() + b"\0" + p.read_bytes() + b"\0")
        _CODE = h.hexdigest()
    return _CODE


def shared_inputs(repo) -> str:
    """A digest of the files every page may depend on: the roster and the policy."""
    h = hashlib.sha256()
    for path in sorted(p for p in repo.documents if p.startswith("roster/") or p == "policy.yaml"):
        h.update(path.encode() + b"\0" + repo.documents[path].text.encode() + b"\0")
    return h.hexdigest()


_EXCL = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside `path` (its folder made if missing), open for writing: named
    by this process's id, which no other writer shares (mkstemp's random names, and a makedirs
    per page, were a tenth of writing 20,000 pages); mkstemp where that name is taken."""
    tmp = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.tmp"
    for _ in range(2):
        try:
            return os.open(tmp, _EXCL, 0o600), tmp
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


def write(path: Path, text: str) -> bool:
    """Write `path` atomically (a temporary file renamed over it) unless it already holds `text`;
    whether it was written. No fsync: this is a cache, rebuilt from the repository when lost."""
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


class Kept(str):
    """The path of a page's file in a store, as a string (a pathlib.Path per page was a tenth of
    keeping 20,000 pages): what tells the plugin the page is a file, not a source to hand MkDocs."""


@dataclass
class Store:
    """Pages under `folder` (`folder/<page path>`), with their keys; `rendered` lists the pages
    made in this build (a key changed or was new), `kept` counts those taken as they were, and
    `written` lists the pages without a key (made every build) whose text changed."""
    folder: Path
    keys_path: Path | None = None  # default: folder/keys.marshal
    base: tuple = ()
    keys: dict = field(default_factory=dict)
    seen: set = field(default_factory=set)
    rendered: list = field(default_factory=list)
    written: list = field(default_factory=list)
    kept: int = 0
    same_pages: bool = False  # after close: the pages are those of the last build under the same base

    @classmethod
    def open(cls, folder: Path, repo, *, lang: str, audience: str, directory_urls: bool,
             keys: Path | None = None) -> "Store":
        folder = Path(folder)
        keys_path = keys or folder / KEYS
        base = (code_version(), shared_inputs(repo), lang, audience, directory_urls)
        try:
            found = marshal.loads(keys_path.read_bytes())
            if not isinstance(found, dict) or found.get("") != repr(base):
                found = {}
        except (OSError, EOFError, ValueError, TypeError):
            found = {}
        return cls(folder, keys_path, base, found)

    def path(self, uri: str) -> Path:
        return self.folder / uri

    def page(self, uri: str, key: tuple | None, make) -> Kept:
        """The page's file: kept when its key is the stored one, else made by `make()` and written."""
        self.seen.add(uri)
        digest = None if key is None else hashlib.sha256(repr(key).encode()).hexdigest()
        where = Kept(os.path.join(self.folder, uri))  # os.path: pathlib's is_file costs more than the rest here
        if digest is not None and self.keys.get(uri) == digest and os.path.isfile(where):
            self.kept += 1
            return where
        write(Path(where), make())
        self.rendered.append(uri)
        if digest is not None:
            self.keys[uri] = digest
        else:
            self.keys.pop(uri, None)
        return where

    def put(self, uri: str, text: str) -> Kept:
        """Page `uri` made this build without a key (written only when its text changed)."""
        self.seen.add(uri)
        if write(self.path(uri), text):
            self.written.append(uri)
        return Kept(self.path(uri))

    def close(self) -> None:
        """Forget and delete the pages this build did not make, then save the keys. The pages of
        the last build are listed with the keys (PAGES): walking a folder of 20,000 pages to find
        the few gone costs more than the rest of a rebuild's keeping; without that list, walk it."""
        listed = self.keys.pop(PAGES, None)
        for uri in [u for u in self.keys if u and u not in self.seen]:
            del self.keys[uri]
        if isinstance(listed, list):
            for uri in listed:  # page paths only: nothing outside the folder, whatever the file says
                if uri not in self.seen and isinstance(uri, str) and uri.endswith(".md") \
                        and not uri.startswith("/") and ".." not in uri.split("/"):
                    self.path(uri).unlink(missing_ok=True)
        else:
            for p in self.folder.rglob("*.md"):
                uri = p.relative_to(self.folder).as_posix()
                if uri not in self.seen:
                    p.unlink()
        self.keys[PAGES] = sorted(self.seen)
        self.same_pages = listed == self.keys[PAGES]
        self.keys[""] = repr(self.base)
        target = self.keys_path or self.folder / KEYS
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(marshal.dumps(self.keys))
        os.replace(tmp, target)
