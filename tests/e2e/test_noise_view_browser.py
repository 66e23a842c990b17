"""The Noise view reviewed in bulk in Debian's chromium (issue 68): on a phone, where the list's header is not shown,
an advocate ticks all with the box beside the form and solves them in one press; the sure noise is listed after the
unsure. Judgements are stored as the worker's task stores them; tickets come from the project's factories, the view
from mentions' migration 0055; no HTTP leaves the machine."""

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import sync_playwright

from mentions.models import JudgedBy, Ticket, View
from mentions.tests.factories import AdvocateFactory, TicketFactory
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_advocate_on_a_phone_ticks_all_noise_and_solves_it_in_one_press(live_server):
    import_module("mentions.migrations.0056_noise_view").view_create(apps, None)  # flushed by transactional tests
    noise = View.objects.get(name="Noise")
    AdvocateFactory(username="ada")
    made = {confidence: TicketFactory(subject=f"Release {confidence}") for confidence in (0.95, 0.99, 0.75)}
    for confidence, ticket in made.items():
        Ticket.objects.filter(pk=ticket.pk).update(
            judgement="noise", judged_by=JudgedBy.DESK, judged_at=timezone.now(), judgement_confidence=confidence
        )
    needs = TicketFactory(judgement="needs_response", judged_by=JudgedBy.DESK, judgement_confidence=0.9)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "ada", width=375)
        page.goto(f"{live_server.url}/views/{noise.slug}/")
        order = [int(pk) for pk in page.eval_on_selector_all("tr[data-ticket]", "rs => rs.map(r => r.dataset.ticket)")]
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.get_by_test_id("tick-all").check()  # the header's box is not shown on a phone
        ticked = page.locator('input[name="ticket"]:checked').count()
        page.screenshot(path=str(ARTIFACTS / "e2e-noise-view-375.png"), full_page=True)
        page.get_by_role("button", name="Solve ticked").click()
        page.get_by_text("3 tickets set to solved.").wait_for()
        left = page.locator("tr[data-ticket]").count()
        browser.close()

    assert order == [made[0.75].pk, made[0.95].pk, made[0.99].pk]  # the unsure first, then the sure, oldest first
    assert wide <= 375 and ticked == 3 and left == 0
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert [statuses[t.pk] for t in made.values()] == ["solved"] * 3 and statuses[needs.pk] == "new"
