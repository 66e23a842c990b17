"""A manager works tickets in the desk, in Chromium: bulk-assigns from the list, sets priority
and tags, merges a duplicate, and reads it all in the history."""

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_bulk_assigns_prioritises_tags_and_merges_with_every_step_in_the_history(live_server):
    ManagerFactory(username="mia")
    AdvocateFactory(username="ada")
    first = TicketFactory(subject="Runner stuck on arm64", requester_handle="laurent")
    MessageFactory(ticket=first, body="My arm64 runner never picks up jobs")
    duplicate = TicketFactory(subject="Re: Runner stuck on arm64", requester_handle="laurent")
    MessageFactory(ticket=duplicate, body="Still stuck, any news?")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        sign_in(page, f"{live_server.url}/accounts/login/", "mia")

        page.goto(f"{live_server.url}/tickets/")
        page.get_by_label("Tick all on this page").check()
        page.get_by_label("Bulk action").select_option("assign")
        page.get_by_label("Assign to").select_option(label="ada")
        page.get_by_role("button", name="Apply to ticked").click()
        expect(page.get_by_text("2 tickets assigned to ada.")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-bulk-assign.png"), full_page=True)

        page.goto(f"{live_server.url}{first.get_absolute_url()}")
        page.get_by_label("Priority").select_option("high")
        page.get_by_role("button", name="Set priority").click()
        expect(page.get_by_text(f"#{first.pk} is now high priority.")).to_be_visible()
        page.get_by_label("Tags").fill("runner arm64")
        page.get_by_role("button", name="Save tags").click()
        expect(page.get_by_text("Tags added runner, arm64.")).to_be_visible()

        page.goto(f"{live_server.url}{duplicate.get_absolute_url()}")
        page.get_by_test_id("more-actions").locator("summary").click()  # merging is a rare action, in the menu
        page.get_by_label("Merge into ticket #").fill(str(first.pk))
        page.get_by_label("Why (optional)").fill("same requester, same runner")
        page.get_by_role("button", name="Merge into that ticket").click()
        expect(page.get_by_text(f"#{duplicate.pk} was merged into #{first.pk}.")).to_be_visible()
        expect(page.get_by_test_id("history-pending")).to_be_attached()  # folded: not in the first answer
        page.locator("#history-box summary").click()  # opening the fold asks for it
        history = page.get_by_test_id("history")
        expect(history).to_contain_text("mia assigned it to ada (bulk action)")
        expect(history).to_contain_text("mia set the priority to high (was normal)")
        expect(history).to_contain_text("mia added the tag “arm64”")
        expect(history).to_contain_text(f"mia merged #{duplicate.pk} into this ticket: “same requester, same runner”")
        expect(history).to_contain_text("UTC")
        expect(page.get_by_test_id("message")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-managed.png"), full_page=True)
        browser.close()

    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == first.pk and duplicate.status == Ticket.Status.SOLVED
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED, data__via="bulk").count() == 2
