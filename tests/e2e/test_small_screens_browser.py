"""The ticket page on a 375 px phone screen: the side panels stack under the conversation and
nothing is squeezed to one character wide."""

import pytest
from playwright.sync_api import sync_playwright

from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_ticket_page_at_375_px_stacks_the_panels_under_the_conversation(live_server):
    AdvocateFactory(username="ada")
    ticket = TicketFactory(subject="Runner stuck on arm64 since the 17.6 upgrade", requester_handle="laurent")
    MessageFactory(ticket=ticket, body="My arm64 runner never picks up jobs since we upgraded to 17.6. " * 3)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        sign_in(page, f"{live_server.url}/accounts/login/", "ada")
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")

        conversation = page.locator(".layout > section").bounding_box()
        panels = page.locator(".layout > aside").bounding_box()
        message = page.get_by_test_id("message").first.bounding_box()
        page_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-375px.png"), full_page=True)
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        browser.close()

    assert panels is not None and conversation is not None and message is not None and icon is not None
    assert panels["y"] >= conversation["y"] + conversation["height"]  # under, not beside
    assert message["width"] > 300  # the conversation takes the screen's width
    assert page_width <= 375  # no sideways scrolling of the whole page
    assert icon.endswith("favicon.svg")
