"""Search as people type it, in a real headless Chromium: a recall set of queries (no spaces,
colloquial, Latin and Chinese mixed) and the page each must find first, over the site of a
frozen copy of the data (tests/fixtures/sitework). Skipped only when /usr/bin/chromium is missing."""
from __future__ import annotations

import pytest

from browser import CHROMIUM, Browser, Site, search_again
from site_fixture import build, frozen_copy

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")

RB = "/runbooks/common/"
TK = "/tickets/"

# query → the page it must find first.
RECALL = {
    # Latin and Chinese mixed, with and without a space (the guide's own example)
    "MRP运算失败": RB + "mrp-run-failure/",
    "MRP 运算失败": RB + "mrp-run-failure/",
    "MRP": RB + "mrp-run-failure/",
    "BOM循环": RB + "mrp-run-failure/",
    "ERP宕机": RB + "server-db-outage/",
    # colloquial: the synonym dictionary (tools/erpops/site/synonyms/zh.yaml)
    "登录不了": RB + "server-db-outage/",
    "打印不出来": RB + "print-failure/",
    "打印不了": RB + "print-failure/",
    "结不了账": RB + "month-end-closing/",
    "数据丢了": RB + "backup-restore/",
    "误删了": RB + "backup-restore/",
    "很卡": RB + "server-db-outage/",
    "没权限": RB + "permission-change/",
    "开账号": RB + "permission-change/",
    "中病毒": RB + "network-security-incident/",
    "连不上": RB + "network-security-incident/",
    "找用友": RB + "vendor-escalation/",
    "交记录表": RB + "monthly-record-form/",
    "找谁": "/contacts/",
    "联系方式": "/contacts/",
    # words of the pages, typed without spaces
    "备份": RB + "backup-restore/",
    "月末结账": RB + "month-end-closing/",
    "月结": RB + "month-end-closing/",
    "宕机": RB + "server-db-outage/",
    "服务器宕机": RB + "server-db-outage/",
    "数据库连接失败": RB + "server-db-outage/",
    "权限变更": RB + "permission-change/",
    "账号被盗": RB + "network-security-incident/",
    "断网": RB + "network-security-incident/",
    "升级": RB + "vendor-escalation/",
    "报表发布": RB + "custom-report-publish/",
    "自定义报表": RB + "custom-report-publish/",
    "测试环境刷新": RB + "test-env-refresh/",
    "组织架构": "/organisation/",
    "关键用户": "/guide/key-user/",
    # tickets by the words of their titles
    "考勤导入失败": TK + "hr/2026/HR-20261014-QXR2/",
    "凭证号不连续": TK + "finance/2026/FIN-20260902-W246/",
    "盘点单": TK + "materials/2026/MAT-20261124-DMT7/",
    "信用额度": TK + "sales/2026/SAL-20261016-KNU2/",
    "发货单打印": TK + "sales/2026/SAL-20260910-CM5Y/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = frozen_copy(tmp_path_factory.mktemp("recall") / "ops")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    served = Site(root / "site")
    browser = Browser(profile=tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser, served.base
    finally:
        browser.close()
        served.close()


def test_the_recall_set_is_at_least_thirty_queries():
    assert len(RECALL) >= 30


def test_every_query_finds_its_page_first(site):
    browser, base = site
    missed = {}
    for query, expected in RECALL.items():
        found = search_again(browser, base, query)
        if found[0] != expected:
            missed[query] = found[:3]
    assert missed == {}


def test_results_carry_no_zero_width_space(site):
    browser, base = site
    search_again(browser, base, "MRP运算失败")
    shown = browser.evaluate("document.querySelector('.md-search-result').innerText")
    assert "运算失败" in shown
    assert "\u200b" not in shown
    assert browser.evaluate("document.querySelector('.md-search-result').innerHTML.includes('\\u200b')") is False


def test_a_query_of_lunr_syntax_is_left_as_typed(site):
    browser, base = site
    assert search_again(browser, base, "+MRP")[0] == RB + "mrp-run-failure/"
