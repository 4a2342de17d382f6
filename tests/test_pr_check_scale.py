"""pr-check stays fast on a large repository: it reads the changed tickets only, never all of them."""
from __future__ import annotations

import subprocess

from erpops import yamlio
from prcheck_fixture import OPEN, OPEN_PATH, base_repo, event

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
COUNT = 20_000


def _fast_import(root, parent: str, files: dict[str, str], message: str) -> str:
    """One commit on main holding `files` on top of `parent`, written by git fast-import (quick)."""
    out = [f"commit refs/heads/main\nauthor li <li@example.com> 1793584800 +0800\n"
           f"committer li <li@example.com> 1793584800 +0800\n"]
    msg = message.encode()
    chunks = [("".join(out)).encode(), f"data {len(msg)}\n".encode(), msg, f"\nfrom {parent}\n".encode()]
    for path, text in files.items():
        data = text.encode()
        chunks += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n"]
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(chunks), cwd=root, check=True)
    return subprocess.run(["git", "rev-parse", "main"], cwd=root, capture_output=True, text=True).stdout.strip()


def test_one_ticket_change_among_twenty_thousand(repo, cli, monkeypatch):
    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T12:00:00+08:00")
    ops, first = base_repo(repo)
    ops.g.git.switch("-q", "main")
    many = {}
    for n in range(COUNT):
        tid = "ALP-20261101-" + "".join(BASE32[(n >> s) & 31] for s in (15, 10, 5, 0))
        many[f"tickets/alpha/2026/{tid}.yaml"] = OPEN.replace("ALP-20261102-AB2C", tid)
    base = _fast_import(repo.root, first, many, "twenty thousand tickets")
    changed = OPEN + event("comment", "2026-11-02T09:30:00+08:00", "li-user", note="备注")
    new = OPEN.replace("ALP-20261102-AB2C", "ALP-20261102-NEWA")
    head = _fast_import(repo.root, base, {OPEN_PATH: changed, "tickets/alpha/2026/ALP-20261102-NEWA.yaml": new},
                        "one comment, one new ticket")
    parsed: list[str] = []
    made = yamlio.Document.__init__

    def counted(self, path, *args, **kwargs):
        parsed.append(path)
        made(self, path, *args, **kwargs)

    monkeypatch.setattr(yamlio.Document, "__init__", counted)
    res = cli("pr-check", "--base", base, "--head", head, "--author", "li-gh", cwd=repo.root)
    assert (res.code, res.out) == (0, "检查了 2 个文件，没有发现问题。\n"), res.out
    # What is parsed, not how long it takes (speed is bench/'s): the changed ticket as the base
    # and the head have it, the new one, and no other of the 20,000.
    assert sorted(p for p in parsed if p.startswith("tickets/")) == sorted(
        [OPEN_PATH, OPEN_PATH, "tickets/alpha/2026/ALP-20261102-NEWA.yaml"]), parsed
    dup = _fast_import(repo.root, head, {"tickets/alpha/2026/ALP-20261102-DUP1.yaml":
                                         OPEN.replace("ALP-20261102-AB2C", "ALP-20261101-AAAB")}, "a copy")
    res = cli("pr-check", "--base", head, "--head", dup, "--author", "li-gh", cwd=repo.root)
    assert res.code == 1
    assert "tickets/alpha/2026/ALP-20261102-DUP1.yaml:1:1: 错误 [pr-id-exists] " in res.out
