"""The IMAP side of a poll: one TLS connection (always logged out in ``finally``), the few commands a poll needs,
and the mapping of network, TLS and protocol failures onto adapter errors.

Every socket operation has the timeout ``DESK_HTTP_TIMEOUT_SECONDS``. A refused login is an ``AuthError`` (the
server's words, never the password); a certificate that does not verify is a ``PermanentError`` that says to set
``ca_file``; a missing mailbox or a port that does not speak TLS is a ``ConfigError``; timeouts, refused
connections, dropped connections and other TLS errors are ``TransientError`` (the channel backs off and the cursor
stays where it was).
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

from advocacy.fetch_guard import LOOPBACK, FetchRefused, connect_checked
from channels.http import redact

from ..base import AuthError, ConfigError, PayloadError, PermanentError, TransientError
from .config import Config
from .protocol import MONTHS, imap_quote, imap_utf7, parse_fetch_response, uid_set

FETCH_CHUNK = 25  # messages per UID FETCH: bounds memory when mail carries big attachments
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[SERVERBUG]", "[LIMIT]")


@dataclass(frozen=True)
class MailboxState:
    uidvalidity: int
    uidnext: int | None
    exists: int


class Session:
    """The few IMAP commands a poll needs, on a logged-in connection; counts the commands sent."""

    def __init__(self, imap: imaplib.IMAP4, config: Config) -> None:
        self.imap = imap
        self.config = config
        self.commands = 0

    def examine(self) -> MailboxState:
        self.commands += 1
        typ, data = self.imap.select(imap_quote(imap_utf7(self.config.mailbox)), readonly=True)
        if typ != "OK":
            said = server_text(data)
            if any(code in said.upper() for code in _TRANSIENT_CODES):
                raise TransientError(f"{self.config.where}: mailbox {self.config.mailbox!r} unavailable: {said}")
            raise ConfigError(
                f"{self.config.where}: mailbox {self.config.mailbox!r} cannot be opened (the server said: {said}). "
                'Check "mailbox": folder names are case-sensitive (except INBOX) and use the server\'s separator.'
            )
        uidvalidity = first_int(self.imap.untagged_responses.get("UIDVALIDITY"))
        if uidvalidity is None:
            raise PayloadError(f"{self.config.where}: SELECT of {self.config.mailbox!r} reported no UIDVALIDITY.")
        return MailboxState(
            uidvalidity=uidvalidity,
            uidnext=first_int(self.imap.untagged_responses.get("UIDNEXT")),
            exists=first_int(data) or 0,
        )

    def search(self, *criteria: str) -> list[int]:
        self.commands += 1
        typ, data = self.imap.uid("SEARCH", *criteria)
        if typ != "OK":
            raise TransientError(f"{self.config.where}: UID SEARCH {' '.join(criteria)} failed: {server_text(data)}")
        return [int(n) for chunk in data if isinstance(chunk, bytes) for n in chunk.split() if n.isdigit()]

    def search_since(self, days: int) -> list[int]:
        day = (datetime.now(tz=UTC) - timedelta(days=days)).date()
        return self.search("SINCE", f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}")

    def highest_uid(self) -> int:
        return max(self.search("ALL"), default=0)

    def fetch_chunk(self, uids: list[int]) -> list[tuple[int, datetime | None, bytes]]:
        """(uid, INTERNALDATE, raw message) for each of `uids` the server still has: one UID FETCH."""
        self.commands += 1
        typ, data = self.imap.uid("FETCH", uid_set(uids), "(UID INTERNALDATE BODY.PEEK[])")
        if typ != "OK":
            raise TransientError(f"{self.config.where}: UID FETCH failed: {server_text(data)}")
        return list(parse_fetch_response(data))


@contextmanager
def imap_session(config: Config, password: str) -> Iterator[Session]:
    """A logged-in connection; network, TLS and protocol failures become adapter errors. Always logs out."""
    imap: imaplib.IMAP4 | None = None
    try:
        try:
            imap = _connect(config)
            _login(imap, config, password)
            yield Session(imap, config)
        except ssl.SSLCertVerificationError as exc:
            raise PermanentError(
                f"{config.where}: the server's TLS certificate was not accepted ({exc.verify_message or exc.reason}). "
                'If the server uses a self-signed or private-CA certificate, set "ca_file" to that CA\'s PEM file '
                '(verification is never turned off); check that "host" is the name on the certificate.'
            ) from None
        except ssl.SSLError as exc:
            if exc.reason in ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "HTTP_REQUEST"):
                raise ConfigError(
                    f'{config.where} did not answer with TLS: with "security": "ssl" use the IMAPS port (993); '
                    'for port 143 use "starttls".'
                ) from None
            raise TransientError(f"{config.where}: TLS error ({exc.reason or exc.__class__.__name__})") from None
        except TimeoutError:
            timeout = settings.DESK_HTTP_TIMEOUT_SECONDS
            raise TransientError(f"{config.where}: no answer within {timeout:g}s") from None
        except ConnectionRefusedError:
            raise TransientError(
                f"{config.where}: connection refused (is the server up, and the port right?)"
            ) from None
        except FetchRefused as exc:  # before OSError, which it is
            raise ConfigError(
                f"{config.where}: the desk does not connect to this host ({exc.category}); a mail server inside "
                "your network is reached once the operator lists its network in DESK_FETCH_ALLOWED_NETWORKS."
            ) from None
        except socket.gaierror as exc:
            raise TransientError(f"{config.where}: the host name did not resolve ({exc.strerror})") from None
        except imaplib.IMAP4.abort as exc:
            raise TransientError(
                f"{config.where}: connection lost ({redact(server_text(exc.args), password)})"
            ) from None
        except imaplib.IMAP4.error as exc:
            raise TransientError(f"{config.where}: {redact(server_text(exc.args), password)}") from None
        except OSError as exc:
            raise TransientError(f"{config.where}: network error ({exc.strerror or exc.__class__.__name__})") from None
    finally:
        if imap is not None:
            _logout(imap)


def _connect(config: Config) -> imaplib.IMAP4:
    if settings.DESK_DEMO_REPLAY:
        # The demo desk (`make run`) opens no connection outside this machine, and the demo network answers HTTP
        # only: its mailbox is the demo week's, answered in imaplib's shapes (replay.py); the poll is unchanged.
        from .replay import demo_mailbox

        if (mailbox := demo_mailbox(config)) is not None:
            return mailbox
    context = _ssl_context(config)
    timeout = settings.DESK_HTTP_TIMEOUT_SECONDS
    if config.security == "ssl":
        return _GuardedIMAP4SSL(config.host, config.port, ssl_context=context, timeout=timeout)
    imap = _GuardedIMAP4(config.host, config.port, timeout=timeout)
    try:
        if "STARTTLS" not in imap.capabilities:
            raise ConfigError(
                f'{config.where} does not offer STARTTLS: use "security": "ssl" (usually port 993), or fix the server.'
            )
        imap.starttls(ssl_context=context)
    except BaseException:
        _logout(imap)
        raise
    return imap


class _GuardedIMAP4(imaplib.IMAP4):
    """imaplib's client connecting through the fetch guard: the host an admin typed is resolved once, checked
    (no loopback or private address unless DESK_FETCH_ALLOWED_NETWORKS lists it) and connected to as checked."""

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return connect_checked(self.host, self.port, timeout, allowed=_demo_allowed())


class _GuardedIMAP4SSL(imaplib.IMAP4_SSL):
    # IMAP4_SSL's own _create_socket calls IMAP4's by name, so the guard cannot be mixed in: the same two steps.
    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = connect_checked(self.host, self.port, timeout, allowed=_demo_allowed())
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def _demo_allowed() -> tuple[str, ...] | None:
    """The demo desk reaches this machine and nothing else (its mailbox refuses other hosts before this): said to
    the guard as the demo's HTTP network says it. Elsewhere DESK_FETCH_ALLOWED_NETWORKS (None)."""
    return LOOPBACK if settings.DESK_DEMO_REPLAY else None


def _ssl_context(config: Config) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=config.ca_file or None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f'"ca_file" {config.ca_file!r} could not be loaded as PEM certificates: {exc}') from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _login(imap: imaplib.IMAP4, config: Config, password: str) -> None:
    """LOGIN, or AUTHENTICATE PLAIN (UTF-8) when the name or password is not ASCII."""
    try:
        if config.username.isascii() and password.isascii():
            imap.login(config.username, password)
        elif "AUTH=PLAIN" in imap.capabilities:
            imap.authenticate("PLAIN", lambda _challenge: f"\0{config.username}\0{password}".encode())
        else:
            raise AuthError(f"{config.where} does not offer AUTH=PLAIN, which a non-ASCII user name or password needs.")
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        said = redact(server_text(exc.args), password)
        if "LOGINDISABLED" in said.upper() or ("disabled" in said.lower() and "login" in said.lower()):
            raise ConfigError(f"{config.where} does not allow logging in on this connection: {said}") from None
        raise AuthError(
            f"{config.where}: login as {config.username!r} was refused ({said}). Check the username and the "
            "password in the channel's credentials."
        ) from None


def _logout(imap: imaplib.IMAP4) -> None:
    with suppress(imaplib.IMAP4.error, OSError, ValueError, AttributeError):
        if imap.state == "SELECTED":
            imap.close()  # read-only: expunges nothing
    with suppress(imaplib.IMAP4.error, OSError, ValueError, AttributeError):
        imap.logout()
    with suppress(OSError, AttributeError):
        imap.shutdown()


def first_int(values: Any) -> int | None:
    for value in values or []:
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
        if text.strip().isdigit():
            return int(text.strip())
    return None


def server_text(values: Any) -> str:
    parts = []
    for value in values if isinstance(values, list | tuple) else [values]:
        if isinstance(value, bytes):
            parts.append(value.decode("utf-8", "replace"))
        elif value is not None:
            parts.append(str(value))
    return " ".join(p.strip() for p in parts if p.strip())[:500] or "no reason given"
