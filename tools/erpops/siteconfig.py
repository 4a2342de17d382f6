"""The erpops plugin's settings in mkdocs.yml: the repository's language and the site's audience."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from erpops import i18n
from erpops.errors import FatalError
from erpops.i18n import t

CONFIG = "mkdocs.yml"
AUDIENCES = ("internal", "public")
DEFAULT_AUDIENCE = "internal"


@dataclass(frozen=True)
class SiteConfig:
    path: str
    lang: str = i18n.DEFAULT_LANG
    audience: str = DEFAULT_AUDIENCE
    site_url: str | None = None  # MkDocs' own `site_url`: where notices link to


class _Loader(yaml.SafeLoader):
    """Safe loading that reads MkDocs' own tags (!ENV, !!python/name:…) as empty values.

    mkdocs.yml is MkDocs' file, not ops data: it may legitimately carry those tags, and none
    of them can be where the erpops plugin's plain settings are.
    """


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_Loader.add_multi_constructor("!", _ignore_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def _entries(plugins: Any):
    """`plugins:` written as a list (`- erpops:` or `- erpops`) or as a mapping."""
    if isinstance(plugins, dict):
        yield from plugins.items()
    elif isinstance(plugins, list):
        for p in plugins:
            if isinstance(p, str):
                yield p, {}
            elif isinstance(p, dict) and len(p) == 1:
                yield next(iter(p.items()))


def _plugin_settings(plugins: Any) -> dict | None:
    for name, settings in _entries(plugins):
        if name == "erpops":
            return settings if isinstance(settings, dict) else {}
    return None


def read(root: Path, name: str = CONFIG) -> SiteConfig:
    """The settings, with the plugin's own defaults where mkdocs.yml or the plugin says nothing.

    A file that cannot be read, or a setting with a value the plugin would refuse, is a FatalError:
    a guard that guessed would publish the wrong site.
    """
    path = root / name
    if not path.is_file():
        return SiteConfig(name)
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise FatalError(t("site-config.unreadable", path=name, reason=str(err).replace("\n", " "))) from None
    settings = _plugin_settings(data.get("plugins") if isinstance(data, dict) else None) or {}
    lang = settings.get("lang", i18n.DEFAULT_LANG)
    audience = settings.get("audience", DEFAULT_AUDIENCE)
    if lang not in i18n.LANGUAGES:
        raise FatalError(t("site-config.bad-value", path=name, key="lang", value=lang,
                           allowed=", ".join(i18n.LANGUAGES)))
    if audience not in AUDIENCES:
        raise FatalError(t("site-config.bad-value", path=name, key="audience", value=audience,
                           allowed=", ".join(AUDIENCES)))
    url = data.get("site_url") if isinstance(data, dict) else None
    return SiteConfig(name, lang, audience, url.strip() or None if isinstance(url, str) else None)


@dataclass(frozen=True)
class SiteLayout:
    """The rest of mkdocs.yml that `erpops site pages` carries into the site it writes."""
    site_name: str | None = None
    nav: Any = None
    docs_dir: str = "docs"
    use_directory_urls: bool = True


def layout(root: Path, name: str = CONFIG) -> SiteLayout:
    """Site name, nav, docs folder and URL style (MkDocs' defaults where mkdocs.yml is missing or
    unreadable: `read` reports an unreadable file)."""
    try:
        data = yaml.load((root / name).read_text("utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return SiteLayout()
    data = data if isinstance(data, dict) else {}
    site_name, docs = data.get("site_name"), data.get("docs_dir")
    return SiteLayout(site_name if isinstance(site_name, str) else None, data.get("nav"),
                      docs if isinstance(docs, str) else "docs", data.get("use_directory_urls") is not False)
