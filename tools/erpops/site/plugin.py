"""The MkDocs plugin: thin wiring from MkDocs events to the loader and the page builder."""
from __future__ import annotations

import types
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_date
from mkdocs.utils.meta import get_data

from erpops import checkcache, doccache, load, output, ticketindex, ticketsummary
from erpops.checks import diagnostics
from erpops.diagnostics import exit_code
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.site import (assets, cutcache, dirty as dirty_build, html, jinjacache, layout, pagecache, pages, preview, reload,
                         search, search_sections, shell)
from erpops.site.context import AUDIENCES
from erpops.site.sections import tickets

log = get_plugin_logger(__name__)

# What `mkdocs serve` rebuilds on, besides docs/ and mkdocs.yml.
WATCHED = ("roster", "policy.yaml", "tickets", "runbooks", "reports")
SAFE_MARKDOWN = "erpops.site.safe_markdown"
OVERRIDES = Path(__file__).parent / "overrides"


class ErpopsConfig(Config):
    repo = c.Optional(c.Dir(exists=True))
    lang = c.Choice(("zh", "en"), default="zh")
    audience = c.Choice(AUDIENCES, default="internal")
    # Pages kept between builds in .erpops-cache/site/ (erpops.site.pagecache); `auto`: not in CI.
    cache = c.Choice(("auto", "on", "off"), default="auto")


CACHE = Path(doccache.FOLDER) / "site"


def cache_on(setting: str) -> bool:
    """`on`, or `auto` where the loader's cache is on too (not in CI, not with ERPOPS_CACHE=0)."""
    return setting == "on" or (setting == "auto" and doccache.enabled())


def _render_html(page: Page, config, files) -> None:
    """Page.render for a generated HTML page: its HTML as it is, its headings as the table of
    contents (as the toc extension would report them); Python-Markdown never sees it."""
    packed = getattr(page, "erpops_source", None)  # on_page_markdown's UTF-8 bytes of the page
    body = html.body(packed.decode("utf-8") if packed is not None else page.markdown or "")
    page.erpops_source = None
    if body is None:
        return Page.render(page, config, files)
    found = html.headings(body)
    page.content = body
    page.toc = get_toc(html.toc_tokens(found))
    page._title_from_render = found[0].html if found and found[0].level == 1 else None
    page.present_anchor_ids = {h.id for h in found}
    page.markdown = html.MARKER  # MkDocs keeps every page until the end: not the HTML twice
    page.meta.setdefault("template", shell.SHELL_TEMPLATE)


def _read_html_source(page: Page, config) -> None:
    """Page.read_source for a generated page: the front matter erpops wrote read without YAML
    (html.front_matter: the same data), any other source by MkDocs."""
    source = config.plugins.on_page_read_source(page=page, config=config)
    if source is None:
        source = page.file.content_string
    found = html.front_matter(source)
    page.markdown, page.meta = found if found is not None else get_data(source)


class ErpopsPlugin(BasePlugin[ErpopsConfig]):
    dirty = False
    serving = False  # `mkdocs serve`: the model is kept for the next rebuild (reload.Kept)
    site_wide = ""  # dirty.site_wide_key of this build's pages, once on_files has them
    preview: int | None = None  # a pull request's preview (erpops.site.preview): its changed tickets
    kept: reload.Kept | None = None  # the model between `mkdocs serve` rebuilds
    keeping = False  # this build keeps its pages (pagecache) and its templates' code (jinjacache)

    def on_startup(self, *, command, dirty: bool) -> None:
        """`mkdocs build --dirty` / `serve --dirty`: only pages whose file changed are rebuilt
        (the store keeps unchanged pages' files untouched). Defining this hook also keeps the
        plugin across `serve` rebuilds."""
        self.dirty = dirty
        self.serving = command == "serve"

    def on_config(self, config, **kwargs):
        lang = self.config.lang
        root = Path(self.config.repo or Path(config.config_file_path).parent)
        try:
            repo, found, files = self._load(root)
        except FatalError as e:  # a malformed ERPOPS_TODAY / ERPOPS_NOW or ERPOPS_SITE_CHANGED_SINCE
            raise PluginError(str(e)) from None
        if exit_code(found):
            raise PluginError("\n" + output.text(found, files, lang))
        for d in found:
            log.info("%s:%s: [%s] %s", d.path, d.line, d.rule, d.message(lang))
        self.repo = repo
        self.root = root
        for name in WATCHED:
            if (root / name).exists():
                config.watch.append(str(root / name))
        # Whatever users write is rendered without raw HTML or script links (see safe_markdown).
        if SAFE_MARKDOWN not in config.markdown_extensions:
            config.markdown_extensions.append(SAFE_MARKDOWN)
        fences = config.mdx_configs.get("pymdownx.superfences", {}).get("custom_fences", [])
        if not any(f.get("name") == "mermaid" for f in fences):
            log.warning(t("site.warn-no-mermaid-fence", lang))
        # Our template overrides (a safe <title>) come after the site's own custom_dir, if any.
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
        search.teach_jieba(repo, search.page_titles(lang))
        if layout.CSS_URI not in config.extra_css:
            config.extra_css.append(layout.CSS_URI)
        # A footer in the site's language: the office, not "Made with Material for MkDocs".
        config.extra.setdefault("generator", False)
        if not config.copyright:
            config.copyright = t("site.copyright", lang)
        return config

    def _load(self, root: Path) -> tuple[object, list, int]:
        """The repository the pages are built from, the findings of `erpops check` on it and the
        number of files checked. A preview (erpops.site.preview) loads the changed tickets only.
        Otherwise the findings come from the warm check (checkcache: stat-keyed, equal to a cold
        run's) where the loader's cache is on, and the model from the loader (its parsed-document
        cache, doccache, spares the parsing) or, between `mkdocs serve` rebuilds, the model kept
        from the last build with only the changed ticket files read again (erpops.site.reload)."""
        self.preview = None
        base = preview.since()
        if base is not None:
            paths = preview.changed(root, base)
            if not preview.needs_full(paths):
                repo = preview.load_changed(root, preview.ticket_paths(root, paths))
                self.preview = len(repo.tickets)
                log.info(t("site.info-preview", self.config.lang, base=base, tickets=self.preview))
                return repo, preview.findings(repo, None), repo.files
            log.info(t("site.info-preview-full", self.config.lang))
        if doccache.enabled():
            if self.kept is None:
                self.kept = reload.Kept()
            found, count, repo = checkcache.check_loading(root, self.kept.load, summaries=True)
            return repo, found, count
        repo = load.load(root)
        return repo, diagnostics(repo), repo.files

    def on_files(self, files: Files, /, *, config) -> Files:
        lang, audience = self.config.lang, self.config.audience
        store = None
        folder = f"site/{lang}-{audience}{'' if config.use_directory_urls else '-flat'}"  # in .erpops-cache
        if cache_on(self.config.cache) and self.preview is None \
                and doccache.usable(self.root / doccache.FOLDER, f"{folder}/{pagecache.KEYS}"):  # no link on the way
            store = pagecache.Store.open(self.root / doccache.FOLDER / folder, self.repo, lang=lang,
                                         audience=audience, directory_urls=config.use_directory_urls)
        self.keeping = store is not None
        settled, read_before = self._settle(store), ticketsummary.loaded
        try:
            built = pages.build(self.repo, lang, audience, store=store, directory_urls=config.use_directory_urls)
        except FatalError as e:  # a malformed ERPOPS_TODAY / ERPOPS_NOW, a ticket changed meanwhile
            raise PluginError(str(e)) from None
        read = ticketsummary.loaded - read_before  # stubs whose page was made: each file read alone
        log.info(t("site.info-model", lang, full=len(self.repo.tickets) - settled + read, settled=settled - read))
        if store is not None:
            log.info(t("site.info-pages-cached", lang, made=len(store.rendered), kept=store.kept))
        if self.preview is not None and isinstance(built.get(pages.HOME), str):  # under its heading
            heading, _, rest = built[pages.HOME].partition("\n")
            built[pages.HOME] = f"{heading}\n\n{preview.notice(lang, self.preview)}{rest.lstrip()}"
        self.generated = set(built)
        skipped = self._untouched(built, store, files, config)
        present = {f.src_uri for f in files}  # the hand-written pages and the theme's files (a few hundred)
        for uri, content in built.items():
            if uri in present:
                log.warning(t("site.warn-index-hand-written", self.config.lang, path=uri))
                files.remove(files.get_file_from_path(uri))
            if uri in skipped:
                continue
            if isinstance(content, pagecache.Kept):  # a file of the store: unchanged pages keep their time (--dirty)
                files.append(File.generated(config, uri, abs_src_path=content))
            else:
                files.append(File.generated(config, uri, content=content))
        if config.nav:  # one nav for both audiences: the public site drops the internal sections
            config.nav = pages.prune_nav(config.nav, pages.hidden_pages(self.config.audience))
        for uri, source in pages.downloads(self.repo, self.config.audience).items():
            files.append(File.generated(config, uri, abs_src_path=str(source)))
        files.append(File.generated(config, assets.MERMAID_URI, abs_src_path=str(assets.mermaid_file())))
        files.append(File.generated(config, layout.CSS_URI, abs_src_path=str(layout.css_file())))
        files.append(File.generated(config, search.WORKER_URI, content=search.worker_script(self.config.lang)))
        if skipped:
            files = dirty_build.LinkableFiles(files, config, {u: built[u] for u in skipped})
        if not self.serving:  # the pages are made: a build needs the model no more (memory)
            self.repo, self.kept = None, None
        if self.dirty:
            pages_ = files.documentation_pages()
            self.urls = {f.url for f in pages_} | {dirty_build.url(u, config.use_directory_urls) for u in skipped}
            self.rebuilt = {f.url for f in pages_ if f.is_modified()}
            log.info(t("site.info-dirty", self.config.lang, rebuilt=len(self.rebuilt), pages=len(self.urls)))
        return files

    def _settle(self, store) -> int:
        """The model in full where the warm one's stubs of settled tickets (ticketsummary) would
        have many pages to make, each reading its file alone: no page store, or one that lacks
        their pages (a first build, a new roster, policy or erpops). Else as it is. The stubs left."""
        settled = ticketsummary.stubs(self.repo.tickets)
        if settled:
            kept = store.keys if store is not None else {}
            lacking = sum(1 for tk in settled if tickets.path(tk) not in kept)
            if lacking > ticketindex.MAX_STALE:
                self.repo = (self.kept.load if self.kept is not None else load.load)(self.root)
                settled = []
        return len(settled)

    def _untouched(self, built: dict, store, files: Files, config) -> set[str]:
        """In a --dirty build, the generated pages MkDocs would skip (erpops.site.dirty), left out of
        its files, when the sitemap and 404 page can stay as they are (then not rewritten). Not without
        mkdocs.yml's nav: MkDocs would then make the nav of every page from the files it gets."""
        docs = files.documentation_pages()  # the hand-written pages: the generated ones are not added yet
        self.site_wide = dirty_build.site_wide_key(config, [f.src_uri for f in docs],
                                                   [f.abs_src_path for f in docs if not f.generated])
        if not self.dirty or store is None or not store.same_pages or not config.nav \
                or not dirty_build.sitemap_current(config.site_dir, get_build_date()) \
                or not dirty_build.site_wide_same(config.site_dir, self.site_wide) \
                or not all(Path(f.abs_dest_path).is_file() for f in docs):  # a new page
            return set()
        made = set(store.rendered) | set(store.written)
        keep = dirty_build.nav_uris(config.nav)
        kept = {uri: v for uri, v in built.items() if isinstance(v, pagecache.Kept) and uri not in made and uri not in keep}
        skipped = dirty_build.untouched(kept, config.site_dir, config.use_directory_urls)
        if skipped:
            config.theme.static_templates.difference_update(dirty_build.SITE_WIDE)
        return skipped

    @event_priority(50)  # before Material's search plugin writes its index
    def on_post_build(self, *, config) -> None:
        if self.dirty:
            search.keep_unchanged_entries(config, self.rebuilt, self.urls, splice=not self.serving)
        if self.site_wide:  # the sitemap and 404 page of this build are written: what they were made from
            dirty_build.mark_site_wide(config.site_dir, self.site_wide)
        if self.cut_key is not None and self.cuts is not None and (not self.dirty or len(self.cuts) != self.cuts_kept):
            cutcache.save(self.root / CACHE, self.cut_key, self.cuts)  # a full build's: the cuts of its pages only

    def on_nav(self, nav, /, *, config, files):
        self.nav = nav
        self.nav_urls = [p.url for p in nav.pages] + [str(u) for u in (*config.extra_css, *config.extra_javascript)]
        return nav

    def on_env(self, env, /, *, config, files):
        """The page shells of this build (erpops.site.shell), behind the generated pages' template."""
        lang = self.config.lang
        if self.keeping:
            jinjacache.attach(env, jinjacache.versions("mkdocs", "mkdocs-material"))
        if self.dirty:
            self._read_nav_pages(config, files)
        self._memoise_jieba(config)  # after on_config taught jieba this build's words
        self.shells = shell.Shells(page_pass=lambda content: search.use_worker(layout.lay_out(content, lang)),
                                   shell_pass=lambda page: assets.add_csp(search.use_worker(layout.lay_out(page, lang))),
                                   link_targets=getattr(self, "nav_urls", []))
        shells = self.shells

        @jinja2.pass_context
        def erpops_shell(context):
            main = context.environment.get_template("main.html")
            made = shells.render(context.get_all(), main)
            return Markup(main.render(context.get_all()) if made is None else made)

        env.globals["erpops_shell"] = erpops_shell
        index = getattr(search._search_plugin(config), "search_index", None)
        if index is not None:  # our HTML pages are cut into search sections without HTMLParser
            generated = getattr(self, "generated", set())
            search_sections.install(index, lambda page: page.markdown == html.MARKER
                                    and page.file.src_uri in generated)
        return env

    cut_key: str | None = None  # cutcache.key of this build's jieba, where its cuts are kept
    cuts: dict | None = None
    cuts_kept = 0

    def _memoise_jieba(self, config) -> None:
        """jieba's memo for this build; a --dirty build starts from the last build's cuts (cutcache)."""
        self.cut_key, preset = None, None
        if cache_on(self.config.cache) and self.preview is None:
            options = getattr(search._search_plugin(config), "config", {})
            try:
                self.cut_key = cutcache.key(search.untaught(), (options.get("jieba_dict"), options.get("jieba_dict_user")))
            except ImportError:  # no jieba: Material indexes Chinese without it
                pass
            if self.cut_key is not None and self.dirty:
                preset = cutcache.load(self.root / CACHE, self.cut_key)
        self.cuts = search.memoise_jieba(preset)
        self.cuts_kept = len(preset or ())

    # Page events by which a plugin other than this one could change a page's title while reading it.
    READING_EVENTS = ("pre_page", "page_markdown", "page_content")

    def _read_nav_pages(self, config, files) -> None:
        """A --dirty build reads only the changed pages (MkDocs 1.6, commands/build.py: `_populate_page`
        returns early for the others), so every page it writes would show the nav's unchanged pages
        without their titles ("None"). The nav's pages (a few dozen) are read: a generated HTML page's
        title is in its front matter (html.page), so is a Markdown page's `title`; a Markdown page that
        opens with a `# ` heading gets the title a render would give it from that line alone
        (dirty.HeadingTitles), unless another plugin reads pages; any other page is read as a full build
        reads it. They are still written only where changed."""
        from mkdocs.commands.build import _populate_page  # MkDocs' own reading, as a full build does it

        nav = getattr(self, "nav", None)
        others = any(getattr(handler, "__self__", None) is not self
                     for event in self.READING_EVENTS for handler in config.plugins.events[event])
        titles = dirty_build.HeadingTitles(config)
        for page in nav.pages if nav is not None else ():
            if page.markdown is None:
                page.read_source(config)
                if html.body(page.markdown or "") is not None or "title" in page.meta:
                    continue
                title = None if others else titles(page.markdown or "")
                if title is not None:
                    page._title_from_render = title
                else:
                    _populate_page(page, config, files)

    def on_pre_page(self, page: Page, /, *, config, files) -> Page:
        if page.file.src_uri in self.generated:
            page.render = types.MethodType(_render_html, page)
            page.read_source = types.MethodType(_read_html_source, page)
        return page

    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        if page.file.src_uri in self.generated and markdown.startswith(html.MARKER):
            # HTML: _render_html hands it to MkDocs as it is. MkDocs reads every page before it
            # renders the first: till then each is held as UTF-8 (a third smaller than a str of
            # Chinese text), and the source given in on_files is dropped ("" still counts as modified).
            if page.file.abs_src_path is None:
                page.file.content_string = ""
            page.erpops_source = markdown.encode("utf-8")
            return html.MARKER
        if layout.needs_width(markdown):  # Material's `hide: [toc]`, without touching the page
            hide = page.meta.setdefault("hide", [])
            if isinstance(hide, list) and "toc" not in hide:
                hide.append("toc")
        return markdown

    def on_post_page(self, output: str, /, *, page, config) -> str:
        shells = getattr(self, "shells", None)
        if shells is not None and page.url in shells.assembled:
            shells.assembled.discard(page.url)
            page.content = None  # written; the search index has its entries (memory: 20,000 pages)
            return output  # the shell and the content have had the passes below
        if assets.has_diagram(output):
            output = assets.add_mermaid(output, page.url)
        return assets.add_csp(search.use_worker(layout.lay_out(output, self.config.lang)))

    def on_post_template(self, output_content: str, /, *, template_name: str, config) -> str:
        if not template_name.endswith(".html"):
            return output_content
        return assets.add_csp(search.use_worker(output_content))
