"""CODEOWNERS in GitLab's and Gitea's dialects, read back by a small matcher per forge written from
that forge's documentation, on a table of paths: each subsystem's ticket path maps to its owners,
a governance path to the office.

GitLab (docs.gitlab.com, user/project/codeowners/reference and /advanced): patterns are globs
(File::fnmatch with FNM_PATHNAME | FNM_DOTMATCH: `*` does not cross `/`, `**` does), a leading `/`
anchors at the root, a trailing `/` owns everything below; entries are grouped in sections
`[name]`, `[name][n]` (n approvals) or `^[name]` (optional); within a section the last matching
entry wins, and every section with a match applies.

Gitea/Forgejo (docs.gitea.com, usage/code-owners; models/issues/pull.go): each line is
`<regexp> @user...`, compiled as Go `^<regexp>$` against the path without a leading `/`; a
leading `!` makes the rule match every path the expression does not; `\\`, `#` and space are
escaped with a backslash in the file; a line with fewer than two tokens is skipped with a
warning; every matching rule's owners are requested.
"""
from __future__ import annotations

import re

import pytest

from erpops import load
from erpops.codeowners import PATHS, render

LOGINS = {"zhao-admin": "zhao", "qian-erp": "qian", "sun-lead": "sun"}
ALPHA = {"@zhao", "@qian"}
OFFICE = {"@sun", "@qian"}


def _with_logins(repo, forge):
    for pid, name in LOGINS.items():
        repo.edit("roster/people.yaml", f"  - id: {pid}\n", f"  - id: {pid}\n    {forge}: {name}\n")


# --- GitLab -------------------------------------------------------------------------------------

_SECTION = re.compile(r"^(\^)?\[([^\]]+)\](?:\[(\d+)\])?((?:\s+@\S+)*)\s*$")


def _glob(pattern: str) -> re.Pattern:
    body, i = "", 0
    core = pattern.lstrip("/")
    while i < len(core):
        if core.startswith("**", i):
            body, i = body + ".*", i + 2
        elif core[i] == "*":
            body, i = body + "[^/]*", i + 1
        elif core[i] == "?":
            body, i = body + "[^/]", i + 1
        else:
            body, i = body + re.escape(core[i]), i + 1
    prefix = "" if pattern.startswith("/") else "(?:.*/)?"
    suffix = ".*" if pattern.endswith("/") else "(?:/.*)?"
    return re.compile(prefix + body + suffix)


def gitlab_sections(text: str):
    """[(name, optional, approvals, [(regex, owners)])]; entries before any section: unnamed, required."""
    sections = [("", False, 1, [])]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head = _SECTION.match(line)
        if head:
            sections.append((head[2].lower(), bool(head[1]), int(head[3] or 1), []))
            continue
        pattern, *owners = line.split()
        sections[-1][3].append((_glob(pattern), set(owners)))
    return sections


def gitlab_owners(text: str, path: str) -> tuple[dict, dict]:
    """({required section: owners}, {optional section: owners}) for a path."""
    required, optional = {}, {}
    for name, opt, _, entries in gitlab_sections(text):
        hit = None
        for regex, owners in entries:
            if regex.fullmatch(path):
                hit = owners
        if hit is not None:
            (optional if opt else required)[name] = hit
    return required, optional


# --- Gitea --------------------------------------------------------------------------------------

def _gitea_tokens(line: str) -> list[str]:
    tokens, cur, i = [], "", 0
    line = line.strip()
    if not line or line.startswith("#"):
        return []
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            cur, i = cur + line[i + 1], i + 2
            continue
        if c == "#":
            break
        if c == " ":
            if cur:
                tokens.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    return tokens + ([cur] if cur else [])


def gitea_rules(text: str):
    rules = []
    for line in text.splitlines():
        tokens = _gitea_tokens(line)
        if len(tokens) < 2:
            assert not tokens, f"Gitea would skip this line with a warning: {line!r}"
            continue
        negative = tokens[0].startswith("!")
        rules.append((re.compile("^%s$" % tokens[0].removeprefix("!")), negative, set(tokens[1:])))
    return rules


def gitea_owners(text: str, path: str) -> set[str]:
    found: set[str] = set()
    for regex, negative, owners in gitea_rules(text):
        if bool(regex.match(path)) != negative:
            found |= owners
    return found


# --- the table ----------------------------------------------------------------------------------

TICKET = "tickets/alpha/2025/alpha-0001.yaml"
GOVERNANCE = ["roster/people.yaml", "roster/subsystems/alpha.yaml", "policy.yaml", "tools/erpops/cli.py",
              "runbooks/common/backup.md", ".gitlab-ci.yml", ".gitlab/CODEOWNERS", ".gitea/workflows/ci.yml",
              ".github/workflows/ci.yml"]
SUBSYSTEM = [TICKET, "runbooks/alpha/restart.md", "reports/2025-03/alpha.xlsx", "reports/2025-03/alpha.md"]


@pytest.fixture
def gitlab_text(repo):
    _with_logins(repo, "gitlab")
    return render(load.load(repo.root).roster, "zh", "gitlab").text


@pytest.fixture
def gitea_text(repo):
    _with_logins(repo, "gitea")
    return render(load.load(repo.root).roster, "zh", "gitea").text


@pytest.mark.parametrize("path", SUBSYSTEM)
def test_gitlab_subsystem_paths_need_the_subsystems_people_only(gitlab_text, path):
    required, optional = gitlab_owners(gitlab_text, path)
    assert required == {"alpha": ALPHA}
    assert optional == {"default": OFFICE}


@pytest.mark.parametrize("path", GOVERNANCE)
def test_gitlab_governance_paths_need_the_office(gitlab_text, path):
    required, _ = gitlab_owners(gitlab_text, path)
    assert required == {"office": OFFICE}


def test_gitlab_sections_headings_and_approvals(gitlab_text):
    heads = [(n, o, a) for n, o, a, _ in gitlab_sections(gitlab_text)]
    assert heads == [("", False, 1), ("default", True, 1), ("office", False, 1), ("alpha", False, 1)]
    assert "\n^[default]\n* @sun @qian\n" in gitlab_text
    assert "\n[alpha][1]\n/tickets/alpha/ @zhao @qian\n" in gitlab_text
    assert gitlab_sections(gitlab_text)[0][3] == []  # nothing outside a section: it would always be required


def test_gitlab_other_paths_have_only_the_optional_default(gitlab_text):
    assert gitlab_owners(gitlab_text, "docs/index.md") == ({}, {"default": OFFICE})
    # `*` does not cross `/` with FNM_PATHNAME, but a pattern without `/` matches at any depth.
    assert gitlab_owners(gitlab_text, "reports/2025-03/sub/alpha.xlsx")[0] == {}


@pytest.mark.parametrize("path", SUBSYSTEM)
def test_gitea_subsystem_paths_request_the_subsystems_people_only(gitea_text, path):
    assert gitea_owners(gitea_text, path) == ALPHA


@pytest.mark.parametrize("path", [*GOVERNANCE, "docs/index.md", "README.md"])
def test_gitea_governance_and_other_paths_request_the_office(gitea_text, path):
    assert gitea_owners(gitea_text, path) == OFFICE


@pytest.mark.parametrize("path", [
    "docs/tickets/alpha/x.yaml",   # anchored at the start: not a ticket
    "policy.yaml.bak",             # anchored at the end
    "tickets/alphabet/x.yaml",     # another subsystem's folder, not alpha's
])
def test_gitea_patterns_are_anchored_go_regexps(gitea_text, path):
    owners = gitea_owners(gitea_text, path)
    if path.startswith("tickets/"):
        assert owners == set()     # an unknown subsystem's folder: nobody (the gate rejects it anyway)
    else:
        assert owners == OFFICE


def test_gitea_escapes_dots_for_the_file_syntax(gitea_text):
    lines = gitea_text.splitlines()
    assert "!(tickets|runbooks|reports)/.* @sun @qian" in lines
    assert r"policy\\.yaml @sun @qian" in lines              # \\. in the file is \. in the regexp
    assert r"reports/[^/]+/alpha\\..* @zhao @qian" in lines
    assert gitea_owners(gitea_text, "policyXyaml") == OFFICE  # via the negation, not the dot


def test_gitea_comments_out_a_pattern_nobody_can_own(repo):
    text = render(load.load(repo.root).roster, "zh", "gitea").text
    assert "# tickets/alpha/.*" in text.splitlines()
    assert gitea_rules(text) == []   # no line Gitea would warn about


@pytest.mark.parametrize("forge", ["gitlab", "gitea"])
def test_cli_writes_and_checks_each_dialect(repo, cli, forge):
    _with_logins(repo, forge)
    r = cli("codeowners", "--forge", forge, cwd=repo.root)
    assert r.code == 0, r.err
    path = PATHS[forge]
    assert r.out.splitlines()[0].startswith(f"已写入 {path}：")
    assert cli("codeowners", "--forge", forge, "--check", cwd=repo.root).code == 0
    repo.edit("roster/people.yaml", f"    {forge}: zhao\n", "")
    r = cli("codeowners", "--forge", forge, "--check", cwd=repo.root)
    assert r.code == 1
    assert r.err.strip().startswith(f"{path} 已过期")
    r = cli("codeowners", "--forge", forge, cwd=repo.root)
    assert f"以下 1 人没有 {'GitLab' if forge == 'gitlab' else 'Gitea'} 账号" in r.out
    assert not (repo.root / ".github/CODEOWNERS").exists()


def test_unknown_forge_is_a_usage_error(repo, cli):
    assert cli("codeowners", "--forge", "bitbucket", cwd=repo.root).code == 2
