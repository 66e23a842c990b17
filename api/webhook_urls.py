"""Which addresses an outgoing webhook may reach (server-side request forgery).

A subscription's URL is parsed with urllib, its host resolved by the operating system (every A and AAAA
record) and every resolved address checked: one loopback, private, link-local, shared, multicast,
reserved or otherwise not globally routable address refuses the whole URL. Odd spellings of an address
(2130706433, 0x7f.1, 0177.0.0.1, 127.1, IDNA, a trailing dot) need no rule of their own: the resolver
turns them into the address that is checked. IPv6 forms that carry an IPv4 address (IPv4-mapped,
IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are checked as that IPv4 address.

The check runs when an admin saves the URL and again before every delivery, and the delivery connects to
the very addresses this module returned (api.webhook_http), so a name that resolves to a public address
here and to 127.0.0.1 a moment later (DNS rebinding) still reaches only the public one.

A private receiver is reached only when its network is listed in DESK_WEBHOOK_ALLOWED_NETWORKS.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# (network, what it is), most specific first where they nest. Sources: IANA's IPv4 and IPv6
# Special-Purpose Address Registries (RFC 6890 and its updates).
_V4_REFUSED: list[tuple[str, str]] = [
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared"),  # carrier-grade NAT, RFC 6598
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),  # cloud metadata services live here
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # and 255.255.255.255, the broadcast address
]
_V6_REFUSED: list[tuple[str, str]] = [
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "private"),  # local-use NAT64
    ("100::/64", "reserved"),
    ("2001::/32", "reserved"),  # Teredo: the IPv4 inside is obfuscated, so refused as a whole
    ("2001:db8::/32", "reserved"),
    ("2001::/23", "reserved"),
    ("3fff::/20", "reserved"),
    ("5f00::/16", "reserved"),
    ("fc00::/7", "private"),  # unique local
    ("fe80::/10", "link-local"),
    ("fec0::/10", "private"),  # site-local, deprecated but still routed by some networks
    ("ff00::/8", "multicast"),
    ("::/8", "reserved"),
]
_REFUSED = [(ipaddress.ip_network(net), kind) for net, kind in _V4_REFUSED + _V6_REFUSED]
# IPv6 prefixes whose last 32 bits (or, for 6to4, bits 16-48) are an IPv4 address to check instead.
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
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
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlRefused("host not found") from exc
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        problem = address_refusal(ipaddress.ip_address(sockaddr[0]))
        if problem:
            raise WebhookUrlRefused(problem)  # one bad address refuses the name: any may be used
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise WebhookUrlRefused("host not found")
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def address_refusal(ip: Address) -> str | None:
    """Why `ip` may not be reached ("loopback address (127.0.0.0/8)"), or None when it may."""
    inner = _embedded_ipv4(ip)
    if _allowed(ip) or (inner is not None and _allowed(inner)):
        return None
    if inner is not None:
        problem = address_refusal(inner)
        return f"{problem} inside {ip}" if problem else None
    for network, kind in _REFUSED:
        if ip.version == network.version and ip in network:
            return f"{kind} address ({network})"
    if ip.version == 6 and ip not in _GLOBAL_UNICAST:
        return f"reserved address (outside {_GLOBAL_UNICAST})"
    if not ip.is_global:  # anything the registries add that the tables above do not list yet
        return "reserved address"
    return None


def allowed_networks() -> list[Network]:
    return [ipaddress.ip_network(net, strict=False) for net in settings.DESK_WEBHOOK_ALLOWED_NETWORKS]


def _allowed(ip: Address) -> bool:
    return any(ip.version == net.version and ip in net for net in allowed_networks())


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if ip.version == 4:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if (ip in _NAT64 or ip in _COMPATIBLE) and int(ip) > 1:  # :: and ::1 are themselves
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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
