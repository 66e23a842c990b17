"""An e-mail channel's settings: checked once (`validate_config`), read as a `Config` by the poll.

Unknown keys are errors; the password lives in the channel's credentials, never in the config (a config holding
one is refused without echoing it). ``max_messages_per_poll`` is the poll's budget: the messages one poll
fetches, in chunks of `client.FETCH_CHUNK`; the rest wait for the next poll (see `paging`).
"""

from __future__ import annotations

import ipaddress
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base import AuthError, ConfigError
from ..schema import Credential, KindSchema, Setting, number

if TYPE_CHECKING:
    from channels.models import Channel

DEFAULT_PORTS = {"ssl": 993, "starttls": 143}
EXAMPLE = '{"host": "imap.example.com", "address": "community@example.com"}'

_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ADDRESS_RE = re.compile(r"[^@\s<>()\[\]\",;:\\]+@[^@\s<>()\[\]\",;:\\]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Config:
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


def _security(value: Any) -> str:
    security = value.strip().lower() if isinstance(value, str) else value
    if security in ("plain", "none", "insecure", "") or security is None or security is False:
        raise ConfigError(
            "Plain IMAP is refused: the password and the mail would cross the network unencrypted. Use "
            '"security": "ssl" (IMAPS, port 993) or "starttls" (port 143).'
        )
    if not isinstance(security, str) or security not in DEFAULT_PORTS:
        raise ConfigError(f'"security" must be "ssl" (IMAPS, port 993) or "starttls" (port 143); got {security!r}.')
    return security


def _address(address: Any) -> str:
    if not isinstance(address, str) or not _ADDRESS_RE.fullmatch(address.strip()):
        raise ConfigError(
            '"address" is required: the mailbox\'s own e-mail address, e.g. "community@example.com" (replies '
            f"are sent from it, and mail from it is recorded as our reply). Got {str(address)[:100]!r}."
        )
    return address.strip().lower()


def _username(username: Any) -> str:
    if not isinstance(username, str) or not username.strip() or _CONTROL_RE.search(username):
        raise ConfigError('"username" must be the IMAP login name (often the address itself), one line.')
    if len(username) > 320:
        raise ConfigError('"username" is too long (at most 320 characters).')
    return username.strip()


def _ca_file(ca_file: Any) -> Any:
    if ca_file in (None, ""):
        return ca_file  # no CA file: left out of the config (`validate_config`)
    if not isinstance(ca_file, str) or not Path(ca_file).is_absolute():
        raise ConfigError(
            '"ca_file" must be the absolute path of a PEM file with the CA (or self-signed) certificate '
            f"of the server; got {str(ca_file)[:200]!r}."
        )
    if not Path(ca_file).is_file():
        raise ConfigError(f'"ca_file" {ca_file!r} does not exist or is not a file on this machine.')
    return ca_file


def settings_of(cleaned: dict[str, Any]) -> Config:
    """A validated config (`validate_config`) as the poll reads it: each setting left out is its default."""
    values = {**DEFAULTS, "ca_file": "", **cleaned}
    values["port"] = values.get("port") or DEFAULT_PORTS[values["security"]]
    values["username"] = values.get("username") or values["address"]
    return Config(**values)


def _clean_host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'"host" is required: the IMAP server\'s name, e.g. "imap.example.com". Example: {EXAMPLE}.')
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


def password_of(channel: Channel) -> str:
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


SCHEMA = KindSchema(
    settings=(
        Setting(
            "host",
            "IMAP server",
            "text",
            "A host name or IP address, not a URL",
            "imap.example.com",
            required=True,
            clean=_clean_host,
        ),
        Setting(
            "security",
            "Security",
            "choice",
            "How the connection is encrypted (plain IMAP is refused)",
            default="ssl",
            choices=(("ssl", "SSL/TLS (IMAPS, port 993)"), ("starttls", "STARTTLS (port 143)")),
            clean=_security,
        ),
        Setting(
            "port",
            "Port",
            "int",
            "Only for a non-standard port",
            limits=(1, 65535),
            empty="993 for SSL/TLS, 143 for STARTTLS",
        ),
        Setting(
            "address",
            "Mailbox address",
            "text",
            "The mailbox's own e-mail address: replies are sent from it, mail from it is our reply",
            "community@example.com",
            required=True,
            clean=_address,
        ),
        Setting(
            "username",
            "IMAP login",
            "text",
            "The login name",
            "community@example.com",
            empty="the address",
            clean=_username,
        ),
        Setting(
            "mailbox",
            "Folder",
            "text",
            "The folder polled (opened read-only)",
            "Support/Community",
            default="INBOX",
            clean=_clean_mailbox,
        ),
        Setting(
            "ca_file",
            "CA certificate file",
            "text",
            "Only for a server with a private or self-signed certificate: the absolute path of its PEM file on "
            "this machine (the certificate and host name are always verified)",
            "/etc/ssl/private-ca.pem",
            clean=_ca_file,
        ),
        number(
            "backfill_days",
            7,
            (0, 365),
            (
                "Backfill (days)",
                "How far back the first poll (and a re-sync) reads; 0: only mail that arrives from now on",
            ),
        ),
        number(
            "max_messages_per_poll",
            200,
            (1, 5000),
            ("Messages per poll", "Messages one poll reads; the rest wait for the next poll"),
        ),
        Setting(
            "skip_list_mail",
            "Skip mailing-list mail",
            "bool",
            "Drop mailing-list posts (List-Id, Precedence: list) instead of opening tickets",
            default=False,
        ),
    ),
    credentials=(Credential("password", "IMAP password", "The password of the IMAP login"),),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    if isinstance(config, dict) and "password" in config:
        raise ConfigError(
            "Do not put the password in the config (it is stored and shown in clear there): set it in the "
            'channel\'s credentials as {"password": "..."}.'
        )
    result = SCHEMA.checked(config, "e-mail", EXAMPLE)
    if result.get("ca_file") in (None, ""):
        result.pop("ca_file", None)
    return result
