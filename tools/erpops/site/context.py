"""What every page section gets: the repository, the language, the audience and shared helpers."""
from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from erpops.i18n import t
from erpops.repository import Repository
from erpops.model import Person
from erpops.site import escape, jinjacache, pagecache
from erpops.site import html as html_page

INTERNAL, PUBLIC = "internal", "public"
AUDIENCES = (INTERNAL, PUBLIC)
CONTACT_FIELDS = ("phone", "email", "wecom", "github")


@lru_cache(maxsize=None)
def _plain(key: str, lang: str) -> str:
    return t(key, lang)


def text(key: str, lang: str, **params) -> str:
    """i18n.t, each text without placeholders looked up once (a ticket page asks for ~60)."""
    return t(key, lang, **params) if params else _plain(key, lang)


def environment(lang: str, *, markdown_inert: bool = True, html: bool = False) -> Environment:
    """Jinja2 over the package's templates, HTML-autoescaped; with `markdown_inert` every plain
    value is also made inert for Markdown (templates whose cells escape themselves turn it off);
    with `html` (pages written as HTML, erpops.site.html) every plain value is text on one line."""
    env = Environment(
        loader=PackageLoader("erpops", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=html_page.one_line if html else escape.markdown_text if markdown_inert else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = lambda key, **kw: text(key, lang, **kw)
    env.globals["lang"] = lang
    if html:
        env.globals["h"] = html_page.heading
        env.globals["grid"] = html_page.grid
        env.globals["ticket_table"] = lambda rows: html_page.ticket_table(env.globals["t"], rows)
    return env


@dataclass(frozen=True)
class Contact:
    label: str
    value: str


@dataclass
class Context:
    repo: Repository
    lang: str = "zh"
    audience: str = INTERNAL
    today: dt.date = field(default_factory=dt.date.today)
    now: dt.datetime | None = None  # the instant SLA clocks run to (tickets); None: no clock
    directory_urls: bool = True  # MkDocs' use_directory_urls: the URLs links in HTML pages point at
    store: object | None = None  # an erpops.site.pagecache.Store: pages kept from the last build
    # What sections compute once per build and share (e.g. the tickets' SLA states).
    cache: dict = field(default_factory=dict, repr=False)


    def __post_init__(self) -> None:
        self.env = environment(self.lang)
        self.html_env = environment(self.lang, html=True)
        if self.store is not None:  # a build that keeps what it made: the templates' code too
            for env in (self.env, self.html_env):
                jinjacache.attach(env, pagecache.code_version())

    @property
    def internal(self) -> bool:
        return self.audience == INTERNAL

    def t(self, key: str, **params) -> str:
        return text(key, self.lang, **params)

    def render(self, template: str, **values) -> str:
        return self.env.get_template(template).render(internal=self.internal, **values)

    def render_html(self, template: str, **values) -> str:
        return self.html_env.get_template(template).render(internal=self.internal, **values)

    def page(self, uri: str, key: tuple | None, make) -> object:
        """Page `uri` as `make()` builds it, or, with a store that holds it under the same `key`
        (everything the page is made from), as stored: then `make` is not called."""
        if self.store is None:
            return make()
        return self.store.page(uri, key, make)

    def person(self, pid: str | None) -> Person | None:
        return self.repo.roster.people.get(pid or "")

    def name(self, pid: str | None) -> str:
        p = self.person(pid)
        return p.display(self.lang) if p else (pid or "")

    def names(self, pids) -> str:
        return self.t("list.sep").join(self.name(p) for p in pids)

    def contacts(self, pid: str | None) -> list[Contact]:
        """A person's phone (a `tel:` link), e-mail, WeCom and GitHub; never any of them on a public
        site. Without phone and WeCom the list says so, and how to add one: nothing is made up."""
        p = self.person(pid)
        if p is None or not self.internal:
            return []
        found = [
            Contact(self.t(f"field.{f}"), escape.tel_link(p.phone) if f == "phone" else getattr(p, f))
            for f in CONTACT_FIELDS if getattr(p, f)
        ]
        if not (p.phone or p.wecom):
            found.insert(0, Contact("", self.t("site.contact-missing")))
        return found

    def organisation_contacts(self, **numbers: str | None) -> list[Contact]:
        """An organisation's own lines (the vendor's hotline): internal sites only, like people's."""
        if not self.internal:
            return []
        found = [Contact(self.t(f"site.{kind}"), escape.tel_link(value)) for kind, value in numbers.items() if value]
        return found or [Contact("", self.t(f"site.{kind}-missing")) for kind in numbers]

    def a(self, label: object, target: str, here: str) -> Markup:
        """An HTML link from page `here` to page `target` (both paths in the site's docs)."""
        return html_page.link(label, target, here, self.directory_urls)

    def link(self, label: object, target: str, here: str) -> Markup:
        """A Markdown link from page `here` to page `target` (both paths in the site's docs)."""
        rel = posixpath.relpath(target, posixpath.dirname(here) or ".")
        return escape.link(label, rel)
