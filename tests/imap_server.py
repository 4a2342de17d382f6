"""A real IMAP server (Debian's dovecot-imapd) and a real SMTP server (aiosmtpd) for the e-mail
intake tests, each on 127.0.0.1 only, in a temporary folder, stopped by the fixture."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
USER, PASSWORD = "ops", "secret-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(base: Path, port: int) -> str:
    import getpass
    import grp
    import pwd

    if os.getuid() == 0:  # CI runs as root: dovecot's own unprivileged users (from the package)
        login, internal, group = "dovenull", "dovecot", "dovecot"
        mail_user = pwd.getpwnam("nobody")  # a mail process may not run as root
    else:
        login = internal = getpass.getuser()
        mail_user = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
instance_name = erpops-test-{port}
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{base}/mail/%u
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
first_valid_uid = 0
first_valid_gid = 0
mail_uid = {mail_user.pw_uid}
mail_gid = {mail_user.pw_gid}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={base}/home/%u
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    folder: Path
    process: subprocess.Popen = field(repr=False)

    def env(self) -> dict[str, str]:
        return {"ERPOPS_IMAP_HOST": self.host, "ERPOPS_IMAP_PORT": str(self.port),
                "ERPOPS_IMAP_USER": self.user, "ERPOPS_IMAP_PASSWORD": self.password,
                "ERPOPS_IMAP_SSL": "no"}

    def client(self):
        from imapclient import IMAPClient

        c = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        c.login(self.user, self.password)
        return c


def _wait(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("dovecot stopped: " + (log.read_text() if log.exists() else ""))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.settimeout(2)
                if s.recv(64).startswith(b"* OK"):  # dovecot's greeting, not another test's server
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("dovecot did not listen: " + (log.read_text() if log.exists() else ""))


@pytest.fixture
def imap_server():
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP server to test against")
    # Its own folder, not pytest's private (0700) one: dovecot's unprivileged processes must reach it.
    base = Path(tempfile.mkdtemp(prefix="erpops-dovecot-"))
    base.chmod(0o711)
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (base / "passwd").chmod(0o644)
    if os.getuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        for sub in ("mail", "home"):
            os.chown(base / sub, nobody.pw_uid, nobody.pw_gid)
    process = None
    try:
        # free_port releases the port before dovecot binds it: another test (pytest-xdist runs two at
        # once) may take it meanwhile, and dovecot then stops. A few tries, each on a new port.
        for attempt in range(5):
            port = free_port()
            conf = base / "dovecot.conf"
            conf.write_text(_config(base, port))
            process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            try:
                _wait(port, process, base / "dovecot.log")
                break
            except RuntimeError:
                if process.poll() is None or attempt == 4:
                    raise
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, base, process)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {"ERPOPS_SMTP_URL": f"smtp://{self.host}:{self.port}", "ERPOPS_SMTP_FROM": "erpops@ops.example"}


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            server.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
