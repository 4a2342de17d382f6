"""The demo record forms (tests/fixtures/demo/, frozen) are exactly what the demo tickets give."""
from __future__ import annotations

import pytest

from conftest import DEMO

MONTHS = ("2026-09", "2026-10")


@pytest.mark.parametrize("month", MONTHS)
def test_committed_forms_are_up_to_date(month, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ERPOPS_TODAY", "2026-11-25")
    r = cli("report", "monthly", "--month", month, "--format", "md,csv,xlsx", "--out", str(tmp_path),
            "--repo", str(DEMO))
    assert r.code == 0, r.both
    fresh = sorted(p.name for p in (tmp_path / month).iterdir())
    committed = sorted(p.name for p in (DEMO / "reports" / month).iterdir() if not p.name.startswith("office-summary."))
    assert fresh == committed and len(fresh) == 33  # 11 subsystems × md, csv, xlsx
    stale = [name for name in fresh
             if (tmp_path / month / name).read_bytes() != (DEMO / "reports" / month / name).read_bytes()]
    assert stale == [], f"regenerate with: erpops report monthly --month {month}"
