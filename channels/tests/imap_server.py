"""A real IMAP server for the e-mail tests: Dovecot on 127.0.0.1 with a throw-away configuration.

Use it from a test module (conftest.py is shared, so the fixture is imported where it is needed)::

    from channels.tests.imap_server import imap_server  # noqa: F401

The session-scoped fixture installs Debian's ``dovecot-imapd`` (and ``openssl``) when they are missing and we are
root (CI on a clean machine), and fails with the command to run otherwise: these tests are never skipped. It then
writes everything into one temporary directory, leaving any system Dovecot alone: a private CA and a server
certificate for ``localhost``/``127.0.0.1`` (``openssl``), a passwd-file with two users (one with a non-ASCII
password), Maildirs owned by a non-root user (``nobody`` when we are root: Dovecot refuses to access mail as root;
otherwise every Dovecot process runs as us), ``base_dir``, ``state_dir`` and the log. It starts
``dovecot -c <conf>`` with IMAPS and plain IMAP (STARTTLS required) listeners on free ports, waits for them, and
stops that instance (``dovecot -c <conf> stop``) at the end of the session.

Tests should each work in their own folder (``create_mailbox()``), so they never see one another's mail.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters.email import imap_quote, imap_utf7

DOVECOT = "/usr/sbin/dovecot"
PACKAGES = {DOVECOT: "dovecot-imapd", "openssl": "openssl"}
USER = "desk-test"
PASSWORD = "correct horse battery staple 7!"  # a throw-away account on a throw-away server
# A second account whose password is not ASCII: LOGIN cannot carry it, AUTHENTICATE PLAIN (UTF-8) can.
INTL_USER = "desk-intl"
INTL_PASSWORD = "pässwörd ünïcode €"
START_TIMEOUT = 30.0


@dataclass
class ImapServer:
    host: str
    port: int  # IMAPS
    starttls_port: int  # plain IMAP; the server refuses to log in before STARTTLS
    ca_file: str
    user: str
    password: str
    intl_user: str
    intl_password: str
    root: Path
    conf: Path
    mail_dir: Path
    _counter: int = field(default=0, repr=False)

    # --- a client of our own -------------------------------------------------------------

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        context = ssl.create_default_context(cafile=self.ca_file)
        imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=15)
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def create_mailbox(self, prefix: str = "t") -> str:
        """A new, empty folder with a unique name (Maildir++: no dots; spaces and non-ASCII are fine)."""
        self._counter += 1
        name = f"{prefix}{self._counter}-{uuid.uuid4().hex[:8]}"
        with self.client() as imap:
            typ, data = imap.create(_mailbox_arg(name))
            assert typ == "OK", f"CREATE {name} failed: {data}"
        return name

    def deliver(
        self,
        raw: bytes,
        *,
        mailbox: str = "INBOX",
        internaldate: datetime | None = None,
        flags: str = "",
    ) -> int:
        """IMAP APPEND one message; returns its UID (Dovecot answers with APPENDUID, RFC 4315)."""
        when = imaplib.Time2Internaldate(internaldate.timestamp()) if internaldate else None
        with self.client() as imap:
            typ, data = imap.append(_mailbox_arg(mailbox), f"({flags})" if flags else None, when, raw)
        assert typ == "OK", f"APPEND to {mailbox} failed: {data}"
        match = re.search(rb"APPENDUID \d+ (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
        assert match, f"no APPENDUID in {data}"
        return int(match.group(1))

    def status(self, mailbox: str = "INBOX") -> dict[str, int]:
        with self.client() as imap:
            typ, data = imap.status(_mailbox_arg(mailbox), "(MESSAGES UIDNEXT UIDVALIDITY)")
        assert typ == "OK", data
        pairs = re.findall(rb"(MESSAGES|UIDNEXT|UIDVALIDITY) (\d+)", data[0])
        return {name.decode(): int(value) for name, value in pairs}

    def flags(self, mailbox: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags, read without changing them."""
        with self.client() as imap:
            typ, _data = imap.select(_mailbox_arg(mailbox), readonly=True)
            assert typ == "OK"
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS)")
        result: dict[int, set[str]] = {}
        for line in data:
            if not isinstance(line, bytes):
                continue
            uid = re.search(rb"UID (\d+)", line)
            flags = re.search(rb"FLAGS \(([^)]*)\)", line)
            if uid and flags:
                result[int(uid.group(1))] = set(flags.group(1).decode().split())
        return result

    def reset_uidvalidity(self, mailbox: str = "INBOX") -> int:
        """Give `mailbox` a new UIDVALIDITY, keeping its messages (they get new UIDs), as a server migration or
        a rebuilt index does: Dovecot's UID list and index files for that folder are removed, and Dovecot
        rebuilds them with a fresh UIDVALIDITY on the next access. Returns the new UIDVALIDITY."""
        before = self.status(mailbox)["UIDVALIDITY"]
        folder = self.mail_dir if mailbox.upper() == "INBOX" else self.mail_dir / f".{imap_utf7(mailbox)}"
        for _attempt in range(5):
            for path in folder.iterdir():
                if path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index"):
                    path.unlink()
            after = self.status(mailbox)["UIDVALIDITY"]
            if after != before:
                return after
            time.sleep(1.1)  # Dovecot derives a new UIDVALIDITY from the clock
        raise AssertionError(f"UIDVALIDITY of {mailbox} stayed {before}")

    # --- the server itself -----------------------------------------------------------------

    def start(self) -> None:
        _run([DOVECOT, "-c", str(self.conf)], what="starting dovecot", log=self.log_file)
        for port in (self.port, self.starttls_port):
            _wait_for_port(self.host, port, log=self.log_file)

    def stop(self) -> None:
        pid = self._master_pid()
        subprocess.run(
            [DOVECOT, "-c", str(self.conf), "stop"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for port in (self.port, self.starttls_port):
            deadline = time.monotonic() + START_TIMEOUT
            while _port_open(self.host, port) and time.monotonic() < deadline:
                time.sleep(0.05)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The server is stopped inside the block and running again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    @property
    def log_file(self) -> Path:
        return self.root / "log" / "dovecot.log"

    def _master_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.root / "run" / "master.pid").read_text().strip())
        return None


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    _ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="triage-dovecot-"))
    # The login and mail processes run as other users: they must be able to reach their files.
    root.chmod(0o755)
    server = _configure(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- setup ---------------------------------------------------------------------------------


def _ensure_installed() -> None:
    missing = sorted({pkg for binary, pkg in PACKAGES.items() if not shutil.which(binary)})
    if not missing:
        return
    command = f"apt-get install -y {' '.join(missing)}"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail(
            f"The e-mail tests need a real IMAP server: {', '.join(missing)} is not installed. "
            f"Install it (Debian/Ubuntu: sudo {command}) and run the tests again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=300"]
    for args in (["apt-get", *lock, "update", "-qq"], ["apt-get", *lock, "install", "-y", "-qq", *missing]):
        try:
            proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.fail(f"`{' '.join(args)}` could not run ({exc}); install it yourself: {command}")
        if proc.returncode != 0:
            pytest.fail(
                f"`{' '.join(args)}` failed with exit code {proc.returncode}; install it yourself: {command}\n"
                f"{(proc.stdout + proc.stderr)[-3000:]}"
            )
    still = [pkg for binary, pkg in PACKAGES.items() if not shutil.which(binary)]
    if still:
        pytest.fail(f"{', '.join(still)} still missing after apt-get install.")


def _configure(root: Path) -> ImapServer:
    for sub in ("run", "state", "log", "tls", "home"):
        (root / sub).mkdir()
    ca_file, cert, key = _certificates(root / "tls")

    if os.geteuid() == 0:
        # Dovecot will not access mail as root; its own login/internal users come with the package.
        mail_user = pwd.getpwnam("nobody")
        users, chroot = "", ""
    else:
        # Not root: every Dovecot process runs as us (no privilege drop, no chroot).
        mail_user = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(mail_user.pw_gid).gr_name
        users = "".join(
            f"{setting} = {value}\n"
            for setting, value in (
                ("default_internal_user", mail_user.pw_name),
                ("default_internal_group", group),
                ("default_login_user", mail_user.pw_name),
            )
        )
        chroot = "chroot ="
    (root / "log" / "dovecot.log").touch()
    lines = []
    for user, password in ((USER, PASSWORD), (INTL_USER, INTL_PASSWORD)):
        home = root / "home" / user
        home.mkdir()
        if os.geteuid() == 0:
            os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
        home.chmod(0o700)
        lines.append(f"{user}:{{PLAIN}}{password}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}::\n")
    passwd = root / "passwd"
    passwd.write_text("".join(lines), encoding="utf-8")
    passwd.chmod(0o644)

    port, starttls_port = _free_port(), _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        textwrap.dedent(
            f"""\
            # Written by channels/tests/imap_server.py for one test session; not a system configuration.
            base_dir = {root}/run
            state_dir = {root}/state
            instance_name = triage-test-{port}
            log_path = {root}/log/dovecot.log
            info_log_path = {root}/log/dovecot.log
            listen = 127.0.0.1
            protocols = imap
            ssl = required
            ssl_cert = <{cert}
            ssl_key = <{key}
            ssl_min_protocol = TLSv1.2
            disable_plaintext_auth = yes
            auth_mechanisms = plain login
            auth_failure_delay = 0
            first_valid_uid = {min(mail_user.pw_uid, 500) or 1}
            last_valid_uid = 0
            mail_location = maildir:~/Maildir
            passdb {{
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {passwd}
            }}
            userdb {{
              driver = passwd-file
              args = username_format=%u {passwd}
            }}
            service anvil {{
              @CHROOT@
              # No auth penalty: after the wrong-password test, every login from 127.0.0.1 would wait seconds.
              unix_listener anvil-auth-penalty {{
                mode = 0
              }}
            }}
            service imap-login {{
              @CHROOT@
              inet_listener imap {{
                address = 127.0.0.1
                port = {starttls_port}
              }}
              inet_listener imaps {{
                address = 127.0.0.1
                port = {port}
                ssl = yes
              }}
            }}
            """
        ).replace("@CHROOT@", chroot)
        + users
    )
    return ImapServer(
        host="127.0.0.1",
        port=port,
        starttls_port=starttls_port,
        ca_file=str(ca_file),
        user=USER,
        password=PASSWORD,
        intl_user=INTL_USER,
        intl_password=INTL_PASSWORD,
        root=root,
        conf=conf,
        mail_dir=root / "home" / USER / "Maildir",
    )


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate it signed for localhost and 127.0.0.1 (verification stays on)."""
    cnf = directory / "openssl.cnf"
    cnf.write_text(
        textwrap.dedent(
            """\
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = Triage Desk test CA
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [server]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost,IP:127.0.0.1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """
        )
    )
    ca_key, ca_pem = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl = shutil.which("openssl") or "openssl"
    commands = {
        "creating the test CA": [
            *("req", "-x509", *ec, "-config", str(cnf), "-extensions", "ca", "-days", "3"),
            *("-keyout", str(ca_key), "-out", str(ca_pem)),
        ],
        "creating the server key": [
            *("req", "-new", *ec, "-config", str(cnf), "-subj", "/CN=localhost"),
            *("-keyout", str(key), "-out", str(csr)),
        ],
        "signing the server certificate": [
            *("x509", "-req", "-in", str(csr), "-CA", str(ca_pem), "-CAkey", str(ca_key), "-set_serial", "2"),
            *("-days", "3", "-extfile", str(cnf), "-extensions", "server", "-out", str(cert)),
        ],
    }
    for what, args in commands.items():
        _run([openssl, *args], what=what)
    key.chmod(0o600)
    return ca_pem, cert, key


def _run(args: list[str], *, what: str, log: Path | None = None) -> None:
    # Output goes to a file, not a pipe: `dovecot` daemonizes, and its master would hold a pipe open forever.
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=60, check=False)
        out.seek(0)
        output = out.read().decode(errors="replace")
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        pytest.fail(f"{what} failed (`{' '.join(args)}` exit {proc.returncode}):\n{output[-3000:]}\n{tail}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _wait_for_port(host: str, port: int, *, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if _port_open(host, port):
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
    pytest.fail(f"Dovecot did not listen on {host}:{port} within {START_TIMEOUT:g}s. Its log:\n{tail}")


def _mailbox_arg(name: str) -> str:
    """imaplib sends arguments as they are: quote the name, in IMAP's modified UTF-7."""
    return imap_quote(imap_utf7(name))


def imap_date(value: datetime) -> datetime:
    """An aware UTC datetime at whole seconds, as INTERNALDATE keeps it."""
    return value.astimezone(UTC).replace(microsecond=0)
