"""The ticket page laid out for the day, in Chromium: what is on the first screen at 1366x800 and
one tap away at 375 px, actions answered in place (an error beside its control, the focus kept, the
address never on a POST URL), and the keyboard cycle Play → prefill macro → reply → next. The
tickets come from the project's factories and the handbook's macros (seeded by mentions' initial migration);
nothing leaves the machine."""

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory, ViewFactory
from tests.e2e.test_keyboard_browser import _arrive, _desk_page, _log_in, _two_waiting_tickets
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return bool(box and viewport and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"])


def test_the_composer_is_on_the_first_screen_and_one_tap_away_on_a_phone(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    first, _ = _two_waiting_tickets()
    for n in range(8):  # a long conversation scrolls inside its column, the composer stays put
        Message.objects.create(
            ticket=first,
            channel=first.channel,
            external_id=f"long-{n}",
            kind=Message.Kind.INBOUND,
            author_handle=f"user{n}",
            body="Same here.\n" * 4,
            platform_created_at=first.requested_at,
        )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.goto(f"{live_server.url}/tickets/{first.pk}/")
        page.screenshot(path=str(ARTIFACTS / "e2e-cockpit-first-screen-1366.png"))
        for selector in ("#reply-body", "[data-keys-macro] select", "[data-testid=tab-note]", "#reply-status"):
            assert _in_view(page, selector), selector
        expect(page.get_by_test_id("panel-slot-outreach")).to_have_count(0)  # replaced by the panel once loaded
        expect(page.get_by_test_id("outreach-panel")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-cockpit-1366.png"))

        phone = browser.new_page(viewport={"width": 375, "height": 812})
        _log_in(phone, live_server.url, "ada")
        phone.goto(f"{live_server.url}/tickets/{first.pk}/")
        jump = phone.get_by_test_id("jump-composer")
        expect(jump).to_be_visible()
        assert not _in_view(phone, "#reply-body")
        jump.click()
        expect(phone.locator("#reply-body")).to_be_focused()
        assert _in_view(phone, "#reply-body")
        phone.screenshot(path=str(ARTIFACTS / "e2e-cockpit-375.png"))
        browser.close()


def test_a_refused_action_shows_its_error_beside_the_control_and_keeps_the_focus(
    live_server, handbook_macros, settings
):
    settings.SLACK_BOT_TOKEN = ""  # the community macro shares in Slack: refused, said beside the picker
    AdvocateFactory(username="ada")
    AdvocateFactory(username="bo")
    first, _ = _two_waiting_tickets()
    url = f"{live_server.url}/tickets/{first.pk}/"
    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.goto(url)
        bo = browser.new_context().new_page()
        _log_in(bo, live_server.url, "bo")
        bo.goto(url)

        # Someone else changes the status while the note is being written: the note is refused, beside it.
        page.get_by_test_id("tab-note").click()
        note = page.locator("#note-body")
        note.fill("Asked Marta about the cache key")
        bo.locator("#ticket-status-select").select_option("pending")
        bo.locator("#status-submit").click()
        expect(bo.get_by_test_id("result-status")).to_contain_text("is now pending")
        note.press("Control+Enter")
        result = page.get_by_test_id("result-note")
        expect(result).to_contain_text("This ticket changed since you opened it")
        expect(result).to_have_attribute("aria-live", "polite")
        expect(note).to_be_focused()
        expect(note).to_have_value("Asked Marta about the cache key")
        expect(page).to_have_url(url)
        page.screenshot(path=str(ARTIFACTS / "e2e-cockpit-refused-note.png"))

        # Once the page shows the change, the same note goes through, in place.
        page.reload()
        page.get_by_test_id("tab-note").click()
        page.locator("#note-body").fill("Asked Marta about the cache key")
        page.locator("#note-body").press("Control+Enter")
        expect(page.get_by_test_id("result-note")).to_contain_text("Note added.")
        expect(page.locator("#conversation .msg.note")).to_contain_text("Asked Marta about the cache key")
        expect(page.locator("#note-body")).to_have_value("")
        expect(page.locator("#note-body")).to_be_focused()
        expect(page).to_have_url(url)

        # A macro that cannot run: the picker shows it disabled; applied anyway (a page loaded before Slack
        # was disconnected), the server's refusal shows beside the picker, the address unchanged.
        page.get_by_test_id("tab-reply").click()
        macro = page.locator("[data-keys-macro] select[name=macro]")
        community = macro.locator("option[data-missing]", has_text="Community involvement")
        expect(community).to_be_disabled()
        community.evaluate("option => { option.disabled = false; }")
        macro.select_option(community.get_attribute("value"))
        page.get_by_test_id("macro-apply").click()
        expect(page.get_by_test_id("result-macro")).to_contain_text("Slack is not connected")
        expect(page.get_by_test_id("macro-apply")).to_be_focused()
        expect(page).to_have_url(url)
        page.screenshot(path=str(ARTIFACTS / "e2e-cockpit-refused-macro.png"))
        browser.close()
    first.refresh_from_db()
    assert not first.tags.filter(name="community-involvement").exists()


def test_play_prefill_macro_reply_next_with_the_keyboard(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ViewFactory(name="All mentions", slug="all")
    first, second = _two_waiting_tickets()
    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.keyboard.press("p")
        # The keys after it need keys.js, which runs at DOMContentLoaded: later now that the first answer
        # carries the side panels (issue 41).
        _arrive(page, f"{live_server.url}/tickets/{first.pk}/")

        page.keyboard.press("m")
        expect(page.get_by_role("dialog", name="Apply a macro")).to_be_visible()  # then type into it
        page.keyboard.type("downtime")
        page.keyboard.press("Enter")  # a prefill: the ticket stays, the draft arrives in the reply box
        expect(page.get_by_test_id("result-macro")).to_contain_text("applied")
        expect(page.locator("#reply-body")).to_contain_text("status.gitlab.com")
        expect(page.locator("dialog[open]")).to_have_count(0)
        expect(page).to_have_url(f"{live_server.url}/tickets/{first.pk}/")

        page.keyboard.press("r")
        expect(page.locator("#reply-body")).to_be_focused()
        page.keyboard.type(" Thanks!")
        page.keyboard.press("Control+Enter")  # submitted as solved: Play serves the next one
        expect(page).to_have_url(f"{live_server.url}/tickets/{second.pk}/")
        expect(page.get_by_text(f"Reply recorded on #{first.pk}.")).to_be_visible()
        expect(page.get_by_test_id("play-banner")).to_be_visible()
        browser.close()
    first.refresh_from_db()
    assert first.status == Ticket.Status.SOLVED
    assert first.messages.filter(kind=Message.Kind.OUR_REPLY, body__contains="Thanks!").exists()
