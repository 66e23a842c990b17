"""Which addresses an outgoing webhook may reach (server-side request forgery).

A subscription's URL is parsed with urllib, its host resolved by the operating system (every A and AAAA
record) and every resolved address checked by the desk's one fetch guard (advocacy.fetch_guard): one
loopback, private, link-local, shared, multicast, reserved or otherwise not globally routable address
refuses the whole URL. Odd spellings of an address (2130706433, 0x7f.1, 0177.0.0.1, 127.1, IDNA, a trailing
dot) need no rule of their own: the resolver turns them into the address that is checked. IPv6 forms that
carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are checked as that
IPv4 address.

The check runs when an admin saves the URL and again before every delivery, and the delivery connects to
the very addresses this module returned (api.webhook_http), so a name that resolves to a public address
here and to 127.0.0.1 a moment later (DNS rebinding) still reaches only the public one.

A private receiver is reached only when its network is listed in DESK_WEBHOOK_ALLOWED_NETWORKS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from advocacy import fetch_guard
from advocacy.fetch_guard import Address, FetchRefused, Network, resolve_checked

# Anything that could smuggle a second header line or confuse another parser: refused outright.
_BAD_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


class WebhookUrlRefused(Exception):
    """The URL may not be used; `category` says why in words safe for the delivery log and the form
    ("private address (10.0.0.0/8)"): never the receiver's answer or an exception's text."""

    def __init__(self, category: str) -> None:
        super().__init__(category)
        self.category = category


@dataclass(frozen=True)
class WebhookTarget:
    """A checked URL: where to connect (`addresses`, each checked) and what to ask for there."""

    scheme: str
    host: str  # ASCII (IDNA) host name or address literal, for the Host header and TLS
    port: int
    path: str  # path and query
    addresses: tuple[tuple[int, tuple], ...]  # (socket family, socket address) as the resolver gave them


def webhook_target(url: str) -> WebhookTarget:
    """Parse, resolve and check `url`. Raises WebhookUrlRefused with the category."""
    scheme, host, port, path = _parse(url)
    try:
        addresses = resolve_checked(host, port, allowed_networks())
    except FetchRefused as exc:
        raise WebhookUrlRefused(exc.category) from None
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def address_refusal(ip: Address) -> str | None:
    """Why `ip` may not be reached by a webhook ("loopback address (127.0.0.0/8)"), or None when it may."""
    return fetch_guard.address_refusal(ip, allowed_networks())


def allowed_networks() -> list[Network]:
    return fetch_guard.networks(settings.DESK_WEBHOOK_ALLOWED_NETWORKS)


def _parse(url: str) -> tuple[str, str, int, str]:
    if not url or _BAD_CHARACTERS.search(url):
        raise WebhookUrlRefused("invalid URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # a port out of range, an unclosed [ ...
        raise WebhookUrlRefused("invalid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise WebhookUrlRefused("only http and https URLs")
    if scheme != "https" and settings.PRODUCTION:
        raise WebhookUrlRefused("https required")
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlRefused("user name or password in URL")
    host = (parts.hostname or "").rstrip(".")  # the resolver and TLS certificates want it without
    if not host:
        raise WebhookUrlRefused("invalid URL")
    try:
        host = host.encode("idna").decode("ascii") if ":" not in host else host
    except UnicodeError as exc:
        raise WebhookUrlRefused("invalid URL") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path
