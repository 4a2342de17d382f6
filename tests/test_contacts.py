"""Contacts: everyone on an escalation path has a phone or WeCom entry, or a warning says who does
not; the site links phones as tel: and says plainly where a contact is not recorded."""
from __future__ import annotations

import json

import pytest

from erpops import load
from erpops.site import pages
from erpops.site.context import INTERNAL, PUBLIC
from erpops.site.escape import tel_link


@pytest.fixture
def repo(repo):
    """The tiny repository with its escalation people's WeCom entries taken out again."""
    for wecom in ("zhaoguanli", "qianxitong", "sunzuzhang"):
        repo.edit("roster/people.yaml", f"    wecom: {wecom}\n", "")
    return repo


def contact_findings(cli, repo):
    r = cli("check", "--format", "json", cwd=repo.root)
    return r.code, [(d["path"], d["line"], d["rule"], d["severity"]) for d in json.loads(r.out)["diagnostics"]
                    if d["rule"] == "roster-no-contact"]


def test_everyone_on_an_escalation_path_without_phone_or_wecom_is_warned_once(cli, repo):
    # zhao-admin: business admin (and key-user leader); qian-erp: ERP admin and office member (once);
    # sun-lead: office lead. The key users li-user and zhou-user are on no escalation path.
    assert contact_findings(cli, repo) == (0, [
        ("roster/people.yaml", 2, "roster-no-contact", "warning"),
        ("roster/people.yaml", 4, "roster-no-contact", "warning"),
        ("roster/people.yaml", 7, "roster-no-contact", "warning"),
    ])
    r = cli("check", cwd=repo.root)
    assert ("roster/people.yaml:4:5: 警告 [roster-no-contact] 钱系统（qian-erp）在升级路径上，但没有登记电话或企业微信，"
            "出问题时联系不到。请在 roster/people.yaml 为其添加 phone（加引号，如 \"0531-12345678\"）或 wecom。") in r.out
    en = cli("check", "--lang", "en", cwd=repo.root)
    assert ("roster/people.yaml:2:5: warning [roster-no-contact] 赵管理 (zhao-admin) is on an escalation path but has "
            "no phone or WeCom entry") in en.out


def test_a_phone_or_a_wecom_entry_is_enough_and_email_is_not(cli, repo):
    repo.edit("roster/people.yaml", "    name: 赵管理\n", "    name: 赵管理\n    wecom: zhaoguanli\n")
    repo.edit("roster/people.yaml", "    name: 钱系统\n", "    name: 钱系统\n    phone: '0531-12345678 转 801'\n")
    repo.edit("roster/people.yaml", "    name: 孙组长\n", "    name: 孙组长\n    email: sun@example.com\n")
    assert contact_findings(cli, repo) == (0, [("roster/people.yaml", 9, "roster-no-contact", "warning")])


def test_vendor_contacts_are_on_the_path(cli, repo):
    for name in ("赵管理", "钱系统", "孙组长"):
        repo.edit("roster/people.yaml", f"    name: {name}\n", f"    name: {name}\n    phone: '13800138000'\n")
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", "  - id: vendor-wu\n    name: 吴顾问\n  - id: zhou-user\n")
    repo.write("roster/vendor.yaml", "name: 用友\ncontacts:\n  - vendor-wu\non_site_support:\n  period: 上线初期\n")
    assert contact_findings(cli, repo) == (0, [("roster/people.yaml", 15, "roster-no-contact", "warning")])


def test_a_phone_links_as_tel_with_only_its_digits():
    assert tel_link("13800138000") == "[13800138000](tel:13800138000)"
    assert tel_link("0531-12345678 转 801") == "[0531\\-12345678 转 801](tel:053112345678;ext=801)"
    assert tel_link("+86 (531) 1234 5678") == "[\\+86 \\(531\\) 1234 5678](tel:+8653112345678)"
    assert tel_link("未知") == "未知"  # no digit: plain text, no link
    assert tel_link("[x](javascript:alert(1))") == "[\\[x\\]\\(javascript:alert\\(1\\)\\)](tel:1)"  # text inert, target digits


def test_the_site_links_phones_and_says_where_a_contact_is_not_recorded(repo):
    repo.edit("roster/people.yaml", "    name: 钱系统\n", "    name: 钱系统\n    phone: '0531-12345678 转 801'\n")
    internal = pages.build(load.load(repo.root), audience=INTERNAL)
    missing = "电话、企业微信未登记（在 roster/people\\.yaml 为此人添加 phone 或 wecom）"
    contacts, alpha = internal["contacts.md"], internal["subsystems/alpha.md"]
    assert "| ERP 系统管理员 | 钱系统 | 电话 [0531\\-12345678 转 801](tel:053112345678;ext=801) |" in contacts
    assert f"| 业务系统管理员 | 赵管理 | {missing} |" in contacts
    assert f"| 运维管理办公室组长 | 孙组长 | {missing} |" in contacts
    assert "| 软件供应商 | 用友（只能由 ERP 系统管理员联系） | 服务热线未登记（在 roster/vendor\\.yaml 添加 hotline） |" in contacts
    assert "| ERP 系统管理员 | 钱系统 | 电话 [0531\\-12345678 转 801](tel:053112345678;ext=801) |" in alpha
    assert f"| 李用户 | {missing} |" in alpha  # key users' rows say it too
    public = pages.build(load.load(repo.root), audience=PUBLIC)
    assert not any("未登记" in page or "tel:" in page for page in public.values())


def test_the_english_site_says_not_recorded(repo):
    repo.edit("roster/people.yaml", "    name: 钱系统\n", "    name: 钱系统\n    wecom: qianxitong\n    email: q@example.com\n")
    internal = pages.build(load.load(repo.root), "en", audience=INTERNAL)
    page = internal["contacts.md"]
    assert "Phone and WeCom not recorded \\(add phone or wecom for this person in roster/people\\.yaml\\)" in page
    assert "| Member of the ops office | 钱系统 | Email q@example\\.com,WeCom qianxitong |" in page
