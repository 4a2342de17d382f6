"""erpops site pages: every generated page, the hand-written docs and a site configuration in a
folder, for plain `mkdocs build` without the erpops plugin (or any builder that reads Markdown
with raw HTML). The way off the MkDocs plugin API: Material for MkDocs is in maintenance until
its end of life, and its successor (Zensical) runs no MkDocs plugins.

    OUT/mkdocs.yml   the site: Material, search, the nav (the repository's, pruned for the audience)
    OUT/docs/        the pages (generated ones as HTML blocks, see erpops.site.html), downloads,
                     the site's stylesheet and mermaid, the repository's docs/ copied
    OUT/overrides/   the plugin's template overrides (a <title> that stays escaped)
    OUT/.erpops-pages.marshal   the pages' keys: a second run rewrites only what changed
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from erpops import load, output, siteconfig
from erpops.checks import diagnostics
from erpops.diagnostics import exit_code
from erpops.i18n import t
from erpops.site import assets, html, layout, pagecache, pages

plugin_overrides = Path(__file__).resolve().parent.parent / "site" / "overrides"

KEYS = ".erpops-pages.marshal"
DOCS = "docs"
OVERRIDES = "overrides"  # the plugin's template overrides (a safe <title>), as the theme's custom_dir

# Our own settings, written as text: MkDocs' `!!python/name` tags have no safe YAML writer.
_EXTENSIONS = """\
markdown_extensions:
  - erpops.site.safe_markdown:
      trust_generated: true
  - tables
  - admonition
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""


def _nav(config: siteconfig.SiteLayout, audience: str, built: dict) -> list:
    nav = config.nav
    if not isinstance(nav, list):
        nav = [uri for uri in (pages.HOME, *pages.index_pages(audience)) if uri in built]
    return pages.prune_nav(nav, pages.hidden_pages(audience)) or []


def settings(config: siteconfig.SiteLayout, lang: str, audience: str, nav: list, directory_urls: bool) -> str:
    plain = {
        "site_name": config.site_name or t("site.copyright", lang),
        "docs_dir": DOCS,
        "use_directory_urls": directory_urls,
        "theme": {"name": "material", "custom_dir": OVERRIDES, "language": lang, "font": False,
                  "features": ["navigation.sections", "navigation.indexes", "search.highlight"]},
        "plugins": [{"search": {"lang": lang}}],
        "extra_css": [layout.CSS_URI],
        "extra_javascript": [assets.MERMAID_URI],
        "extra": {"generator": False},
        "copyright": t("site.copyright", lang),
        "nav": nav,
        "validation": {"nav": {"omitted_files": "ignore"}},
    }
    head = f"# {t('site.pages-config-note', lang)}\n"
    return head + yaml.safe_dump(plain, allow_unicode=True, sort_keys=False) + _EXTENSIONS


def _copy(source: Path, target: Path) -> None:
    if target.is_file() and target.stat().st_size == source.stat().st_size and \
            target.read_bytes() == source.read_bytes():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def site_pages(root: Path, out: Path, lang: str | None = None, audience: str | None = None,
               directory_urls: bool | None = None) -> int:
    plugin, config = siteconfig.read(root), siteconfig.layout(root)
    lang = lang or plugin.lang
    audience = audience or plugin.audience
    directory_urls = config.use_directory_urls if directory_urls is None else directory_urls
    repo = load.load(root)
    found = diagnostics(repo)
    if exit_code(found):
        sys.stderr.write(output.text(found, repo.files, lang) + "\n")
        return exit_code(found)
    docs = out / DOCS
    store = pagecache.Store.open(docs, repo, lang=lang, audience=audience, directory_urls=directory_urls,
                                 keys=out / KEYS)
    hand = root / config.docs_dir
    written = {source.relative_to(hand).as_posix(): source for source in sorted(hand.rglob("*"))
               if source.is_file() and not source.is_symlink()} if hand.is_dir() else {}
    store.seen.update(uri for uri in written if uri.endswith(".md"))  # not stale: written below
    built = pages.build(repo, lang, audience, store=store, directory_urls=directory_urls)
    for uri, source in written.items():
        if uri in built:  # a generated page of the same name wins, as in the plugin
            continue
        if uri.endswith(".md"):
            pagecache.write(docs / uri, html.inert_marker(source.read_text("utf-8")))
        else:
            _copy(source, docs / uri)
    for uri, source in {**pages.downloads(repo, audience), assets.MERMAID_URI: assets.mermaid_file(),
                        layout.CSS_URI: layout.css_file()}.items():
        _copy(source, docs / uri)
    for source in sorted(plugin_overrides.rglob("*.html")):
        _copy(source, out / OVERRIDES / source.relative_to(plugin_overrides))
    pagecache.write(out / siteconfig.CONFIG, settings(config, lang, audience, _nav(config, audience, built),
                                                       directory_urls))
    sys.stdout.write(t("site.pages-written", lang, pages=len(store.seen), made=len(store.rendered),
                       kept=store.kept, out=out) + "\n")
    return 0
