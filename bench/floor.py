"""The floors: what any checker of these files, or any site of them, must at least do. Run by bench/run.py.

    python bench/floor.py read ROOT          # read every ticket file's bytes
    python bench/floor.py parse ROOT         # read and parse each with libyaml (yaml.load, CSafeLoader)
    python bench/floor.py pages ROOT OUT     # (not timed) write the site's generated pages' Markdown to OUT
    python bench/floor.py markdown OUT ROOT  # render OUT's pages with python-markdown alone, with the
                                             # extensions of ROOT/mkdocs.yml

The import floor is `python -c "import erpops.cli"` (run.py runs it directly).
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml


def _files(root: Path) -> list[Path]:
    return sorted((root / "tickets").rglob("*.yaml"))


def pages(root: Path, out: Path) -> int:
    """The generated pages as the site's page builder makes them (only those that are Markdown)."""
    from erpops import load, siteconfig
    from erpops.site import pages as site_pages

    repo = load.load(root)
    built = site_pages.build(repo, siteconfig.read(root).lang)
    count = 0
    for rel, text in built.items():
        if not rel.endswith(".md"):
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
        count += 1
    print(f"{count} pages")
    return 0


def markdown(out: Path, root: Path) -> int:
    """python-markdown over the pages, nothing else of MkDocs: the extensions and their settings
    as mkdocs.yml names them (MkDocs' own internal link rewriting left out)."""
    import markdown as md_lib
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    md = md_lib.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
    total = 0
    files = sorted(out.rglob("*.md"))
    for path in files:
        total += len(md.reset().convert(path.read_text("utf-8")))
    print(f"{len(files)} pages, {total} characters of HTML")
    return 0


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "pages":
        return pages(Path(argv[1]), Path(argv[2]))
    if mode == "markdown":
        return markdown(Path(argv[1]), Path(argv[2]))
    files = _files(Path(argv[1]))
    total = 0
    for path in files:
        raw = path.read_bytes()
        if mode == "parse":
            total += len(yaml.load(raw, Loader=yaml.CSafeLoader))
        else:
            total += len(raw)
    print(f"{len(files)} files, {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
