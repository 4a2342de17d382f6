"""The site's CLI reference: built from the click command tree, so every command and option is on it."""
from __future__ import annotations

import datetime as dt

import click
import markdown
import pytest

from erpops import load
from erpops.cli import cli
from erpops.site import pages
from erpops.site.safe_markdown import SafeMarkdown
from erpops.site.sections.cli_reference import code


def _walk(command: click.Command, path: str):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}")


def _page(repo, lang: str = "zh") -> str:
    return pages.build(load.load(repo.root), lang, "internal", dt.date(2026, 11, 25))["cli.md"]


def test_every_command_and_every_option_is_on_the_page(repo):
    page = _page(repo)
    headings = [line[3:] for line in page.splitlines() if line.startswith("## ")]
    walked = sorted(path for path, _ in _walk(cli, "erpops"))
    assert sorted(h.replace("\\-", "-") for h in headings) == walked
    assert len(walked) > 20
    for path, command in _walk(cli, "erpops"):
        section = page.split(f"## {path.replace('-', chr(92) + '-')}\n", 1)[1].split("\n## ", 1)[0]
        for p in command.params:
            if isinstance(p, click.Option):
                assert f"`{p.opts[0]}" in section, (path, p.opts)


def test_rows_show_usage_required_default_and_help(repo):
    page = _page(repo)
    assert "`erpops ticket escalate [选项] ID`" in page
    assert "| `--within 整数` |  | `30` | 向后看多少天。 |" in page
    assert "| `DIR` | 是 |  |  |" in page
    assert "| `--pages-private true|false` |  | 环境变量 $ERPOPS\\_PAGES\\_PRIVATE |" in page
    assert "| `--subsystem 文本` |  |  | 子系统代码；可重复指定多个（默认：全部）。 （可重复） |" in page
    assert "| `--overdue` |  |  | 只列出超过 SLA 时限的工单" in page


def test_english_page(repo):
    page = _page(repo, "en")
    assert page.startswith("# Command\\-line reference\n")
    assert "| `DIR` | yes |  |  |" in page


@pytest.fixture
def extra_command():
    @cli.command("zz-test", help="Odd <script>alert(1)</script> | pipe [x](y)")
    @click.option("--weird", default="a`b|<c>", show_default=True, help="<b>bold</b>")
    def zz_test(weird):  # pragma: no cover - never run
        pass

    yield
    cli.commands.pop("zz-test")


def test_a_new_command_appears_at_once_and_its_text_stays_inert(repo, extra_command):
    page = _page(repo)
    html = markdown.markdown(page, extensions=["tables", SafeMarkdown()])
    assert "<script>" not in html and "<b>" not in html and "<a " not in html
    assert "Odd &lt;script&gt;alert(1)&lt;/script&gt; | pipe [x](y)" in html
    assert "<td><code>a`b|&lt;c&gt;</code></td>" in html
    assert "<td>&lt;b&gt;bold&lt;/b&gt;</td>" in html


@pytest.mark.parametrize("value, span", [("abc", "`abc`"), ("a`b", "``a`b``"), ("`x", "`` `x ``"), ("a  b\nc", "`a b c`")])
def test_code_span_fence_is_longer_than_any_backtick_run(value, span):
    assert code(value) == span
