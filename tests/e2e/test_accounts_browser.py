"""An admin connects an X handle from the channel's page in a real browser. X's authorisation page is
played by the browser itself (Playwright answers x.com with a page that sends the admin straight back
with a code, as X does after "Authorize app"); X's token and users/me endpoints are a local fake
server (DESK_PLATFORM_URL_OVERRIDES)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from channels.models import Account
from channels.tests.factories import ChannelFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.local_processes import json_answer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class FakeXAuth(BaseHTTPRequestHandler):
    exchanged: list[dict] = []

    def _answer(self, status: int, body: dict) -> None:
        json_answer(self, status, body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.exchanged.append(parse_qs(body))
        self._answer(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "status-access",
                "scope": "tweet.read tweet.write users.read offline.access",
                "refresh_token": "status-refresh",
            },
        )

    def do_GET(self) -> None:
        self._answer(200, {"data": {"id": "1001", "name": "GitLab Status", "username": "GitLabStatus"}})

    def log_message(self, *args) -> None:
        pass


def test_an_admin_connects_a_handle_and_sets_the_tweetdeck_one_outside(live_server, settings):
    FakeXAuth.exchanged = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeXAuth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.DESK_PLATFORM_URL_OVERRIDES = {"https://api.x.com/": f"http://127.0.0.1:{server.server_port}/"}
    # The fake X is on this machine: listed for the fetch guard, as an operator lists their own server.
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.SITE_URL = live_server.url
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    channel = ChannelFactory(
        kind="twitter",
        name="X: @GitLab, @GitLabStatus, @MovingToGitLab",
        slug="x",
        config={
            "handles": [
                {"username": "GitLab", "user_id": "2244994945", "role": "main"},
                {"username": "GitLabStatus", "user_id": "1001", "role": "status"},
                {"username": "MovingToGitLab", "user_id": "1002", "role": "other"},
            ]
        },
        our_accounts=[],
    )
    channel.credentials = {"bearer_token": "app", "oauth_client_id": "client-1", "oauth_client_secret": "shh"}
    channel.save()
    main = Account(channel=channel, username="GitLab", position=0, status=Account.Status.NEEDS_RECONNECT)
    main.last_error = "Refreshing the access failed: X refused the token request (invalid_request)."
    main.save()
    Account.objects.create(channel=channel, username="GitLabStatus", position=1)
    Account.objects.create(channel=channel, username="MovingToGitLab", position=2)
    authorize_queries = []

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})

            def x_authorize(route) -> None:
                # X's consent page, answered at once: back to the desk with a code and the same state.
                query = parse_qs(urlparse(route.request.url).query)
                authorize_queries.append(query)
                back = f"{query['redirect_uri'][0]}?state={query['state'][0]}&code=the-code"
                route.fulfill(status=302, headers={"Location": back})

            page.route("https://x.com/**", x_authorize)
            sign_in(page, f"{live_server.url}/admin/login/?next=/admin/", "root")
            page.goto(f"{live_server.url}/admin/channels/channel/{channel.pk}/change/")
            rows = page.locator("#accounts-group tbody tr.has_original")
            expect(rows).to_have_count(3)
            expect(rows.nth(0)).to_contain_text("Needs reconnecting")
            page.screenshot(path=str(ARTIFACTS / "e2e-admin-accounts-before.png"), full_page=True)

            # The Tweetdeck handle replies outside the desk.
            rows.nth(2).locator("select").select_option("outside")
            page.get_by_role("button", name="Save and continue editing").click()
            expect(rows.nth(2)).to_contain_text("Replies outside the desk: nothing to connect")

            # Connect @GitLabStatus: to X and back.
            rows.nth(1).get_by_role("link", name="Connect").click()
            expect(page.get_by_text("GitLabStatus is connected: the desk can post replies from it.")).to_be_visible()
            expect(rows.nth(1)).to_contain_text("Connected")
            page.screenshot(path=str(ARTIFACTS / "e2e-admin-accounts-connected.png"), full_page=True)
            html = page.content()
            browser.close()
    finally:
        server.shutdown()

    assert authorize_queries[0]["code_challenge_method"] == ["S256"]
    assert authorize_queries[0]["redirect_uri"] == [f"{live_server.url}/connect/twitter/callback/"]
    assert FakeXAuth.exchanged[0]["code"] == ["the-code"]
    assert "status-access" not in html and "status-refresh" not in html
    status = Account.objects.get(username="GitLabStatus")
    assert status.status == Account.Status.CONNECTED
    assert status.tokens == {"access_token": "status-access", "refresh_token": "status-refresh"}
    assert Account.objects.get(username="MovingToGitLab").reply_mode == Account.ReplyMode.OUTSIDE
