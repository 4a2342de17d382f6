"""pagecache.write: a page file written whole through a temporary file beside it, its folder made
when missing, the same outcome when this process's temporary name is already taken."""
from __future__ import annotations

import os
import stat

from erpops.site import pagecache


def test_a_page_is_written_into_a_new_folder_and_kept_when_unchanged(tmp_path):
    target = tmp_path / "a" / "b" / "page.md"
    assert pagecache.write(target, "页面\n") is True
    assert target.read_text("utf-8") == "页面\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert pagecache.write(target, "页面\n") is False
    assert pagecache.write(target, "新\n") is True and target.read_text("utf-8") == "新\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.md"]


def test_a_taken_temporary_name_falls_back_to_a_random_one(tmp_path):
    target = tmp_path / "page.md"
    stale = tmp_path / f".page.md.{os.getpid()}.tmp"
    stale.write_text("stale", "utf-8")
    assert pagecache.write(target, "x") is True
    assert target.read_text("utf-8") == "x" and stale.read_text("utf-8") == "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["page.md", stale.name])
