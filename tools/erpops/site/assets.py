"""Files the site serves itself so that no page needs another host: mermaid, and a CSP saying so."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from mkdocs.utils import get_relative_url

MERMAID_URI = "assets/erpops/mermaid.min.js"

# Only this site may be asked for anything; inline scripts and styles are Material's own.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
_CSP_TAG = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_BUNDLE = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[^"]*"></script>')


def mermaid_file() -> Path:
    return Path(str(resources.files("erpops").joinpath("site", "vendor", "mermaid", "mermaid.min.js")))


def has_diagram(html: str) -> bool:
    return 'class="mermaid"' in html


def add_csp(html: str) -> str:
    return _HEAD.sub(lambda m: m.group(0) + _CSP_TAG, html, count=1)


def add_mermaid(html: str, page_url: str) -> str:
    """Load the site's own mermaid before Material's bundle, which then uses it instead of a CDN."""
    tag = f'<script src="{get_relative_url(MERMAID_URI, page_url)}"></script>'
    match = _BUNDLE.search(html)
    if match is None:
        return html.replace("</body>", tag + "</body>", 1)
    return html[: match.start()] + tag + html[match.start():]
