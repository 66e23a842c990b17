"""Search in a real browser (issue 13): a word only in a follow-up finds its ticket, highlighted;
filters; saving the search; the page at 1366 and 375 px wide."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.models import SavedSearch, Tag
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, watched_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_follow_up_word_finds_its_ticket_highlighted_and_the_search_is_saved(live_server):
    ada = AdvocateFactory(username="ada")
    wanted = TicketFactory(subject="Pipelines stuck on 'pending' since the upgrade", requester_handle="dana")
    MessageFactory(ticket=wanted, author_name="Dana Scully", body="Our pipelines sit in pending for ten minutes.")
    MessageFactory(
        ticket=wanted,
        author_handle="dana",
        author_name="Dana Scully",
        body="Update: it only happens when the job pulls from the container registry <img src=x onerror=alert(1)>.",
        platform_created_at=wanted.requested_at + timedelta(hours=2),
    )
    wanted.tags.add(Tag.objects.create(name="ci"))
    other = TicketFactory(subject="Pipelines stuck too", requester_handle="mulder", channel=wanted.channel)
    MessageFactory(ticket=other, author_name="Fox Mulder", body="Same here, pipelines pending.")
    for n in range(6):
        t = TicketFactory(subject=f"Registries and mirrors, question {n}", channel=wanted.channel)
        MessageFactory(ticket=t, body=f"How do registries handle mirror number {n}?")
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make browser)"
    with sync_playwright() as pw:
        browser, page = watched_page(pw, 1366, dialogs)
        sign_in(page, f"{live_server.url}/tickets/", "ada")  # the list sends a stranger to the sign-in form

        page.get_by_label("Search words").fill("registry")
        page.get_by_role("button", name="Search", exact=True).click()
        row = page.locator(f'tr[data-ticket="{wanted.pk}"]')
        expect(row).to_be_visible()
        expect(page.locator(f'tr[data-ticket="{other.pk}"]')).to_have_count(0)
        expect(row.locator("mark")).to_have_text("registry")
        expect(page.get_by_test_id(f"snippet-{wanted.pk}")).to_contain_text("container registry")

        page.get_by_label("Tag").fill("ci")
        page.get_by_label("Assignee").select_option("none")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("tr[data-ticket]")).to_have_count(1)
        page.get_by_label("Name this search").fill("Registry, CI, unassigned")
        page.get_by_role("button", name="Save this search").click()
        expect(
            page.get_by_test_id("saved-searches").get_by_role("link", name="Registry, CI, unassigned")
        ).to_be_visible()

        page.get_by_label("Tag").fill("")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("tr[data-ticket]")).to_have_count(7)
        page.screenshot(path=str(ARTIFACTS / "e2e-search-1366.png"), full_page=True)

        page.set_viewport_size({"width": 375, "height": 800})
        page.reload()
        expect(row.locator("mark")).to_have_text("registry")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "e2e-search-375.png"), full_page=True)
        browser.close()

    assert width <= 375  # the page itself never scrolls sideways (the table scrolls inside)
    assert dialogs == []  # the markup in the follow-up never ran
    saved = SavedSearch.objects.get(user=ada)
    assert saved.query == "q=registry&assignee=none&tag=ci"
