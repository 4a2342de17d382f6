"""The pull-request preview build (erpops.site.preview): with ERPOPS_SITE_CHANGED_SINCE=<commit>
the plugin builds the pages of the tickets changed since that commit, not the others, and every
hand-written page as usual. Real `mkdocs build --strict` on a Git copy of the demo organisation."""
from __future__ import annotations

import subprocess

import git
import pytest

from site_repo import ENV, MKDOCS, demo_copy

from erpops.errors import FatalError
from erpops.site import preview

CHANGED = "tickets/sales/2026/SAL-20261104-Y267"
OTHER = "tickets/materials/2026/MAT-20261013-H4JO"
GONE = "tickets/quality/2026/QLT-20260903-EHHZ"


def _commit(g: git.Repo, message: str) -> str:
    g.git.add("-A")
    g.git.commit("-q", "-m", message, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                                          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    return g.head.commit.hexsha


@pytest.fixture
def ops(tmp_path):
    """The demo organisation with this repository's site settings, committed: (root, repo, base)."""
    root = demo_copy(tmp_path / "ops")
    (root / ".gitignore").write_text("site/\n.erpops-cache/\n", "utf-8")
    g = git.Repo.init(root, initial_branch="main")
    return root, g, _commit(g, "base")


def _edit_title(root) -> None:
    path = root / f"{CHANGED}.yaml"
    path.write_text(path.read_text("utf-8").replace("表头数据不完整", "表头数据不全"), "utf-8")


def _build(root, since: str | None):
    env = {k: v for k, v in ENV.items() if k != preview.ENV}
    if since is not None:
        env[preview.ENV] = since
    return subprocess.run(MKDOCS, cwd=root, capture_output=True, text=True, env=env)


def _page(root, uri: str):
    return root / "site" / uri / "index.html"


def test_a_preview_builds_the_changed_tickets_page_and_not_the_others(ops):
    root, g, base = ops
    _edit_title(root)
    _commit(g, "pr")
    proc = _build(root, base)
    assert proc.returncode == 0, proc.stderr
    assert f"erpops: 预览构建（自 {base} 以来的变更）：1 张变更的工单，其余工单不生成页面。" in proc.stderr
    assert "表头数据不全" in _page(root, CHANGED).read_text("utf-8")
    assert not _page(root, OTHER).exists()
    tickets = sorted(p.relative_to(root / "site").parent.as_posix() for p in (root / "site/tickets").glob("*/20*/*/index.html"))
    assert tickets == [CHANGED]
    # The lists show the changed ticket only, the home page says that this is a preview; the
    # hand-written pages and the other generated pages are all there.
    assert "SAL-20261104-Y267" in _page(root, "tickets/status/cancelled").read_text("utf-8")
    home = (root / "site/index.html").read_text("utf-8")
    assert '<p class="admonition-title">预览构建</p>' in home and "只生成本次变更的 1 张工单的页面" in home
    for page in ("rules", "guide/admin", "runbooks", "reports/2026-10/production", "backlog", "subsystems/sales"):
        assert _page(root, page).exists(), page


def test_a_preview_of_uncommitted_and_deleted_tickets_builds(ops):
    root, _g, base = ops
    _edit_title(root)  # not committed: the work tree is compared with the commit
    (root / f"{GONE}.yaml").unlink()
    proc = _build(root, base)
    assert proc.returncode == 0, proc.stderr
    assert "1 张变更的工单" in proc.stderr
    assert _page(root, CHANGED).exists() and not _page(root, GONE).exists()


def test_a_broken_runbook_link_still_fails_strict_in_a_preview(ops):
    root, g, base = ops
    book = next((root / "runbooks/common").glob("*.md"))
    book.write_text(book.read_text("utf-8") + "\n参见[不存在的预案](../common/no-such-runbook.md)。\n", "utf-8")
    _commit(g, "pr")
    proc = _build(root, base)
    assert proc.returncode == 1
    assert "no-such-runbook.md" in proc.stderr and "Aborted with 1 warnings in strict mode" in proc.stdout + proc.stderr


def test_a_broken_changed_ticket_fails_the_preview(ops):
    root, g, base = ops
    path = root / f"{CHANGED}.yaml"
    path.write_text(path.read_text("utf-8").replace("priority: ", "priority: P9 #", 1), "utf-8")
    _commit(g, "pr")
    proc = _build(root, base)
    assert proc.returncode == 1
    assert f"{CHANGED}.yaml:" in proc.stderr and "ERROR" in proc.stderr


def test_a_roster_change_builds_the_full_site(ops):
    root, g, base = ops
    people = root / "roster/people.yaml"
    people.write_text(people.read_text("utf-8") + "\n", "utf-8")
    _commit(g, "pr")
    proc = _build(root, base)
    assert proc.returncode == 0, proc.stderr
    assert "erpops: 预览构建：花名册或 policy.yaml 有变更，生成完整站点。" in proc.stderr
    assert _page(root, OTHER).exists() and _page(root, CHANGED).exists()


def test_without_the_variable_the_full_site_is_built(ops):
    root, g, _base = ops
    _edit_title(root)
    _commit(g, "pr")
    proc = _build(root, None)
    assert proc.returncode == 0, proc.stderr
    assert "预览" not in proc.stderr and _page(root, OTHER).exists() and _page(root, CHANGED).exists()
    assert "预览构建" not in (root / "site/index.html").read_text("utf-8")


@pytest.mark.parametrize("value", ["--output=/tmp/x", "HEAD~1", "main", "abc"])
def test_only_a_commit_id_is_taken(value):
    with pytest.raises(FatalError) as e:
        preview.since({preview.ENV: value})
    assert str(e.value).startswith("ERPOPS_SITE_CHANGED_SINCE 应为提交号")
    assert preview.since({}) is None and preview.since({preview.ENV: " "}) is None
    assert preview.since({preview.ENV: "0123abc"}) == "0123abc"


def test_an_unknown_commit_stops_the_build(ops):
    root, _g, _base = ops
    proc = _build(root, "0" * 40)
    assert proc.returncode == 1 and "0000000000000000000000000000000000000000" in proc.stderr


def test_changed_lists_old_and_new_names_of_a_moved_ticket(ops):
    root, g, base = ops
    moved = root / "tickets/sales/2025/SAL-20261104-Y267.yaml"
    moved.parent.mkdir(parents=True)
    (root / f"{CHANGED}.yaml").rename(moved)
    _commit(g, "moved")
    paths = preview.changed(root, base)
    assert paths == ["tickets/sales/2025/SAL-20261104-Y267.yaml", f"{CHANGED}.yaml"]
    assert preview.ticket_paths(root, paths) == ["tickets/sales/2025/SAL-20261104-Y267.yaml"]
    assert not preview.needs_full(paths) and preview.needs_full(["policy.yaml"])
    assert preview.needs_full(["roster/subsystems/sales.yaml"]) and not preview.needs_full(["roster.md"])


def test_changed_takes_the_ops_folder_name_literally(tmp_path):
    """An ops folder named `ops*` is that folder, not the glob that also matches its sibling `opsX`."""
    top = tmp_path / "top"
    for folder in ("ops*", "opsX"):
        (top / folder).mkdir(parents=True)
        (top / folder / "a.yaml").write_text("a: 1\n", "utf-8")
    g = git.Repo.init(top, initial_branch="main")
    g.git.add("-A")
    g.git.commit("-m", "base", env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                                    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"})
    base = g.head.commit.hexsha
    (top / "ops*" / "a.yaml").write_text("a: 2\n", "utf-8")
    (top / "opsX" / "a.yaml").unlink()
    (top / "opsX" / "other.yaml").write_text("b: 1\n", "utf-8")
    assert preview.changed(top / "ops*", base) == ["a.yaml"]
