"""erpops check --summary: a Markdown job summary appended to the file, user text kept inert."""
from __future__ import annotations

from erpops.diagnostics import Diagnostic
from erpops.output import markdown


def test_summary_is_appended_not_overwritten(repo, cli, tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("## earlier step\n", "utf-8")
    assert cli("check", "--summary", str(path), cwd=repo.root).code == 0
    assert path.read_text("utf-8") == (
        "## earlier step\n## erpops 数据检查\n\n✅ 检查了 4 个文件，没有发现问题。\n")


def test_summary_in_english_with_findings(repo, cli, tmp_path):
    repo.edit("roster/subsystems/alpha.yaml", "  leader: zhao-admin", "  leader: li-user")
    path = tmp_path / "new" / "summary.md"
    r = cli("--lang", "en", "check", "--summary", str(path), cwd=repo.root)
    assert r.code == 1
    lines = path.read_text("utf-8").splitlines()
    assert lines[:6] == [
        "## erpops data check", "", "❌ Checked 4 files: 1 errors, 0 warnings.", "",
        "| File | Line | Severity | Rule | Message |", "|---|---:|---|---|---|",
    ]
    assert lines[6].startswith("| roster/subsystems/alpha.yaml | 7 | error | roster-key-user-leader | ")


def test_cells_cannot_break_the_table_or_inject_html():
    d = Diagnostic.make("a|b.yaml", 3, "yaml-syntax", problem="<script>x</script> | y\nz & w")
    row = markdown([d], 1, "en").splitlines()[-1]
    assert row.startswith("| a\\|b.yaml | 3 | error | yaml-syntax | ")
    assert "<script>" not in row and "&lt;script&gt;x&lt;/script&gt; \\| y z &amp; w" in row
    assert row.count(" | ") == 4


def test_long_reports_are_cut_with_a_note():
    found = [Diagnostic.make(f"f{i:03}.yaml", 1, "yaml-syntax", problem="p") for i in range(205)]
    lines = markdown(found, 205, "en").splitlines()
    assert sum(1 for line in lines if line.startswith("| f")) == 200
    assert lines[-1] == "5 more not listed; run erpops check to see them all."


def test_unwritable_summary_is_exit_2(repo, cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    r = cli("check", "--summary", str(blocker / "summary.md"), cwd=repo.root)
    assert r.code == 2
    assert "无法写入摘要文件" in r.err
