"""The one fetch guard (advocacy.fetch_guard): every spelling of this machine refused by the server's fetches and
by the attachment-link filter, redirects re-checked at every hop, the connection pinned to the checked address,
and each fetching feature (status feeds, release sources, knowledge sources, the docs sitemap, the embeddings
endpoint, a platform's base URL) refused before a byte reaches an internal address.

The "internal" servers are real HTTP servers on this machine (http.server in a thread) that count what reaches
them; their answers are bare statuses and redirects (no payload is parsed: a request arriving is the failure).
Host names that do not exist are answered at the operating system's boundary (socket.getaddrinfo, the
`resolver` fixture of api/tests/conftest.py); the TLS server and its certificate authority are made by the webhook
tests' `pki` fixture (api/tests/test_webhook_http.py). The escape hatch, DESK_FETCH_ALLOWED_NETWORKS, is set only where
a test says so, for the first hop's server.

Run with `-s` to print the table of spellings and what each path did with them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from advocacy.embeddings import EmbeddingError, EndpointEmbedder
from advocacy.fetch_guard import FetchRefused, link_refusal, resolve_checked
from answers.knowledge.docs_index import docs_index
from answers.knowledge.search import knowledge_search
from answers.knowledge_models import KnowledgeSource
from answers.tests.knowledge_helpers import source
from api.tests.conftest import resolver  # noqa: F401  (a fixture: names answered at getaddrinfo)
from api.tests.test_webhook_http import _tls_receiver, pki  # noqa: F401  (a CA and a TLS server for a name)
from channels.adapters.base import Media, PermanentError
from channels.clean import media_clean
from channels.http import build_session, get_json
from channels.tests.factories import ChannelFactory
from intake.services.polling import channel_poll
from stories.incidents.polling import status_poll
from stories.models import StatusFeed
from stories.releases.models import ReleaseSource
from stories.releases.polling import release_sources_poll


@dataclass
class Server:
    """An HTTP server on `host`: answers `status` (with `location` for a redirect, except at the location's own
    path, which answers 200) and records each request's path and Host header in `hits`."""

    host: str = "127.0.0.1"
    port: int = 0
    status: int = 500
    location: str = ""
    hits: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Server:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                owner.hits.append((self.path, self.headers.get("Host", "")))
                arrived = owner.location.endswith(self.path)
                self.send_response(200 if arrived else owner.status)
                if owner.location and not arrived:
                    self.send_header("Location", owner.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def internal() -> Iterator[Server]:
    """What an attacker wants reached: a server on 127.0.0.1 (an admin page, a metadata service)."""
    server = Server(status=200).start()
    yield server
    server.stop()


# Every spelling the issue found let through, and the forms around them. (id, host as written in a URL, whether
# the socket would reach the internal server on 127.0.0.1 if nothing stood in the way).
SPELLINGS = [
    ("dotted", "127.0.0.1", True),
    ("one number", "2130706433", True),
    ("octal", "0177.0.0.1", True),
    ("short", "127.1", True),
    ("hex short", "0x7f.1", True),
    ("hex number", "0x7f000001", True),
    ("NAT64", "[64:ff9b::7f00:1]", False),
    ("6to4", "[2002:7f00:1::]", False),
    ("IPv4-mapped", "[::ffff:127.0.0.1]", True),
    ("IPv4-mapped hex", "[::ffff:7f00:1]", True),
    ("IPv4-compatible", "[::127.0.0.1]", False),
    ("Teredo", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", False),
    ("IPv6 loopback", "[::1]", False),
    ("full-width digits", "\uff11\uff12\uff17.\uff10.\uff10.\uff11", True),  # 127.0.0.1 in full-width digits
    ("ideographic dots", "127\u30020\u30020\u30021", True),  # with U+3002 for each dot
    ("trailing dot", "127.0.0.1.", True),
    ("localhost", "localhost", True),
    ("localhost, trailing dot", "localhost.", True),
    ("LOCALHOST", "LOCALHOST", True),
    ("percent-encoded", "%31%32%37.0.0.1", True),
    ("user name before", "evil@127.0.0.1", True),
    ("user name and password", "evil.example:pw@127.0.0.1", True),
    ("unspecified", "0.0.0.0", True),  # noqa: S104  (a URL's host, not a bind)
    ("link-local (metadata)", "169.254.169.254", False),
    ("private", "10.0.0.1", False),
]


def _fetch(url: str) -> str:
    """What the desk's session did with `url`: "fetched <status>", "refused: <category>" (the guard), or the
    error requests raised before opening any connection."""
    try:
        return f"fetched {build_session().get(url, timeout=3).status_code}"
    except FetchRefused as exc:
        return f"refused: {exc.category}"
    except requests.RequestException as exc:
        return f"not sent: {type(exc).__name__}"


@pytest.mark.parametrize(("name", "host", "reachable"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_every_spelling_of_an_internal_address_is_refused_by_the_fetch_guard_and_the_link_filter(
    name, host, reachable, internal, settings
):
    url = internal.url("/admin", host=host)
    try:  # the guard itself, given the host as the URL spells it
        resolve_checked(urlsplit(url).hostname or "", internal.port)
        guard = "allowed"
    except FetchRefused as exc:
        guard = f"refused: {exc.category}"
    fetched = _fetch(url)
    link = f"https://{host}/image.png"
    kept = media_clean([Media(kind="image", url=link, preview_url=link)])
    print(f"{name:24} | {host:40} | guard: {guard:55} | session: {fetched:55} | link: {link_refusal(link)}")
    assert guard.startswith("refused: ") and "host not found" not in guard
    assert internal.hits == []
    assert fetched.startswith(("refused: ", "not sent: "))
    if fetched.startswith("not sent: "):
        # requests refuses these hosts while preparing the URL: no name is resolved, no socket opened.
        assert name in ("full-width digits", "ideographic dots")
    assert kept == ()
    if reachable and "@" not in host and not fetched.startswith("not sent: "):
        # The same URL with the escape hatch open does reach the server: what refused it above was the guard.
        settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8", "0.0.0.0/32"]
        assert _fetch(url) == "fetched 200"
        assert len(internal.hits) == 1


def test_public_links_and_names_are_kept_by_the_link_filter():
    links = [
        "https://cdn.example.com/a.png",
        "https://8.8.8.8/a.png",
        "https://[2606:4700::1111]/a.png",
        "https://xn--bcher-kva.example/a.png",
        "https://127.0.0.1.example.com/a.png",  # a name: the filter resolves nothing
    ]
    kept = media_clean([Media(kind="image", url=link) for link in links])
    assert [m.url for m in kept] == links


def test_a_redirect_to_this_machine_is_refused_at_the_hop(settings):
    """The first hop is allowed (127.0.0.2, by the escape hatch); its 302 to 127.0.0.1, in any spelling, is not."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    target = Server(status=200).start()
    first = Server(host="127.0.0.2", status=302).start()
    try:
        outcomes = {}
        for spelling in ("127.0.0.1", "2130706433", "0x7f.1", "localhost", "[::ffff:127.0.0.1]"):
            first.location = target.url("/secret", host=spelling)
            outcomes[spelling] = _fetch(first.url("/feed"))
        first.location = first.url("/moved")
        same_host = _fetch(first.url("/feed"))  # a redirect within the allowed host is followed
    finally:
        first.stop()
        target.stop()
    print(outcomes)
    assert outcomes == {
        "127.0.0.1": "refused: loopback address (127.0.0.0/8)",
        "2130706433": "refused: loopback address (127.0.0.0/8)",
        "0x7f.1": "refused: loopback address (127.0.0.0/8)",
        "localhost": "refused: loopback address (127.0.0.0/8)",
        "[::ffff:127.0.0.1]": "refused: loopback address (127.0.0.0/8) inside ::ffff:7f00:1",
    }
    assert target.hits == []
    assert same_host == "fetched 200"
    assert [path for path, _ in first.hits][-2:] == ["/feed", "/moved"]


def test_the_connection_goes_to_the_checked_address_not_a_second_answer(resolver, settings):  # noqa: F811
    """DNS rebinding: the name answers 127.0.0.2 (allowed) when checked and 127.0.0.1 on any later ask; the
    request arrives at 127.0.0.2 under its own name, nothing at 127.0.0.1, and the name is asked once."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    checked = Server(host="127.0.0.2", status=200).start()
    other = Server(host="127.0.0.1", port=checked.port, status=200).start()
    answers = iter([["127.0.0.2"]])
    resolver.answers["rebind.example.com"] = lambda: next(answers, ["127.0.0.1"])
    try:
        fetched = _fetch(f"http://rebind.example.com:{checked.port}/feed")
    finally:
        checked.stop()
        other.stop()
    assert fetched == "fetched 200"
    assert checked.hits == [("/feed", f"rebind.example.com:{checked.port}")]
    assert other.hits == [] and resolver.calls.count("rebind.example.com") == 1


def test_a_name_with_one_internal_address_among_public_ones_is_refused(resolver):  # noqa: F811
    resolver.answers["mixed.example.com"] = ["93.184.215.14", "10.1.2.3"]
    assert _fetch("http://mixed.example.com/feed") == "refused: private address (10.0.0.0/8)"


@pytest.mark.django_db
def test_status_feeds_and_release_sources_at_this_machine_are_refused_and_say_why(internal):
    """The findings: a status feed and a release source at 127.0.0.1 were fetched."""
    feed = StatusFeed.objects.create(name="Status", url=internal.url("/status.atom"))
    release = ReleaseSource.objects.create(name="Blog", feed_url=internal.url("/releases.xml", host="2130706433"))
    assert status_poll() == {"failed": 1}
    assert release_sources_poll()["failed"] == 1
    assert internal.hits == []
    feed.refresh_from_db()
    release.refresh_from_db()
    refused = "refused by the fetch guard: loopback address (127.0.0.0/8)."
    assert feed.last_error == f"The status page at {feed.url}: {refused}"
    assert release.last_error == f"The blog's feed at {release.feed_url}: {refused}"


@pytest.mark.django_db
def test_a_status_feed_redirected_to_this_machine_is_refused(settings, internal):
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    first = Server(host="127.0.0.2", status=301, location=internal.url("/admin")).start()
    try:
        feed = StatusFeed.objects.create(name="Status", url=first.url("/status.atom"))
        assert status_poll() == {"failed": 1}
    finally:
        first.stop()
    feed.refresh_from_db()
    assert internal.hits == [] and len(first.hits) == 1
    assert "loopback address" in feed.last_error


@pytest.mark.django_db
def test_knowledge_sources_and_the_docs_sitemap_at_this_machine_are_refused(internal):
    source("discourse", base_url=internal.url("", host="0x7f.1"))
    docs = source("docs", base_url=internal.url("/sitemap.xml", host="localhost"))
    results = knowledge_search("pipeline cache", ["pipelin", "cach"])
    indexed = docs_index(docs)
    assert internal.hits == []
    assert results.lines == ["Discourse forum: refused by the fetch guard: loopback address (127.0.0.0/8)"]
    assert indexed.errors == ["is at an address the desk does not fetch (loopback address (127.0.0.0/8))"]
    assert KnowledgeSource.objects.get(pk=docs.pk).last_error.startswith("The sitemap is at an address")


def test_the_embeddings_endpoint_at_this_machine_is_refused_unless_its_network_is_listed(internal, settings):
    embedder = EndpointEmbedder(internal.url("/v1", host="127.1"), "m", key="", timeout=3)
    with pytest.raises(EmbeddingError, match="FetchRefused"):
        embedder.embed(["hello"])
    assert internal.hits == []
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # a team's own model server, listed by the operator
    with pytest.raises(EmbeddingError, match="JSONDecodeError"):  # reached: it answers 200 with an empty body
        embedder.embed(["hello"])
    assert [path for path, _ in internal.hits] == ["/v1/embeddings"]


def test_a_platform_base_url_at_this_machine_is_a_permanent_error_naming_the_refusal(internal):
    with pytest.raises(PermanentError, match=r"refused by the fetch guard: loopback address \(127\.0\.0\.0/8\)"):
        get_json(build_session(), internal.url("/api/v1/timelines/tag/gitlab", host="[::ffff:7f00:1]"))
    assert internal.hits == []


@pytest.mark.django_db
def test_a_mailbox_at_this_machine_is_refused_before_any_connection():
    """An e-mail channel's IMAP host is the admin's to type: the guard is asked before imaplib opens a socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    channel = ChannelFactory(
        kind="email",
        config={"host": "127.1", "port": port, "address": "community@example.com", "security": "ssl"},
        our_accounts=[],
    )
    channel.credentials = {"password": "never-sent"}
    channel.save()
    try:
        outcome = channel_poll(channel_id=channel.pk)
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing connected
    finally:
        listener.close()
    channel.refresh_from_db()
    assert outcome.status == "failing"
    assert "the desk does not connect to this host (loopback address (127.0.0.0/8))" in channel.last_error


def test_through_an_operators_proxy_the_destination_is_still_checked(resolver, internal):  # noqa: F811
    """HTTPS_PROXY/HTTP_PROXY is the operator's (its own address is not checked); the host behind it is."""
    proxy = Server(host="127.0.0.2", status=200).start()
    resolver.answers["public.example"] = ["93.184.215.14"]
    session = build_session()
    try:
        with pytest.raises(FetchRefused, match=r"loopback address \(127\.0\.0\.0/8\)"):
            session.get(internal.url("/admin", host="2130706433"), proxies={"http": proxy.url("")}, timeout=3)
        assert proxy.hits == []
        answer = session.get("http://public.example/feed", proxies={"http": proxy.url("")}, timeout=3)
    finally:
        proxy.stop()
    assert answer.status_code == 200
    assert [path for path, _ in proxy.hits] == ["http://public.example/feed"] and internal.hits == []


@pytest.mark.django_db
def test_admin_forms_refuse_an_internal_address_beside_the_field_unless_its_network_is_listed(admin_client, settings):
    """Said when the address is saved, not only at the next poll: the status feed's, the release source's and the
    knowledge source's forms. A name is let through (its addresses are checked at each fetch)."""
    forms = [
        ("admin:stories_statusfeed_add", "url", {"name": "Status", "format": "auto", "enabled": "on"}),
        (
            "admin:stories_releasesource_add",
            "feed_url",
            {"name": "Blog", "title_pattern": r"\brelease\b", "answer_template": "{title}: {link}", "enabled": "on"},
        ),
        (
            "admin:answers_knowledgesource_add",
            "base_url",
            {"name": "Forum", "kind": "discourse", "timeout_seconds": "2", "cache_minutes": "60", "is_active": "on"},
        ),
    ]
    refused = {  # the spellings Django's URL field accepts at all (it turns 0x7f.1 or 2130706433 away itself)
        "http://127.0.0.1:8080/feed.atom": "loopback address (127.0.0.0/8)",
        "http://[::ffff:169.254.169.254]/latest/": "link-local address (169.254.0.0/16) inside ::ffff:a9fe:a9fe",
        "http://localhost/feed": "loopback address (localhost)",
    }
    for view, name, data in forms:
        for url, why in refused.items():
            response = admin_client.post(reverse(view), {**data, name: url})
            assert response.status_code == 200, view
            # (The release source's form adds its own "give a feed or a channel" once the feed is refused.)
            assert response.context["adminform"].form.errors[name][0] == f"The desk does not fetch this address: {why}."
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["10.20.0.0/16"]  # the team's own forum and blog, listed by the operator
    for number, (view, name, data) in enumerate(forms):
        response = admin_client.post(reverse(view), {**data, "name": f"Ours {number}", name: "http://10.20.0.5/x"})
        assert response.status_code == 302, (view, response.context and response.context["adminform"].form.errors)
    assert StatusFeed.objects.get().url == "http://10.20.0.5/x"
    assert ReleaseSource.objects.get().feed_url == "http://10.20.0.5/x"
    assert KnowledgeSource.objects.get().base_url == "http://10.20.0.5/x"


def test_https_on_the_pinned_address_still_verifies_the_host_name(pki, resolver, settings):  # noqa: F811
    """The socket goes to the checked address; TLS still asks for (SNI) and verifies the name in the URL."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    receiver = _tls_receiver(pki)
    resolver.answers.update({"hooks.example.test": ["127.0.0.2"], "other.example.test": ["127.0.0.2"]})
    session = build_session()
    try:
        good = session.post(f"https://hooks.example.test:{receiver.port}/x", verify=str(pki / "ca.pem"), timeout=5)
        with pytest.raises(requests.exceptions.SSLError):
            session.post(f"https://other.example.test:{receiver.port}/x", verify=str(pki / "ca.pem"), timeout=5)
    finally:
        receiver.stop()
    assert good.status_code == 204
    assert receiver.server_names[:2] == ["hooks.example.test", "other.example.test"]
    assert resolver.calls.count("hooks.example.test") == 1
