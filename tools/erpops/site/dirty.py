"""What a `--dirty` build (`mkdocs build --dirty`, `mkdocs serve --dirty`) can leave out of MkDocs'
per-file work: the generated pages the page store kept, whose output MkDocs would skip anyway.

MkDocs 1.6 (mkdocs/commands/build.py) reads and writes a page in a dirty build only where
`File.is_modified()` holds: for a file backed by `abs_src_path`, where the output is missing or
older than the source (mkdocs/structure/files.py). Yet it still makes a `File`, a `Page`, a nav
entry and three `is_modified` stats for each of 20,000 unchanged ticket pages. A page the store
kept (its file untouched) whose output exists and is not older is therefore not handed to MkDocs
at all; pages in mkdocs.yml's nav always are (the nav links them). What else sees every page:
- the sitemap (MkDocs' sitemap.xml template loops over all pages): it is left as it is when the
  set of pages is the last build's, it was written on the same build date (its `lastmod`), and the
  last build recorded the same mkdocs.yml and hand-written page files (SITE_WIDE_MARK);
  else nothing is left out;
- 404.html (the nav only): rewritten together with the sitemap;
- the search index: erpops.site.search.keep_unchanged_entries takes the full page list from here;
- the nav's titles of the pages not rebuilt (`heading_title`): every written page shows them.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
from pathlib import Path, PurePath
from urllib.parse import quote

import markdown
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import _ExtractTitleTreeprocessor

from erpops import atomic

# The theme templates written from every page and the nav (Material's 404, MkDocs' sitemap).
SITE_WIDE = ("404.html", "sitemap.xml")


# A page path of characters `quote` leaves as they are, ending in `.md` (every ticket page).
_PLAIN_PAGE = re.compile(r"[A-Za-z0-9_.~/-]*\.md\Z")


def _plain_stem(uri: str) -> str | None:
    """`uri` without `.md` where its URL is that plus `/` (20,000 ticket pages: no splitting, no quoting)."""
    if not _PLAIN_PAGE.match(uri):
        return None
    stem = uri[:-3]
    return None if stem[stem.rfind("/") + 1:] in ("index", "README", "") else stem


def dest_uri(uri: str, directory_urls: bool) -> str:
    """Where MkDocs writes page `uri` (File._get_dest_path in MkDocs 1.6)."""
    if directory_urls and (stem := _plain_stem(uri)) is not None:
        return stem + "/index.html"
    parent, filename = posixpath.split(uri)
    stem = posixpath.splitext(filename)[0]
    stem = "index" if stem == "README" else stem
    if not directory_urls or stem == "index":
        return posixpath.join(parent, stem + ".html")
    return posixpath.join(parent, stem, "index.html")


def url(uri: str, directory_urls: bool) -> str:
    """Page `uri`'s URL as MkDocs gives it (File._get_url in MkDocs 1.6)."""
    if directory_urls and (stem := _plain_stem(uri)) is not None:
        return stem + "/"
    dest = dest_uri(uri, directory_urls)
    dirname, filename = posixpath.split(dest)
    if directory_urls and filename == "index.html":
        dest = (dirname or ".") + "/"
    return quote(dest)


def nav_uris(nav) -> set[str]:
    """Every page path mkdocs.yml's nav names."""
    if isinstance(nav, list):
        return set().union(*(nav_uris(item) for item in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(nav_uris(v) for v in nav.values())) if nav else set()
    return {nav} if isinstance(nav, str) and not posixpath.isabs(nav) and "://" not in nav else set()


def sitemap_current(site_dir: str, build_date: str) -> bool:
    """Whether the site's sitemap was written on `build_date` (every `lastmod` is the build date)
    and its 404 page is there."""
    if not os.path.isfile(os.path.join(site_dir, "404.html")):
        return False
    try:
        with open(os.path.join(site_dir, "sitemap.xml"), "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return f"<lastmod>{build_date}</lastmod>".encode() in head or b"<url>" not in head


# What the last build's site-wide templates were made from (written after each build, in the site).
SITE_WIDE_MARK = ".erpops-site-wide"


def site_wide_key(config, pages: list[str], hand_written: list[str]) -> str:
    """A digest of what the sitemap and the 404 page are made from besides the build date and the
    generated pages (whose set the page store's `same_pages` compares): mkdocs.yml (site_url, nav,
    theme), the hand-written pages' paths, and each one's file (its title is in the nav the 404 page
    shows)."""
    h = hashlib.sha256()
    try:
        with open(config.config_file_path, "rb") as f:
            h.update(f.read())
    except (OSError, TypeError):
        h.update(b"no mkdocs.yml")
    for uri in sorted(pages):
        h.update(uri.encode("utf-8", "surrogateescape") + b"\0")
    for path in sorted(hand_written):
        try:
            st = os.stat(path)
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"{path}\0gone\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def site_wide_same(site_dir: str, key: str) -> bool:
    """Whether the last build that wrote the sitemap and the 404 page wrote them from `key`."""
    try:
        with open(os.path.join(site_dir, SITE_WIDE_MARK), encoding="ascii") as f:
            return f.read().strip() == key
    except (OSError, ValueError):
        return False


def mark_site_wide(site_dir: str, key: str) -> None:
    if not site_wide_same(site_dir, key):  # unchanged: not rewritten (a dirty build writes only what changed)
        atomic.write_text(Path(site_dir) / SITE_WIDE_MARK, key + "\n")


def untouched(kept: dict[str, str], site_dir: str, directory_urls: bool) -> set[str]:
    """The pages of `kept` ({page path: its store file}, pages the store did not write this
    build) whose output in `site_dir` exists and is not older than the file: MkDocs would not
    rebuild them."""
    out = set()
    for uri, source in kept.items():
        try:
            if os.stat(os.path.join(site_dir, dest_uri(uri, directory_urls))).st_mtime >= os.stat(source).st_mtime:
                out.add(uri)
        except OSError:
            pass
    return out


class LinkableFiles(Files):
    """MkDocs' files with the pages left out (`untouched`) still there for links: a Markdown page
    rendered in this build that links one (the home page links tickets) finds a File for it, made
    when asked for (MkDocs 1.6 resolves a page's links through `Files.get_file_from_path`)."""

    def __init__(self, files, config, left_out: dict[str, str]) -> None:
        super().__init__(list(files))
        self._config, self._left_out = config, left_out

    def get_file_from_path(self, path: str) -> File | None:
        found = super().get_file_from_path(path)
        if found is None and (source := self._left_out.get(PurePath(path).as_posix())) is not None:
            found = File.generated(self._config, PurePath(path).as_posix(), abs_src_path=source,
                                   inclusion=InclusionLevel.INCLUDED)
        return found


class HeadingTitles:
    """The title a render of a Markdown page would give it, read from its first line only.

    MkDocs 1.6 (mkdocs/structure/pages.py) takes a page's title from the nav entry, its `title`
    meta, or else the first element of the rendered page where that is an <h1> (the heading's
    text, as `_ExtractTitleTreeprocessor` gets it), or else the file name. A page whose first line
    is a `# ` heading renders it as a block of its own, so that line alone, converted with the
    site's Markdown extensions as MkDocs converts a page, gives the same title: a --dirty build
    then need not render a whole page it does not write to show its title in the nav. Not where
    the heading might depend on the rest of the page (a `[`: a reference link or a footnote
    defined further down) or the first line is no `# ` heading: those pages are rendered."""

    def __init__(self, config) -> None:
        self._config = config
        self._md: markdown.Markdown | None = None

    def __call__(self, source: str) -> str | None:
        line = next((ln for ln in source.splitlines() if ln.strip()), "")
        if not line.startswith("# ") or "[" in line:
            return None
        if self._md is None:  # as Page.render makes it (mkdocs/structure/pages.py)
            self._md = markdown.Markdown(extensions=self._config["markdown_extensions"],
                                         extension_configs=self._config["mdx_configs"] or {})
        md = self._md.reset()
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        md.convert(line)
        return title.title or None
