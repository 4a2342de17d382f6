"""Chinese everywhere: click's own words (usage, sections, errors, defaults, metavars) come from the
catalogue, every option has help in both languages, and --lang en still gives English."""
from __future__ import annotations

import re

import click
import pytest

from erpops import i18n
from erpops.cli import cli as erpops_cli
from erpops.cli import localise

# English words a Chinese help page may keep: codes, names and metavars kept on purpose.
ALLOWED = {
    "erpops", "ID", "DIR", "ERP", "CI", "Git", "GitHub", "SLA", "ISO", "Asia", "Shanghai", "JSON", "Schema",
    "schema", "Markdown", "CSV", "XLSX", "Pages", "CODEOWNERS", "zh", "en",
    "production", "fault",  # examples of codes in help texts
    "move", "update",  # event codes named in help (the file's `event:` value)
    "issue", "github",  # GitHub's issue and the roster's `github` field
    "internal",  # mkdocs.yml's value
    "unresolved",  # the filter word for every unfinished status
    "IMAP",  # the mail protocol `erpops mail` reads
}
_STRIP = re.compile(r"--?[\w-]+|\$\w+|[\w<>{}\[\]-]*[/.][\w./<>{}\[\]-]*|\[zh\|en\]")


def _command_names(command: click.Command) -> set[str]:
    names = set()
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            names |= set(re.findall(r"[A-Za-z]{2,}", name)) | _command_names(sub)
    return names


def english_words(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z]{2,}", _STRIP.sub(" ", text)))
    return words - ALLOWED - _command_names(erpops_cli)


@pytest.mark.parametrize("args", [("--help",), ("ticket", "--help"), ("ticket", "new", "--help"),
                                  ("ticket", "list", "-h")])
def test_help_pages_have_no_english_words(cli, args):
    r = cli(*args)
    assert r.code == 0
    assert r.out.startswith("用法： erpops")
    assert english_words(r.out) == set(), r.out


@pytest.mark.parametrize(("args", "lines"), [
    (("ticket", "resolve", "X"), ["用法： erpops ticket resolve [选项] ID", "运行“erpops ticket resolve --help”查看帮助。",
                                  "", "错误：缺少选项 '--root-cause'."]),
    (("ticket", "hold", "X", "--reason", "foo"),
     ["用法： erpops ticket hold [选项] ID", "运行“erpops ticket hold --help”查看帮助。", "",
      "错误：'--reason' 的值无效：“foo”不在可选值之内：'reporter', 'vendor', 'change'。"]),
    (("ticket", "list", "--nope"), ["用法： erpops ticket list [选项]", "运行“erpops ticket list --help”查看帮助。", "",
                                    "错误：没有选项“--nope”。"]),
    (("runbook", "due", "--within", "x"), ["用法： erpops runbook due [选项]", "运行“erpops runbook due --help”查看帮助。",
                                           "", "错误：'--within' 的值无效：“x”不是有效的数字。"]),
    (("tiket",), ["用法： erpops [选项] 命令 [参数]...", "运行“erpops --help”查看帮助。", "",
                  "错误：没有命令“tiket”。 是不是指 'ticket'？"]),
])
def test_usage_errors_are_chinese_and_exit_2(cli, args, lines):
    r = cli(*args)
    assert (r.code, r.out, r.err.splitlines()) == (2, "", lines)
    assert english_words(r.err) <= {"root", "cause", "reason", "reporter", "vendor", "change", "within", "nope", "foo",
                                    "tiket", "ticket"}


def test_defaults_metavars_and_the_help_option_are_chinese(cli):
    page = cli("runbook", "due", "--help").out
    assert "  --within 整数" in page and "向后看多少天。  [默认：30]" in page
    assert "  -h, --help" in page and "显示本帮助后退出。" in page
    assert "选项：\n" in page
    assert "  [路径]..." in cli("check", "--help").out.splitlines()[0] or "[路径]..." in cli("check", "--help").out


def test_lang_en_gives_click_english(cli):
    page = cli("--lang", "en", "ticket", "new", "--help").out
    assert page.startswith("Usage: erpops ticket new [OPTIONS]\n")
    assert "\nOptions:\n" in page and "Show this message and exit." in page and "  --subsystem TEXT" in page
    r = cli("--lang", "en", "ticket", "resolve", "X")
    assert r.err.splitlines()[-1] == "Error: Missing option '--root-cause'."
    # and back to Chinese on the next run
    assert cli("ticket", "--help").out.startswith("用法： erpops ticket [选项] 命令 [参数]...")


def _options(command: click.Command, path: list[str]):
    for p in command.params:
        if isinstance(p, click.Option):
            yield " ".join(path), p
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _options(sub, path + [name])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_option_has_help_in_the_catalogue(lang):
    localise(lang)
    try:
        texts = i18n.catalogue(lang)
        missing = []
        for path, p in _options(erpops_cli, ["erpops"]):
            key = ".".join(path.split()[1:]) or "erpops"
            if f"help.opt.{key}.{p.name}" not in texts and f"help.opt.{p.name}" not in texts:
                missing.append(f"{path} {p.opts[0]}")
        assert missing == []
    finally:
        localise()


def test_tiers_in_messages_are_named_not_coded():
    from erpops.diagnostics import Diagnostic

    d = Diagnostic(path="x", line=1, column=1, rule="ticket-escalation-one-tier", severity="error",
                   args=(("was", "key-user"), ("tier", "erp-admin")))
    assert "（关键用户 → ERP 系统管理员 越级了）" in d.message("zh")
    assert "key user" in d.message("en")
