"""erpops ticket answer: after a push to the default branch, answer on each changed ticket's issue what
happened and where the ticket stands; close the issue with the ticket, reopen it when the ticket is.

Only the tickets changed between the two commits are read (from Git, not the work tree); the
roster and policy are the pushed commit's. The token comes from the environment only (forges/).

Each answer ends with a hidden mark of the ticket and the pushed commit (`MARK`). A run again for
the same push (a CI job re-run, a second delivery of the event) finds its mark among the issue's
comments and does not answer twice; the issue is still closed or reopened, in case the last run
stopped between the answer and that.
"""
from __future__ import annotations

import sys
from pathlib import Path

from erpops import clock, gittree, issueanswer, load, siteconfig, ticket
from erpops.errors import FatalError
from erpops.forges import ForgeError
from erpops.i18n import t
from erpops.yamlio import load_bytes
from erpops.repository import Repository

MARK = "<!-- erpops-answer {id} {commit} -->"


def _ticket(files: gittree.TreeFiles, rel: str | None) -> ticket.Ticket | None:
    if not rel:
        return None
    try:
        doc, _ = load_bytes(files.read_bytes(rel), rel)
    except OSError:
        return None
    return ticket.build(doc) if doc is not None else None


def changed(root: Path, before: str, after: str) -> tuple[list[tuple[ticket.Ticket | None, ticket.Ticket]], Repository, str]:
    """(ticket before, ticket after) for every ticket with an issue changed from `before` to
    `after`, the repository's rules at `after`, and `after`'s commit id."""
    repo, prefix = gittree.open_repo(root)
    base_c, head_c = gittree.commit(repo, before), gittree.commit(repo, after)
    base_tree, head_tree = gittree.tree(repo, base_c, prefix), gittree.tree(repo, head_c, prefix)
    if head_tree is None:
        raise FatalError(t("pr.no-root", rev=after, folder=prefix))
    base_files, head_files = gittree.TreeFiles(base_tree), gittree.TreeFiles(head_tree)
    rules = load.load_files(head_files, root, [])
    if rules.policy is None:
        raise FatalError(t("ticket.no-policy"))
    pairs = []
    for c in gittree.changes(base_tree, head_tree):
        if not gittree.is_ticket(c.new):
            continue
        new = _ticket(head_files, c.new)
        if new is None or new.issue is None:
            continue
        old = _ticket(base_files, c.old) if gittree.is_ticket(c.old) else None
        if issueanswer.new_events(old, new) or issueanswer.issue_change(old, new) != "comment":
            pairs.append((old, new))
    return pairs, rules, head_c.hexsha


def answer(root: Path, before: str, after: str = "HEAD", forge: str | None = None) -> int:
    """0: every answer posted (or none due); 1: one could not be posted; 2: unusable input."""
    if not before.strip("0"):  # a new branch: GitHub's `before` is all zeros
        sys.stdout.write(t("answer.no-before", rev=before) + "\n")
        return 0
    pairs, rules, commit = changed(root, before, after)
    if not pairs:
        sys.stdout.write(t("answer.none") + "\n")
        return 0
    from erpops import forges

    name = forges.choose(forge, policy_forge=rules.policy.forge)
    site = forges.make(name)
    site_url = siteconfig.read(root).site_url
    now = clock.now(rules.policy.calendar.tz)
    code = 0
    for old, new in sorted(pairs, key=lambda p: p[1].id):
        if new.issue.forge not in (name, ""):
            continue  # filed on another forge: its own CI answers it
        mark = MARK.format(id=new.id, commit=commit)
        body = issueanswer.answer(rules.roster, rules.policy, old, new, now, site_url) + "\n\n" + mark
        how = issueanswer.issue_change(old, new)
        post = {"close": site.close_issue, "reopen": site.reopen_issue, "comment": site.comment_issue}[how]
        try:
            done = any(mark in text for text in site.issue_comments(new.issue.number))
            if not (done and how == "comment"):
                post(new.issue.number, "" if done else body)
        except ForgeError as err:
            sys.stderr.write(t("answer.failed", id=new.id, number=new.issue.number, reason=err) + "\n")
            code = 1
            continue
        key = f"answer.already.{how}" if done else "answer.posted"
        sys.stdout.write(t(key, id=new.id, number=new.issue.number, how=t(f"answer.how.{how}")) + "\n")
    return code
