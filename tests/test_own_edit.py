"""An edit that keeps a ticket's id and file (an event, `ticket update`) reads that file alone and
is refused exactly when the full load refuses it; a cross-ticket error it cannot change stays
for the gate to report. And what a one-ticket command imports."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from erpops import checks, load, ticketedit
from erpops.commands import ticket as ticket_cmd

from generated_fixture import NOW, generated



@pytest.fixture
def ops(tmp_path, monkeypatch):
    """40 generated tickets, no cache: the edit path needs none."""
    return generated(tmp_path, monkeypatch, 40, seed=5, cache=False, aged="tickets/**/*.yaml")


def _ticket(root, n=7):
    full = load.load(root)
    return full, sorted(full.tickets, key=lambda tk: tk.src.path)[n]


def _errors(found):
    return sorted((d.rule, d.line) for d in found if d.is_error)


def test_own_reads_the_named_file_and_no_other_ticket(ops, parsed):
    _full, tk = _ticket(ops)
    parsed.clear()
    repo, got, check = ticket_cmd.own(ops, tk.id)
    assert parsed == [tk.src.path] and got.id == tk.id and check is not None
    assert [t.id for t in repo.tickets] == [tk.id] and repo.index is None and repo.runbooks


@pytest.mark.parametrize("bend", ["none", "history-order", "unknown-type", "unknown-person", "id-changed"])
def test_own_check_refuses_what_the_full_load_refuses(ops, bend):
    full, tk = _ticket(ops)
    rel, text = tk.src.path, tk.src.doc.text
    bent = {
        "none": text,
        # a comment dated before the ticket's last event: ticket-history-order
        "history-order": ticketedit.record(text, tk, "comment", tk.opened, tk.assignee, note="x"),
        "unknown-type": text.replace(f"type: {tk.type}", "type: no-such-type", 1),
        "unknown-person": text.replace(f"assignee: {tk.assignee}", "assignee: nobody-here", 1),
        "id-changed": text.replace(f"id: {tk.id}", f"id: {tk.id[:-4]}ZZZZ", 1),
    }[bend]
    repo, _got, check = ticket_cmd.own(ops, tk.id)
    mine = check(repo, rel, bent)
    cold = ticket_cmd._problems(full, rel, bent)
    assert _errors(mine) == _errors(cold)
    assert (cold == []) == (bend == "none"), bend


def test_a_changed_path_is_checked_over_the_other_tickets(ops, monkeypatch):
    full, tk = _ticket(ops)
    sub = tk.src.path.split("/")[1]
    other = next(t for t in full.tickets if t.subsystem != sub)
    target = tk.src.path.replace(f"tickets/{sub}/", f"tickets/{other.subsystem}/")
    repo, _got, check = ticket_cmd.own(ops, tk.id)
    mine = check(repo, target, tk.src.doc.text, tk.src.path)
    assert _errors(mine) == _errors(ticket_cmd._problems(full, target, tk.src.doc.text, tk.src.path))
    assert "ticket-file-name" in {d.rule for d in mine}


def test_a_duplicate_id_stays_for_the_gate(ops, cli):
    """A copy of the ticket in a folder that sorts first: the full check reports ticket-unique-id on
    the ticket's own file. A comment cannot change that: it is written, and the finding stays."""
    full, tk = _ticket(ops)
    sub = tk.src.path.split("/")[1]
    first = sorted(t.subsystem for t in full.tickets)[0]
    assert first < sub
    year = tk.src.path.split("/")[2]
    dup = ops / "tickets" / first / year / f"{tk.id}.yaml"
    dup.parent.mkdir(parents=True, exist_ok=True)
    dup.write_text(tk.src.doc.text, "utf-8")

    def unique_on_own():
        found = checks.diagnostics(load.load(ops))
        return [(d.rule, d.line) for d in found if d.path == tk.src.path and d.rule == "ticket-unique-id"]

    assert unique_on_own() == [("ticket-unique-id", 2)]
    last = max(e.at for e in tk.history).isoformat()
    done = cli("ticket", "comment", tk.id, "--note", "x", "--by", tk.assignee, "--at", last, "--repo", str(ops))
    assert done.code == 0 and tk.src.path in done.out
    assert "note: x" in (ops / tk.src.path).read_text("utf-8") and dup.read_text("utf-8") == tk.src.doc.text
    assert unique_on_own() == [("ticket-unique-id", 2)]


HEAVY = ("jinja2", "mkdocs", "markdown", "weasyprint", "apprise", "openpyxl", "pymdownx", "jieba",
         "material", "erpops.site", "erpops.reports", "erpops.notify", "erpops.mailin")


def _imported(root, *args):
    code = ("import sys, runpy\n"
            f"sys.argv = ['erpops', *{list(args)!r}]\n"
            "try:\n    runpy.run_module('erpops', run_name='__main__')\n"
            "except SystemExit as e:\n    code = e.code\n"
            "import json\n"
            "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)\n")
    env = {**os.environ, "ERPOPS_NOW": NOW, "ERPOPS_TODAY": NOW[:10]}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    rc, mods = json.loads(out.stderr.strip().splitlines()[-1])
    assert "erpops.cli" in mods and "yaml" in mods  # the list is what the command imported
    return rc, [m for m in mods if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_one_ticket_commands_import_no_site_report_or_notify_module(ops):
    _full, tk = _ticket(ops)
    last = max(e.at for e in tk.history).isoformat()
    for args in (("who", tk.subsystem), ("ticket", "show", tk.id),
                 ("ticket", "comment", tk.id, "--note", "x", "--by", tk.assignee, "--at", last)):
        rc, heavy = _imported(ops, *args)
        assert (rc, heavy) == (0, []), args


def test_a_warm_check_imports_no_full_schema_validator_until_a_file_fails_the_quick_one(ops):
    """jsonschema (the full validator, which writes the findings) is imported only when a document
    fails jsonschema-rs's quick check; the roster and policy, read by every check, pass it."""
    local = {k: v for k, v in os.environ.items() if k not in ("CI", "ERPOPS_CACHE")}

    def check() -> str:
        code = ("import sys, runpy\nsys.argv = ['erpops', 'check']\ntry:\n"
                "    runpy.run_module('erpops', run_name='__main__')\nexcept SystemExit as e:\n    rc = e.code\n"
                "print(rc, 'jsonschema' in sys.modules, file=sys.stderr)\n")
        out = subprocess.run([sys.executable, "-c", code], cwd=ops, capture_output=True, text=True,
                             env={**local, "ERPOPS_NOW": NOW, "ERPOPS_TODAY": NOW[:10]})
        return out.stderr.strip().splitlines()[-1]

    check()  # fills .erpops-cache
    assert check() == "0 False"
    _full, tk = _ticket(ops)
    path = ops / tk.src.path
    path.write_text(path.read_text("utf-8") + "# 只改了注释\n", "utf-8")
    assert check() == "0 False"  # the changed file read again and checked: quickly
    path.write_text(path.read_text("utf-8").replace(f"priority: {tk.priority}", "priority: P9"), "utf-8")
    assert check() == "1 True"  # the full validator writes the finding
