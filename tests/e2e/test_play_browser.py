"""An advocate's day in a real browser: Debian's chromium driven by Playwright."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, expect, sync_playwright

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Chromium must not try to reach Google's services from a machine without internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def dismissing(dialogs: list[str]) -> Callable[[Dialog], None]:
    """A dialog handler that records each dialog's message and dismisses it (a script from a mention that ran
    would show up here)."""

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    return dismiss


def watched_page(pw: Playwright, width: int, dialogs: list[str]) -> tuple[Browser, Page]:
    """Debian's chromium (closed with the playwright) and a page `width` wide, 900 high, whose dialogs are recorded
    in `dialogs` and dismissed."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("dialog", dismissing(dialogs))
    return browser, page


def test_advocate_plays_applies_expert_responded_and_is_served_the_next_ticket(live_server, handbook_macros):
    # Playwright's sync API runs an event loop in this thread, so the ORM is used only
    # before the browser starts and after it closes.
    AdvocateFactory(username="ada")
    ViewFactory(name="All mentions", slug="all")
    first = TicketFactory(subject="How do I cache node_modules in GitLab CI?", requester_handle="dana")
    MessageFactory(
        ticket=first,
        author_name="dana",
        body="Our pipelines spend 4 minutes on npm ci. <script>alert('xss')</script> Is there a cache:key trick?",
    )
    second = TicketFactory(
        subject="Registry pulls fail with 429 since Tuesday", requester_handle="laurent", channel=first.channel
    )
    MessageFactory(ticket=second, author_name="laurent", body="Anyone else seeing 429s from the registry?")
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make browser)"
    with sync_playwright() as pw:
        browser, page = watched_page(pw, 1280, dialogs)

        page.goto(f"{live_server.url}/")
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Queue")).to_be_visible()
        expect(page.get_by_test_id("waiting-all")).to_have_text("2")

        page.get_by_role("button", name="Play All mentions").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("How do I cache node_modules")
        expect(page.get_by_test_id("play-banner")).to_be_visible()
        expect(page.get_by_test_id("assignee")).to_have_text("ada")
        expect(page.get_by_test_id("message").first).to_contain_text("<script>alert('xss')</script>")
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-page.png"), full_page=True)

        # With the link of the expert's public answer, that answer is the mention's first reply.
        # Each option says what the macro does (issue 28).
        page.get_by_label("Macro", exact=True).select_option(
            label="Expert responded — Submits as Solved and moves on; takes the answer's link as the first reply; "
            "adds tags expert-responded"
        )
        page.get_by_label("Macro link").fill("https://news.ycombinator.com/item?id=46009999")
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Registry pulls fail with 429")
        expect(page.get_by_text("“Expert responded” applied to")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-next-ticket.png"), full_page=True)
        browser.close()

    assert dialogs == []  # the script in the mention never ran
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Ticket.Status.SOLVED and first.first_reply_at is not None
    assert list(first.tags.values_list("name", flat=True)) == ["expert-responded"]
    assert first.events.filter(kind=TicketEvent.Kind.MACRO, data__macro="Expert responded").exists()
    assert second.assignee is not None
    assert second.assignee.username == "ada" and second.served_to_id == second.assignee_id
