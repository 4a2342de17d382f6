"""E-mail in against real servers: dovecot (IMAP) holds the mails, aiosmtpd receives the answers.

Each mail becomes a ticket or an event on its own branch ticket/mail-<uid>, through the same code
as the ticket form and the CLI; a refused mail is answered and set aside without blocking the
next; a second run, or a run after a crash, writes nothing twice.
"""
from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
from urllib.parse import quote

import git
import pytest
import yaml

from imap_server import imap_server, smtp_server  # noqa: F401  (fixtures)
from tickets_fixture import PATH as CLOSED, SIMPLE, SIMPLE_PATH, TICKET, setup

CST = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 11, 24, 10, 30, tzinfo=CST)  # a Tuesday, before the pinned now
LI, ZHOU = "li@corp.example", "Zhou.User@Corp.Example"


@pytest.fixture
def ops(repo):
    setup(repo)
    repo.edit("roster/people.yaml", "  - id: li-user\n", f"  - id: li-user\n    email: {LI}\n")
    repo.edit("roster/people.yaml", "  - id: zhou-user\n", "  - id: zhou-user\n    email: zhou.user@corp.example\n")
    repo.write(CLOSED, TICKET)
    g = git.Repo.init(repo.root, initial_branch="main")
    with g.config_writer() as cfg:
        cfg.set_value("user", "email", "ci@example.com")
        cfg.set_value("user", "name", "CI")
    g.git.add("-A")
    g.git.commit("-m", "base")
    repo.git = g
    return repo


@pytest.fixture
def servers(imap_server, smtp_server, monkeypatch):  # noqa: F811
    for key, value in {**imap_server.env(), **smtp_server.env()}.items():
        monkeypatch.setenv(key, value)
    return imap_server, smtp_server


def mail(sender: str, subject: bytes | str, body: bytes, charset: str = "utf-8", *, extra: str = "",
         encoding: str = "base64", attachment: tuple[str, bytes] | None = None) -> bytes:
    """A mail as a client writes it: `subject` an encoded header (bytes), or text (sent as UTF-8)."""
    if isinstance(subject, bytes):
        subject = subject.decode("ascii")
    elif not subject.isascii():
        subject = "=?utf-8?B?" + base64.b64encode(subject.encode()).decode() + "?="
    payload = base64.encodebytes(body).decode("ascii") if encoding == "base64" else body.decode("latin-1")
    text = (f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
            f"{payload}\r\n")
    head = f"From: {sender}\r\nTo: erp@corp.example\r\nSubject: {subject}\r\nMessage-ID: <{abs(hash(subject))}@corp.example>\r\n" \
           f"Date: Tue, 24 Nov 2026 10:29:00 +0800\r\nMIME-Version: 1.0\r\n{extra}"
    if attachment is None:
        return (head + text).encode("latin-1")
    name, data = attachment
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + text + "--b1\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
            f"filename*=utf-8''{quote(name)}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(data).decode("ascii") + "\r\n--b1--\r\n").encode("latin-1")


def words(text: str, charset: str) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(text.encode("gb18030")) + b"?="


GB2312 = mail(LI, words("[甲系统] 朱镕基路仓库无法出库", "gb2312"), "出库单保存时报错，镕字显示为问号".encode("gb18030"), "gb2312")
GBK = mail(ZHOU, words("[alpha] 㙟镇车间领料失败", "gbk"), "㙟镇车间领料单审核失败".encode("gb18030"), "gbk")
UTF8 = mail(LI, "【Alpha】库存报表很慢",
            "打开库存报表要两分钟\n\n> 以前的邮件".encode(), attachment=("../../运行 me.sh", b"#!/bin/sh\nrm -rf /\n"))
REOPEN = mail(LI, f"Re: [甲系统] 工单 {CLOSED.rsplit('/', 1)[1][:-5]}", "没解决，又报库存不足\n今天早上再次出现".encode(),
              "utf-8")
UNKNOWN = mail("stranger@elsewhere.example", "[alpha] help", b"please", "us-ascii")
BROKEN = mail(LI, "[alpha] broken", b"\xff\xfe\xfa not utf-8", "utf-8", encoding="8bit")
AUTO = mail(LI, "Automatic reply: out of office", b"away", "us-ascii", extra="Auto-Submitted: auto-replied\r\n")


def append(server, *mails: bytes) -> None:
    c = server.client()
    try:
        for raw in mails:
            c.append("INBOX", raw, msg_time=RECEIVED)
    finally:
        c.logout()


def folders(server) -> dict[str, int]:
    c = server.client()
    try:
        return {name: c.folder_status(name, ["MESSAGES"])[b"MESSAGES"]
                for _f, _d, name in c.list_folders()}
    finally:
        c.logout()


def branch_ticket(ops, branch: str) -> dict:
    commit = ops.git.commit(branch)
    (path,) = [p for p in commit.stats.files]
    return path, yaml.safe_load(ops.git.git.show(f"{branch}:{path}"))


def test_python_alone_loses_gbk_characters_in_gb2312_mail_and_ours_keeps_them():
    from erpops.mailin.read import read

    msg = email.message_from_bytes(GB2312, policy=email.policy.default)
    assert "\ufffd" in msg["subject"] and "\ufffd" in msg.get_content()
    ours = read(GB2312)
    assert ours.subject == "[甲系统] 朱镕基路仓库无法出库"
    assert ours.text == "出库单保存时报错，镕字显示为问号" and "\ufffd" not in ours.text
    std = email.message_from_bytes(GBK, policy=email.policy.default)
    assert "\ufffd" in std.get_content()
    assert read(GBK).subject == "[alpha] 㙟镇车间领料失败"


def test_fetch_turns_each_mail_into_a_ticket_or_event_and_answers_the_refused(ops, cli, servers, tmp_path, monkeypatch):
    imap, smtp = servers
    append(imap, GB2312, GBK, UNKNOWN, BROKEN, UTF8, AUTO, REOPEN)
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 0, r.both
    assert "共 7 封邮件：写入 4，此前已写入 0，退回并已回复 2，退回未能回复 0，自动邮件 1，留在收件箱 0，出错 0。" in r.out
    assert folders(imap) == {"INBOX": 0, "erpops-done": 4, "erpops-rejected": 3}
    assert ops.git.active_branch.name == "main" and not ops.git.is_dirty(untracked_files=True)
    assert sorted(h.name for h in ops.git.heads) == ["main", "ticket/mail-1", "ticket/mail-2", "ticket/mail-5",
                                                     "ticket/mail-7"]

    path, gb = branch_ticket(ops, "ticket/mail-1")
    assert path.startswith("tickets/alpha/2026/ALP-20261124-")
    assert (gb["title"], gb["symptom"], gb["reporter"], gb["assignee"]) == (
        "朱镕基路仓库无法出库", "出库单保存时报错，镕字显示为问号", {"person": "li-user"}, "li-user")
    assert (gb["type"], gb["priority"]) == ("fault", "P3")
    assert gb["opened"].isoformat() == "2026-11-24T10:30:00+08:00"
    assert gb["history"][0]["note"] == f"由 {LI} 的邮件生成（收件 uid 1）"
    _p, gbk = branch_ticket(ops, "ticket/mail-2")
    assert (gbk["title"], gbk["reporter"]) == ("㙟镇车间领料失败", {"person": "zhou-user"})

    _p, utf = branch_ticket(ops, "ticket/mail-5")
    assert (utf["title"], utf["symptom"]) == ("库存报表很慢", "打开库存报表要两分钟")
    assert utf["history"][0]["note"].endswith("附件随原邮件保存在邮箱文件夹 erpops-done 中，未存入仓库：运行 me.sh（1 KB）")

    path, reopened = branch_ticket(ops, "ticket/mail-7")
    assert path == CLOSED
    last = reopened["history"][-1]
    assert (last["event"], last["by"], last["note"]) == ("reopen", "li-user", "没解决，又报库存不足\n今天早上再次出现")
    assert reopened["status"] != "closed"

    answers = {tuple(rcpt): email.message_from_bytes(content, policy=email.policy.default)
               for _f, rcpt, content in smtp.received}
    assert set(answers) == {("stranger@elsewhere.example",), (LI,)}
    unknown = answers[("stranger@elsewhere.example",)]
    assert unknown["Subject"] == "未能登记：[alpha] help" and unknown["Auto-Submitted"] == "auto-replied"
    assert "发件人 stranger@elsewhere.example 不在名册中" in unknown.get_content()
    assert "邮件正文不是有效的 utf-8 文本" in answers[(LI,)].get_content()
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "count=4" and lines[1].startswith("pulls<<ERPOPS_")
    assert lines[2] == f"ticket/mail-1\t工单 {gb['id']}：朱镕基路仓库无法出库"
    assert lines[5] == f"ticket/mail-7\t工单 {reopened['id']}：邮件要求重新打开"

    again = cli("mail", "fetch", cwd=ops.root)  # nothing new: nothing written, nothing answered
    assert again.code == 0 and "共 0 封邮件" in again.out
    assert len(smtp.received) == 2 and len(list(ops.git.heads)) == 5
    assert cli("check", cwd=ops.root).code in (0, 1)


def test_a_mail_whose_branch_exists_is_only_moved(ops, cli, servers):
    imap, smtp = servers
    append(imap, GB2312)
    ops.git.git.branch("ticket/mail-1")  # the run before stopped after the commit, before the move
    r = cli("mail", "fetch", "--lang", "en", cwd=ops.root)
    assert r.code == 0, r.both
    assert "Mail 1: already written (branch ticket/mail-1); moved to erpops-done." in r.out
    assert ops.git.commit("ticket/mail-1") == ops.git.commit("main")
    assert folders(imap)["erpops-done"] == 1 and smtp.received == []


def test_a_reply_the_rules_refuse_is_answered_with_their_reason(ops, cli, servers):
    imap, smtp = servers
    tid = CLOSED.rsplit("/", 1)[1][:-5]
    append(imap, mail(LI, f"Re: {tid}", "已解决\n谢谢".encode(), "utf-8"), GB2312)
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 0, r.both
    assert folders(imap) == {"INBOX": 0, "erpops-done": 1, "erpops-rejected": 1}
    ((_f, rcpt, content),) = smtp.received
    body = email.message_from_bytes(content, policy=email.policy.default).get_content()
    assert rcpt == [LI] and "未能登记为工单" in body and tid in r.both
    assert sorted(h.name for h in ops.git.heads) == ["main", "ticket/mail-2"]


def test_the_mailbox_settings_come_from_the_environment_only(ops, cli, monkeypatch):
    for key in ("ERPOPS_IMAP_HOST", "ERPOPS_IMAP_USER", "ERPOPS_IMAP_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    r = cli("mail", "fetch", "--lang", "en", cwd=ops.root)
    assert r.code == 2
    assert "missing environment variables ERPOPS_IMAP_HOST, ERPOPS_IMAP_USER, ERPOPS_IMAP_PASSWORD" in r.err


def test_an_unreachable_mailbox_is_exit_2_without_a_traceback(ops, cli, monkeypatch):
    from imap_server import free_port

    monkeypatch.setenv("ERPOPS_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("ERPOPS_IMAP_PORT", str(free_port()))
    monkeypatch.setenv("ERPOPS_IMAP_USER", "u")
    monkeypatch.setenv("ERPOPS_IMAP_PASSWORD", "p")
    monkeypatch.setenv("ERPOPS_IMAP_SSL", "no")
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 2 and "无法读取 127.0.0.1:" in r.err


def test_a_bug_met_by_one_mail_sets_it_aside_and_the_next_is_read(ops, cli, servers, tmp_path, monkeypatch):
    imap, smtp = servers
    append(imap, GB2312, GBK)
    from erpops.commands import mail as command

    real = command.file_ticket

    def buggy(repo, who, opened, **kw):
        if "镕" in kw["title"]:
            raise RuntimeError("boom")
        return real(repo, who, opened, **kw)

    monkeypatch.setattr(command, "file_ticket", buggy)
    monkeypatch.setenv("ERPOPS_LOG_DIR", str(tmp_path / "log"))
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 3
    assert "邮件 1 遇到 erpops 的程序错误" in r.err and "RuntimeError: boom" in (tmp_path / "log/erpops.log").read_text()
    assert folders(imap) == {"INBOX": 0, "erpops-done": 1, "erpops-rejected": 1}
    assert sorted(h.name for h in ops.git.heads) == ["main", "ticket/mail-2"] and smtp.received == []


def test_push_writes_the_branch_to_the_remote_before_the_mail_moves(ops, cli, servers, tmp_path):
    imap, _smtp = servers
    bare = git.Repo.init(tmp_path / "origin.git", bare=True)
    ops.git.create_remote("origin", str(bare.working_dir))
    append(imap, GB2312)
    r = cli("mail", "fetch", "--push", "origin", cwd=ops.root)
    assert r.code == 0, r.both
    assert [h.name for h in bare.heads] == ["ticket/mail-1"]
    # A run in another checkout pushed mail 2's branch and stopped before the move: only origin knows.
    ops.git.git.push("origin", "main:refs/heads/ticket/mail-2")
    append(imap, GBK)
    r = cli("mail", "fetch", "--push", "origin", cwd=ops.root)
    assert r.code == 0 and "邮件 2：已写入（分支 ticket/mail-2），移至 erpops-done。" in r.out
    assert bare.commit("ticket/mail-2") == ops.git.commit("main") and "ticket/mail-2" not in ops.git.heads
    assert folders(imap) == {"INBOX": 0, "erpops-done": 2, "erpops-rejected": 0}


def test_an_unreachable_remote_stops_before_any_mail_is_touched(ops, cli, servers, tmp_path):
    imap, _smtp = servers
    ops.git.create_remote("origin", str(tmp_path / "nowhere.git"))
    append(imap, GB2312)
    r = cli("mail", "fetch", "--push", "origin", cwd=ops.root)
    assert r.code == 2 and "未能推送到 origin" in r.err
    assert folders(imap)["INBOX"] == 1 and [h.name for h in ops.git.heads] == ["main"]


def test_a_refused_push_leaves_the_mail_and_no_branch_for_the_next_run(ops, cli, servers, tmp_path):
    imap, _smtp = servers
    bare = git.Repo.init(tmp_path / "origin.git", bare=True)
    hook = tmp_path / "origin.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho no pushes today >&2\nexit 1\n")
    hook.chmod(0o755)
    ops.git.create_remote("origin", str(bare.working_dir))
    append(imap, GB2312, GBK)
    r = cli("mail", "fetch", "--push", "origin", cwd=ops.root)
    assert r.code == 1 and "no pushes today" in r.err
    assert "留在收件箱 2" in r.out and folders(imap)["INBOX"] == 2
    assert [h.name for h in ops.git.heads] == ["main"] and ops.git.active_branch.name == "main"


def test_without_smtp_a_refused_mail_is_set_aside_and_the_exit_code_says_so(ops, cli, servers, monkeypatch):
    imap, _smtp = servers
    monkeypatch.delenv("ERPOPS_SMTP_URL")
    append(imap, UNKNOWN)
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 1 and "无法告知 stranger@elsewhere.example" in r.err
    assert folders(imap)["erpops-rejected"] == 1


def test_the_reporter_confirms_a_resolved_ticket_by_mail(ops, cli, servers):
    imap, smtp = servers
    ops.write(SIMPLE_PATH, SIMPLE)
    ops.git.git.add("-A")
    ops.git.git.commit("-m", "resolved ticket")
    gbk_reply = mail(ZHOU, words("回复：[甲系统] ALP-20261102-AB2C 如何查询本月领料汇总", "gbk"),
                     "确认，可以查了\n谢谢\n\n在 2026年11月2日 写道：\n> 已处理".encode("gb18030"), "gbk")
    append(imap, gbk_reply)
    r = cli("mail", "fetch", cwd=ops.root)
    assert r.code == 0, r.both
    path, data = branch_ticket(ops, "ticket/mail-1")
    assert path == SIMPLE_PATH and data["status"] == "closed"
    last = data["history"][-1]
    assert (last["event"], last["by"], last["note"], last["at"].isoformat()) == (
        "close", "zhou-user", "确认，可以查了\n谢谢", "2026-11-24T10:30:00+08:00")
    assert smtp.received == [] and folders(imap)["erpops-done"] == 1
    assert ops.git.commit("ticket/mail-1").message.startswith("Ticket ALP-20261102-AB2C: close by zhou-user")
