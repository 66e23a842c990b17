"""The macro picker in Chromium (issue 28): a macro that cannot run here is shown disabled with its reason,
in the panel and in the keyboard picker, and nothing is posted; a prefill is followed by a blank line when the
advocate presses `r` and types. The desk's own pages on a live server; Slack is not configured, so nothing
leaves the machine."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect, sync_playwright

from mentions.models import Macro, Ticket
from mentions.tests.factories import BASE_TIME, AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.test_keyboard_browser import _desk_page
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNITY = "Involving experts::Community involvement"
SLACK_MISSING = "Slack is not connected to the desk."


@override_settings(SLACK_BOT_TOKEN="")
def test_a_macro_that_cannot_run_is_shown_disabled_with_its_reason(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ticket = TicketFactory(subject="Is GitLab down?", requester_handle="dana", requested_at=BASE_TIME)
    MessageFactory(ticket=ticket, body="Pipelines stuck since 10:00, anyone else?")
    url = f"{live_server.url}/tickets/{ticket.pk}/"
    spam_pk = Macro.objects.get(name="Spam report").pk
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.goto(url)
        page.wait_for_load_state("load")

        panel = page.get_by_test_id("macro-picker")
        community = panel.locator("select[name=macro] option", has_text=COMMUNITY)
        expect(community).to_be_disabled()
        expect(community).to_contain_text(f"unavailable: {SLACK_MISSING}")
        unavailable = panel.get_by_test_id("macro-unavailable")
        expect(unavailable).to_contain_text(f"“{COMMUNITY}” is unavailable: {SLACK_MISSING}")
        expect(panel.locator("select[name=macro] option", has_text="Spam report")).to_contain_text(
            "Prefills the reply (you send it)"
        )
        panel.locator("select[name=macro]").select_option(str(spam_pk))
        expect(panel.get_by_test_id("macro-says")).to_have_text(
            "Prefills the reply (you send it); posts to Slack #abuse; adds tags spam-report; adds an internal note"
        )
        panel.locator("select[name=macro]").select_option("")
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "e2e-macro-picker-panel.png"))

        page.keyboard.press("m")
        picker = page.get_by_role("dialog", name="Apply a macro")
        expect(picker).to_be_visible()  # typed before it opens, the letters would be the desk's shortcuts
        page.keyboard.type("community")
        option = picker.get_by_role("option", name=COMMUNITY)
        expect(option).to_have_attribute("aria-disabled", "true")
        expect(option).to_contain_text(f"Unavailable: {SLACK_MISSING}")
        page.screenshot(path=str(ARTIFACTS / "e2e-macro-picker-disabled.png"))
        page.keyboard.press("Enter")  # refused in the picker: nothing is posted
        expect(picker).to_be_visible()
        expect(page).to_have_url(url)
        page.keyboard.press("Escape")

        # A prefill, then `r` and typing: a new paragraph, never "…abuse.Thanks!".
        expect(picker).to_be_hidden()
        # Escape may leave the focus in a form control (where letters are typing, not shortcuts): start afresh.
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("m")
        expect(picker).to_be_visible()
        page.keyboard.type("spam")
        expect(picker.get_by_role("option", selected=True)).to_contain_text("Prefills the reply")
        page.keyboard.press("Enter")
        expect(page.get_by_text(f"“Spam report” applied to #{ticket.pk}.")).to_be_visible()
        page.wait_for_load_state("load")
        page.keyboard.press("r")
        page.keyboard.type("Thanks!")
        reply = page.locator("form[data-keys-reply] textarea")
        expect(reply).to_have_value(
            "Thanks for letting us know, dana! We've passed this on to the team that handles abuse.\n\nThanks!"
        )
        browser.close()

    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.SOLVED
    assert not ticket.events.filter(data__macro=COMMUNITY).exists()
    assert Macro.objects.filter(name=COMMUNITY, is_active=True).exists()


def test_m_pressed_before_the_picker_script_has_run_still_opens_it(live_server, handbook_macros):
    """The picker's script (static/macro_picker.js) runs after the page's own: an `m` pressed while it is still on
    its way (held back here until the key is pressed) opens the picker as soon as it runs, instead of being lost."""
    AdvocateFactory(username="ada")
    ticket = TicketFactory(subject="Is GitLab down?", requester_handle="dana", requested_at=BASE_TIME)
    MessageFactory(ticket=ticket, body="Pipelines stuck since 10:00, anyone else?")
    held = []

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.route("**/macro_picker*.js", lambda route: held.append(route))
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/", wait_until="commit")
        page.wait_for_function("() => window.deskKeys !== undefined && document.querySelector('[data-keys-macro]')")
        assert held and page.evaluate("() => window.deskMacroPicker === undefined")  # still on its way
        page.keyboard.press("m")
        held[0].continue_()
        expect(page.get_by_role("dialog", name="Apply a macro")).to_be_visible()
        browser.close()
