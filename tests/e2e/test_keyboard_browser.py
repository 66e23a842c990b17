"""The desk with the keyboard alone, in Chromium: Play, the macro picker, lists, search, notes."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from experts.tests.factories import ExpertFactory
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import BASE_TIME, AdvocateFactory, MessageFactory, TicketFactory, ViewFactory
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPEN_DIALOG = "dialog[open]"
DESCRIPTION = "The expert answered on the platform with their own account."
# What the macro does, computed from its actions (issue 28), shown before its description.
DOES = "Submits as Solved and moves on; takes the answer's link as the first reply; adds tags expert-responded"


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    # keys.js is deferred: the heading can be on screen before it listens for keys.
    page.wait_for_load_state("load")


def _desk_page(pw, base_url: str, username: str, viewport: dict[str, int]) -> tuple[Browser, Page]:
    """The browser (closed with the playwright) and a page of `viewport`'s size signed in as `username`, on the
    queue."""
    browser = _browser(pw)
    page = browser.new_page(viewport=viewport)
    _log_in(page, base_url, username)
    return browser, page


def _arrive(page, url: str) -> None:
    """At `url` with the page's deferred scripts run (keys.js): a key pressed once the address changed but before
    DOMContentLoaded has no listener yet, as in any browser while a page is still loading."""
    expect(page).to_have_url(url)
    page.wait_for_load_state("domcontentloaded")


def _two_waiting_tickets():
    first = TicketFactory(
        subject="How do I cache node_modules in GitLab CI?", requester_handle="dana", requested_at=BASE_TIME
    )
    MessageFactory(ticket=first, body="Our pipelines spend 4 minutes on npm ci.")
    second = TicketFactory(
        subject="Registry pulls fail with 429 since Tuesday",
        requester_handle="laurent",
        channel=first.channel,
        requested_at=BASE_TIME + timedelta(minutes=5),
    )
    MessageFactory(ticket=second, body="Anyone else seeing 429s from the registry?")
    return first, second


def test_a_whole_play_macro_next_cycle_with_the_keyboard_alone(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ViewFactory(name="All mentions", slug="all")
    first, second = _two_waiting_tickets()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1280, "height": 900})

        page.keyboard.press("?")
        help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        expect(help_dialog).to_be_visible()
        expect(help_dialog).to_contain_text("Play the selected view")
        expect(help_dialog).to_contain_text("Next / previous row")
        expect(help_dialog).not_to_contain_text("Focus the reply box")  # the queue has no reply box
        page.screenshot(path=str(ARTIFACTS / "e2e-keyboard-help.png"))
        page.keyboard.press("Escape")
        expect(page.locator(OPEN_DIALOG)).to_have_count(0)

        page.keyboard.press("p")
        _arrive(page, f"{live_server.url}/tickets/{first.pk}/")
        expect(page.get_by_test_id("play-banner")).to_be_visible()
        page.keyboard.press("?")
        expect(help_dialog).to_contain_text("Focus the reply box")
        expect(help_dialog).to_contain_text("Apply a macro")
        page.screenshot(path=str(ARTIFACTS / "e2e-keyboard-help-ticket.png"))
        page.keyboard.press("Escape")

        page.keyboard.press("m")
        picker = page.get_by_role("dialog", name="Apply a macro")
        expect(picker).to_be_visible()
        expect(picker.get_by_role("option")).to_have_count(6)  # the handbook's macros
        page.keyboard.type("expert")
        expect(picker.get_by_role("option")).to_have_count(4)
        page.screenshot(path=str(ARTIFACTS / "e2e-keyboard-macro-picker.png"))
        page.keyboard.type(" respon")  # every word must match: "Expert responded", "Expert response"
        expect(picker.get_by_role("option")).to_have_count(2)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        expect(picker.get_by_role("option", selected=True)).to_have_text("Expert responded" + DOES + DESCRIPTION)
        page.keyboard.press("Enter")

        _arrive(page, f"{live_server.url}/tickets/{second.pk}/")
        expect(page.get_by_text(f"“Expert responded” applied to #{first.pk}.")).to_be_visible()
        expect(page.get_by_test_id("play-banner")).to_be_visible()

        # Away from the queue, `p` plays the view played last: the ticket held from it.
        page.keyboard.press("/")
        expect(page.locator("#desk-search")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Tickets")).to_be_visible()
        page.keyboard.press("p")
        _arrive(page, f"{live_server.url}/tickets/{second.pk}/")
        browser.close()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Ticket.Status.SOLVED
    assert list(first.tags.values_list("name", flat=True)) == ["expert-responded"]
    assert first.events.filter(kind=TicketEvent.Kind.MACRO, data__macro="Expert responded").exists()
    assert second.assignee.username == "ada" and second.served_to_id == second.assignee_id


def test_shortcuts_do_not_fire_while_typing_in_a_field(live_server):
    AdvocateFactory(username="ada")
    first, _ = _two_waiting_tickets()
    url = f"{live_server.url}/tickets/{first.pk}/"

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1280, "height": 900})
        page.goto(url)
        reply = page.locator("form[data-keys-reply] textarea")
        reply.click()
        page.keyboard.type("pmr?")
        expect(reply).to_have_value("pmr?")
        expect(reply).to_be_focused()
        search = page.locator("#desk-search")
        search.click()
        page.keyboard.type("j/kn")
        expect(search).to_have_value("j/kn")
        expect(page.locator(OPEN_DIALOG)).to_have_count(0)
        _arrive(page, url)
        # Modifiers are the browser's: Alt+p and Ctrl+m are not Play or the macro picker.
        page.locator("h1").click()
        page.keyboard.press("Alt+p")
        page.keyboard.press("Control+m")
        expect(page.locator(OPEN_DIALOG)).to_have_count(0)
        _arrive(page, url)
        # Keys that are part of an IME composition are the IME's.
        press = (
            "c => document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '?', bubbles: true, isComposing: c}))"
        )
        page.evaluate(press, True)
        expect(page.locator(OPEN_DIALOG)).to_have_count(0)
        page.evaluate(press, False)  # the same key outside a composition does open the help
        expect(page.locator(OPEN_DIALOG)).to_have_count(1)
        page.keyboard.press("Escape")
        expect(page.locator(OPEN_DIALOG)).to_have_count(0)
        # Out of the fields, `p` works; with nothing played yet in this browser it opens the queue.
        page.keyboard.press("p")
        _arrive(page, f"{live_server.url}/")
        browser.close()


def test_rows_search_first_tab_and_ctrl_enter_by_keyboard(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ExpertFactory(name="Marta")
    oldest = TicketFactory(subject="Oldest: runner on arm64", requested_at=BASE_TIME)
    middle = TicketFactory(subject="Middle: registry 429", requested_at=BASE_TIME + timedelta(minutes=1))
    newest = TicketFactory(subject="Newest: cache keys", requested_at=BASE_TIME + timedelta(minutes=2))
    for t in (oldest, middle, newest):
        MessageFactory(ticket=t)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/tickets/")  # newest first: newest, middle, oldest
        selected = page.locator("tr.keys-selected")

        page.keyboard.press("j")
        page.keyboard.press("j")
        expect(selected).to_have_attribute("data-ticket", str(middle.pk))
        # Live refresh re-renders the rows: the selection follows the ticket, not the element.
        page.evaluate(
            """() => {
                const body = document.querySelector("tr[data-ticket]").parentElement;
                body.innerHTML = body.innerHTML.replaceAll("keys-selected", "");
                body.dispatchEvent(new CustomEvent("htmx:afterSwap", {bubbles: true}));
            }"""
        )
        expect(selected).to_have_attribute("data-ticket", str(middle.pk))
        page.screenshot(path=str(ARTIFACTS / "e2e-keyboard-rows.png"))
        page.keyboard.press("k")
        expect(selected).to_have_attribute("data-ticket", str(newest.pk))
        page.keyboard.press("Enter")
        _arrive(page, f"{live_server.url}/tickets/{newest.pk}/")

        page.keyboard.press("/")
        expect(page.locator("#desk-search")).to_be_focused()

        page.goto(f"{live_server.url}/tickets/{oldest.pk}/")
        page.keyboard.press("Tab")
        expect(page.locator("form[data-keys-reply] textarea")).to_be_focused()

        page.locator("h1").click()  # out of the reply box
        page.keyboard.press("n")
        note = page.locator("form[data-keys-note] textarea")
        expect(note).to_be_focused()
        page.keyboard.type("Asked in #runner, waiting for Marta")
        page.keyboard.press("Control+Enter")
        expect(page.get_by_text("Note added.")).to_be_visible()
        expect(note).to_be_focused()  # added in place: the box keeps the focus, empty for the next note
        expect(note).to_have_value("")
        page.locator("h1").click()  # out of the note box, where `m` would be typed

        # A macro that asks for a link gets it typed in the picker before anything is submitted.
        page.keyboard.press("m")
        expect(page.get_by_role("dialog", name="Apply a macro")).to_be_visible()  # then type into it
        page.keyboard.type("reached")
        page.keyboard.press("Enter")
        link = page.get_by_label("Link for “Reached out to expert”")
        expect(link).to_be_focused()
        page.keyboard.press("Enter")  # empty: refused in the picker, nothing posted
        expect(link).to_be_visible()
        page.keyboard.type("https://example.slack.com/archives/C1/p1")
        page.keyboard.press("Enter")  # and whom: the outreach is recorded to them (issue 28)
        expert = page.get_by_label("Expert you asked", exact=True)
        expect(expert).to_be_focused()
        page.keyboard.type("Marta")
        page.keyboard.press("Enter")
        expect(page.get_by_text(f"“Reached out to expert” applied to #{oldest.pk}.")).to_be_visible()
        browser.close()

    notes = list(Message.objects.filter(ticket=oldest, kind=Message.Kind.NOTE).values_list("body", flat=True))
    assert "Asked in #runner, waiting for Marta" in notes
    assert "Reached out to an expert: https://example.slack.com/archives/C1/p1" in notes
    assert oldest.events.filter(kind=TicketEvent.Kind.MACRO, data__macro="Reached out to expert").count() == 1
    assert oldest.outreaches.get().expert.name == "Marta"


def test_on_the_queue_p_plays_the_selected_view_and_enter_presses_a_views_play(live_server):
    AdvocateFactory(username="ada")
    ViewFactory(name="All mentions", slug="all", position=1)
    ViewFactory(name="Hacker News", slug="hn", position=2)
    first, _ = _two_waiting_tickets()

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1280, "height": 900})
        page.keyboard.press("j")
        page.keyboard.press("j")
        expect(page.locator("tr.keys-selected")).to_have_attribute("data-view", "hn")
        page.keyboard.press("p")
        _arrive(page, f"{live_server.url}/tickets/{first.pk}/")
        expect(page.get_by_test_id("play-banner")).to_contain_text("Hacker News")

        page.goto(f"{live_server.url}/")
        page.keyboard.press("j")
        expect(page.locator("tr.keys-selected")).to_have_attribute("data-view", "all")
        page.keyboard.press("Enter")  # Play on "All mentions": Play serves the ticket still held
        _arrive(page, f"{live_server.url}/tickets/{first.pk}/")
        expect(page.get_by_text(f"You still hold #{first.pk} from “Hacker News”")).to_be_visible()
        browser.close()

    first.refresh_from_db()
    assert first.served_view.slug == "hn"


def test_z_opens_the_snooze_menu_and_focuses_its_choice_once_it_has_come(live_server):
    """The Snooze menu's form comes when the menu opens (mentions.ticket_page.folds): `z` opens it and the preset is
    focused as soon as it is there, so Down and Enter snooze without the mouse."""
    ada = AdvocateFactory(username="ada")
    first, _ = _two_waiting_tickets()
    Ticket.objects.filter(pk=first.pk).update(assignee=ada, status=Ticket.Status.OPEN)
    url = f"{live_server.url}/tickets/{first.pk}/"

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_load_state("load")
        expect(page.locator("#snooze-preset")).to_have_count(0)  # not in the page's first answer
        page.locator("h1").click()
        page.keyboard.press("z")
        expect(page.locator("#snooze-preset")).to_be_focused()
        page.keyboard.press("Tab")  # to the time, then the checkbox, then Snooze: the preset (tomorrow) is enough
        page.locator("[data-keys-snooze] button[type=submit]").press("Enter")
        expect(page.get_by_test_id("result-snooze")).to_contain_text("snoozed until")
        browser.close()
    first.refresh_from_db()
    assert first.is_snoozed
