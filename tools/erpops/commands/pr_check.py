"""erpops pr-check: what a pull request changes, base against head, plus the check rules on the changed files.

Only the roster, the policy, the runbooks and the changed tickets are read (at both revisions,
from Git), never the whole ticket set, so the gate stays fast on a large repository.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import sys
from pathlib import Path

from erpops import clock, gitdiff, gittree, load, output, ticket
from erpops.checks import diagnostics
from erpops.commands.check import append_summary
from erpops.diagnostics import Diagnostic, exit_code
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.yamlio import load_bytes


def _base_ticket(files: gittree.TreeFiles, rel: str) -> ticket.Ticket | None:
    """The ticket as the base branch has it; a base file that cannot be read is not this PR's doing."""
    try:
        doc, _ = load_bytes(files.read_bytes(rel), rel)
    except OSError:
        return None
    return ticket.build(doc) if doc is not None else None


def _event_times(repo, base_c, head_c, prefix: str, heads: dict) -> dict:
    """(head path, history index) → author date of the first pull-request commit holding that event."""
    out = {}
    for rel, tk in heads.items():
        lengths = gittree.history_lengths(repo, base_c, head_c, posixpath.join(prefix, rel) if prefix else rel)
        for i in range(len(tk.history)):
            when = next((d for d, n in lengths if n > i), None)
            if when is not None:
                out[(rel, i)] = when
    return out


def run(root: Path, base: str, head: str = "HEAD", login: str | None = None) -> tuple[list[Diagnostic], int]:
    """The findings and the number of changed files they were looked for in."""
    repo, prefix = gittree.open_repo(root)
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
    changed = {c.new for c in changes if c.new}
    now = clock.now(model.policy.calendar.tz if model.policy else dt.timezone.utc)
    # Findings in the changed files; a roster or policy that cannot be read at all stops the gate.
    found = [d for d in diagnostics(model, now) if d.path in changed or (d.is_input and d.is_error)]
    if model.policy is None or any(d.is_input and d.is_error for d in found):
        return found, len(changes)
    added = any(c.old is None and gittree.is_ticket(c.new) for c in changes)
    heads = {tk.src.path: tk for tk in model.tickets}
    gate = gitdiff.Gate(
        roster=model.roster, policy=model.policy, now=now,
        login=login or None, commit_time=gittree.commit_time(head_c),
        event_times=_event_times(repo, base_c, head_c, prefix, heads),
        base_ids=gittree.ticket_paths(repo, base_tree) if added else {},
    )
    for c in changes:
        if not (gittree.is_ticket(c.old) or gittree.is_ticket(c.new)):
            continue
        old = _base_ticket(base_files, c.old) if gittree.is_ticket(c.old) else None
        new = heads.get(c.new) if c.new else None
        if c.new and new is None:
            continue  # unreadable at the head: the check rules above said why
        found += gitdiff.compare(old, new, gate)
    return found, len(changes)


def pr_check(root: Path, base: str, head: str | None = None, login: str | None = None, fmt: str = "text",
             lang: str | None = None, summary: Path | None = None) -> int:
    found, files = run(root, base, head or "HEAD", login)
    sys.stdout.write(output.RENDER[fmt](found, files, lang))
    if summary is not None:
        append_summary(summary, output.markdown(found, files, lang, title_key="summary.pr-title"))
    return exit_code(found)
