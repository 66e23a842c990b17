"""Issue 26, item 3: outgoing webhooks may not reach inside the network. Every spelling of a loopback,
private, link-local, shared, multicast or reserved address is refused when the admin saves the URL and
again at delivery; an address explicitly allowed (DESK_WEBHOOK_ALLOWED_NETWORKS) is delivered to, at the
very address that was checked; https is required in production; the log says why in a category.

The address ranges are IANA's IPv4 and IPv6 Special-Purpose Address Registries. Receivers are real
HTTP servers on loopback (api/tests/receivers.py); made-up host names are answered at the resolver
(socket.getaddrinfo), the operating system's boundary.

Run with `-s` to print the table of every address form and what happened to it.
"""

import ipaddress

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from api.admin import WebhookSubscriptionForm
from api.models import WebhookDelivery
from api.tests.conftest import queue_delivery, subscribe
from api.tests.receivers import Receiver
from api.webhook_delivery import subscription_deliver
from api.webhook_urls import WebhookUrlRefused, address_refusal, webhook_target

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"
# (form, host as written in the URL, expected refusal or None when allowed, loopback spelling?)
CASES = [
    ("IPv4 loopback", "127.0.0.1", "loopback address (127.0.0.0/8)", True),
    ("short form", "127.1", "loopback address (127.0.0.0/8)", True),
    ("decimal", "2130706433", "loopback address (127.0.0.0/8)", True),
    ("hexadecimal", "0x7f000001", "loopback address (127.0.0.0/8)", True),
    ("octal", "0177.0.0.1", "loopback address (127.0.0.0/8)", True),
    ("mixed hex short", "0x7f.1", "loopback address (127.0.0.0/8)", True),
    ("name", "localhost", "loopback address (127.0.0.0/8)", True),
    ("name, trailing dot", "localhost.", "loopback address (127.0.0.0/8)", True),
    ("IPv6 loopback", "[::1]", "loopback address (::1/128)", True),
    ("IPv6 loopback, long", "[0:0:0:0:0:0:0:1]", "loopback address (::1/128)", True),
    ("IPv4-mapped", "[::ffff:127.0.0.1]", "loopback address (127.0.0.0/8) inside ::ffff:7f00:1", True),
    ("IPv4-mapped, hex", "[::ffff:7f00:1]", "loopback address (127.0.0.0/8) inside ::ffff:7f00:1", True),
    ("IPv4-compatible", "[::127.0.0.1]", "loopback address (127.0.0.0/8) inside ::7f00:1", False),
    ("NAT64", "[64:ff9b::7f00:1]", "loopback address (127.0.0.0/8) inside 64:ff9b::7f00:1", False),
    ("6to4", "[2002:7f00:1::]", "loopback address (127.0.0.0/8) inside 2002:7f00:1::", False),
    ("cloud metadata", "169.254.169.254", "link-local address (169.254.0.0/16)", False),
    ("IPv6 link-local", "[fe80::1]", "link-local address (fe80::/10)", False),
    ("private 10/8", "10.0.0.1", "private address (10.0.0.0/8)", False),
    ("private 172.16/12", "172.16.0.1", "private address (172.16.0.0/12)", False),
    ("private 192.168/16", "192.168.1.1", "private address (192.168.0.0/16)", False),
    ("shared (CGNAT)", "100.64.0.1", "shared address (100.64.0.0/10)", False),
    ("unspecified", "0.0.0.0", "unspecified address (0.0.0.0/8)", False),  # noqa: S104 - a URL, not a bind
    ("IPv6 unspecified", "[::]", "unspecified address (::/128)", False),
    ("multicast", "224.0.0.1", "multicast address (224.0.0.0/4)", False),
    ("IPv6 multicast", "[ff02::1]", "multicast address (ff00::/8)", False),
    ("reserved", "240.0.0.1", "reserved address (240.0.0.0/4)", False),
    ("broadcast", "255.255.255.255", "reserved address (240.0.0.0/4)", False),
    ("documentation", "192.0.2.10", "reserved address (192.0.2.0/24)", False),
    ("unique local", "[fc00::1]", "private address (fc00::/7)", False),
    ("site-local", "[fec0::1]", "private address (fec0::/10)", False),
    ("Teredo", "[2001::1]", "reserved address (2001::/32)", False),
    ("public name → private", "internal.example.com", "private address (10.0.0.0/8)", False),
    ("public name → public and loopback", "mixed.example.com", "loopback address (127.0.0.0/8)", False),
    ("IDNA name → private", "bücher.example.com", "private address (10.0.0.0/8)", False),
    ("public address", PUBLIC, None, False),
    ("public name", "hooks.example.com", None, False),
    ("public IPv6", "[2606:2800:220:1:248:1893:25c8:1946]", None, False),
]
NOT_URLS = [
    ("file:", "file:///etc/passwd", "only http and https URLs"),
    ("gopher:", "gopher://127.0.0.1:70/_stats", "only http and https URLs"),
    ("user name", "http://admin:pw@hooks.example.com/hook", "user name or password in URL"),
    ("host after @", "http://hooks.example.com@127.0.0.1/hook", "user name or password in URL"),
    ("header injection", "http://hooks.example.com/hook\r\nX-Evil: 1", "invalid URL"),
]

TABLE: list[tuple[str, str, str, str, str]] = []


@pytest.fixture(autouse=True)
def names(resolver):
    resolver.answers.update(
        {
            "internal.example.com": ["10.1.2.3"],
            "mixed.example.com": [PUBLIC, "127.0.0.1"],
            "xn--bcher-kva.example.com": ["10.0.0.5"],
            "hooks.example.com": [PUBLIC],
        }
    )
    return resolver


@pytest.fixture(scope="module", autouse=True)
def _print_table():
    yield
    if TABLE:
        print("\n| form | URL host | admin form (save) | at delivery | at delivery, 127.0.0.0/8 and ::1 allowed |")
        print("|---|---|---|---|---|")
        for row in TABLE:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")


def _save(url: str) -> str:
    form = WebhookSubscriptionForm(
        data={"name": "x", "url": url, "events": ["solved"], "secret": "s" * 20, "active": "on"}
    )
    if form.is_valid():
        return "saved"
    return "refused: " + " ".join(str(e) for e in form.errors.get("url", ["(other field)"]))


def _deliver(url: str) -> tuple[str, WebhookDelivery]:
    row = queue_delivery(subscribe(url))
    subscription_deliver(subscription_id=row.subscription_id, now=timezone.now())
    row.refresh_from_db()
    return (f"delivered ({row.last_status_code})" if row.status == "delivered" else row.last_error), row


@pytest.mark.parametrize(("form", "host", "refusal", "loopback"), CASES, ids=[case[0] for case in CASES])
def test_every_address_form_is_refused_at_save_and_at_delivery(form, host, refusal, loopback, settings):
    url = f"http://{host}/hook"
    saved = _save(url)
    if refusal is None:
        # Allowed: not delivered here (that would POST to a real public host); the check passes and
        # names the address the delivery will connect to, and no other.
        assert saved == "saved"
        target = webhook_target(url)
        at_delivery = "allowed → connects to " + ", ".join(a[1][0] for a in target.addresses)
        assert [a[1][0] for a in target.addresses] == [host.strip("[]") if host != "hooks.example.com" else PUBLIC]
    else:
        # Django's URL field already refuses odd spellings; every other form meets our check.
        assert saved.startswith("refused: "), saved
        if saved not in ("refused: Enter a valid URL.",):
            assert saved == f"refused: Refused: {refusal}."
        at_delivery, row = _deliver(url)
        assert at_delivery == f"refused: {refusal}"
        assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, None)
    TABLE.append((form, host, saved.replace("refused: Refused: ", "refused: "), at_delivery, ""))


@pytest.mark.parametrize(("form", "host"), [(c[0], c[1]) for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_an_allowed_private_network_is_delivered_to_at_the_checked_address(form, host, settings):
    """The same spellings, with loopback allowed: each resolves to the address that was checked and the
    POST arrives there (on the IPv4 or the IPv6 receiver, whichever the spelling means)."""
    settings.DESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    v4 = Receiver(host="127.0.0.1").start()
    v6 = Receiver(host="::1", port=v4.port).start()
    try:
        url = f"http://{host}:{v4.port}/hook"
        assert _save(url) in ("saved", "refused: Enter a valid URL.")
        outcome, row = _deliver(url)
        assert outcome == "delivered (204)", outcome
        arrived = v6.requests if "[" in host and "ffff" not in host else v4.requests
        assert len(arrived) == 1 and len(v4.requests) + len(v6.requests) == 1
        assert arrived[0].headers["webhook-id"] == row.webhook_id
    finally:
        v4.stop()
        v6.stop()
    for i, entry in enumerate(TABLE):
        if entry[0] == form:
            TABLE[i] = (*entry[:4], f"{outcome} on {arrived[0].server[0]}")


@pytest.mark.parametrize(("form", "url", "refusal"), NOT_URLS, ids=[case[0] for case in NOT_URLS])
def test_other_schemes_user_names_and_control_characters_are_refused(form, url, refusal):
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_target(url)
    assert refused.value.category == refusal
    assert _save(url).startswith("refused: ")
    assert _deliver(url)[0] == f"refused: {refusal}"
    TABLE.append((form, url.replace("\r\n", "␍␊"), "refused", f"refused: {refusal}", ""))


@override_settings(PRODUCTION=True)
def test_production_requires_https():
    assert _save("http://hooks.example.com/hook") == "refused: Refused: https required."
    assert _deliver("http://hooks.example.com/hook")[0] == "refused: https required"
    assert _save("https://hooks.example.com/hook") == "saved"


def test_the_admin_form_names_the_category_beside_the_url(admin_client):
    response = admin_client.post(
        "/admin/api/webhooksubscription/add/",
        {"name": "x", "url": "http://internal.example.com/hook", "events": ["solved"], "secret": "s" * 20},
    )
    assert response.status_code == 200
    assert "Refused: private address (10.0.0.0/8)." in response.content.decode()


def test_a_name_that_turns_private_after_saving_is_refused_at_delivery(resolver):
    url = "http://flip.example.com/hook"
    resolver.answers["flip.example.com"] = [PUBLIC]
    assert _save(url) == "saved"
    resolver.answers["flip.example.com"] = ["169.254.169.254"]
    assert _deliver(url)[0] == "refused: link-local address (169.254.0.0/16)"


def test_dns_rebinding_reaches_only_the_checked_address(resolver, settings):
    """The name answers 127.0.0.2 (allowed) when checked and 127.0.0.1 (not allowed) on any later ask:
    the POST arrives at 127.0.0.2 with the name in its Host header, and nothing at 127.0.0.1."""
    settings.DESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    checked = Receiver(host="127.0.0.2").start()
    internal = Receiver(host="127.0.0.1", port=checked.port).start()
    answers = iter([["127.0.0.2"]])
    resolver.answers["rebind.example.com"] = lambda: next(answers, ["127.0.0.1"])
    try:
        outcome, _ = _deliver(f"http://rebind.example.com:{checked.port}/hook")
    finally:
        checked.stop()
        internal.stop()
    assert outcome == "delivered (204)"
    assert resolver.calls.count("rebind.example.com") == 1  # asked once, at the check
    assert [r.headers["Host"] for r in checked.requests] == [f"rebind.example.com:{checked.port}"]
    assert internal.requests == []


def test_no_redirect_is_followed_and_the_log_holds_a_category_only(receiver, local_receivers_allowed):
    """A redirect is a failed delivery (it could point anywhere); the log says what happened in a
    category, never the receiver's body or an exception's text."""
    elsewhere = Receiver().start()
    receiver.status, receiver.headers = 307, {"Location": elsewhere.url()}
    outcome, row = _deliver(receiver.url())
    assert (outcome, row.last_status_code) == ("answered 307", 307)
    assert elsewhere.requests == []
    receiver.status = 503
    assert _deliver(receiver.url())[0] == "answered 503"
    receiver.stop()
    elsewhere.stop()
    assert _deliver(receiver.url())[0] == "connection refused"


@pytest.fixture
def admin_client(client):
    from mentions.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_carried_in_ipv6_gets_the_same_verdict(value):
    """IPv4-mapped, NAT64 and 6to4 spellings of any IPv4 address are refused exactly when it is."""
    v4 = ipaddress.IPv4Address(value)
    verdict = address_refusal(v4)
    for carried in (
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("::ffff:0:0")) | value),
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | value),
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("2002::")) | (value << 80)),
    ):
        refusal = address_refusal(carried)
        assert (refusal is None) == (verdict is None), (v4, carried, verdict, refusal)
        if verdict:
            assert refusal == f"{verdict} inside {carried}"
