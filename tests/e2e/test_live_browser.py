"""Live pages in a real browser: a mention ingested while the queue is open appears without a
reload, and a follow-up arriving on an open ticket is shown without losing the reply draft."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from playwright.sync_api import expect, sync_playwright

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory, ViewFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.e2e.threads import in_own_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REFRESH = 2  # seconds between refreshes in this test (10 by default)


def _ingest_in_another_thread(channel_id: int, mention: IncomingMention) -> None:
    """The poller's real path, on its own database connection (Playwright's event loop owns
    this thread, so the ORM is not used here while the browser runs)."""
    from channels.models import Channel

    in_own_thread(lambda: mentions_ingest(channel=Channel.objects.get(pk=channel_id), mentions=[mention]))


def _login(page, url: str) -> None:
    sign_in(page, f"{url}/accounts/login/", "ada")


@override_settings(DESK_LIVE_REFRESH_SECONDS=REFRESH)
def test_a_mention_ingested_while_the_queue_is_open_appears_without_reload(live_server, monkeypatch):
    from mentions import live

    # The queue's ETag also moves each minute (its relative times): held still, so the refreshes
    # with nothing new cannot cross a minute by chance (the live server runs in this process).
    held = live._now()
    monkeypatch.setattr(live, "_now", lambda: held)
    AdvocateFactory(username="ada")
    ViewFactory(name="All mentions", slug="all")
    channel = ChannelFactory(name="Hacker News")
    now = datetime.now(UTC)
    mentions_ingest(
        channel=channel,
        mentions=[IncomingMention(external_id="1", created_at=now - timedelta(hours=2), text="CI cache question")],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    responses: list[int] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        _login(page, live_server.url)
        expect(page.get_by_test_id("waiting-all")).to_have_text("1")
        expect(page).to_have_title("(1) Queue · Triage Desk")
        page.on("response", lambda r: responses.append(r.status) if r.request.headers.get("hx-request") else None)
        page.wait_for_timeout(REFRESH * 1000 * 2 + 500)  # two refreshes with nothing new
        unchanged = list(responses)

        _ingest_in_another_thread(
            channel.pk,
            IncomingMention(
                external_id="2",
                created_at=now - timedelta(minutes=1),
                text="The container registry returns 500 on push",
                author_handle="laurent",
                title="Registry 500 on push",
            ),
        )
        stored = time.monotonic()
        expect(page.get_by_test_id("waiting-all")).to_have_text("2", timeout=REFRESH * 1000 * 4)
        appeared = time.monotonic() - stored
        expect(page).to_have_title("(2) Queue · Triage Desk")
        page.screenshot(path=str(ARTIFACTS / "e2e-live-queue.png"), full_page=True)
        browser.close()

    print(f"\nnew mention visible in the open queue {appeared:.1f} s after it was stored (refresh every {REFRESH} s)")
    assert unchanged and set(unchanged) == {304}  # nothing new: every refresh answered 304
    assert appeared <= REFRESH * 2 + 1  # the next refresh, with room for a loaded CI machine
    assert Ticket.objects.count() == 2


@override_settings(DESK_LIVE_REFRESH_SECONDS=REFRESH)
def test_a_follow_up_on_an_open_ticket_is_shown_and_the_draft_kept_and_sendable(live_server):
    AdvocateFactory(username="ada")
    channel = ChannelFactory(name="Hacker News")
    now = datetime.now(UTC)
    mentions_ingest(
        channel=channel,
        mentions=[
            IncomingMention(external_id="10", created_at=now - timedelta(hours=1), text="How do I cache node_modules?")
        ],
    )
    ticket = Ticket.objects.get()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _login(page, live_server.url)
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        draft = "Use cache:key with the lock file, see the docs"
        page.locator('form[action$="/reply/"] textarea').fill(draft)

        _ingest_in_another_thread(
            channel.pk,
            IncomingMention(
                external_id="11",
                parent_id="10",
                created_at=now,
                text="Also <img src=x onerror=alert(1)> the registry pull is slow",
                author_handle="dana",
            ),
        )
        notice = page.get_by_test_id("live-notice")
        expect(notice).to_contain_text("A new message from dana", timeout=REFRESH * 1000 * 3)
        expect(page.get_by_test_id("message")).to_have_count(2)
        expect(page.get_by_test_id("message").last).to_contain_text("<img src=x onerror=alert(1)>")
        expect(page.locator('form[action$="/reply/"] textarea')).to_have_value(draft)
        page.screenshot(path=str(ARTIFACTS / "e2e-live-ticket-new-message.png"), full_page=True)

        # The reply written after reading the new message is accepted (its form moved past it).
        page.get_by_role("button", name="Mark replied").click()
        expect(page.get_by_text(f"Reply recorded on #{ticket.pk}.")).to_be_visible()
        browser.close()

    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY, body=draft).count() == 1
