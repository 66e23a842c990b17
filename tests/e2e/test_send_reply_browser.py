"""Sending a reply from the desk in a real browser, against a local fake of X: a real HTTP server on
localhost that answers X's token and post endpoints the way X does (DESK_PLATFORM_URL_OVERRIDES
points the desk at it). The handle's token is about to expire, so the send first refreshes it."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from channels.adapters.base import IncomingMention
from channels.models import Account
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory
from mentions.tests.sending import x_channel
from tests.e2e.signed_in import send_panel
from tests.e2e.test_play_browser import ARTIFACTS
from tests.local_processes import json_answer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class FakeX(BaseHTTPRequestHandler):
    """POST /2/oauth2/token and POST /2/tweets, answered in X's shapes; every request recorded."""

    received: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.received.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization", "")})
        if self.path == "/2/oauth2/token":
            answer = {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "fresh-access",
                "scope": "tweet.read tweet.write users.read offline.access",
                "refresh_token": "fresh-refresh",
            }
            status = 200
        elif self.path == "/2/tweets" and self.headers.get("Authorization") == "Bearer fresh-access":
            text = json.loads(body)["text"]
            answer = {
                "data": {"id": "1860000000000000777", "text": text, "edit_history_tweet_ids": ["1860000000000000777"]}
            }
            status = 201
        else:
            answer, status = {"title": "Unauthorized", "type": "about:blank", "status": 401}, 401
        json_answer(self, status, answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_x(settings):
    FakeX.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeX)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DESK_PLATFORM_URL_OVERRIDES = {"https://api.x.com/": f"http://127.0.0.1:{server.server_port}/"}
    # The fake X is on this machine: listed for the fetch guard, as an operator lists their own server.
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    yield FakeX
    server.shutdown()


def test_an_advocate_sends_a_reply_to_a_tweet_from_the_ticket_page(live_server, fake_x):
    AdvocateFactory(username="ada")
    channel = x_channel()
    channel.credentials = {"bearer_token": "app", "oauth_client_id": "client-1"}
    channel.save()
    account = Account(channel=channel, username="GitLab", status=Account.Status.CONNECTED)
    account.tokens = {"access_token": "old-access", "refresh_token": "old-refresh"}
    account.token_expires_at = timezone.now() + timedelta(minutes=1)  # about to expire: refreshed first
    account.save()
    mentions_ingest(
        channel=channel,
        mentions=[
            IncomingMention(
                external_id="1860000000000000001",
                created_at=datetime.now(UTC) - timedelta(minutes=30),
                text="@GitLab how do I cache node_modules? <img src=x onerror=alert(1)>",
                author_handle="dana_dev",
                author_name="Dana",
                permalink="https://x.com/dana_dev/status/1860000000000000001",
                mentioned=("GitLab",),
            )
        ],
    )
    ticket = Ticket.objects.get()

    with sync_playwright() as pw:
        browser, page, panel = send_panel(pw, live_server.url, ticket.pk, "ada")
        expect(panel.get_by_test_id("chosen-handle")).to_have_text("@GitLab")
        panel.locator("textarea").fill("Use cache:key with your lock file: https://docs.gitlab.com/ee/ci/caching/")
        page.screenshot(path=str(ARTIFACTS / "e2e-send-reply-before.png"), full_page=True)
        panel.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Reply sent as GitLab")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-send-reply-sent.png"), full_page=True)
        browser.close()

    assert [r["path"] for r in fake_x.received] == ["/2/oauth2/token", "/2/tweets"]
    assert parse_qs(fake_x.received[0]["body"])["refresh_token"] == ["old-refresh"]
    assert json.loads(fake_x.received[1]["body"]) == {
        "text": "Use cache:key with your lock file: https://docs.gitlab.com/ee/ci/caching/",
        "reply": {"in_reply_to_tweet_id": "1860000000000000001"},
    }
    reply = Message.objects.get(kind=Message.Kind.OUR_REPLY)
    assert reply.external_id == "1860000000000000777" and reply.author_handle == "GitLab"
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.SOLVED
    assert Account.objects.get().tokens == {"access_token": "fresh-access", "refresh_token": "fresh-refresh"}
