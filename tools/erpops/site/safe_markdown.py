"""A Markdown extension that makes every page safe to render whatever a user wrote in it.

Runbook bodies (and later ticket texts) are Markdown written by many people. Python-Markdown
passes raw HTML through and has no URL checks, so this extension, which the erpops plugin adds
to every build, (1) treats raw HTML as text, (2) turns links whose scheme could run code into plain text, and
(3) turns images from other hosts into plain links, so that no page loads anything from
outside the site.

With `trust_generated` (only in the configuration `erpops site pages` writes), a page erpops
generated as HTML (erpops.site.html: its first line after the front matter is the marker) is the
one exception: it was written by the autoescaped templates, so it is passed on whole. This is how
plain MkDocs (no erpops plugin) builds those pages; every other page there has the marker escaped.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.treeprocessors import Treeprocessor

from erpops.site.html import MARKER

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def is_safe_link(url: str) -> bool:
    """A link target that cannot run script: relative, a fragment, or an allowed scheme."""
    match = _SCHEME.match(_CONTROL.sub("", url))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def is_local(url: str) -> bool:
    """A resource on this site: no scheme and no `//host`."""
    cleaned = _CONTROL.sub("", url).replace("\\", "/")
    return _SCHEME.match(cleaned) is None and not cleaned.startswith("//")


class _Links(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for i, el in enumerate(list(parent)):
                if el.tag == "a" and not is_safe_link(el.get("href", "")):
                    el.tag = "span"  # the text stays; MkDocs expects every <a> to have a href
                    el.attrib.clear()
                elif el.tag == "img" and not is_local(el.get("src", "")):
                    parent[i] = self._as_link(el)

    @staticmethod
    def _as_link(img: etree.Element) -> etree.Element:
        src = img.get("src", "")
        a = etree.Element("a" if is_safe_link(src) else "span")
        if is_safe_link(src):
            a.set("href", src)
        a.text = img.get("alt") or src
        a.tail = img.tail
        return a


class _Generated(Preprocessor):
    """A generated HTML page (its first line the marker) becomes one raw HTML block."""

    def run(self, lines: list[str]) -> list[str]:
        if lines and lines[0].strip() == MARKER:  # Python-Markdown's own raw HTML blocks, for this page only
            return HtmlBlockPreprocessor(self.md).run(lines[1:])
        return lines


class SafeMarkdown(Extension):
    def __init__(self, **kwargs) -> None:
        # Only the configuration `erpops site pages` writes sets this: there every page whose
        # text starts with the marker is one erpops wrote (others have it escaped). The plugin
        # never sets it: it hands its generated pages to MkDocs without Python-Markdown.
        self.config = {"trust_generated": [False, "Pass pages erpops generated as HTML on whole"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        if self.getConfig("trust_generated"):
            md.preprocessors.register(_Generated(md), "erpops-generated-html", 25)
        for registry, name in ((md.preprocessors, "html_block"), (md.inlinePatterns, "html")):
            if name in registry:
                registry.deregister(name)
        # After inline patterns and every other tree step, before serialisation.
        md.treeprocessors.register(_Links(md), "erpops-safe-links", 0)


def makeExtension(**kwargs) -> SafeMarkdown:  # noqa: N802 (Python-Markdown's entry point name)
    return SafeMarkdown(**kwargs)
