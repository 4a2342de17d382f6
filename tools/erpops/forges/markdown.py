"""Text that a forge renders as Markdown (an issue comment) shown as written: no link, image,
mention, emphasis, HTML or heading can come out of what somebody typed.

GitHub, GitLab and Gitea render CommonMark with GFM's extensions: a backslash makes any ASCII
punctuation literal, and `&`, `<` become entities. Mentions (`@name`) and bare links
(`https://…`, `www.…`, `a@b.c`) are found in the rendered text, where a backslash no longer is:
a zero-width space (as an entity) between `@` and the name, or inside `://` and `www.`, breaks them.
"""
from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=^$%:])")
_ZWSP = "&#8203;"


def inert(text: str) -> str:
    """`text` (one or more lines) as Markdown that renders to exactly its characters."""
    lines = []
    for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = html.escape(line.strip(), quote=False)      # no leading spaces: no code block
        line = _PUNCTUATION.sub(r"\\\1", line)
        line = line.replace("@", "@" + _ZWSP)
        line = re.sub(r"(?i)\\:(//)", r"\\:" + _ZWSP + r"\1", line)
        line = re.sub(r"(?i)\b(www)\\\.", r"\1" + _ZWSP + r"\\.", line)
        lines.append(line)
    return "\n".join(lines)
