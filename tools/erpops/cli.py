"""The command line: the only module that knows click. Parse, then call a command function."""
from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from erpops import __version__, clihelp, i18n
from erpops.errors import FatalError, guarded
from erpops.load import find_root
from erpops.output import FORMATS

_LANG = click.Choice(i18n.LANGUAGES)
clihelp.install()  # click's own words (usage, errors, defaults) from the catalogue


def _root(repo: Path | None) -> Path:
    start = repo or Path.cwd()
    root = find_root(start)
    if root is None:
        raise FatalError(i18n.t("cli.no-root", start=start))
    return root


def _lang_option(f):
    def set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value:
            i18n.set_language(value)
        return value

    return click.option("--lang", type=_LANG, expose_value=False, callback=set_lang,
                        is_eager=True, help="zh | en (default: $ERPOPS_LANG, then zh)")(f)


_repo_option = click.option(
    "--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The ops repository (default: the nearest folder above with roster/).",
)


_codequality_option = click.option(
    "--codequality", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
    help="Also write the findings as a GitLab Code Quality report (JSON) to this file.",
)


@click.group(cls=clihelp.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="erpops")
@_lang_option
def cli() -> None:
    """erpops: ERP operations as code (运维即代码)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also append a Markdown report to this file (in CI: \"$GITHUB_STEP_SUMMARY\").")
@_codequality_option
@_repo_option
@_lang_option
def check(paths: tuple[Path, ...], fmt: str, summary: Path | None, codequality: Path | None,
          repo: Path | None) -> None:
    """Validate the repository: schemas and rules. Exit 0 clean, 1 violations, 2 unusable input."""
    from erpops.commands.check import check as run

    root = _root(repo or (paths[0] if paths and paths[0].is_dir() else None))
    for p in paths:
        try:
            p.resolve().relative_to(root)
        except ValueError:
            raise FatalError(i18n.t("cli.path-outside", path=p, root=root)) from None
    raise SystemExit(run(root, list(paths), fmt, summary=summary, codequality=codequality))


@cli.command()
@click.argument("query")
@_repo_option
@_lang_option
def who(query: str, repo: Path | None) -> None:
    """Who owns SUBSYSTEM, what PERSON does, and whom to call (code, name or id)."""
    from erpops.commands.who import who as run

    raise SystemExit(run(_root(repo), query))


@cli.group(invoke_without_command=True)
@_repo_option
@_lang_option
@click.pass_context
def calendar(ctx: click.Context, repo: Path | None) -> None:
    """Which years the working calendar covers (exit 1 when today's is not); import a year."""
    if ctx.invoked_subcommand is None:
        from erpops.commands.calendar import show

        raise SystemExit(show(_root(repo)))


@calendar.command("import")
@click.argument("year", type=int)
@_repo_option
@_lang_option
def calendar_import(year: int, repo: Path | None) -> None:
    """Add YEAR's holidays and make-up days from the chinese-calendar package to policy.yaml."""
    from erpops.commands.calendar import import_year

    raise SystemExit(import_year(_root(repo), year))


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only show what would be sent and to whom.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The delivery record (default: .erpops-notify/sent.json).")
@_repo_option
@_lang_option
def notify(dry_run: bool, state: Path | None, repo: Path | None) -> None:
    """Tell people what needs them, once per change of state, over the policy's robots and e-mail."""
    from erpops.commands.notify import notify as run

    raise SystemExit(run(_root(repo), dry_run=dry_run, state_path=state))


@cli.command()
@click.argument("name", required=False)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Export every schema into this folder.")
@_lang_option
def schema(name: str | None, out: Path | None) -> None:
    """List the JSON Schemas, print one, or export them all."""
    from erpops.commands.schema import schema as run

    raise SystemExit(run(name, out))


@cli.group()
def runbook() -> None:
    """Contingency plans and procedures: scaffold one, list the reviews coming due."""


@runbook.command("new")
@click.option("--kind", type=click.Choice(("contingency", "procedure", "maintenance")), required=True)
@click.option("--id", "rid", required=True, help="File name without .md, e.g. backup-restore.")
@click.option("--title", required=True)
@click.option("--owner", required=True, help="Person id of the owner.")
@click.option("--subsystem", "subsystems", multiple=True,
              help="Subsystem code; repeat for several. None: all (runbooks/common/).")
@_repo_option
@_lang_option
def runbook_new(kind: str, rid: str, title: str, owner: str, subsystems: tuple[str, ...],
                repo: Path | None) -> None:
    """Write runbooks/<subsystem or common>/<ID>.md with every required section to fill in."""
    from erpops.commands.runbook import new

    raise SystemExit(new(_root(repo), kind, rid, title, owner, list(subsystems)))


@runbook.command("due")
@click.option("--within", type=int, default=30, show_default=True, help="Days ahead to look.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@_repo_option
@_lang_option
def runbook_due(within: int, fmt: str, repo: Path | None) -> None:
    """List runbooks whose review is overdue or due within DAYS (today: $ERPOPS_TODAY or the date)."""
    from erpops.commands.runbook import due

    raise SystemExit(due(_root(repo), within, fmt))


_FORGES = ("github", "gitlab", "gitea")
_forge_option = click.option(
    "--forge", type=click.Choice(_FORGES), default=None,
    help="Which forge's dialect and folder: .github/, .gitlab/ or .gitea/ (Gitea and Forgejo); default: policy.yaml's forge, then github.")


@cli.command()
@click.option("--check", "check_only", is_flag=True,
              help="Do not write: exit 1 with a diff when the committed file is out of date.")
@_forge_option
@_repo_option
@_lang_option
def codeowners(check_only: bool, forge: str, repo: Path | None) -> None:
    """Generate the forge's CODEOWNERS from the roster (.github/, .gitlab/ or .gitea/; or --check it)."""
    from erpops.commands.codeowners import codeowners as run

    raise SystemExit(run(_root(repo), check_only, forge=forge))


@cli.command("issue-form")
@click.option("--check", "check_only", is_flag=True,
              help="Do not write: exit 1 with a diff when the committed form is out of date.")
@_forge_option
@_repo_option
@_lang_option
def issue_form(check_only: bool, forge: str, repo: Path | None) -> None:
    """Generate the ticket form (.github/ or .gitea/ISSUE_TEMPLATE/, .gitlab/issue_templates/) from the roster and policy (or --check it)."""
    from erpops.commands.issue_form import issue_form as run

    raise SystemExit(run(_root(repo), check_only, forge=forge))


@cli.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--org", default=None, help="The organisation's name: the site's title and the README's.")
@_forge_option
@_lang_option
def init(directory: Path, org: str | None, forge: str) -> None:
    """Create a new ops repository in DIR (new or empty): placeholder roster, default policy, site, workflows.

    The repository's language is --lang (default: $ERPOPS_LANG, then zh).
    """
    from erpops.commands.init import init as run

    raise SystemExit(run(directory, None, org, forge or "github"))


@cli.command()
@click.option("--to", "to", required=True, type=click.Path(path_type=Path),
              help="The folder the web server serves (replaced as a whole by the new site).")
@click.option("--site", "site", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="The built site (default: site/ of the repository, from mkdocs build).")
@_repo_option
@_lang_option
def publish(to: Path, site: Path | None, repo: Path | None) -> None:
    """Copy the built site to a folder a web server serves: for forges without a Pages service."""
    from erpops.commands.publish import publish as run

    raise SystemExit(run(_root(repo), to, site))


@cli.command("pages-guard")
@click.option("--pages-private", envvar="ERPOPS_PAGES_PRIVATE", default=None, metavar="true|false",
              help="Whether the GitHub Pages site is private (default: $ERPOPS_PAGES_PRIVATE).")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also append the verdict to this Markdown file (in CI: \"$GITHUB_STEP_SUMMARY\").")
@_repo_option
@_lang_option
def pages_guard(pages_private: str | None, summary: Path | None, repo: Path | None) -> None:
    """Exit 1 if mkdocs.yml says the site is internal and Pages is not declared private."""
    from erpops.commands.pages_guard import pages_guard as run

    raise SystemExit(run(_root(repo), pages_private, summary))


def _pull_request_options(f):
    """The options pr-check and gate share: the pull request as the forge tells it, and the output."""
    options = (
        click.option("--base", default=None, help="The base commit of the pull request (in CI: its base SHA)."),
        click.option("--head", default=None, help="The head commit (default: HEAD, the merge commit GitHub checks out)."),
        click.option("--author", default=None, metavar="LOGIN",
                     help="The pull request author's GitHub login; new events must be theirs. Empty: not checked."),
        click.option("--acting-for", default=None, metavar="LOGIN",
                     help="For a pull request a bot opened: the GitHub login of the person it acts for (from the forge)."),
        click.option("--opened-at", default=None, metavar="TIME",
                     help="When the pull request was opened, ISO 8601 (in CI: github.event.pull_request.created_at)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Also append a Markdown report to this file (in CI: \"$GITHUB_STEP_SUMMARY\")."),
    )
    for option in reversed(options):
        f = option(f)
    return f


@cli.group()
def site() -> None:
    """The site's pages outside MkDocs' plugins."""


@site.command("pages")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--audience", type=click.Choice(("internal", "public")), default=None,
              help="internal | public (default: the erpops plugin's setting in mkdocs.yml).")
@click.option("--flat-urls", is_flag=True, default=None,
              help="Pages as page.html instead of page/ (MkDocs' use_directory_urls: false).")
@_repo_option
@_lang_option
def site_pages(out: Path, audience: str | None, flat_urls: bool | None, repo: Path | None) -> None:
    """Write every page of the site, the hand-written docs and a mkdocs.yml without the erpops plugin into OUT."""
    from erpops.commands.site_pages import site_pages as run

    raise SystemExit(run(_root(repo), out, i18n.explicit_language(), audience, False if flat_urls else None))


@cli.command()
@_pull_request_options
@_forge_option
@_repo_option
@_lang_option
def gate(base: str | None, head: str | None, author: str | None, acting_for: str | None, opened_at: str | None,
         fmt: str, summary: Path | None, forge: str | None, repo: Path | None) -> None:
    """The CI's data gate over one load: check, codeowners --check, issue-form --check; with --base also pr-check."""
    from erpops.commands.gate import gate as run

    raise SystemExit(run(_root(repo), fmt, summary=summary, forge=forge, base=base, head=head, login=author,
                         acting_for=acting_for, opened_at=opened_at))


@cli.command("pr-check")
@_pull_request_options
@_codequality_option
@click.option("--forge", type=click.Choice(("auto", "github", "gitlab", "gitea")), default=None,
              help="The forge (auto: from the CI environment, then policy.yaml); fills --base/--author/--opened-at.")
@click.option("--post", is_flag=True, help="Post the findings on the pull request through the forge's API.")
@click.option("--owner-approval", is_flag=True,
              help="Ask the forge whether an owner of each changed path approved (rule pr-owner-approval).")
@_repo_option
@_lang_option
def pr_check(base: str | None, head: str | None, author: str | None, acting_for: str | None,
             opened_at: str | None, fmt: str, summary: Path | None, codequality: Path | None,
             forge: str | None, post: bool, owner_approval: bool, repo: Path | None) -> None:
    """Check what a pull request changes: tickets only appended to, by the right people. Exit 0/1/2 as check."""
    from erpops.commands.pr_check import pr_check as run

    raise SystemExit(run(_root(repo), base, head, author, fmt, summary=summary, acting_for=acting_for,
                         opened_at=opened_at, forge=forge, post=post, owner_approval=owner_approval,
                         codequality=codequality))


@cli.command()
@click.argument("tid", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@_repo_option
@_lang_option
def audit(tid: str, fmt: str, repo: Path | None) -> None:
    """A ticket's Git history; flags events whose person or time disagree with their commit (exit 1)."""
    from erpops.commands.audit import audit as run

    raise SystemExit(run(_root(repo), tid, fmt))


@cli.group()
def ticket() -> None:
    """Tickets: open, assign, escalate, comment, resolve, close, reopen, cancel, hold, resume, move, update, show, list."""


_by_option = click.option("--by", default=None, help="Your person id (default: from git user.email or the login).")
_at_option = click.option("--at", default=None, help="When, ISO 8601 (default: now, Asia/Shanghai; $ERPOPS_NOW).")
_note_option = click.option("--note", default=None, help="What was done and why.")
_branch_option = click.option("--branch", default=None,
                              help="Create this Git branch and commit the change on it, ready for a pull request.")


def _ask(value: str | None, option: str, key: str) -> str:
    """A required value: from the flag, else asked for when run in a terminal."""
    if value:
        return value
    if sys.stdin.isatty():
        answer = click.prompt(i18n.t(key), prompt_suffix=i18n.t("cli.prompt-suffix"))
        _refuse_control(option, answer)
        return answer
    raise FatalError(i18n.t("ticket.missing", option=option))


def _refuse_control(name: str, value: str) -> None:
    """A control character (DEL, NEL, ESC …) in what a person typed: refused by name before
    anything is read or written, instead of a YAML error about a file never written."""
    if value.isprintable():  # every character edits.CONTROL names is not: most arguments import nothing
        return
    from erpops.edits import control

    at = control(value)
    if at is not None:
        raise FatalError(i18n.t("cli.control-character", option=name, char=f"U+{ord(value[at]):04X}",
                                position=at + 1))


def _check_controls(args: list[str]) -> None:
    """Every argument of the command line, named by its option (`--note`) or its position."""
    for i, arg in enumerate(args):
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif i > 0 and args[i - 1].startswith("-") and "=" not in args[i - 1]:
            name, value = args[i - 1], arg
        else:
            name, value = i18n.t("cli.argument", position=i + 1), arg
        _refuse_control(name, value)


@ticket.command("new")
@click.option("--subsystem", default=None, help="Subsystem code, e.g. production.")
@click.option("--type", "type_", default=None, help="Ticket type from policy.yaml, e.g. fault.")
@click.option("--priority", default=None, help="P1 to P4 (p2 or 2 will do).")
@click.option("--title", default=None, help="A short title.")
@click.option("--symptom", default=None, help="What was seen: message, document number.")
@click.option("--cause", default=None, help="The operation that produced it.")
@click.option("--impact", default=None, help="The impact on production.")
@click.option("--reporter", default=None, help="Person id of the reporter (default: --by).")
@click.option("--end-user", default=None, help="An end user not in the roster; you file it for them.")
@click.option("--runbook", "runbooks", multiple=True, help="Linked runbook id; repeat for several.")
@click.option("--tier", default="key-user", help="The tier it is opened at (default: key user).")
@click.option("--assignee", default=None, help="Person id (default: --by).")
@_note_option
@_by_option
@_at_option
@_branch_option
@_repo_option
@_lang_option
def ticket_new(subsystem, type_, priority, title, symptom, cause, impact, reporter, end_user, runbooks,
               tier, assignee, note, by, at, branch, repo) -> None:
    """Open a ticket at tickets/<subsystem>/<YYYY>/<id>.yaml (flags, or prompts in a terminal)."""
    from erpops.commands.ticket import new

    root = _root(repo)
    if sys.stdin.isatty() and not (subsystem and type_ and priority and title and symptom):
        from erpops.commands.ticket_new import interactive

        def ask(text: str) -> str:
            return click.prompt(text, default="", show_default=False, prompt_suffix=i18n.t("cli.prompt-suffix"))

        raise SystemExit(interactive(root, ask, dict(
            subsystem=subsystem, type_=type_, priority=priority, title=title, symptom=symptom, cause=cause,
            impact=impact, reporter=reporter, end_user=end_user, runbooks=runbooks, tier=tier,
            assignee=assignee, note=note, by=by, at=at, branch=branch)))
    raise SystemExit(new(
        root, subsystem=_ask(subsystem, "--subsystem", "ticket.prompt.subsystem"),
        type_=_ask(type_, "--type", "ticket.prompt.type"),
        priority=_ask(priority, "--priority", "ticket.prompt.priority"),
        title=_ask(title, "--title", "ticket.prompt.title"),
        symptom=_ask(symptom, "--symptom", "ticket.prompt.symptom"),
        cause=cause, impact=impact, reporter=reporter, end_user=end_user, runbooks=runbooks,
        tier=tier, assignee=assignee, note=note, by=by, at=at, branch=branch,
    ))


@ticket.command("from-issue")
@click.option("--event", "event_path", required=True, type=click.Path(path_type=Path),
              help="The issue: GitHub's or Gitea's `issues` event ($GITHUB_EVENT_PATH), GitLab's issue (API or webhook JSON).")
@_forge_option
@_branch_option
@click.option("--answer-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="On a refusal, also write the answer for the issue (the reason and what to do, as Markdown) to FILE.")
@_repo_option
@_lang_option
def ticket_from_issue(event_path: Path, forge: str, branch: str | None, answer_file: Path | None,
                      repo: Path | None) -> None:
    """Open a ticket from a submitted ticket form (an issue); its author must have a login on that forge in the roster."""
    from erpops.commands.ticket_issue import from_issue

    raise SystemExit(from_issue(_root(repo), event_path, branch, forge, answer_file))


@ticket.command("from-comment")
@click.option("--event", "event_path", required=True, type=click.Path(path_type=Path),
              help="The comment: GitHub's or Gitea's `issue_comment` event ($GITHUB_EVENT_PATH), or GitLab's Note Hook (JSON).")
@click.option("--answer", is_flag=True,
              help="On a refusal, answer on the issue with the reason and what to type (the token from the environment only).")
@_forge_option
@_branch_option
@_repo_option
@_lang_option
def ticket_from_comment(event_path: Path, answer: bool, forge: str, branch: str | None, repo: Path | None) -> None:
    """Record a command comment on an issue (/note, /confirm, /escalate …) as a ticket event; its author must have a login on that forge in the roster."""
    from erpops.commands.ticket_comment import from_comment

    raise SystemExit(from_comment(_root(repo), event_path, branch, forge, answer))


@ticket.command("answer")
@click.option("--before", required=True, help="The commit before the push (in CI: github.event.before).")
@click.option("--after", default="HEAD", help="The commit after the push (default: HEAD).")
@_forge_option
@_repo_option
@_lang_option
def ticket_answer(before: str, after: str, forge: str, repo: Path | None) -> None:
    """Answer on the issues the tickets' news in a push (who holds it, at which tier, by when); close the issue when the ticket is closed or cancelled, reopen it when it is reopened."""
    from erpops.commands.ticket_answer import answer

    raise SystemExit(answer(_root(repo), before, after, forge))


def _event_command(kind: str, doc: str, *, to: bool = False, tier: bool = False,
                   note_required: bool = False, resolve: bool = False, reason: bool = False):
    def run(tid, by, at, branch, repo, note=None, to=None, tier=None, summary=None, root_cause=None,
            reason=None) -> None:
        from erpops.commands.ticket import event

        if note_required:
            note = _ask(note, "--note", "ticket.prompt.note")
        raise SystemExit(event(_root(repo), tid, kind, to=to, tier=tier, note=note, summary=summary,
                               root_cause=root_cause, by=by, at=at, branch=branch, reason=reason))

    run.__doc__ = doc
    f = run
    for option in (_lang_option, _repo_option, _branch_option, _at_option, _by_option, _note_option):
        f = option(f)
    if to:
        f = click.option("--to", required=not tier, help=(
            "Person id of the new assignee (default: the subsystem's holder of that tier)."
            if tier else "Person id of the new assignee."))(f)
    if tier:
        f = click.option("--tier", default=None, help="Tier to escalate to (default: the next one).")(f)
    if reason:
        f = click.option("--reason", required=True, type=click.Choice(("reporter", "vendor", "change")),
                         help="What the ticket waits for: the reporter's answer, the vendor, a scheduled change.")(f)
    if resolve:
        f = click.option("--summary", required=True, help="How it was solved.")(f)
        f = click.option("--root-cause", required=True, help="The root cause.")(f)
    f = click.argument("tid", metavar="ID")(f)
    return ticket.command(kind)(f)


_event_command("assign", "Hand the ticket to another person at the same tier.", to=True)
_event_command("escalate", "Escalate to the next tier (one at a time; see policy.yaml).", to=True, tier=True)
_event_command("comment", "Add a note to the history.", note_required=True)
_event_command("resolve", "Record the resolution (summary, root cause).", resolve=True)
_event_command("close", "Close a resolved ticket.")
_event_command("reopen", "Reopen a resolved or closed ticket.", note_required=True)
_event_command("cancel", "Cancel a ticket that needs no handling.", note_required=True)
_event_command("hold", "Put the ticket on hold while it waits; the status stays, the resolve clock may stop.",
               note_required=True, reason=True)
_event_command("resume", "Take the ticket off hold.", note_required=True)


@ticket.command("close-unconfirmed")
@_by_option
@_at_option
@_branch_option
@_repo_option
@_lang_option
def ticket_close_unconfirmed(by, at, branch, repo) -> None:
    """Close, as unanswered, resolved tickets past the policy's wait for confirmation (ops office only)."""
    from erpops.commands.ticket import close_unconfirmed

    raise SystemExit(close_unconfirmed(_root(repo), by=by, at=at, branch=branch))


@ticket.command("move")
@click.argument("tid", metavar="ID")
@click.option("--to", "to", required=True, help="Code of the subsystem the ticket moves to.")
@_note_option
@_by_option
@_at_option
@_branch_option
@_repo_option
@_lang_option
def ticket_move(tid, to, note, by, at, branch, repo) -> None:
    """Move the ticket to another subsystem (a move event; the file goes to tickets/<to>/)."""
    from erpops.commands.ticket import move

    note = _ask(note, "--note", "ticket.prompt.note")
    raise SystemExit(move(_root(repo), tid, to, note=note, by=by, at=at, branch=branch))


@ticket.command("update")
@click.argument("tid", metavar="ID")
@click.option("--title", default=None, help="A short title.")
@click.option("--symptom", default=None, help="What was seen: message, document number.")
@click.option("--cause", default=None, help="The operation that produced it.")
@click.option("--impact", default=None, help="The impact on production.")
@click.option("--priority", default=None, help="P1 to P4 (p2 or 2 will do).")
@click.option("--type", "type_", default=None, help="Ticket type from policy.yaml, e.g. fault.")
@click.option("--runbook", "runbooks", multiple=True, help="Linked runbook id; repeat for several.")
@_note_option
@_by_option
@_at_option
@_branch_option
@_repo_option
@_lang_option
def ticket_update(tid, title, symptom, cause, impact, priority, type_, runbooks, note, by, at, branch, repo) -> None:
    """Correct ticket fields with an update event that lists them (--note says why)."""
    from erpops.commands.ticket import update

    note = _ask(note, "--note", "ticket.prompt.note")
    raise SystemExit(update(_root(repo), tid, note=note, title=title, symptom=symptom, cause=cause, impact=impact,
                            priority=priority, type_=type_, runbooks=runbooks, by=by, at=at, branch=branch))


@ticket.command("show")
@click.argument("tid", metavar="ID")
@_repo_option
@_lang_option
def ticket_show(tid: str, repo: Path | None) -> None:
    """Print one ticket with its history."""
    from erpops.commands.ticket_view import show

    raise SystemExit(show(_root(repo), tid))


@ticket.command("list")
@click.option("--subsystem", default=None, help="Subsystem: code, name or alias.")
@click.option("--status", default=None, help="Status: code or name; unresolved for every unfinished one.")
@click.option("--tier", default=None, help="Tier: code or name.")
@click.option("--assignee", default=None, help="Person id or name.")
@click.option("--overdue", is_flag=True, help="Only tickets past an SLA target (now: $ERPOPS_NOW or now).")
@click.option("--all", "all_", is_flag=True, help="Finished tickets too (default: only unfinished ones).")
@_repo_option
@_lang_option
def ticket_list(subsystem, status, tier, assignee, overdue, all_, repo) -> None:
    """List tickets, oldest first, filtered; unfinished ones unless --all or --status."""
    from erpops.commands.ticket_view import list_

    raise SystemExit(list_(_root(repo), subsystem=subsystem, status=status, tier=tier,
                           assignee=assignee, overdue=overdue, all_=all_))


@cli.group()
def improvement() -> None:
    """Improvement items: raise from ticket feedback, accept, start, done, reject, comment, list."""


@improvement.command("new")
@click.option("--from-ticket", "from_ticket", required=True, help="The id of the ticket the feedback is on.")
@click.option("--feedback", type=click.IntRange(min=1), required=True,
              help="Which feedback entry of that ticket, counting from 1.")
@click.option("--title", default=None, help="The item (default: the feedback's text).")
@click.option("--target", type=click.Choice(("system", "organisation", "process")), default=None,
              help="system | organisation | process (default: the feedback's kind).")
@click.option("--owner", default=None, help="The owner's person id.")
@click.option("--due", default=None, metavar="YYYY-MM-DD", help="The due date, YYYY-MM-DD.")
@_note_option
@_by_option
@_at_option
@_branch_option
@_repo_option
@_lang_option
def improvement_new(from_ticket, feedback, title, target, owner, due, note, by, at, branch, repo) -> None:
    """Raise an improvement item from one feedback entry of a ticket (ops office only)."""
    from erpops.commands.improvement import new

    raise SystemExit(new(_root(repo), from_ticket=from_ticket, feedback=feedback, owner=owner, due=due,
                         title=title, target=target, note=note, by=by, at=at, branch=branch))


def _improvement_event(kind: str, doc: str, *, plan: bool = False, note_required: bool = False):
    def run(iid, note, by, at, branch, repo, owner=None, due=None) -> None:
        from erpops.commands.improvement import event

        if note_required:
            note = _ask(note, "--note", "ticket.prompt.note")
        raise SystemExit(event(_root(repo), iid, kind, note=note, owner=owner, due=due, by=by, at=at,
                               branch=branch))

    run.__doc__ = doc
    f = run
    for option in (_lang_option, _repo_option, _branch_option, _at_option, _by_option, _note_option):
        f = option(f)
    if plan:
        f = click.option("--owner", default=None, help="The owner's person id (default: the one proposed).")(f)
        f = click.option("--due", default=None, metavar="YYYY-MM-DD",
                         help="The due date, YYYY-MM-DD (default: the one proposed).")(f)
    f = click.argument("iid", metavar="ID")(f)
    return improvement.command(kind)(f)


_improvement_event("accept", "Accept an item, naming its owner and due date (ops office only).", plan=True)
_improvement_event("start", "Start work on an item (its owner).")
_improvement_event("done", "Mark an item done (its owner).")
_improvement_event("reject", "Reject an item; --note says why (ops office only).", note_required=True)
_improvement_event("comment", "Add a note to an item's history.", note_required=True)


@improvement.command("list")
@click.option("--status", default=None, help="Only items in this status.")
@click.option("--overdue", is_flag=True, help="Only overdue items (today: $ERPOPS_TODAY or the date).")
@_repo_option
@_lang_option
def improvement_list(status, overdue, repo) -> None:
    """List improvement items (overdue ones marked) and the ticket feedback not yet raised."""
    from erpops.commands.improvement import list_

    raise SystemExit(list_(_root(repo), status=status, overdue=overdue))


@cli.group()
def report() -> None:
    """The monthly ops record form (运维记录表), the office's summary, and who handed in."""


_month_option = click.option("--month", default=None, metavar="YYYY-MM",
                             help="The form's month (default: the latest period that has ended).")


@report.command("monthly")
@_month_option
@click.option("--subsystem", "subsystems", multiple=True, help="Subsystem code; repeat for several (default: all).")
@click.option("--format", "fmts", multiple=True, metavar="md,csv,xlsx,pdf",
              help="Formats to write (default: all four; with --check: md, csv and xlsx).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for <YYYY-MM>/<subsystem>.<format> (default: reports/ of the repository).")
@click.option("--check", "check_only", is_flag=True,
              help="Do not write: exit 1 listing the forms that differ from what the tickets give now.")
@_repo_option
@_lang_option
def report_monthly(month, subsystems, fmts, out, check_only, repo) -> None:
    """Write each subsystem's record form for the period (Markdown, CSV, XLSX, PDF)."""
    from erpops.commands.report import formats, monthly

    from erpops.commands.report import CHECKED

    raise SystemExit(monthly(_root(repo), month, list(subsystems),
                             formats(fmts, default=CHECKED if check_only else None), out, check_only))


@report.command("office")
@_month_option
@click.option("--format", "fmts", multiple=True, metavar="md,xlsx,pdf", help="Formats to write (default: all three).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for <YYYY-MM>/office-summary.<format> (default: reports/ of the repository).")
@_repo_option
@_lang_option
def report_office(month, fmts, out, repo) -> None:
    """Write the ops office's monthly summary: subsystems side by side, groups and people evaluated."""
    from erpops.commands.report import formats, office_summary

    from erpops.commands.report import OFFICE_FORMATS

    raise SystemExit(office_summary(_root(repo), month, formats(fmts, OFFICE_FORMATS), out))


@report.command("status")
@_month_option
@_repo_option
@_lang_option
def report_status(month, repo) -> None:
    """List the forms of the month handed in on time, late, or missing (from git commit dates)."""
    from erpops.commands.report import status

    raise SystemExit(status(_root(repo), month))


@cli.group("forge")
def forge_group() -> None:
    """The forge's side of intake: answers on issues (token from the environment)."""


@forge_group.command("answer-issue")
@click.option("--issue", "number", required=True, type=click.IntRange(min=1), metavar="N", help="The issue to answer.")
@click.option("--from", "from_path", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="The answer a failed step wrote (ticket from-issue --answer-file); missing or empty: a general answer with the run's link.")
@click.option("--forge", "forge", type=click.Choice(("auto", "github", "gitlab", "gitea")), default="auto",
              show_default=True, help="The forge: github, gitlab, gitea, or auto (from the CI environment, then policy.yaml).")
@_repo_option
@_lang_option
def forge_answer_issue(number: int, from_path: Path | None, forge: str, repo: Path | None) -> None:
    """Answer on an issue that its intake failed: the reason and what to do, through the forge's API."""
    from erpops.commands.issue_answer import answer_issue

    raise SystemExit(answer_issue(repo, number, from_path, forge))


@cli.group()
def mail() -> None:
    """E-mail in: tickets and replies from the intake mailbox (IMAP settings from the environment)."""


@mail.command("fetch")
@click.option("--subsystem", default=None,
              help="The mailbox's own subsystem, for mails whose subject names none with a tag like [production].")
@click.option("--type", "type_", default="fault", show_default=True, help="Ticket type of a new ticket.")
@click.option("--priority", default="P3", show_default=True, help="Priority of a new ticket.")
@click.option("--push", default=None, metavar="REMOTE",
              help="Push each branch to REMOTE before the mail leaves the inbox (in CI: origin).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Read at most N mails this run.")
@_repo_option
@_lang_option
def mail_fetch(subsystem, type_, priority, push, limit, repo) -> None:
    """Read the intake mailbox once: each new mail becomes a ticket or an event, on branch ticket/mail-<uid>."""
    from erpops.commands.mail import fetch

    raise SystemExit(fetch(_root(repo), subsystem=subsystem, type_=type_, priority=priority, push=push,
                           limit=limit))


def localise(lang: str | None = None) -> None:
    """Put the catalogue's help texts (locale/*/help.yaml) on every command and option, in `lang`.

    Keys: `help.cmd.<command path>` and `help.opt.<command path>.<option>` or, for an option
    that means the same everywhere (--repo, --by …), `help.opt.<option>`.
    """
    texts = i18n.catalogue(i18n.language(lang))

    def walk(command: click.Command, path: list[str]) -> None:
        key = ".".join(path) or "erpops"
        command.help = texts.get(f"help.cmd.{key}", command.help)
        clihelp.localise_params(command, texts)
        for p in command.params:
            if isinstance(p, click.Option):
                p.help = texts.get(f"help.opt.{key}.{p.name}", texts.get(f"help.opt.{p.name}", p.help))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, path + [name])

    walk(cli, [])


def _lang_in(argv: list[str]) -> str | None:
    """The --lang of a command line, before click parses it (help texts are set before parsing)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def reference(lang: str | None = None) -> list[dict]:
    """Every command as plain data, from click's own metadata, for the site's CLI reference:
    `path` (e.g. "erpops ticket new"), `usage`, `help`, `group`, and its parameters (click's
    `to_info_dict()` plus `metavar`), without the -h/--help every command has."""
    localise(lang)
    clihelp.speak(lang)
    out: list[dict] = []

    def walk(command: click.Command, name: str, parent: click.Context | None) -> None:
        # the root with its context_settings (-h), as a run has: click caches each help option
        settings = command.context_settings if parent is None else {}
        ctx = click.Context(command, info_name=name, parent=parent, **settings)
        params = []
        for p in command.get_params(ctx):
            if "--help" in getattr(p, "opts", ()):
                continue
            try:
                metavar = p.make_metavar(ctx)  # click >= 8.2
            except TypeError:
                metavar = p.make_metavar()  # type: ignore[call-arg]
            params.append({**p.to_info_dict(), "metavar": metavar})
        usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
        group = isinstance(command, click.Group)
        out.append({"path": ctx.command_path, "usage": usage, "help": command.help or "",
                    "group": group, "params": params})
        if group:
            for sub in command.list_commands(ctx):
                walk(command.get_command(ctx, sub), sub, ctx)

    try:
        walk(cli, "erpops", None)
    finally:
        clihelp.speak(None)
    return out


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass

    args = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_lang_in(args))  # each run starts from its own --lang, else $ERPOPS_LANG
    localise()

    def run() -> int:
        _check_controls(args)
        try:
            cli.main(args=args, prog_name="erpops", standalone_mode=False)
        except SystemExit as stop:
            return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except click.exceptions.Exit as stop:
            return stop.exit_code
        except click.ClickException as err:
            err.show()
            return 2
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        return 0

    return guarded(run)


def script() -> NoReturn:
    """The console script `erpops`: main(), its output flushed and the exit handlers run, then the
    process ends without the interpreter's teardown, which frees every object one by one (a
    checked 20,000-ticket model: ~0.8 CPU s for nothing; see repository.keep_to_exit)."""
    code = main()
    code = code if isinstance(code, int) and 0 <= code <= 255 else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # a closed pipe (`erpops check | head`): nothing more to say
            pass
        except (OSError, ValueError):
            # Output that could not be written (a full disk): never exit 0 after it. 120 is what
            # Python's own shutdown returns when flushing fails.
            code = code or 120
    os._exit(code)
