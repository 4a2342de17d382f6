"""E-mail in without servers: reading one mail's bytes, deciding what it asks for, the settings."""
from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from erpops import load
from erpops.errors import FatalError
from erpops.mailin import route, servers
from erpops.mailin.read import Mail, Unreadable, charset, read, safe_name
from tickets_fixture import PATH as CLOSED, TICKET, setup

TID = "ALP-20261102-K7QF"


def raw(subject: str = "[alpha] x", body: bytes = b"text", cs: str = "utf-8", head: str = "",
        sender: str = "li@corp.example") -> bytes:
    return (f"From: {sender}\r\nSubject: {subject}\r\n{head}Content-Type: text/plain; charset={cs}\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + body


@pytest.mark.parametrize("label", ["gb2312", "GB2312", "gbk", "x-gbk", "cp936", "\"gb2312\"", "euc-cn", "GB18030"])
def test_every_gb_label_is_read_as_gb18030(label):
    assert charset(label) == "gb18030"
    assert read(raw(body="铁镕㙟".encode("gb18030"), cs=label)).text == "铁镕㙟"


def test_raw_8bit_gbk_header_and_unlabelled_body_are_read():
    mail = read(b"From: li@corp.example\r\nSubject: [alpha] \xe9F\xbb\xfa\r\n\r\n" + "正文".encode("gb18030"))
    assert (mail.subject, mail.text) == ("[alpha] 镕机", "正文")


@pytest.mark.parametrize("data,key", [
    (b"Subject: no sender\r\n\r\nbody", "mail.unreadable.sender"),
    (b"From: a@x.example, b@x.example\r\nSubject: two\r\n\r\nbody", "mail.unreadable.sender"),
    (b"From: not an address\r\n\r\nbody", "mail.unreadable.sender"),
    (raw(body=b"\xff\xfe bad"), "mail.unreadable.bytes"),
    (raw(cs="x-unknown-charset"), "mail.unreadable.charset"), (raw(cs="unicode_escape"), "mail.unreadable.charset"),
    (raw(cs="base64"), "mail.unreadable.charset"),
    (b"From: li@corp.example\r\n\r\n", "mail.unreadable.empty"),
    (b"\x00\xff" * 50, "mail.unreadable.sender"),
])
def test_unreadable_mail_names_its_reason(data, key):
    with pytest.raises(Unreadable) as err:
        read(data)
    assert err.value.args[0] == key


@pytest.mark.parametrize("name,safe", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\报表.xlsx", "报表.xlsx"), (".bashrc", "bashrc"),
    ("a\u202egnp.exe", "agnp.exe"), ("x\r\nSubject: y", "x Subject: y"), ("", "attachment"), ("..", "attachment"),
    ("长" * 200 + ".pdf", "长" * 116 + ".pdf"),
])
def test_attachment_names_are_sanitised(name, safe):
    assert safe_name(name) == safe


def test_attachments_are_listed_never_kept_and_html_is_text():
    name = "=?gb2312?B?" + base64.b64encode("镕报表.xlsx".encode("gb18030")).decode() + "?="
    data = (b"From: li@corp.example\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n<style>p {}</style><p>\xe5\x9c\xa8&amp;<b>x</b></p>"
            b"<script>alert(1)</script>y<br>z\r\n--b\r\n"
            b"Content-Type: application/vnd.ms-excel; name=\"" + name.encode() + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"x" * 3000) + b"--b--\r\n")
    mail = read(data)
    assert mail.text == "在&x\ny\nz"
    assert [(a.name, a.size) for a in mail.attachments] == [("镕报表.xlsx", 3000)]


@pytest.mark.parametrize("head,sender,automatic", [
    ("", "li@corp.example", False), ("Auto-Submitted: no\r\n", "li@corp.example", False),
    ("Auto-Submitted: auto-replied\r\n", "li@corp.example", True), ("Precedence: bulk\r\n", "li@corp.example", True),
    ("List-Id: <erp.corp.example>\r\n", "li@corp.example", True), ("", "MAILER-DAEMON@corp.example", True),
])
def test_automatic_mail_is_recognised(head, sender, automatic):
    assert read(raw(head=head, sender=sender)).automatic is automatic


def test_an_rfc2231_attachment_name_labelled_gb2312_keeps_its_gbk_characters():
    name = "".join(f"%{b:02X}" for b in "镕.txt".encode("gb18030"))
    data = (b"From: li@corp.example\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: text/plain\r\n"
            b"Content-Disposition: attachment; filename*=gb2312''" + name.encode() + b"\r\n\r\ny\r\n--b--\r\n")
    assert [a.name for a in read(data).attachments] == ["镕.txt"]


def test_message_id_is_kept_only_when_well_formed():
    assert read(raw(head="Message-ID: <a.b@c>\r\n")).message_id == "<a.b@c>"
    assert read(raw(head="Message-ID: junk\r\n")).message_id is None


@pytest.fixture
def ops(repo):
    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", "  - id: li-user\n    email: Li@Corp.Example\n")
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", "  - id: zhou-user\n    emails: [zhou@home.example]\n")
    repo.write(CLOSED, TICKET)
    return load.load(repo.root)


def m(subject: str, text: str = "正文", sender: str = "li@corp.example") -> Mail:
    return Mail(sender, subject, text, None)


@pytest.mark.parametrize("subject,code,title", [
    ("[alpha] 报错", "alpha", "报错"), ("[甲系统] 报错", "alpha", "报错"), ("【甲】 报错", "alpha", "报错"), ("【乙】 报错", None, None),
    ("[Alpha]报错", "alpha", "报错"), ("回复：Re: 【甲系统】 报错", "alpha", "报错"), ("报错 [alpha]", "alpha", "报错"),
])
def test_the_subject_tag_names_the_subsystem(ops, subject, code, title):
    got = route.route(ops, m(subject))
    if code is None:
        assert isinstance(got, route.Refuse) and got.key == "mail.refused.no-subsystem"
        assert got.params == {"tags": "[甲系统]"}
    else:
        assert got == route.NewTicket("li-user", code, title, "正文")


def test_a_mailbox_of_one_subsystem_needs_no_tag(ops):
    assert route.route(ops, m("报错"), "alpha") == route.NewTicket("li-user", "alpha", "报错", "正文")
    assert route.route(ops, m("[alpha]"), "alpha") == route.Refuse("mail.refused.no-title", {})


def test_senders_are_matched_on_email_and_emails_case_blind(ops):
    assert route.sender(ops, "LI@corp.example") == "li-user"
    assert route.sender(ops, "zhou@home.example") == "zhou-user"
    assert route.route(ops, m("[alpha] x", sender="x@y.example")) == \
        route.Refuse("mail.refused.unknown-sender", {"sender": "x@y.example"})


@pytest.mark.parametrize("text,kind,note", [
    ("已解决，谢谢\n系统正常了", "close", "已解决，谢谢\n系统正常了"), ("确认。", "close", None),
    ("Resolved, thanks", "close", "Resolved, thanks"), ("没解决\n还是报错", "reopen", "没解决\n还是报错"),
    ("  重新打开", "reopen", None), ("Not solved!", "reopen", None), ("comment: 已解决", "comment", "comment: 已解决"),
    ("还是报错\n\n> 已解决\n在 2026年11月2日 写道：\n已解决", "comment", "还是报错"),
    ("请看截图\n-----原始邮件-----\n发件人: x", "comment", "请看截图"),
])
def test_a_reply_is_a_confirmation_a_reopen_or_a_comment(ops, text, kind, note):
    assert route.route(ops, m(f"Re: [甲系统] 工单 {TID.lower()}", text)) == route.Reply("li-user", TID, kind, note)


def test_a_reply_to_an_unknown_ticket_or_without_words_is_refused(ops):
    assert route.route(ops, m("Re: ALP-20261102-ZZZZ")) == route.Refuse("mail.refused.unknown-ticket",
                                                                      {"id": "ALP-20261102-ZZZZ"})
    assert route.route(ops, m(f"Re: {TID}", "> only a quote")) == route.Refuse("mail.refused.empty-reply",
                                                                             {"id": TID})


def test_imap_settings_come_from_the_environment():
    env = {"ERPOPS_IMAP_HOST": "imap.corp.example", "ERPOPS_IMAP_USER": "erp", "ERPOPS_IMAP_PASSWORD": "pw"}
    assert servers.imap_settings(env) == servers.ImapSettings("imap.corp.example", 993, "erp", "pw", "yes", "INBOX")
    assert servers.imap_settings({**env, "ERPOPS_IMAP_SSL": "starttls"}).port == 143
    for bad in ({**env, "ERPOPS_IMAP_PORT": "x"}, {**env, "ERPOPS_IMAP_SSL": "maybe"}, {"ERPOPS_IMAP_HOST": "h"}):
        with pytest.raises(FatalError):
            servers.imap_settings(bad)


def test_smtp_settings_from_a_url_or_from_parts():
    assert servers.smtp_settings({}) is None
    url = servers.smtp_settings({"ERPOPS_SMTP_URL": "smtps://erp%40corp.example:p%3Aw@smtp.corp.example"})
    assert url == servers.SmtpSettings("smtp.corp.example", 465, "erp@corp.example", "p:w", "yes", "erp@corp.example")
    parts = servers.smtp_settings({"ERPOPS_SMTP_HOST": "smtp.corp.example", "ERPOPS_SMTP_USER": "u",
                                   "ERPOPS_SMTP_PASSWORD": "p", "ERPOPS_SMTP_FROM": "erp@corp.example"})
    assert (parts.port, parts.tls, parts.sender) == (587, "starttls", "erp@corp.example")
    for bad in ({"ERPOPS_SMTP_URL": "http://x"}, {"ERPOPS_SMTP_URL": "smtp://h"}):
        with pytest.raises(FatalError):
            servers.smtp_settings(bad)


def test_the_core_imports_nothing_of_mail_in():
    code = ("import sys, erpops.cli, erpops.checks, erpops.load, erpops.commands.ticket_issue; "
            "sys.exit(any(m.startswith(('erpops.mailin', 'imapclient')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0
