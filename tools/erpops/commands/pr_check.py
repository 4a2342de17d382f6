"""erpops pr-check: what a pull request changes, base against head, plus the check rules on the changed files.

Only the roster, the policy, the runbooks and the changed tickets are read (at both revisions,
from Git), never the whole ticket set, so the gate stays fast on a large repository.

Trust: every decision is taken under the BASE revision's roster, policy and runbooks; the head's
files are only judged (their validity under their own rules is `erpops check`'s, run on the head).
Times come from the forge (`--opened-at`) and the CI clock, never from commit metadata.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from erpops import clock, gitdiff, gittree, improvement, load, output, ticket
from erpops.diagnostics import Diagnostic, exit_code
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.repository import Repository, paused_gc
from erpops.rules import improvements, recurrence, reports, roster, runbooks, tickets
from erpops.yamlio import load_bytes


def _base_ticket(files: gittree.TreeFiles, rel: str) -> ticket.Ticket | None:
    """The ticket as the base branch has it; a base file that cannot be read is not this PR's doing."""
    try:
        doc, _ = load_bytes(files.read_bytes(rel), rel)
    except OSError:
        return None
    return ticket.build(doc) if doc is not None else None


def _base_improvement(files: gittree.TreeFiles, rel: str) -> improvement.Improvement | None:
    """The improvement item as the base branch has it (None where it cannot be read there)."""
    try:
        doc, _ = load_bytes(files.read_bytes(rel), rel)
    except OSError:
        return None
    return improvement.build(doc) if doc is not None else None


# What `load.load_files(files, root, [])` reads besides tickets.
CONTEXT = ("roster", load.POLICY, load.RUNBOOKS, load.IMPROVEMENTS)


def _base_context(base_files: gittree.TreeFiles, base_tree, head_tree, head: Repository, root: Path) -> Repository:
    """The base's roster, policy, runbooks and improvement items: the head's, when the pull request
    changed none of their files (most do not: one ticket), else read from the base tree."""
    if not gittree.same(base_tree, head_tree, CONTEXT):
        return load.load_files(base_files, root, [])
    def ticket_file(rel: str) -> bool:
        return rel.startswith(load.TICKETS + "/")
    return dataclasses.replace(
        head, tickets=[], documents={k: v for k, v in head.documents.items() if not ticket_file(k)},
        diagnostics=[d for d in head.diagnostics if not ticket_file(d.path)])


def rules_of(base: Repository | None, head: Repository) -> Repository:
    """The repository whose roster, policy and runbooks decide: the base's. Where the base has no
    ops repository yet (the pull request that creates it) the head's stand in; its files are all
    protected-path changes then. A runbook new in the pull request exists (a ticket may link it),
    but only a runbook's kind on the base counts (the emergency skip needs a base contingency plan)."""
    if base is None:
        return head
    books = {rid: base.runbooks.get(rid) or dataclasses.replace(rb, kind="") for rid, rb in head.runbooks.items()}
    return dataclasses.replace(base, policy=base.policy or head.policy, runbooks=books)


def findings(head: Repository, rules: Repository, now: dt.datetime,
             known_tickets: dict | None = None) -> list[Diagnostic]:
    """What loading the head found, the head's roster, runbook and report rules on themselves, and
    the ticket rules on the head's changed tickets under the base's roster, policy and runbooks;
    with `known_tickets` (the head's ticket ids, when improvement items changed) the improvement rules."""
    if any(d.is_input and d.is_error for d in head.diagnostics):
        return list(head.diagnostics)
    trial = dataclasses.replace(rules, root=head.root, tickets=head.tickets, documents=head.documents,
                                diagnostics=[], improvements=head.improvements)
    found = list(head.diagnostics)
    with paused_gc():
        found += roster.check(head.roster)
        found += runbooks.check(head)
        found += tickets.check(trial, now)
        found += recurrence.check(head, now)
        found += reports.check(head)
        if known_tickets is not None:  # improvement items changed: the head's tickets, by name
            found += improvements.check(trial, now, known=known_tickets)
    return found


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the gate found, in how many changed files, which they are, and the rules that decided."""

    found: list[Diagnostic]
    files: int
    changed: tuple[str, ...] = ()
    rules: Repository | None = None


def run(root: Path, base: str, head: str = "HEAD", login: str | None = None, acting_for: str | None = None,
        opened_at: dt.datetime | None = None) -> tuple[list[Diagnostic], int]:
    """The findings and the number of changed files they were looked for in."""
    done = outcome(root, base, head, login, acting_for, opened_at)
    return done.found, done.files


def outcome(root: Path, base: str, head: str = "HEAD", login: str | None = None, acting_for: str | None = None,
            opened_at: dt.datetime | None = None) -> Outcome:
    repo, prefix = gittree.open_repo(root)
    try:
        return _outcome(repo, prefix, root, base, head, login, acting_for, opened_at)
    except gittree.GitError as err:  # a damaged repository or a cut-short clone: exit 2, never "no files"
        raise FatalError(t("pr.git-failed", reason=str(err))) from None
    finally:
        repo.close()  # its `git cat-file` process, waited for: its time is the gate's


def _outcome(repo: gittree.Repo, prefix: str, root: Path, base: str, head: str, login: str | None,
             acting_for: str | None, opened_at: dt.datetime | None) -> Outcome:
    head_c = gittree.commit(repo, head)
    base_c, moved = gittree.base_of(repo, base, head_c)
    if moved:
        sys.stderr.write(t("pr.base-moved", given=base, used=base_c.hexsha[:12]) + "\n")
    base_tree, head_tree = gittree.tree(repo, base_c, prefix), gittree.tree(repo, head_c, prefix)
    if head_tree is None:
        raise FatalError(t("pr.no-root", rev=head, folder=prefix))
    changes = gittree.changes(base_tree, head_tree)
    head_files, base_files = gittree.TreeFiles(head_tree), gittree.TreeFiles(base_tree)
    new_tickets = [c.new for c in changes if gittree.is_ticket(c.new)]
    model = load.load_files(head_files, root, new_tickets)
    has_base = base_tree is not None and base_files.exists(load.PEOPLE)
    rules = rules_of(_base_context(base_files, base_tree, head_tree, model, root) if has_base else None, model)
    changed = {c.new for c in changes if c.new}
    policy = rules.policy
    now = clock.now(policy.calendar.tz if policy else dt.timezone.utc)
    # Findings in the changed files; a roster or policy that cannot be read at all stops the gate.
    items_changed = any(gittree.is_improvement(c.old) or gittree.is_improvement(c.new) for c in changes)
    known = dict.fromkeys(gittree.ticket_paths(repo, head_tree)) if items_changed else None
    found = [d for d in findings(model, rules, now, known) if d.path in changed or (d.is_input and d.is_error)]
    paths = tuple(sorted(p for c in changes for p in (c.old, c.new) if p))
    if policy is None or any(d.is_input and d.is_error for d in found):
        return Outcome(found, len(changes), paths, None)
    added = any(c.old is None and gittree.is_ticket(c.new) for c in changes)
    heads = {tk.src.path: tk for tk in model.tickets}
    gate = gitdiff.Gate(
        roster=rules.roster, policy=policy, now=now, login=login or None, acting_for=acting_for or None,
        opened_at=opened_at, base_ids=gittree.ticket_paths(repo, base_tree) if added else {},
    )
    found += gitdiff.protected(((c.old, c.new) for c in changes), gate)
    for c in changes:
        if not (gittree.is_ticket(c.old) or gittree.is_ticket(c.new)):
            continue
        old = _base_ticket(base_files, c.old) if gittree.is_ticket(c.old) else None
        new = heads.get(c.new) if c.new else None
        if c.new and new is None:
            continue  # unreadable at the head: the check rules above said why
        found += gitdiff.compare(old, new, gate)
    items = {i.src.path: i for i in model.improvements}
    for c in changes:
        if not (gittree.is_improvement(c.old) or gittree.is_improvement(c.new)):
            continue
        old_item = _base_improvement(base_files, c.old) if gittree.is_improvement(c.old) else None
        new_item = items.get(c.new) if c.new else None
        if c.new and new_item is None:
            # Unreadable at the head: the check rules above said why. If none did, the head's loader
            # never saw the file (a tree that hides it): it is missing, never unchecked.
            if not any(d.path == c.new and d.is_error for d in found):
                found.append(Diagnostic.make(c.new, 0, "file-missing", column=0))
            continue
        found += gitdiff.compare_improvement(old_item, new_item, gate)
    return Outcome(found, len(changes), paths, rules)


def instant(value: str | None) -> dt.datetime | None:
    """`--opened-at` as the forge gives it (ISO 8601 with an offset or Z); a clear error otherwise."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise FatalError(t("pr.bad-opened-at", value=value))
    return when


def pr_check(root: Path, base: str | None, head: str | None = None, login: str | None = None, fmt: str = "text",
             lang: str | None = None, summary: Path | None = None, acting_for: str | None = None,
             opened_at: str | None = None, forge: str | None = None, post: bool = False,
             owner_approval: bool = False, codequality: Path | None = None) -> int:
    """The gate. With `forge` (a name or "auto") the pull request's base, author and opening time come
    from the forge where the flags do not give them; `post` puts the findings on the pull request,
    `owner_approval` (or the base policy's pr_gate.owner_approval) asks the owners' approval of it."""
    from erpops.commands import forge_gate

    site = forge_gate.site(root, forge, post or owner_approval)
    pr = site.pull_request() if site is not None else None
    if pr is not None:
        base, login, opened_at = base or pr.base, login or pr.author, opened_at or pr.opened_at
    if not base:
        raise FatalError(t("forge.no-base"))
    done = outcome(root, base, head or "HEAD", login, acting_for, instant(opened_at))
    found, files = done.found, done.files
    if done.rules is not None:
        found = found + forge_gate.owner_findings(done, site, pr, login, owner_approval, lang)
    sys.stdout.write(output.RENDER[fmt](found, files, lang))
    if codequality is not None:
        forge_gate.write_codequality(codequality, found, lang)
    markdown = output.markdown(found, files, lang, title_key="summary.pr-title")
    if summary is not None:
        from erpops.commands.check import append_summary  # imported when asked: it brings the whole check

        append_summary(summary, markdown)
    if post and site is not None and pr is not None and found:
        forge_gate.post(site, pr, found, markdown)
    return exit_code(found)
