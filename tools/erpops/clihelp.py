"""click's own words in the catalogue's language: usage, section titles, errors, defaults, metavars.

click words its texts through gettext (`_` and `ngettext` in each of its modules); `install()` puts
the catalogue there, keyed by click's English message (`MESSAGES`). The Group and Command classes
add what gettext does not reach: the help option's text, `[OPTIONS]` / `COMMAND [ARGS]...` in usage
lines, and metavars (TEXT, INTEGER, PATH …). Only cli.py uses this module; it knows click.
"""
from __future__ import annotations

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from erpops.i18n import catalogue, language

# click's English message → catalogue key (locale/*/click.yaml). en.yaml holds click's own text.
MESSAGES = {
    "Usage:": "click.usage",
    "Options": "click.options",
    "Commands": "click.commands",
    "Positional arguments": "click.arguments",
    "Show this message and exit.": "click.help",
    "Show the version and exit.": "click.version",
    "%(prog)s, version %(version)s": "click.version-line",
    "default: {default}": "click.default",
    "required": "click.required",
    "env var: {var}": "click.envvar",
    "Aborted!": "click.aborted",
    "Missing command.": "click.missing-command",
    "Error: {message}": "click.error",
    "Try '{command} {option}' for help.": "click.try",
    "Missing argument": "click.missing-argument",
    "Missing option": "click.missing-option",
    "Missing parameter": "click.missing-parameter",
    "Missing {param_type}": "click.missing-type",
    "Missing parameter: {param_name}": "click.missing-name",
    "Invalid value for {param_hint}: {message}": "click.invalid-for",
    "Invalid value: {message}": "click.invalid",
    "No such option {name!r}.": "click.no-option",
    "No such command {name!r}.": "click.no-command",
    "Did you mean {possibility}?": "click.did-you-mean",
    "(Did you mean one of: {possibilities}?)": "click.did-you-mean-one-of",
    "Got unexpected extra argument ({args})": "click.extra-argument",
    "Got unexpected extra arguments ({args})": "click.extra-arguments",
    "Option {name!r} requires an argument.": "click.needs-value",
    "Option {name!r} requires {nargs} arguments.": "click.needs-values",
    "Option {name!r} does not take a value.": "click.takes-no-value",
    "{value!r} is not {choice}.": "click.not-choice",
    "{value!r} is not one of {choices}.": "click.not-one-of",
    "{value!r} is not a valid {number_type}.": "click.not-number",
    "{value!r} is not a valid boolean. Recognized values: {states}": "click.not-boolean",
    "{value} is not in the range {range}.": "click.out-of-range",
    "{name} {filename!r} does not exist.": "click.path-missing",
    "{name} {filename!r} is a file.": "click.path-is-file",
    "{name} {filename!r} is a directory.": "click.path-is-dir",
    "{name} {filename!r} is not readable.": "click.path-unreadable",
    "{name} {filename!r} is not writable.": "click.path-unwritable",
    "file": "click.kind-file",
    "directory": "click.kind-directory",
    "path": "click.kind-path",
    "Error: The two entered values do not match.": "click.no-match",
    "Error: invalid input": "click.invalid-input",
    "Repeat for confirmation": "click.repeat",
}
# Metavars click derives from a parameter's type name.
METAVARS = ("text", "integer", "float", "path", "directory", "filename", "boolean")


_speaking: str | None = None  # a language forced for a page (the site's CLI reference), else None


def speak(lang: str | None) -> None:
    """Word click's texts in `lang` from now on (None: the language in force, as for a run)."""
    global _speaking
    _speaking = lang


def _texts() -> dict[str, str]:
    return catalogue(language(_speaking))


def _text(message: str) -> str:
    key = MESSAGES.get(message)
    return _texts().get(key, message) if key else message


def _ntext(singular: str, plural: str, n: int) -> str:
    return _text(singular if n == 1 else plural)


def install() -> None:
    """Word click's messages from the catalogue, in the language in force when each is shown."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types):
        if hasattr(module, "_"):
            module._ = _text  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ntext  # type: ignore[attr-defined]


def _usage(pieces: list[str], group: bool) -> list[str]:
    texts = _texts()
    swap = {"[OPTIONS]": texts["click.options-metavar"]}
    if group:
        swap["COMMAND [ARGS]..."] = texts["click.command-metavar"]
    return [swap.get(p, p) for p in pieces]


class Command(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _text("Show this message and exit.")
        return option

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return _usage(super().collect_usage_pieces(ctx), group=False)


class Group(click.Group):
    command_class = Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _text("Show this message and exit.")
        return option

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return _usage(super().collect_usage_pieces(ctx), group=True)


Group.group_class = Group


def localise_params(command: click.Command, texts: dict[str, str]) -> None:
    """Metavars in the language: an option's from its type (TEXT → 文本), an argument's from
    `help.arg.<name>` when the catalogue has one. Explicit metavars (ID, DIR, LOGIN …) stay."""
    for p in command.params:
        if not hasattr(p, "_erpops_metavar"):
            p._erpops_metavar = p.metavar  # type: ignore[attr-defined]
        if p._erpops_metavar is not None:  # type: ignore[attr-defined]
            continue
        if isinstance(p, click.Argument):
            p.metavar = texts.get(f"help.arg.{p.name}")
        elif isinstance(p, click.Option) and not p.is_flag and p.type.name in METAVARS:
            p.metavar = texts.get(f"click.metavar.{p.type.name}")


def width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Formatter(click.HelpFormatter):
    """Headings with the language's colon; definition lists aligned by terminal columns."""

    def write_heading(self, heading: str) -> None:
        text = _texts().get("click.heading", "{heading}:").replace("{heading}", heading)
        self.write(f"{'':>{self.current_indent}}{text}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:  # type: ignore[override]
        rows = list(rows)
        first = min(max((width(r[0]) for r in rows), default=0), col_max)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            pad = first - width(term) + col_spacing
            if pad > 0 and width(term) <= first:
                self.write(" " * pad)
            else:
                self.write("\n" + " " * (first + col_spacing + self.current_indent))
            self.write(text.replace("\n", " ") + "\n")


class Context(click.Context):
    formatter_class = Formatter


Command.context_class = Context
Group.context_class = Context
