"""Search in a real browser: a word that appears only in a follow-up finds its ticket, with the
word highlighted; the list at a phone's width."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.services import mentions_ingest
from mentions.tests.factories import AdvocateFactory
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_word_only_in_a_follow_up_finds_its_ticket_highlighted(live_server):
    AdvocateFactory(username="ada")
    channel = ChannelFactory(name="Hacker News")
    now = datetime.now(UTC)
    mentions_ingest(
        channel=channel,
        mentions=[
            IncomingMention(
                external_id="1",
                created_at=now - timedelta(hours=3),
                title="Pushing images fails since the upgrade",
                text="docker push hangs at 99% on our self-managed instance",
                author_handle="laurent",
            ),
            IncomingMention(
                external_id="2",
                parent_id="1",
                created_at=now - timedelta(hours=2),
                text="Found it: the container registry answers 500 <img src=x onerror=alert(1)> on large layers",
                author_handle="laurent",
            ),
            IncomingMention(
                external_id="3", created_at=now - timedelta(hours=1), text="Runner stuck on arm64", author_handle="dana"
            ),
        ],
    )
    wanted = Ticket.objects.get(messages__external_id="1")
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server.url}/tickets/")
        page.get_by_test_id("search-q").fill("registry")
        page.get_by_test_id("search-q").press("Enter")

        rows = page.locator("[data-ticket]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-ticket", str(wanted.pk))
        expect(rows.first.locator("mark")).to_have_text("registry")
        expect(rows.first.get_by_test_id("snippet")).to_contain_text("container registry answers 500")
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "e2e-search-registry-1366.png"), full_page=True)

        page.set_viewport_size({"width": 375, "height": 812})
        page.reload()
        expect(rows.first.locator("mark")).to_have_text("registry")
        narrow = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "e2e-search-registry-375.png"), full_page=True)
        browser.close()

    assert dialogs == []  # the hostile text never ran
    assert wide <= 1366 and narrow <= 375
