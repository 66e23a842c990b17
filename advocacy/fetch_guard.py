"""One guard for every URL the server fetches (server-side request forgery), and for the links it shows.

Every HTTP request the desk makes goes through a session from `guarded_session` (channels.http.build_session
builds on it): its transport, `GuardedAdapter`, resolves the host with the operating system's resolver when it
opens a connection, checks every address the name has, and connects to a checked address, never resolving the
name again (so a name that answers a public address to the check and 127.0.0.1 a moment later, DNS rebinding,
still reaches only the public one). Because the check sits where a connection is opened, every redirect hop
to a new host is checked too, whoever follows it (requests' own redirect handling included).

Refused: loopback, private, shared (carrier-grade NAT), link-local (cloud metadata services), multicast,
reserved and unspecified addresses, and IPv6 forms that carry an IPv4 address (IPv4-mapped,
IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) checked as that IPv4 address; Teredo (2001::/32)
obfuscates its IPv4 address and is refused whole. Odd spellings of an address (2130706433, 0x7f.1,
0177.0.0.1, 127.1, full-width digits, a trailing dot) need no rule of their own here: requests maps the host
through IDNA (UTS #46: full-width digits become ASCII) and the resolver reads the inet_aton forms, so the
address checked is the one the socket would reach.

The links a mention carries are not fetched but shown to advocates, whose browsers would open them inside the
team's network: `link_refusal` applies the same address rules without resolving anything, after normalising
the host the way a browser does (percent-decoding, IDNA with NFKC, a trailing dot, the inet_aton forms).

A private address is reached only when its network is listed: DESK_FETCH_ALLOWED_NETWORKS for the desk's
fetches (a team's own GitLab or embeddings server, the tests' local servers), DESK_WEBHOOK_ALLOWED_NETWORKS
for outgoing webhooks (api.webhook_urls), and this machine for the demo network's local fakes
(channels.demo.replay, which answers the platforms' hosts itself and opens no other connection).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import idna
import requests
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.util import connection as urllib3_connection

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
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# Names that mean this machine or the local network whatever DNS says (RFC 6761, 6762, 8375; .internal: ICANN's
# private-use TLD; cloud providers answer their metadata service under it).
_LOCAL_NAMES = ("localhost",)
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")
# A host a browser reads as an IPv4 address: digits, hex (0x..) and dots only (WHATWG URL, "IPv4 parser").
_IPV4_ISH = re.compile(r"[0-9a-fx.]+")
LOOPBACK: tuple[str, ...] = ("127.0.0.0/8", "::1/128")


class FetchRefused(requests.ConnectionError):
    """The guard refused the address; `category` says why in words safe to log and show ("loopback address
    (127.0.0.0/8)"). A ConnectionError, so every caller that handles an unreachable host handles this too."""

    def __init__(self, category: str, **kwargs: Any) -> None:
        super().__init__(f"refused by the fetch guard: {category}", **kwargs)
        self.category = category


class HostNotFound(FetchRefused):
    """The name has no address: where the guard connects this stays urllib3's NameResolutionError (a DNS outage
    is worth retrying; a refused address is not)."""


def networks(values: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


def address_refusal(ip: Address, allowed: Sequence[Network] = ()) -> str | None:
    """Why `ip` may not be reached ("loopback address (127.0.0.0/8)"), or None when it may: a global address,
    or one inside `allowed`."""
    inner = _embedded_ipv4(ip)
    if _inside(ip, allowed) or (inner is not None and _inside(inner, allowed)):
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


def resolve_checked(host: str, port: int, allowed: Sequence[Network] = ()) -> list[tuple[int, tuple]]:
    """Every (socket family, socket address) `host` resolves to, each checked; one refused address refuses the
    name (any of them could be the one connected to). Raises FetchRefused.

    The host is normalised first (`_normalised`: NFKC, IDNA, percent-decoding, a trailing dot), so a caller that
    hands over the host as typed gets the address a browser or requests would reach, not a lookup failure."""
    name = _normalised(host)
    if not name:
        raise HostNotFound("host not found")
    try:
        answers = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound("host not found") from exc
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        problem = address_refusal(ipaddress.ip_address(sockaddr[0]), allowed)
        if problem:
            raise FetchRefused(problem)
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise HostNotFound("host not found")
    return addresses


def host_refusal(host: str) -> str | None:
    """Why a link to `host` may not be shown, without resolving it: a local name, or an address (in any
    spelling a browser reads) that address_refusal refuses. None for an ordinary public name or address."""
    name = _normalised(host)
    if name is None:
        return "unreadable host"
    if not name or name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES):
        return "local name"
    address = _address(name)
    return address_refusal(address) if address is not None else None


def url_refusal(url: str) -> str | None:
    """Why the desk would not fetch `url`, for the form an admin saves it in: an address in any spelling outside
    the public ones and DESK_FETCH_ALLOWED_NETWORKS, or localhost. A name is resolved only when fetched (what it
    answers may change), so None here is no promise: the fetch checks again."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return "unreadable address"
    name = _normalised(host)
    if name is None:
        return "unreadable host"
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback address (localhost)"
    address = _address(name)
    return address_refusal(address, _allowed(None)) if address is not None else None


def link_refusal(link: str) -> str | None:
    """Why `link` may not be shown (`host_refusal`, or a user name in it: `http://evil@127.0.0.1` and
    `http://127.0.0.1\\@evil` are read differently by Python and by browsers), or None."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return "unreadable link"
    if "\\" in link or "@" in parts.netloc:
        return "user name or backslash in the link"
    return host_refusal(parts.hostname or "")


def guarded_session(*, allowed: tuple[str, ...] | None = None) -> requests.Session:
    """A requests session whose every connection is checked (`allowed`: the networks it may reach besides the
    public ones; None: DESK_FETCH_ALLOWED_NETWORKS, read at each connection)."""
    session = requests.Session()
    adapter = GuardedAdapter(allowed=allowed)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def connect_checked(
    host: str, port: int, timeout: float | None, *, allowed: tuple[str, ...] | None = None
) -> socket.socket:
    """A TCP connection to a checked address of `host`, for the protocols that are not HTTP (a mailbox's IMAP
    server). Raises FetchRefused; a name with no address raises the resolver's socket.gaierror as before."""
    try:
        addresses = resolve_checked(host.rstrip("."), port, _allowed(allowed))
    except HostNotFound as exc:
        if isinstance(exc.__cause__, socket.gaierror):
            raise exc.__cause__ from None
        raise socket.gaierror(socket.EAI_NONAME, "no address") from None
    last: OSError = OSError("no address")
    for _family, sockaddr in addresses:
        try:
            return socket.create_connection((sockaddr[0], sockaddr[1]), timeout)
        except TimeoutError:
            raise
        except OSError as exc:
            last = exc
    raise last


class GuardedAdapter(HTTPAdapter):
    """requests' transport with checked, pinned connections (the module docstring)."""

    __attrs__ = [*HTTPAdapter.__attrs__, "allowed"]

    def __init__(self, *, allowed: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        self.allowed = allowed  # before HTTPAdapter.__init__, which makes the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.allowed)

    # The arguments as requests passes them (positional or not): only `proxies` is looked at.
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        proxies = kwargs.get("proxies") or (args[4] if len(args) > 4 else None)
        if proxies and request.url and select_proxy(request.url, proxies):
            # The operator's proxy (HTTPS_PROXY) resolves the name itself: the destination is checked here, at
            # least, though the proxy's own lookup is not pinned.
            parts = urlsplit(request.url)
            resolve_checked(parts.hostname or "", parts.port or 443, _allowed(self.allowed))
        try:
            return super().send(request, *args, **kwargs)
        except requests.ConnectionError as exc:
            refused = _refusal_in(exc)
            if refused is None:
                raise
            raise FetchRefused(refused, request=request) from None


class _Refused(urllib3.exceptions.NewConnectionError):
    """Raised where urllib3 opens a connection; GuardedAdapter.send turns it back into FetchRefused."""

    def __init__(self, conn: Any, category: str) -> None:
        super().__init__(conn, f"refused by the fetch guard: {category}")
        self.category = category


class _GuardedConnection:
    """Mixed into urllib3's connections: `_new_conn` resolves, checks, and connects to a checked address."""

    fetch_allowed: tuple[str, ...] | None = None
    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    host: str

    def _new_conn(self) -> socket.socket:
        try:
            addresses = resolve_checked(self._dns_host.rstrip("."), self.port, _allowed(self.fetch_allowed))
        except HostNotFound as exc:
            cause = exc.__cause__
            reason = cause if isinstance(cause, socket.gaierror) else socket.gaierror(socket.EAI_NONAME, "no address")
            raise urllib3.exceptions.NameResolutionError(self.host, self, reason) from exc  # type: ignore[arg-type]
        except FetchRefused as exc:
            raise _Refused(self, exc.category) from None
        last: OSError = OSError("no address")
        for _family, sockaddr in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (sockaddr[0], sockaddr[1]),  # an address literal: nothing is resolved again
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise urllib3.exceptions.ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                last = exc
                continue
            sys.audit("http.client.connect", self, self.host, self.port)
            return sock
        raise urllib3.exceptions.NewConnectionError(self, f"Failed to establish a new connection: {last}")  # type: ignore[arg-type]


@cache
def _pool_classes(allowed: tuple[str, ...] | None) -> dict[str, type[urllib3.connectionpool.HTTPConnectionPool]]:
    """urllib3's pool classes for http and https whose connections are guarded with `allowed`."""
    fields = {"fetch_allowed": allowed}
    http = type("GuardedHTTPConnection", (_GuardedConnection, urllib3.connection.HTTPConnection), fields)
    https = type("GuardedHTTPSConnection", (_GuardedConnection, urllib3.connection.HTTPSConnection), fields)
    return {
        "http": type("GuardedHTTPPool", (urllib3.connectionpool.HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("GuardedHTTPSPool", (urllib3.connectionpool.HTTPSConnectionPool,), {"ConnectionCls": https}),
    }


def _allowed(explicit: tuple[str, ...] | None) -> list[Network]:
    return networks(settings.DESK_FETCH_ALLOWED_NETWORKS if explicit is None else explicit)


def _refusal_in(exc: BaseException) -> str | None:
    """The guard's category when `exc` (requests' ConnectionError around urllib3's MaxRetryError) came from it."""
    seen: BaseException | None = exc
    for _ in range(6):  # requests' error -> MaxRetryError -> its reason: a short chain
        if seen is None:
            return None
        if isinstance(seen, _Refused):
            return seen.category
        seen = getattr(seen, "reason", None) or (seen.args[0] if seen.args else None)
        if not isinstance(seen, BaseException):
            return None
    return None


def _inside(ip: Address, allowed: Sequence[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in allowed)


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


def _normalised(host: str) -> str | None:
    """`host` as a browser reaches it: percent-decoded, NFKC (full-width digits and dots), IDNA (UTS #46) to
    ASCII, lower case, without brackets or trailing dots. None when no browser could read it."""
    host = unquote(host).strip()
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1].lower()
    host = unicodedata.normalize("NFKC", host).rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii").lower().rstrip(".")
    except idna.IDNAError:
        return None


def _address(name: str) -> Address | None:
    """The address `name` spells, in the forms a browser (and inet_aton) reads: dotted, one number, octal and
    hex parts, fewer than four parts (127.1); IPv6 with or without an embedded IPv4."""
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not the address
    except ValueError:
        pass
    if not _IPV4_ISH.fullmatch(name):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None
