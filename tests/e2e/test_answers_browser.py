"""The Answers panel in Chromium (issue 30): an earlier answer inserted where the cursor is, counted once in the
history; `;` typed at the start of a word in the reply box opens the saved replies picker, which inserts the
chosen reply filled for the ticket with {link} selected to type over; `;` inside a word is punctuation. The
desk's own pages on a live server; no platform is called (the ticket's channel is Hacker News, which the desk
does not post to)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from answers.index.follow import answers_index
from answers.models import SavedReply, SuggestionFeedback
from answers.suggestions.meaning import answers_meaning_fill
from answers.suggestions.stored import suggestions_store
from answers.tests.knowledge_helpers import source
from answers.tests.test_stored_suggestions import _library
from answers.tests.test_suggestions import answered
from mentions.models import TicketEvent
from mentions.tests.factories import BASE_TIME, AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.test_keyboard_browser import _desk_page
from tests.e2e.test_play_browser import ARTIFACTS
from tests.e2e.threads import in_own_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_insert_an_earlier_answer_and_a_saved_reply_from_the_keyboard(live_server):
    AdvocateFactory(username="ada")
    earlier = answered("Artifacts expire after a day", "job artifacts vanish after 24 hours",
                       "Set expire_in on the job: https://docs.example.com/ci/artifacts#expire_in")  # fmt: skip
    answers_index()
    SavedReply.objects.create(title="Known issue", keywords="bug", body="Thanks {requester}, known issue: {link}.")
    ticket = TicketFactory(subject="artifacts expire", requester_name="Dana", requested_at=BASE_TIME)
    MessageFactory(ticket=ticket, body="Why do my artifacts expire after one day?")
    suggestions_store([ticket.pk])  # as the worker does when the ticket arrives (answers.suggestions.stored)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        panel = page.get_by_test_id("answers-panel")
        suggestion = panel.get_by_test_id("answer-suggestion").first
        expect(suggestion).to_contain_text(f"#{earlier.pk}")
        expect(suggestion.get_by_test_id("answer-why")).to_contain_text("shares: artifacts")

        box = page.locator("#composer-reply textarea[name=body]")
        box.fill("Hi Dana, ")
        suggestion.get_by_test_id("answer-insert-link").click()
        expect(box).to_have_value("Hi Dana, https://docs.example.com/ci/artifacts#expire_in")
        suggestion.get_by_test_id("answer-insert-link").click()  # twice in one draft: one use
        expect(box).to_have_value(
            "Hi Dana, https://docs.example.com/ci/artifacts#expire_in https://docs.example.com/ci/artifacts#expire_in"
        )
        box.fill("")
        box.type("a;b ")  # inside a word: the character itself
        expect(page.get_by_role("dialog", name="Insert a saved reply")).to_be_hidden()
        box.press(";")
        picker = page.get_by_role("dialog", name="Insert a saved reply")
        expect(picker).to_be_visible()
        page.keyboard.type("known")
        expect(picker.get_by_role("option")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "e2e-saved-picker.png"))
        page.keyboard.press("Enter")
        expect(picker).to_be_hidden()
        expect(box).to_have_value("a;b Thanks Dana, known issue: {link}.")
        page.keyboard.type("https://gitlab.example.com/issues/1")  # {link} was selected: typed over
        expect(box).to_have_value("a;b Thanks Dana, known issue: https://gitlab.example.com/issues/1.")
        browser.close()

    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ANSWER_USED).count() == 1
    assert SavedReply.objects.get().uses == 1


def test_keys_typed_before_the_answers_panel_arrives_never_reach_the_reply(live_server):
    """With one of our knowledge sources active the Answers panel is deferred (a remote search): its answer
    (mentions:ticket-panels-later) is held back until the advocate has typed `;` and the filter's words: the picker
    opens on `;`, says it is loading, and offers the match once the panel is in."""
    AdvocateFactory(username="ada")
    source("docs")
    SavedReply.objects.create(title="Known issue", keywords="bug", body="Thanks {requester}, known issue: {link}.")
    SavedReply.objects.create(title="Roadmap", keywords="plans", body="It is on the roadmap.")
    ticket = TicketFactory(subject="artifacts expire", requester_name="Dana", requested_at=BASE_TIME)
    MessageFactory(ticket=ticket, body="Why do my artifacts expire after one day?")
    held = []

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": 1366, "height": 800})
        # Answered below, when the test says.
        page.route(re.compile(rf"/tickets/{ticket.pk}/later/"), lambda route: held.append(route))
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        expect(page.get_by_test_id("panel-slot-later")).to_be_visible()
        box = page.locator("#composer-reply textarea[name=body]")
        box.click()
        page.keyboard.type("Hi ")
        page.keyboard.press(";")
        picker = page.get_by_role("dialog", name="Insert a saved reply")
        expect(picker).to_be_visible()
        expect(picker.get_by_role("status")).to_have_text("Loading the saved replies…")
        page.keyboard.type("known")
        expect(box).to_have_value("Hi ")  # neither the `;` nor the filter's words
        assert held, "the deferred panels were not asked for"
        assert page.get_by_test_id("answers-panel").count() == 0

        held[0].continue_()
        expect(page.get_by_test_id("answers-panel")).to_be_visible()
        expect(picker.get_by_role("status")).to_be_hidden()
        expect(picker.get_by_role("option")).to_have_count(1)
        expect(picker.get_by_role("option")).to_contain_text("Known issue")
        page.keyboard.press("Enter")
        expect(picker).to_be_hidden()
        expect(box).to_have_value("Hi Thanks Dana, known issue: {link}.")
        browser.close()


SHOTS = Path(os.environ.get("DESK_SHOTS_DIR", str(ARTIFACTS)))


def _worker_run(ticket_id: int) -> None:
    """answers.suggest's work, as the worker does it, while the page is open: in a thread of its own (Playwright's
    loop makes this one async to Django), its connection closed after."""
    in_own_thread(lambda: suggestions_store([ticket_id]))


@pytest.mark.parametrize("width", [1366, 375])
def test_looking_then_stored_then_doesnt_fit_from_the_keyboard(live_server, width):
    """Nothing stored yet: "Looking for earlier answers…", and the panel shows them once the worker stored them
    (its own poll); "Doesn't fit" reached with the keyboard takes the suggestion away and records it."""
    AdvocateFactory(username="ada")
    library = _library()  # answers/tests/test_stored_suggestions.py: two of them fit this question
    first, second = library["artifacts"], library["forks"]
    answers_index()
    ticket = TicketFactory(subject="artifacts expire", requester_name="Dana", requested_at=BASE_TIME)
    MessageFactory(ticket=ticket, body="Why do my artifacts expire after a day?")
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        panel = page.get_by_test_id("answers-panel")
        expect(panel.get_by_test_id("answer-looking")).to_have_text("Looking for earlier answers…", timeout=15_000)
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"stored-looking-{width}.png"))

        _worker_run(ticket.pk)
        suggestion = panel.get_by_test_id("answer-suggestion")
        expect(suggestion.first).to_contain_text(f"#{first.pk}", timeout=10_000)
        expect(suggestion).to_have_count(2)
        # How sure the desk is, in words beside each (P(fit) in its title).
        expect(suggestion.first.get_by_test_id("answer-fit")).to_have_text(re.compile(r"^(likely fits|may fit)$"))
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"stored-shown-{width}.png"))

        dismiss = suggestion.first.get_by_test_id("answer-dismiss")
        dismiss.focus()
        expect(dismiss).to_be_focused()
        page.keyboard.press("Enter")
        expect(suggestion).to_have_count(1)
        expect(suggestion.first).to_contain_text(f"#{second.pk}")
        page.screenshot(path=str(SHOTS / f"stored-dismissed-{width}.png"))
        browser.close()

    feedback = SuggestionFeedback.objects.get(ticket=ticket)
    assert (feedback.answer_ticket_id, feedback.outcome, feedback.rank) == (first.pk, "dismissed", 1)


@pytest.mark.parametrize("width", [1366, 375])
def test_a_mention_nothing_fits_says_so_calmly_once_the_worker_computed_it(live_server, width):
    """Praise for the product shares its name with every answer: once the worker computed it, the panel says no
    earlier answer fits (no suggestion, no "Doesn't fit" to press), and the saved replies stay open beside it."""
    AdvocateFactory(username="ada")
    _library()
    answers_index()
    answers_meaning_fill()
    ticket = TicketFactory(subject="", requester_name="Sam", requested_at=BASE_TIME)
    MessageFactory(
        ticket=ticket, body="Huge thanks to the whole team for the meetup in Lisbon last night, great talks!"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport={"width": width, "height": 900})
        _worker_run(ticket.pk)
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        panel = page.get_by_test_id("answers-panel")
        expect(panel).to_contain_text("No earlier answer fits this mention.", timeout=15_000)
        expect(panel.get_by_test_id("answer-suggestion")).to_have_count(0)
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"stored-nothing-fits-{width}.png"))
        browser.close()
