"""The address a request came from, as the sign-in limits, allauth's own rate limits and the SignIn records
all see it (DeskAccountAdapter.get_client_ip).

Behind a reverse proxy every request arrives from the proxy, and the client's address is in the
X-Forwarded-For header, which anyone can also send. It is read only when the request comes from a proxy the
desk trusts (DESK_TRUSTED_PROXIES, address ranges; or DESK_PROXY_HOPS, how many proxies stand in front), and
from the right: each proxy appends the address it received the request from, so the entries a client wrote
itself are to the left of the first address that is not a trusted proxy. Anything unreadable falls back to
REMOTE_ADDR, never to a value the client chose.

allauth 65 has ALLAUTH_TRUSTED_PROXY_COUNT, but it reads the header whoever sent the request (a client
reaching the desk's port directly chooses its address) and answers a short header with a server error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# The sign-in limits count an IPv6 client by its /64: one household or office gets a whole /64, so
# counting single addresses would let it try from 2^64 "places" (allauth's limits count the same way).
IPV6_PREFIX = 64


def address_parse(value: str) -> IPAddress | None:
    """An address as a proxy writes it: `203.0.113.5`, `2001:db8::1`, with a port (`203.0.113.5:4711`,
    `[2001:db8::1]:4711`) or brackets. IPv4-mapped IPv6 is the IPv4 address. Anything else is None."""
    value = value.strip()
    port = ""
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        value, port = value[1:end], value[end + 2 :]
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        value, port = value.split(":", 1)
    if port and not (port.isascii() and port.isdigit()):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return None
        if address.ipv4_mapped:
            return address.ipv4_mapped
    return address


def client_address_from(
    *, remote_addr: str, forwarded_for: str | None, trusted: Sequence[IPNetwork], hops: int
) -> str | None:
    """The client's address; None when REMOTE_ADDR itself is unreadable (then nothing is known).

    With `trusted` ranges, REMOTE_ADDR must be in one of them for the header to be read at all, and the
    walk stops at the first address outside them. With `hops`, at most that many entries are read (the
    n-th from the right is the client's when n proxies each append one). With both, whichever stops first.
    """
    remote = address_parse(remote_addr or "")
    if remote is None:
        return None
    if not trusted and hops <= 0:
        return str(remote)
    if trusted and not _inside(remote, trusted):
        return str(remote)  # not from our proxy: its header is the client's own words
    address = remote
    taken = 0
    entries = forwarded_for.split(",") if forwarded_for else []
    for entry in reversed(entries):
        if hops > 0 and taken >= hops:
            break
        parsed = address_parse(entry)
        if parsed is None:
            return str(remote)
        address, taken = parsed, taken + 1
        if trusted and not _inside(parsed, trusted):
            break
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    return client_address_from(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted=trusted_proxies(tuple(settings.DESK_TRUSTED_PROXIES)),
        hops=settings.DESK_PROXY_HOPS,
    )


def address_source(address: str | None) -> str:
    """What the limits count an address under: the IPv4 address, or its IPv6 /64 network."""
    parsed = address_parse(address or "")
    if parsed is None:
        return ""
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


@lru_cache(maxsize=8)
def trusted_proxies(ranges: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """DESK_TRUSTED_PROXIES as networks (the settings, advocacy/settings/auth.py, already refused a malformed one)."""
    return tuple(ipaddress.ip_network(r.strip(), strict=False) for r in ranges if r.strip())


def _inside(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == n.version and address in n for n in networks)
