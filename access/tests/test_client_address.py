"""The client's address behind trusted proxies (access.client_address): X-Forwarded-For as nginx
(`proxy_add_x_forwarded_for`: the peer's address appended to what came in) and other proxies write it,
comma-separated, one address per hop, oldest first (MDN "X-Forwarded-For"); addresses from the
documentation ranges of RFC 5737 and RFC 3849."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from access.checks import proxy_addresses_check
from access.client_address import address_parse, address_source, client_address, client_address_from

ROOT = Path(__file__).resolve().parents[2]

PROXY = ipaddress.ip_network("10.0.0.0/8")
CDN = ipaddress.ip_network("192.0.2.0/24")


def _from(remote: str, xff: str | None = None, trusted=(PROXY,), hops: int = 0) -> str | None:
    return client_address_from(remote_addr=remote, forwarded_for=xff, trusted=list(trusted), hops=hops)


def test_without_proxy_settings_the_header_is_ignored():
    assert _from("203.0.113.5", "198.51.100.7", trusted=()) == "203.0.113.5"


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_clients():
    # The client sent its own X-Forwarded-For ("198.51.100.99"); nginx appended the real peer.
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5") == "203.0.113.5"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address_whatever_it_claims():
    assert _from("203.0.113.5", "198.51.100.7") == "203.0.113.5"


def test_the_walk_skips_every_trusted_hop():
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5, 192.0.2.40", trusted=(PROXY, CDN)) == "203.0.113.5"


@pytest.mark.parametrize(
    "xff", ["garbage", "203.0.113.5, not-an-ip", "203.0.113.5,,", "unknown", "_hidden", "203.0.113.5:port", "[::1"]
)
def test_a_malformed_header_falls_back_to_the_peer(xff):
    assert _from("10.0.0.2", xff) == "10.0.0.2"


def test_hops_read_that_many_entries_from_the_right():
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5", trusted=(), hops=1) == "203.0.113.5"
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5, 192.0.2.40", trusted=(), hops=2) == "203.0.113.5"
    # Fewer entries than hops: the leftmost there is, never a server error (allauth's count raises).
    assert _from("10.0.0.2", "203.0.113.5", trusted=(), hops=3) == "203.0.113.5"
    assert _from("10.0.0.2", None, trusted=(), hops=1) == "10.0.0.2"


def test_hops_and_ranges_together_stop_at_whichever_comes_first():
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5, 10.0.0.9", hops=1) == "10.0.0.9"
    assert _from("10.0.0.2", "198.51.100.99, 203.0.113.5, 10.0.0.9", hops=3) == "203.0.113.5"
    assert _from("203.0.113.5", "198.51.100.99", hops=1) == "203.0.113.5"  # the peer is not our proxy


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5 ", "203.0.113.5"),
        ("203.0.113.5:4711", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("2001:DB8:0::1", "2001:db8::1"),
    ],
)
def test_addresses_are_read_as_proxies_write_them(written, address):
    assert str(address_parse(written)) == address


def test_ipv6_clients_count_by_their_64():
    assert address_source("2001:db8:1:2:aaaa::1") == address_source("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_source("203.0.113.5") == "203.0.113.5"
    assert address_source(None) == ""


@override_settings(DESK_TRUSTED_PROXIES=["10.0.0.0/8"], DESK_PROXY_HOPS=0)
def test_the_request_reading_uses_the_settings():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "203.0.113.5"


addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
headers = st.one_of(
    st.none(),
    st.lists(st.one_of(addresses, st.text(max_size=20)), max_size=6).map(", ".join),
    st.text(max_size=80),
)
untrusted = addresses.filter(lambda a: (parsed := address_parse(a)) is not None and parsed not in PROXY)


@given(remote=untrusted, xff=headers, hops=st.integers(min_value=0, max_value=4))
def test_a_spoofed_header_from_an_untrusted_peer_never_changes_the_address(remote, xff, hops):
    assert _from(remote, xff, hops=hops) == str(address_parse(remote))


@given(client=addresses, spoofed=headers, proxies=st.integers(min_value=1, max_value=3))
def test_whatever_a_client_sends_the_trusted_proxies_address_for_it_wins(client, spoofed, proxies):
    """The client writes any header; each trusted proxy in the chain appends what it saw."""
    parsed = address_parse(client)
    if parsed in PROXY:
        return  # a client inside the proxies' range is itself trusted: nothing to tell apart
    chain = [spoofed] if spoofed else []
    chain += [client] + [f"10.0.0.{i}" for i in range(1, proxies)]
    assert _from("10.0.0.99", ", ".join(chain)) == str(parsed)
    assert _from("10.0.0.99", ", ".join(chain), trusted=(), hops=proxies) == str(parsed)


@given(remote=st.text(max_size=40), xff=headers)
def test_any_input_gives_an_address_or_none_never_an_error(remote, xff):
    result = _from(remote, xff)
    assert result is None or address_parse(result) is not None


@override_settings(BEHIND_TLS_PROXY=True, DESK_TRUSTED_PROXIES=[], DESK_PROXY_HOPS=0)
def test_check_warns_behind_a_proxy_that_is_not_configured():
    assert [m.id for m in proxy_addresses_check()] == ["access.W001"]
    with override_settings(DESK_TRUSTED_PROXIES=["127.0.0.1"]):
        assert proxy_addresses_check() == []


def test_a_malformed_proxy_range_stops_the_desk_at_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "advocacy.settings", "DESK_TRUSTED_PROXIES": "10.0.0.0/8,proxy"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DESK_TRUSTED_PROXIES: 'proxy' is not an address or range" in result.stderr
