"""The command-line reference, built from the click command tree each time the site is built:
every command, argument and option with its default and help, so the page cannot drift."""
from __future__ import annotations

from markupsafe import Markup

from erpops.site.context import AUDIENCES as ALL, Context

AUDIENCES = ALL
PATH = "cli.md"


def code(value: object) -> Markup:
    """A Markdown code span that shows `value` exactly: a fence longer than any backtick run in it."""
    text = " ".join(str(value).split())
    run = longest = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def _default(ctx: Context, p: dict) -> Markup | str:
    value = p.get("default")
    if p.get("envvar"):
        return ctx.t("cli-ref.envvar", name=p["envvar"])
    if value is None or value is False or value == () or value == []:
        return ""
    if p.get("is_flag") and value is True:
        return ctx.t("cli-ref.on")
    return code(value)


def _param(ctx: Context, p: dict) -> dict:
    if p["param_type_name"] == "argument":
        usage = code(p["metavar"])
    elif p.get("is_flag"):
        usage = code(" / ".join(p["opts"] + p.get("secondary_opts", [])))
    else:
        usage = code(f'{", ".join(p["opts"])} {p["metavar"]}')
    notes = []
    if p.get("multiple"):
        notes.append(ctx.t("cli-ref.repeatable"))
    return {
        "usage": usage,
        "required": ctx.t("cli-ref.yes") if p.get("required") else "",
        "default": _default(ctx, p),
        "help": " ".join(filter(None, [p.get("help") or "", *notes])),
    }


def commands(ctx: Context) -> list[dict]:
    from erpops.cli import reference  # the only module that knows click

    return [
        {"path": c["path"], "usage": code(c["usage"]), "help": c["help"], "group": c["group"],
         "params": [_param(ctx, p) for p in c["params"]]}
        for c in reference(ctx.lang)
    ]


def pages(ctx: Context) -> dict[str, str]:
    return {PATH: ctx.render("cli_reference.md.j2", commands=commands(ctx))}


def panel(ctx: Context) -> None:
    return None
