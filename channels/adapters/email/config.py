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
from ..schema import Credential, KindSchema, Setting, int_settings
from ..values import booleans_check, whole_numbers_check

if TYPE_CHECKING:
    from channels.models import Channel

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


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
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

    booleans_check(config, "skip_list_mail")
    return result


def settings_of(cleaned: dict[str, Any]) -> Config:
    values = {**DEFAULTS, **cleaned}
    security = values["security"]
    return Config(
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
            "host", "IMAP server", "text", "A host name or IP address, not a URL", "imap.example.com", required=True
        ),
        Setting(
            "security",
            "Security",
            "choice",
            "How the connection is encrypted (plain IMAP is refused)",
            default=DEFAULTS["security"],
            choices=(("ssl", "SSL/TLS (IMAPS, port 993)"), ("starttls", "STARTTLS (port 143)")),
        ),
        Setting(
            "port",
            "Port",
            "int",
            "Only for a non-standard port",
            default="993 for SSL/TLS, 143 for STARTTLS",
            limits=_LIMITS["port"],
        ),
        Setting(
            "address",
            "Mailbox address",
            "text",
            "The mailbox's own e-mail address: replies are sent from it, mail from it is our reply",
            "community@example.com",
            required=True,
        ),
        Setting("username", "IMAP login", "text", "The login name", "community@example.com", default="the address"),
        Setting(
            "mailbox",
            "Folder",
            "text",
            "The folder polled (opened read-only)",
            "Support/Community",
            default=DEFAULTS["mailbox"],
        ),
        Setting(
            "ca_file",
            "CA certificate file",
            "text",
            "Only for a server with a private or self-signed certificate: the absolute path of its PEM file on "
            "this machine (the certificate and host name are always verified)",
            "/etc/ssl/private-ca.pem",
        ),
        *int_settings(
            (
                "backfill_days",
                "Backfill (days)",
                "How far back the first poll (and a re-sync) reads; 0: only mail that arrives from now on",
            ),
            ("max_messages_per_poll", "Messages per poll", "Messages one poll reads; the rest wait for the next poll"),
            defaults=DEFAULTS,
            limits=_LIMITS,
        ),
        Setting(
            "skip_list_mail",
            "Skip mailing-list mail",
            "bool",
            "Drop mailing-list posts (List-Id, Precedence: list) instead of opening tickets",
            default=DEFAULTS["skip_list_mail"],
        ),
    ),
    credentials=(Credential("password", "IMAP password", "The password of the IMAP login"),),
)
