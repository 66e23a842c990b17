"""Correcting the desk's judgement on the ticket page in Debian's chromium, at 1366 and 375 px: the correction is
saved in place (htmx) and the reason line under the chip says who corrected it and the new word instead of the
desk's reason for the word overruled. The desk's own pages on a live server; the judgement is stored as the worker's
task stores it (mentions/tests/test_judgement_desk.py `judged`)."""

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.test_judgement_desk import judged
from tests.e2e.test_keyboard_browser import _desk_page
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESK_REASON = "Only praise for the new logo: nothing to answer"


@pytest.mark.parametrize("width", [1366, 375])
def test_a_correction_replaces_the_desks_reason_with_who_corrected_it(live_server, width):
    AdvocateFactory(username="ada", first_name="Ada", last_name="Lovelace")
    ticket = TicketFactory(subject="Runner cache never restores between jobs")
    MessageFactory(ticket=ticket, body="Since 18.6 the runner cache never restores between jobs. Is this known?")
    judged(ticket, "noise", intent="praise", sentiment="positive", language="en", judgement_reason=DESK_REASON)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": width, "height": 800})
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        reason = page.get_by_test_id("judgement-reason")
        expect(reason).to_have_text(DESK_REASON)

        page.get_by_text("Correct the judgement").click()
        page.get_by_label("Judgement", exact=True).select_option(label="Needs a response")
        page.get_by_role("button", name="Save judgement").click()

        expect(page.get_by_text("Judgement corrected: Needs a response.")).to_be_visible()
        expect(page.get_by_test_id("judgement-chip")).to_contain_text("Needs a response")
        expect(page.get_by_test_id("judgement-chip")).to_contain_text("(corrected)")
        expect(reason).to_have_text("Corrected by Ada Lovelace: Noise → Needs a response")
        expect(page.get_by_text(DESK_REASON)).to_have_count(0)
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # in place, no reload
        page.get_by_test_id("judgement").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"e2e-judgement-corrected-{width}.png"))
        browser.close()
