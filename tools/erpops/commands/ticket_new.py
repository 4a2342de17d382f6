"""erpops ticket new in a terminal: numbered choices, each answer checked as it is given, and a
draft that keeps what was typed when the ticket is refused (offered back on the next run).

The questions go through `ask(text) -> str` (cli.py passes click's prompt), so this module knows
no click. The draft is .erpops-cache/ticket-draft.yaml in the repository (ignored by Git).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import yaml

from erpops import doccache, resolve
from erpops.atomic import write_text
from erpops.commands.ticket import _repo, new, person
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.repository import Repository
from erpops.yamlio import load_text

DRAFT = ".erpops-cache/ticket-draft.yaml"
# What is asked, in order: (field, catalogue key of the question, required).
FIELDS = (("subsystem", "ticket.prompt.subsystem", True), ("type_", "ticket.prompt.type", True),
          ("priority", "ticket.prompt.priority", True), ("title", "ticket.prompt.title", True),
          ("symptom", "ticket.prompt.symptom", True), ("cause", "ticket.prompt.cause", False),
          ("impact", "ticket.prompt.impact", False))
Ask = Callable[[str], str]


def draft_path(root: Path) -> Path:
    return root / DRAFT


def read_draft(root: Path) -> dict[str, str]:
    path = draft_path(root)
    if doccache.through_link(root / doccache.FOLDER, "ticket-draft.yaml") or path.is_symlink() or not path.is_file():
        return {}
    doc, _ = load_text(path.read_text("utf-8", errors="replace"), DRAFT)
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int)) and str(v).strip()}


def save_draft(root: Path, values: dict[str, str | None]) -> None:
    kept = {k: v for k, v in values.items() if isinstance(v, str) and v.strip()}
    if not doccache.usable(root / doccache.FOLDER, "ticket-draft.yaml"):  # a link: nowhere to keep it
        return
    write_text(draft_path(root), yaml.safe_dump(kept, allow_unicode=True, sort_keys=False))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _choices(field: str, repo: Repository) -> list[resolve.Option]:
    if field == "subsystem":
        return [o for o in resolve.subsystem_options(repo.roster) if o.value in repo.policy.ticket_prefixes]
    if field == "type_":
        return resolve.type_options(repo.policy)
    if field == "priority":
        return resolve.priority_options(repo.policy)
    return []


def _check(field: str, repo: Repository, answer: str, options: list[resolve.Option]) -> str:
    """The canonical value of an answer: a number from the list, or anything the resolver takes."""
    if options and answer.strip().isdigit() and 1 <= int(answer) <= len(options) and field != "priority":
        return options[int(answer) - 1].value
    if field == "subsystem":
        return resolve.pick("subsystem", answer, options)
    if field == "type_":
        return resolve.ticket_type(repo.policy, answer)
    if field == "priority":
        return resolve.priority(repo.policy, answer)
    return answer.strip()


def _question(field: str, key: str, repo: Repository, ask: Ask, required: bool) -> str:
    options = _choices(field, repo)
    if options:
        _say(t(key) + "：")
        for i, o in enumerate(options, 1):
            _say(f"  {i}. {o.label}")
    while True:
        answer = ask(t("ticket.prompt.choose") if options else t(key)).strip()
        if not answer:
            if not required:
                return ""
            _say(t("ticket.prompt.required"))
            continue
        if answer in ("?", "？") and options:
            for i, o in enumerate(options, 1):
                _say(f"  {i}. {o.label}")
            continue
        try:
            return _check(field, repo, answer, options)
        except FatalError as err:
            _say(str(err))


def _yes(answer: str) -> bool:
    return answer.strip().casefold() in ("", "y", "yes", "是", "好", "1", "对")


def interactive(root: Path, ask: Ask, given: dict[str, str | None]) -> int:
    """Ask for what `given` (the flags) lacks, save each answer in the draft, then open the ticket;
    the draft goes once the ticket is written and stays when it is refused."""
    repo = _repo(root)
    values: dict[str, str | None] = dict(given)
    draft = read_draft(root)
    if draft and _yes(ask(t("ticket.draft.offer", fields=t("list.sep").join(
            f"{t('ticket.draft.field.' + k)}：{v}" for k, v in draft.items() if k in _KNOWN)))):
        for k, v in draft.items():
            if k in _KNOWN and not values.get(k):
                values[k] = v
    while True:
        try:
            values["by"] = person(repo, values.get("by"), root)
            break
        except FatalError as err:
            _say(str(err))
            values["by"] = ask(t("ticket.prompt.by")).strip() or None
    for field, key, required in FIELDS:
        if values.get(field):
            if field in ("subsystem", "type_", "priority"):
                try:
                    values[field] = _check(field, repo, values[field] or "", _choices(field, repo))
                except FatalError as err:
                    _say(str(err))
                    values[field] = _question(field, key, repo, ask, required)
            continue
        values[field] = _question(field, key, repo, ask, required) or None
        save_draft(root, values)
    save_draft(root, values)
    try:
        code = new(root, **{k: v for k, v in values.items() if k in _ARGS})  # type: ignore[arg-type]
    except FatalError as err:
        _say(str(err))
        code = err.code
    if code == 0:
        draft_path(root).unlink(missing_ok=True)
    else:
        sys.stderr.write(t("ticket.draft.kept", path=DRAFT) + "\n")
    return code


_ARGS = ("subsystem", "type_", "priority", "title", "symptom", "cause", "impact", "reporter", "end_user",
         "runbooks", "tier", "assignee", "note", "by", "at", "branch")
_KNOWN = ("subsystem", "type_", "priority", "title", "symptom", "cause", "impact", "by")
