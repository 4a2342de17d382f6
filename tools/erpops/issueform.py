"""The GitHub issue form for a ticket, from the roster and the policy; and the parser of what GitHub
makes of a submitted form.

Pure: a Roster and a Policy in, the form's text out; an issue body in, the fields out. GitHub writes
a submitted form as Markdown: for each field `### <label>`, a blank line, then the value, with
`_No response_` for an optional field left empty. Dropdown values are matched exactly against the
options this module writes, so a body edited by hand cannot smuggle in anything else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from erpops.i18n import t
from erpops.model import Roster
from erpops.policy import Policy

PATH = ".github/ISSUE_TEMPLATE/ticket.yml"
CONFIG_PATH = ".github/ISSUE_TEMPLATE/config.yml"
# Gitea and Forgejo read GitHub's issue-form syntax from .gitea/ISSUE_TEMPLATE/; GitLab has no
# forms (gitlab-org/gitlab#300252): a Markdown template with the same `### <label>` headings,
# dropdowns as a list to keep one line of, hints in HTML comments (which GitLab does not show).
GITEA_PATH = ".gitea/ISSUE_TEMPLATE/ticket.yml"
GITEA_CONFIG_PATH = ".gitea/ISSUE_TEMPLATE/config.yml"
GITLAB_PATH = ".gitlab/issue_templates/工单.md"
LABEL = "ticket"
PRIORITIES = ("P1", "P2", "P3", "P4")
NO_RESPONSE = "_No response_"
# Field ids, in the form's order; the dropdowns and the required ones.
FIELDS = ("subsystem", "type", "priority", "symptom", "cause", "impact", "runbooks", "reporter", "end_user")
DROPDOWNS = ("subsystem", "type", "priority")
REQUIRED = ("subsystem", "type", "priority", "symptom")
TEXTAREAS = ("symptom", "cause", "impact")


@dataclass(frozen=True)
class Options:
    """Each dropdown's options as written in the form, mapped to the value they stand for."""

    subsystem: dict[str, str]
    type: dict[str, str]
    priority: dict[str, str]


def options(roster: Roster, policy: Policy, lang: str) -> Options:
    subs = {t("issueform.option", lang, name=s.display(lang), code=code): code
            for code, s in roster.subsystems.items()}
    types = {t("issueform.option", lang, name=k.display(lang), code=tid): tid
             for tid, k in policy.ticket_types.items()}
    prios = {t("issueform.priority-option", lang, priority=p, meaning=t(f"issueform.priority.{p}", lang)): p
             for p in PRIORITIES}
    return Options(subs, types, prios)


def label(field: str, lang: str) -> str:
    return t(f"issueform.field.{field}", lang)


def _key(name: str, forge: str) -> str:
    """The catalogue key of a text that names the forge: GitHub's are the original ones."""
    return f"issueform.{name}" if forge == "github" else f"issueform.{forge}.{name}"


def render(roster: Roster, policy: Policy, lang: str, forge: str = "github") -> str:
    """The text of .github/ISSUE_TEMPLATE/ticket.yml (or Gitea's .gitea/ISSUE_TEMPLATE/ticket.yml)."""
    opts = options(roster, policy, lang)
    body: list[dict] = [{"type": "markdown", "attributes": {"value": t(_key("intro", forge), lang) + "\n"}}]
    for field in FIELDS:
        attributes: dict = {"label": label(field, lang), "description": t(f"issueform.help.{field}", lang)}
        if field in DROPDOWNS:
            kind = "dropdown"
            attributes["options"] = list(getattr(opts, field))
        else:
            kind = "textarea" if field in TEXTAREAS else "input"
        entry = {"type": kind, "id": field, "attributes": attributes}
        if field in REQUIRED:
            entry["validations"] = {"required": True}
        body.append(entry)
    form = {"name": t("issueform.name", lang), "description": t("issueform.description", lang),
            "title": t("issueform.title-prefix", lang), "labels": [LABEL], "body": body}
    header = "".join(f"# {line}\n" for line in t(_key("header", forge), lang).splitlines())
    return header + yaml.dump(form, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def render_config(lang: str) -> str:
    """config.yml: no blank issues, so every issue is either a ticket form or a deliberate choice."""
    header = "".join(f"# {line}\n" for line in t("issueform.config-header", lang).splitlines())
    return header + "blank_issues_enabled: false\n"


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, as a person would write them."""


_Dumper.add_representer(str, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))


def paths(forge: str) -> tuple[str, ...]:
    """The files `erpops issue-form --forge` writes."""
    return {"github": (PATH, CONFIG_PATH), "gitea": (GITEA_PATH, GITEA_CONFIG_PATH),
            "gitlab": (GITLAB_PATH,)}[forge]


def render_files(roster: Roster, policy: Policy, lang: str, forge: str = "github") -> dict[str, str]:
    if forge == "gitlab":
        return {GITLAB_PATH: render_markdown(roster, policy, lang)}
    first, config = paths(forge)
    return {first: render(roster, policy, lang, forge), config: render_config(lang)}


def _html_comment(text: str) -> str:
    return "<!-- " + text.replace("-->", "->") + " -->"


def render_markdown(roster: Roster, policy: Policy, lang: str) -> str:
    """GitLab's issue template: the form's fields as `### <label>` headings, parsed back by parse()."""
    opts = options(roster, policy, lang)
    out = [_html_comment(t("issueform.gitlab.header", lang)), "",
           _html_comment(t("issueform.gitlab.intro", lang).strip()), ""]
    for field in FIELDS:
        out += [f"### {label(field, lang)}", ""]
        hint = t(f"issueform.help.{field}", lang)
        if field in REQUIRED:
            hint = t("issueform.md-required", lang) + hint
        if field in DROPDOWNS:
            hint += t("issueform.md-choose", lang)
        out += [_html_comment(hint), ""]
        if field in DROPDOWNS:
            out += [f"- {option}" for option in getattr(opts, field)] + [""]
    out += [f'/label ~"{LABEL}"', ""]
    return "\n".join(out)


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")


def parse_markdown(body: str, roster: Roster, policy: Policy, lang: str) -> dict[str, str | None]:
    """The fields of an issue written from the GitLab template: comments and quick actions dropped,
    of a dropdown's list exactly one line kept; then as parse()."""
    text = _COMMENT.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    lines, field = [], None
    labels = {label(f, lang): f for f in FIELDS}
    for line in text.split("\n"):
        if line.startswith("### "):
            field = labels.get(line[4:].strip())
        elif line.startswith("/label "):
            continue
        elif field in DROPDOWNS:
            line = _BULLET.sub("", line).strip()
        lines.append(line)
    return parse("\n".join(lines), roster, policy, lang)


class FormError(ValueError):
    """A submitted form that cannot become a ticket; args[0] is the catalogue key, args[1] the params."""


def parse(body: str, roster: Roster, policy: Policy, lang: str) -> dict[str, str | None]:
    """The fields of a submitted form: dropdowns as codes, free text stripped, None where empty."""
    labels = {label(f, lang): f for f in FIELDS}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        head = line[4:].strip() if line.startswith("### ") else None
        if head in labels and labels[head] not in found:
            current = labels[head]
            found[current] = []
        elif current is not None:
            found[current].append(line)
    if not found:
        raise FormError("issueform.not-a-form", {})
    values: dict[str, str | None] = {}
    for field in FIELDS:
        text = "\n".join(found.get(field, [])).strip()
        values[field] = None if text in ("", NO_RESPONSE) else text
    opts = options(roster, policy, lang)
    for field in DROPDOWNS:
        value = values[field]
        if value is None:
            continue
        choices = getattr(opts, field)
        if value not in choices:
            raise FormError("issueform.bad-option", {"field": label(field, lang), "value": _short(value)})
        values[field] = choices[value]
    for field in REQUIRED:
        if values[field] is None:
            raise FormError("issueform.missing-field", {"field": label(field, lang)})
    return values


def runbook_ids(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r in re.split(r"[\s,，、]+", value or "") if r))


def _short(value: str, limit: int = 60) -> str:
    one = " ".join(value.split())
    return one if len(one) <= limit else one[:limit] + "…"
