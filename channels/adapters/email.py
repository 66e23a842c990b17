"""A team mailbox (community@, merch@, education@...) read over IMAP: every message a person sends it opens or
joins a ticket.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "host": "imap.example.com",            # required: a host name or IP address, not a URL
        "port": 993,                           # default 993 for "ssl", 143 for "starttls"
        "security": "ssl",                     # "ssl" (IMAPS, the default) or "starttls"; plain IMAP is refused
        "mailbox": "INBOX",                    # the folder polled (opened read-only)
        "address": "community@example.com",    # required: the mailbox's own address (replies are sent from it)
        "username": "community@example.com",   # the IMAP login; default: the address
        "ca_file": "/etc/ssl/private-ca.pem",  # optional: CA bundle for a server with a private or self-signed
                                               # certificate; the certificate and host name are always verified
        "backfill_days": 7,                    # how far back the first poll (and a re-sync) reads
        "max_messages_per_poll": 200,          # messages one poll reads; the rest wait for the next poll
        "skip_list_mail": false,               # true: mailing-list posts (List-Id, Precedence: list) are dropped
    }

Credentials: ``{"password": "..."}``. It never appears in logs or error messages.

Our accounts: the mailbox's ``address`` is ours by definition (`own_accounts`), so a copy of our own reply
(Bcc to ourselves, or a Sent folder polled as a channel) is recorded as our reply and sets the ticket's first
reply time; list other addresses the team sends from in ``Channel.our_accounts``.

What a poll does (one connection, always logged out in ``finally``; every socket operation has the timeout
``DESK_HTTP_TIMEOUT_SECONDS``):

1. Connect with TLS (``IMAP4_SSL``, or ``IMAP4`` + ``STARTTLS``), the context from
   ``ssl.create_default_context(cafile=ca_file)``; log in; ``EXAMINE`` the mailbox (SELECT read-only) and read
   ``UIDVALIDITY``, ``UIDNEXT`` and ``EXISTS``.
2. With a cursor for this mailbox and UIDVALIDITY: ``UID SEARCH UID <last+1>:*``. Without one (first poll, the
   mailbox setting changed, or UIDVALIDITY changed, which voids every UID we know): ``UID SEARCH SINCE <date>``
   for ``backfill_days`` (0: nothing old, only mail that arrives from now on). A range ending in ``*`` always
   contains the highest message, even when its UID is not above ``last``, so UIDs are filtered client-side.
3. ``UID FETCH <set> (UID INTERNALDATE BODY.PEEK[])`` for the oldest ``max_messages_per_poll`` of them, in
   chunks. PEEK and the read-only EXAMINE leave ``\\Seen`` alone: the team still sees the mail as unread in their
   own client. Each message goes through `email_parse.read_message`; auto-replies, bounces and bulk mail are
   logged (info, with their Message-ID) and dropped.

Cursor (``Channel.cursor``), saved by the ingest service with the mentions it covers::

    {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242}

``last_uid`` moves to the highest UID this poll read (dropped messages included, so they are not read again);
when a re-sync read everything in its window, it moves to ``UIDNEXT - 1``. UIDs only grow within one
UIDVALIDITY, so no overlap window is needed; a re-sync re-reads the backfill window and the ingest's unique
(channel, Message-ID) drops what is already stored.

Errors: a refused login is an ``AuthError`` (the server's words, never the password); a certificate that does not
verify is a ``PermanentError`` that says to set ``ca_file``; a missing mailbox or a port that does not speak TLS
is a ``ConfigError``; timeouts, refused connections, dropped connections and other TLS errors are
``TransientError`` (the channel backs off and the cursor stays where it was).
"""

from __future__ import annotations

import base64
import imaplib
import ipaddress
import logging
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

from .base import (
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    TransientError,
)
from .email_parse import ParsedEmail, looks_like_message, raw_hash, read_message, split_messages
from .email_parse import parse_message as parse_message  # re-exported: one message -> mention or None
from .values import whole_numbers_check

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "security": "ssl",
    "mailbox": "INBOX",
    "backfill_days": 7,
    "max_messages_per_poll": 200,
    "skip_list_mail": False,
}
DEFAULT_PORTS = {"ssl": 993, "starttls": 143}
_LIMITS: dict[str, tuple[int, int]] = {
    "port": (1, 65535),
    "backfill_days": (0, 365),
    "max_messages_per_poll": (1, 5000),
}
_ALLOWED = {"host", "port", "address", "username", "ca_file", *DEFAULTS}
FETCH_CHUNK = 25  # messages per UID FETCH: bounds memory when mail carries big attachments

_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ADDRESS_RE = re.compile(r"[^@\s<>()\[\]\",;:\\]+@[^@\s<>()\[\]\",;:\\]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_UID_RE = re.compile(rb"\bUID (\d+)")
_INTERNALDATE_RE = re.compile(
    rb'\bINTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"'
)
_FETCH_START_RE = re.compile(rb"\d+ \(")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[SERVERBUG]", "[LIMIT]")


@dataclass(frozen=True)
class _Config:
    host: str
    port: int
    security: str
    mailbox: str
    address: str
    username: str
    ca_file: str
    backfill_days: int
    max_messages_per_poll: int
    skip_list_mail: bool

    @property
    def where(self) -> str:
        return f"IMAP {self.host}:{self.port}"


class EmailAdapter:
    kind = "email"

    # --- config ----------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        example = '{"host": "imap.example.com", "address": "community@example.com"}'
        if not isinstance(config, dict):
            raise ConfigError(f"Config must be a JSON object like {example}.")
        if "password" in config:
            raise ConfigError(
                "Do not put the password in the config (it is stored and shown in clear there): set it in the "
                'channel\'s credentials as {"password": "..."}.'
            )
        unknown = set(config) - _ALLOWED
        if unknown:
            raise ConfigError(
                f"Unknown e-mail setting(s): {', '.join(sorted(unknown))}. Allowed: {', '.join(sorted(_ALLOWED))}."
            )
        result: dict[str, Any] = dict(config)
        result["host"] = _clean_host(config.get("host"), example)

        security = config.get("security", DEFAULTS["security"])
        security = security.strip().lower() if isinstance(security, str) else security
        if security in ("plain", "none", "insecure", "") or security is None or security is False:
            raise ConfigError(
                "Plain IMAP is refused: the password and the mail would cross the network unencrypted. Use "
                '"security": "ssl" (IMAPS, port 993) or "starttls" (port 143).'
            )
        if not isinstance(security, str) or security not in DEFAULT_PORTS:
            raise ConfigError(f'"security" must be "ssl" (IMAPS, port 993) or "starttls" (port 143); got {security!r}.')
        if "security" in config:
            result["security"] = security

        whole_numbers_check(config, _LIMITS)

        address = config.get("address")
        if not isinstance(address, str) or not _ADDRESS_RE.fullmatch(address.strip()):
            raise ConfigError(
                '"address" is required: the mailbox\'s own e-mail address, e.g. "community@example.com" (replies '
                f"are sent from it, and mail from it is recorded as our reply). Got {str(address)[:100]!r}."
            )
        result["address"] = address.strip().lower()

        if "username" in config:
            username = config["username"]
            if not isinstance(username, str) or not username.strip() or _CONTROL_RE.search(username):
                raise ConfigError('"username" must be the IMAP login name (often the address itself), one line.')
            if len(username) > 320:
                raise ConfigError('"username" is too long (at most 320 characters).')
            result["username"] = username.strip()

        if "mailbox" in config:
            result["mailbox"] = _clean_mailbox(config["mailbox"])

        if config.get("ca_file") not in (None, ""):
            ca_file = config["ca_file"]
            if not isinstance(ca_file, str) or not Path(ca_file).is_absolute():
                raise ConfigError(
                    '"ca_file" must be the absolute path of a PEM file with the CA (or self-signed) certificate '
                    f"of the server; got {str(ca_file)[:200]!r}."
                )
            if not Path(ca_file).is_file():
                raise ConfigError(f'"ca_file" {ca_file!r} does not exist or is not a file on this machine.')
        elif "ca_file" in config:
            del result["ca_file"]

        if "skip_list_mail" in config and not isinstance(config["skip_list_mail"], bool):
            raise ConfigError('"skip_list_mail" must be true or false.')
        return result

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """The mailbox's own address: mail from it is our reply, never a ticket."""
        return [self.validate_config(config)["address"]]

    # --- polling ---------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        """One poll of the mailbox. `session` (HTTP) is not used: this channel speaks IMAP."""
        config = _config(self.validate_config(channel.config))
        password = _password(channel)
        old = _Cursor.load(channel.cursor)
        mentions: list[IncomingMention] = []
        reads = 0
        with imap_session(config, password) as imap:
            box = imap.examine()
            resync = old is None or old.mailbox != config.mailbox or old.uidvalidity != box.uidvalidity
            if resync:
                if old is not None:
                    logger.warning(
                        "email: channel=%s mailbox=%s UIDVALIDITY %s -> %s (or the mailbox changed): UIDs reset, "
                        "re-reading the last %s days; stored messages are recognised by Message-ID",
                        channel.slug,
                        config.mailbox,
                        old.uidvalidity,
                        box.uidvalidity,
                        config.backfill_days,
                    )
                floor = 0
                found = imap.search_since(config.backfill_days) if config.backfill_days else []
            else:
                floor = old.last_uid
                found = imap.search(f"UID {floor + 1}:*")
            candidates = sorted({uid for uid in found if uid > floor})
            batch = candidates[: config.max_messages_per_poll]
            wanted = set(batch)
            last_uid = floor
            for uid, internaldate, raw in imap.fetch(batch):
                if uid not in wanted:
                    continue
                wanted.discard(uid)
                last_uid = max(last_uid, uid)
                reads += 1
                parsed = _read(raw, internaldate=internaldate, uid=uid, mailbox=config.mailbox)
                reason = parsed.skip_reason or (
                    f"mailing-list post ({parsed.mailing_list})"
                    if config.skip_list_mail and parsed.mailing_list
                    else ""
                )
                if reason:
                    logger.info(
                        "email: channel=%s uid=%s Message-ID %s skipped, no ticket: %s",
                        channel.slug,
                        uid,
                        parsed.mention.external_id,
                        reason,
                    )
                    continue
                mentions.append(parsed.mention)
            backlog = len(candidates) - len(batch)
            if resync and not backlog:
                # The window was read completely: the UIDs below UIDNEXT that it did not return are older mail.
                last_uid = max(last_uid, (box.uidnext - 1) if box.uidnext else imap.highest_uid())
            cursor = _Cursor(mailbox=config.mailbox, uidvalidity=box.uidvalidity, last_uid=last_uid).dump()
            status = {
                "mailbox": config.mailbox,
                "messages": box.exists,
                "uidvalidity": box.uidvalidity,
                "uidnext": box.uidnext,
                "backlog": backlog,
                "checked_at": datetime.now(tz=UTC).isoformat(),
            }
            commands = imap.commands
        return FetchResult(
            mentions=mentions, cursor=cursor, requests_made=commands, reads=reads, platform_status=status
        )

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = _config(self.validate_config(channel.config))
        with imap_session(config, _password(channel)) as imap:
            box = imap.examine()
        return f"IMAP answered: {config.mailbox} has {box.exists} messages (UIDVALIDITY {box.uidvalidity})."

    # --- parsing ---------------------------------------------------------------------

    def parse_message(self, raw: bytes, *, internaldate: datetime | None = None) -> IncomingMention | None:
        """One message; None for an auto-reply, bounce or bulk mail."""
        return parse_message(raw, internaldate=internaldate)

    def parse_file(self, data: bytes) -> list[IncomingMention]:
        """A saved message (.eml), or an mbox of several, for ``manage.py ingest_payload``. Automated mail is
        dropped as when polling; ``skip_list_mail`` is a polling setting and does not apply here."""
        messages = split_messages(data)
        if not messages or not all(looks_like_message(raw) for raw in messages):
            raise PayloadError(
                "not an e-mail message: expected an RFC 5322 message (.eml: header lines, a blank line, the body)."
            )
        mentions: list[IncomingMention] = []
        for raw in messages:
            parsed = read_message(raw)
            if parsed.skip_reason:
                logger.info(
                    "email: Message-ID %s skipped, no ticket: %s", parsed.mention.external_id, parsed.skip_reason
                )
                continue
            mentions.append(parsed.mention)
        return mentions

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        raise PayloadError("E-mail channels read saved messages (.eml files), not JSON: pass the .eml file itself.")


def _read(raw: bytes, *, internaldate: datetime | None, uid: int, mailbox: str) -> ParsedEmail:
    try:
        return read_message(raw, internaldate=internaldate)
    except Exception:  # a parser bug must not wedge the mailbox on one message: keep it, readable by a human
        logger.exception("email: mailbox=%s uid=%s could not be parsed; stored as unreadable", mailbox, uid)
        return ParsedEmail(
            mention=IncomingMention(
                external_id=raw_hash(raw),
                created_at=internaldate or datetime.now(tz=UTC),
                text=f"[The desk could not read this message: open UID {uid} in the {mailbox} mailbox to see it.]",
                title="Unreadable e-mail",
                raw={"uid": uid, "size": len(raw)},
            )
        )


# --- config helpers --------------------------------------------------------------------


def _config(cleaned: dict[str, Any]) -> _Config:
    values = {**DEFAULTS, **cleaned}
    security = values["security"]
    return _Config(
        host=values["host"],
        port=int(values.get("port") or DEFAULT_PORTS[security]),
        security=security,
        mailbox=values["mailbox"],
        address=values["address"],
        username=values.get("username") or values["address"],
        ca_file=values.get("ca_file") or "",
        backfill_days=int(values["backfill_days"]),
        max_messages_per_poll=int(values["max_messages_per_poll"]),
        skip_list_mail=bool(values["skip_list_mail"]),
    )


def _clean_host(value: Any, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'"host" is required: the IMAP server\'s name, e.g. "imap.example.com". Example: {example}.')
    host = value.strip().lower().rstrip(".")
    if "://" in host or "/" in host or " " in host:
        raise ConfigError(f'"host" must be a server name such as "imap.example.com", not a URL; got {value[:100]!r}.')
    with suppress(ValueError):
        return str(ipaddress.ip_address(host.strip("[]")))
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    if not ascii_host or len(ascii_host) > 253 or not all(_LABEL_RE.fullmatch(p) for p in ascii_host.split(".")):
        raise ConfigError(
            f'"host" {value[:100]!r} is not a valid host name (set the port in "port", not after a colon).'
        )
    return ascii_host


def _clean_mailbox(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or _CONTROL_RE.search(value) or len(value) > 255:
        raise ConfigError('"mailbox" must be a folder name on one line, e.g. "INBOX" or "Support/Community".')
    name = value.strip()
    return "INBOX" if name.upper() == "INBOX" else name


def _is_int_between(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _password(channel: Any) -> str:
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable as exc:
        raise AuthError(str(exc)) from None
    password = credentials.get("password") if isinstance(credentials, dict) else None
    if not isinstance(password, str) or not password:
        raise AuthError('The channel has no IMAP password: set its credentials to {"password": "..."}.')
    if _CONTROL_RE.search(password):
        raise AuthError("The channel's IMAP password contains a line break or control character: enter it again.")
    return password


# --- IMAP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MailboxState:
    uidvalidity: int
    uidnext: int | None
    exists: int


class _Session:
    """The few IMAP commands a poll needs, on a logged-in connection; counts the commands sent."""

    def __init__(self, imap: imaplib.IMAP4, config: _Config) -> None:
        self.imap = imap
        self.config = config
        self.commands = 0

    def examine(self) -> _MailboxState:
        self.commands += 1
        typ, data = self.imap.select(imap_quote(imap_utf7(self.config.mailbox)), readonly=True)
        if typ != "OK":
            said = _server_text(data)
            if any(code in said.upper() for code in _TRANSIENT_CODES):
                raise TransientError(f"{self.config.where}: mailbox {self.config.mailbox!r} unavailable: {said}")
            raise ConfigError(
                f"{self.config.where}: mailbox {self.config.mailbox!r} cannot be opened (the server said: {said}). "
                'Check "mailbox": folder names are case-sensitive (except INBOX) and use the server\'s separator.'
            )
        uidvalidity = _first_int(self.imap.untagged_responses.get("UIDVALIDITY"))
        if uidvalidity is None:
            raise PayloadError(f"{self.config.where}: SELECT of {self.config.mailbox!r} reported no UIDVALIDITY.")
        return _MailboxState(
            uidvalidity=uidvalidity,
            uidnext=_first_int(self.imap.untagged_responses.get("UIDNEXT")),
            exists=_first_int(data) or 0,
        )

    def search(self, *criteria: str) -> list[int]:
        self.commands += 1
        typ, data = self.imap.uid("SEARCH", *criteria)
        if typ != "OK":
            raise TransientError(f"{self.config.where}: UID SEARCH {' '.join(criteria)} failed: {_server_text(data)}")
        return [int(n) for chunk in data if isinstance(chunk, bytes) for n in chunk.split() if n.isdigit()]

    def search_since(self, days: int) -> list[int]:
        day = (datetime.now(tz=UTC) - timedelta(days=days)).date()
        return self.search("SINCE", f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}")

    def highest_uid(self) -> int:
        return max(self.search("ALL"), default=0)

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, datetime | None, bytes]]:
        """(uid, INTERNALDATE, raw message) for each of `uids` the server still has, in chunks."""
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            self.commands += 1
            typ, data = self.imap.uid("FETCH", uid_set(chunk), "(UID INTERNALDATE BODY.PEEK[])")
            if typ != "OK":
                raise TransientError(f"{self.config.where}: UID FETCH failed: {_server_text(data)}")
            yield from parse_fetch_response(data)


@contextmanager
def imap_session(config: _Config, password: str) -> Iterator[_Session]:
    """A logged-in connection; network, TLS and protocol failures become adapter errors. Always logs out."""
    imap: imaplib.IMAP4 | None = None
    try:
        try:
            imap = _connect(config)
            _login(imap, config, password)
            yield _Session(imap, config)
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
        except socket.gaierror as exc:
            raise TransientError(f"{config.where}: the host name did not resolve ({exc.strerror})") from None
        except imaplib.IMAP4.abort as exc:
            raise TransientError(
                f"{config.where}: connection lost ({_scrub(_server_text(exc.args), password)})"
            ) from None
        except imaplib.IMAP4.error as exc:
            raise TransientError(f"{config.where}: {_scrub(_server_text(exc.args), password)}") from None
        except OSError as exc:
            raise TransientError(f"{config.where}: network error ({exc.strerror or exc.__class__.__name__})") from None
    finally:
        if imap is not None:
            _logout(imap)


def _connect(config: _Config) -> imaplib.IMAP4:
    context = _ssl_context(config)
    timeout = settings.DESK_HTTP_TIMEOUT_SECONDS
    if config.security == "ssl":
        return imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context, timeout=timeout)
    imap = imaplib.IMAP4(config.host, config.port, timeout=timeout)
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


def _ssl_context(config: _Config) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=config.ca_file or None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f'"ca_file" {config.ca_file!r} could not be loaded as PEM certificates: {exc}') from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _login(imap: imaplib.IMAP4, config: _Config, password: str) -> None:
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
        said = _scrub(_server_text(exc.args), password)
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


def parse_fetch_response(data: list[Any]) -> Iterator[tuple[int, datetime | None, bytes]]:
    """(uid, INTERNALDATE, body) from imaplib's UID FETCH data.

    A message comes as a tuple ``(b'12 (UID 40 INTERNALDATE "..." BODY[] {n}', literal)`` followed by the
    rest of its line (``b')'``, or ``b' UID 40)'`` when the server puts UID after the body). Plain bytes that
    start a new response are unsolicited (a FLAGS update) and ignored.
    """
    records: list[list[bytes]] = []
    for element in data:
        if isinstance(element, tuple) and len(element) == 2 and isinstance(element[1], bytes):
            records.append([bytes(element[0]), element[1]])
        elif isinstance(element, bytes) and records and not _FETCH_START_RE.match(element):
            records[-1][0] += element
    for meta, body in records:
        uid = _UID_RE.search(meta)
        if uid is None or b"BODY[]" not in meta.upper():
            continue
        yield int(uid.group(1)), _internaldate(meta), body


def _internaldate(meta: bytes) -> datetime | None:
    match = _INTERNALDATE_RE.search(meta)
    if not match:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = (g.decode() for g in match.groups())
    try:
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
        local = datetime(int(year), _MONTHS.index(month.title()) + 1, int(day), int(hour), int(minute), int(second))
        return (local - offset).replace(tzinfo=UTC)
    except ValueError:
        return None


def uid_set(uids: list[int]) -> str:
    """``1:3,7,9:10`` for [1, 2, 3, 7, 9, 10]."""
    ranges: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0]
    for uid in [*ordered[1:], None]:
        if uid is not None and uid == prev + 1:
            prev = uid
            continue
        ranges.append(str(start) if start == prev else f"{start}:{prev}")
        if uid is not None:
            start = prev = uid
    return ",".join(ranges)


def imap_utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3): "Entwürfe" -> "Entw&APw-rfe"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def imap_quote(value: str) -> str:
    """A quoted string: imaplib sends command arguments as they are."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_int(values: Any) -> int | None:
    for value in values or []:
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
        if text.strip().isdigit():
            return int(text.strip())
    return None


def _server_text(values: Any) -> str:
    parts = []
    for value in values if isinstance(values, list | tuple) else [values]:
        if isinstance(value, bytes):
            parts.append(value.decode("utf-8", "replace"))
        elif value is not None:
            parts.append(str(value))
    return " ".join(p.strip() for p in parts if p.strip())[:500] or "no reason given"


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "REDACTED") if secret else text


# --- cursor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cursor:
    mailbox: str
    uidvalidity: int
    last_uid: int

    @classmethod
    def load(cls, raw: Any) -> _Cursor | None:
        """None for a missing or damaged cursor: the poll re-syncs the backfill window (Message-ID dedupes)."""
        if not isinstance(raw, dict):
            return None
        mailbox, validity, last = raw.get("mailbox"), raw.get("uidvalidity"), raw.get("last_uid")
        if not isinstance(mailbox, str) or not _is_int_between(validity, 1, 2**32 - 1):
            return None
        if not _is_int_between(last, 0, 2**32 - 1):
            return None
        return cls(mailbox=mailbox, uidvalidity=validity, last_uid=last)

    def dump(self) -> dict[str, Any]:
        return {"mailbox": self.mailbox, "uidvalidity": self.uidvalidity, "last_uid": self.last_uid}
