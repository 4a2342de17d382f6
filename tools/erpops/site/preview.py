"""The pull-request preview build: the site of what a pull request changes, at a cost that does not
grow with the archive.

In a pull request the site build is there to catch broken hand-written pages (docs, runbooks,
record forms), mkdocs.yml mistakes and pages our code fails to render. Rendering the 20,000
tickets the pull request did not touch tells nothing new: they are the base's, which the base's
own full build (push to main) rendered with the same code. So with ERPOPS_SITE_CHANGED_SINCE set
to a commit id the plugin loads the roster, the policy, the runbooks, the improvement items and
only the ticket files that differ between that commit and the work tree (added, modified, the new
name of a moved one; a deleted one is simply not there), and builds every other page as usual: the
ticket lists, dashboard and backlog then show the changed tickets only (under a notice on the home
page), so every link among the pages stays valid under --strict.

Why the environment and not mkdocs.yml: mkdocs.yml is the pull request's head's, and an option
there would let a change turn the full build of main (the published site) into a preview. The
workflow sets the variable in pull-request runs only, to the trusted base commit. What a hostile
head can do with the mode:
- pick which tickets count as changed? No: the diff is against the commit the workflow names, of
  the work tree the runner checked out; the head controls only the content of its own changes.
- hide a page that fails to render? Unchanged tickets are byte for byte the base's; the files every
  page depends on (roster/, policy.yaml) changed means a full build (`needs_full`).
- pass options to git? The value must be a hexadecimal commit id, else the build stops.
- skip the data check? The preview checks only what it loaded (reading problems and the per-ticket
  rules of the changed tickets); the gate's `erpops gate` step, earlier in the same job, checked
  the whole repository. A head can already run any code here through mkdocs.yml's hooks (which is
  why this step comes after the gate and holds no secret): the mode adds no power to that.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from pathlib import Path

from erpops import gittree, load
from erpops.diagnostics import Diagnostic
from erpops.errors import FatalError
from erpops.i18n import t
from erpops.repository import Repository, paused_gc
from erpops.yamlio import MAX_BYTES

ENV = "ERPOPS_SITE_CHANGED_SINCE"
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
# The files every page may depend on (pagecache.shared_inputs): changed, the preview is the full site.
ROSTER = "roster/"


def since(environ=None) -> str | None:
    """The commit the preview compares with, from the environment; None: build the full site."""
    value = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not value:
        return None
    if not _COMMIT.fullmatch(value):
        raise FatalError(t("site.preview-bad-commit", var=ENV, value=value[:80]))
    return value


def changed(root: Path, base: str) -> list[str]:
    """Every path below `root` (relative to it) that differs between commit `base` and the work
    tree, old and new names of moved files both, untracked files included. One `git diff` and one
    `git ls-files`: git compares its index's stat data, it reads no unchanged file."""
    repo, prefix = gittree.open_repo(root)
    gittree.commit(repo, base)  # a clear error for an unknown commit (a shallow clone, a typo)
    where = prefix or "."
    listed = repo.text("diff", "--no-renames", "--name-only", "-z", base, "--", where)
    listed += "\0" + repo.text("ls-files", "--others", "--exclude-standard", "-z", "--", where)
    cut = len(prefix) + 1 if prefix else 0
    return sorted({p[cut:] for p in listed.split("\0") if p})


def needs_full(paths: list[str]) -> bool:
    """Whether a change touches what every page is made from (then the preview is the full site)."""
    return any(p.startswith(ROSTER) or p == load.POLICY for p in paths)


def ticket_paths(root: Path, paths: list[str]) -> list[str]:
    """The changed ticket files that exist in the work tree (a deleted one has no page to build)."""
    files = load.Files(root)
    return [p for p in paths if gittree.is_ticket(p) and p.count("/") == 3 and files.exists(p)]


def load_changed(root: Path, ticket_paths: list[str], max_bytes: int = MAX_BYTES) -> Repository:
    """Everything but the tickets (load.load_context), and the tickets at `ticket_paths`."""
    repo = load.load_context(root, max_bytes)
    files = load.Files(root)
    documents, diagnostics, tickets = dict(repo.documents), list(repo.diagnostics), []
    with paused_gc():
        for rel, doc, problems, tk in load.read_ticket_files(files, ticket_paths, max_bytes):
            diagnostics += problems
            if doc is not None:
                documents[rel] = doc
            if tk is not None:
                tickets.append(tk)
    return dataclasses.replace(repo, documents=documents, diagnostics=diagnostics, tickets=tickets)


def findings(repo: Repository, now: dt.datetime | None) -> list[Diagnostic]:
    """What the preview checks: reading problems of what it loaded, the per-ticket rules of the
    changed tickets. Cross-ticket and improvement rules need every ticket: the gate ran them."""
    from erpops import clock
    from erpops.rules import tickets

    found = list(repo.diagnostics)
    if repo.policy is None:
        return found
    now = now or clock.now(repo.policy.calendar.tz)
    for tk in repo.tickets:
        found += tickets.per_ticket(repo, tk, now)
    return found


def notice(lang: str, count: int) -> str:
    """The home page's notice (Markdown, an admonition) that this is a preview."""
    title = t("site.preview-title", lang)
    body = t("site.preview-body", lang, tickets=count, var=ENV)
    return f'!!! warning "{title}"\n\n    {body}\n\n'
