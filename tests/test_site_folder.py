"""The site without the erpops plugin (`erpops site pages OUT`, then plain `mkdocs build` in OUT),
and the plugin's `--dirty` builds, which rebuild only the pages whose files changed. Real
`mkdocs build` runs on a copy of the demo data with an XSS ticket and runbook."""
from __future__ import annotations

import json
import subprocess
import sys

import yaml

from site_repo import ENV, MKDOCS, XSS_IMG, XSS_TICKET, XSS_TICKET_ID, real_data_copy
from test_site import _html, _rows


def _erpops(*args, cwd):
    return subprocess.run([sys.executable, "-m", "erpops", *args], cwd=cwd, capture_output=True, text=True, env=ENV)


def test_plain_mkdocs_builds_the_written_folder_without_the_erpops_plugin(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    out = tmp_path / "pages"
    proc = _erpops("site", "pages", str(out), "--repo", str(root), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"已写入 {out}：")
    config = (out / "mkdocs.yml").read_text("utf-8")
    assert "erpops:" not in config and "  - erpops.site.safe_markdown:\n      trust_generated: true\n" in config
    plain = yaml.safe_load(config.split("markdown_extensions:")[0])
    assert plain["plugins"] == [{"search": {"lang": "zh"}}] and plain["nav"][:2] == ["index.md", "tickets/index.md"]
    assert (out / "docs/rules/index.md").is_file()  # the hand-written docs, copied
    proc = subprocess.run(MKDOCS, cwd=out, capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stderr
    site = out / "site"
    ticket = _html(site, f"tickets/production/2026/{XSS_TICKET_ID}")
    article = ticket[ticket.index("<article"):ticket.index("</article>")]
    assert "<script>alert" not in ticket and "<img src=x" not in ticket
    assert '<h1 id="alert1-叉车称重数据没有传到完工报告">&lt;script&gt;alert(1)&lt;/script&gt; 叉车称重数据没有传到完工报告<a' \
        in article
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; 叉车称重数据没有传到完工报告 - ERP 运维</title>" in ticket
    assert ["现象", XSS_IMG] in _rows(article)
    # Links between the pages lead to built pages, both ways.
    index = _html(site, "tickets")
    assert f'href="production/2026/{XSS_TICKET_ID}/"' in index
    assert (site / "subsystems/production/index.html").exists() and 'href="../../../../subsystems/production/"' in article
    # User Markdown (runbooks) stays inert: safe_markdown runs there too.
    probe = _html(site, "runbooks/production/xss-probe")
    assert "<script>alert" not in probe and 'href="javascript:' not in probe
    found = {d["location"].split("#")[0] for d in json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]}
    assert f"tickets/production/2026/{XSS_TICKET_ID}/" in found
    # A second run writes nothing new.
    again = _erpops("site", "pages", str(out), "--repo", str(root), cwd=tmp_path)
    assert again.returncode == 0 and "（新生成 0 个，" in again.stdout


# The page store is off in CI unless mkdocs.yml asks for it (`cache: auto`): these builds run as on
# a developer's machine, where `make serve` keeps it.
LOCAL = {k: v for k, v in ENV.items() if k not in ("CI", "ERPOPS_CACHE")}


def test_a_dirty_build_after_one_ticket_edit_rebuilds_only_what_shows_it(tmp_path):
    root = real_data_copy(tmp_path / "ops")
    first = subprocess.run(MKDOCS, cwd=root, capture_output=True, text=True, env=LOCAL)
    assert first.returncode == 0, first.stderr
    site = root / "site"
    full = json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]
    others = [p for p in site.glob("tickets/*/2026/*/index.html") if XSS_TICKET_ID not in str(p)]
    before = {p: p.stat().st_mtime_ns for p in others}
    path = root / XSS_TICKET
    path.write_text(path.read_text("utf-8").replace("叉车称重数据没有传到完工报告", "叉车称重数据没有传到完工单"), "utf-8")
    # --no-strict: MkDocs warns about every dirty build (the nav on kept pages may be stale).
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "--no-strict"], cwd=root, capture_output=True,
                          text=True, env=LOCAL)
    assert proc.returncode == 0, proc.stderr
    # Made: the ticket's page, the tickets index and its status, tier and subsystem lists; rebuilt
    # besides them: the Markdown pages that show the ticket (home, backlog, its subsystem's page).
    assert "erpops: 生成页面：新生成 5 页，沿用上次的 19 页。" in proc.stderr
    assert "erpops: 增量构建：重建 8 页（共 65 页），其余沿用上次的输出。" in proc.stderr
    assert "完工单" in _html(site, f"tickets/production/2026/{XSS_TICKET_ID}")
    assert "完工单" in _html(site, "tickets/status/open") and "完工单" in _html(site, "tickets")
    assert {p: p.stat().st_mtime_ns for p in others} == before  # no other ticket's page was written
    # The search index still has every page: the unchanged ones' entries are kept.
    dirty = json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]
    assert sorted({d["location"] for d in dirty}) == sorted({d["location"] for d in full})
    titles = {d["location"]: d["title"].replace("\u200b", "") for d in dirty}  # jieba's word breaks
    assert titles[f"tickets/production/2026/{XSS_TICKET_ID}/"].endswith("叉车称重数据没有传到完工单")


def test_site_pages_writes_nothing_for_a_repository_with_errors(repo, cli, tmp_path):
    from test_site_tickets import _repo

    _repo(repo)
    repo.write("tickets/alpha/2026/ALP-20261102-BAD1.yaml", "id: ALP-20261102-BAD1\n")
    result = cli("site", "pages", str(tmp_path / "out"), "--repo", str(repo.root))
    assert result.code == 1 and "ALP-20261102-BAD1.yaml" in result.err
    assert not (tmp_path / "out").exists()


def test_site_pages_with_flat_urls_links_page_html(repo, cli, tmp_path, monkeypatch):
    from test_site_tickets import PAGE, _repo
    from tickets_fixture import PATH, SIMPLE, SIMPLE_PATH, TICKET

    monkeypatch.setenv("ERPOPS_NOW", "2026-11-02T15:00:00+08:00")  # after the last event, no clock run out
    _repo(repo, (PATH, TICKET), (SIMPLE_PATH, SIMPLE))
    out = tmp_path / "out"
    result = cli("site", "pages", str(out), "--repo", str(repo.root), "--lang", "en")
    assert result.code == 0 and result.out.startswith(f"Wrote 26 pages into {out} (15 made, 0 kept).")
    assert "use_directory_urls: true\n" in (out / "mkdocs.yml").read_text("utf-8")
    flat = cli("site", "pages", str(out), "--repo", str(repo.root), "--flat-urls")
    assert flat.code == 0 and "use_directory_urls: false\n" in (out / "mkdocs.yml").read_text("utf-8")
    page = (out / "docs" / PAGE).read_text("utf-8")
    assert '<a href="../../../subsystems/alpha.html">甲系统</a>' in page and "<th>项目</th>" in page
