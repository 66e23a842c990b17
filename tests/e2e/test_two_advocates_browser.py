"""Two advocates on one ticket in two real browser sessions: the second sees the first's
presence and typing, and is refused a stale reply with the draft kept."""

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.models import Message, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(browser, live_server, username):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    sign_in(page, f"{live_server.url}/accounts/login/", username)
    return page


def test_the_second_advocate_sees_the_first_typing_and_is_refused_a_stale_reply_keeping_the_draft(
    live_server, settings
):
    settings.DESK_PRESENCE_REFRESH_SECONDS = 1
    AdvocateFactory(username="ada")
    AdvocateFactory(username="bo")
    ticket = TicketFactory(subject="Registry pulls fail with 429 since Tuesday", requester_handle="laurent")
    MessageFactory(ticket=ticket, body="Anyone else seeing 429s from the registry?")
    url = f"{live_server.url}{ticket.get_absolute_url()}"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ada, bo = _log_in(browser, live_server, "ada"), _log_in(browser, live_server, "bo")
        ada.goto(url)
        bo.goto(url)
        expect(bo.get_by_test_id("presence")).to_contain_text("Also on this ticket: ada")
        expect(ada.get_by_test_id("presence")).to_contain_text("bo")

        ada.locator('form[action$="/reply/"] textarea').fill(
            "Yes: the registry rate limit changed on Tuesday, see the status page."
        )
        expect(bo.get_by_test_id("presence")).to_contain_text("ada (typing a reply…)")
        bo.locator('form[action$="/reply/"] textarea').fill("Bo's own draft: try logging in to the registry first.")
        bo.screenshot(path=str(ARTIFACTS / "e2e-two-advocates-presence.png"), full_page=True)

        ada.get_by_role("button", name="Mark replied").click()
        expect(ada.get_by_text("Reply recorded", exact=False).first).to_be_visible()
        bo.get_by_role("button", name="Mark replied").click()

        expect(bo.get_by_text("This ticket changed since you opened it")).to_be_visible()
        # Said beside the button (the refusal) and in the live notice (what changed).
        expect(bo.get_by_test_id("result-reply")).to_contain_text("ada: marked replied")
        expect(bo.locator('form[action$="/reply/"] textarea')).to_have_value(
            "Bo's own draft: try logging in to the registry first."
        )
        expect(bo.get_by_test_id("message").last).to_contain_text("the registry rate limit changed")
        bo.screenshot(path=str(ARTIFACTS / "e2e-two-advocates-stale-refused.png"), full_page=True)
        browser.close()

    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLIED).count() == 1
