"""The queue's forecast column at a laptop's 1366 px and a phone's 375 px, on an empty queue after a backlog was read
(silent: too little to go on) and on a busy one (an estimate with its basis), screenshots in test-artifacts/.
No platform is called: the tickets are the hand-built day of mentions/tests/test_forecast.py (factories)."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, TicketFactory
from mentions.tests.test_forecast import NOW, at, the_day_in_the_database
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _forecast_cell(live_server, name: str, width: int) -> tuple[str, int]:
    """The view's forecast cell as the browser shows it, and the page's width; a screenshot beside."""
    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "ada", width=width)
        page.goto(f"{live_server.url}/")
        cell = page.get_by_test_id("forecast-everything")
        cell.wait_for()
        text = cell.inner_text()
        page_width = page.evaluate("document.documentElement.scrollWidth")
        cell.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"e2e-forecast-{name}-{width}px.png"), full_page=True)
        browser.close()
    return text, page_width


@pytest.mark.parametrize("width", [1366, 375])
def test_an_empty_queue_after_a_backlog_says_it_has_too_little_to_go_on(live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    AdvocateFactory(username="ada")
    the_day_in_the_database()
    Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES).update(status=Ticket.Status.SOLVED)
    Ticket.objects.filter(requested_at__gte=at(0, 15)).update(requested_at=at(-1, 9))  # all of it a backlog
    with time_machine.travel(NOW, tick=False):
        text, page_width = _forecast_cell(live_server, "empty", width)
    assert text.startswith("—")
    assert (
        "0 waiting for a first reply; no forecast: too little to go on (nothing waits, and fewer than 3 tickets "
        "arrived" in text
    )
    assert "past their" not in text
    assert page_width <= width


@pytest.mark.parametrize("width", [1366, 375])
def test_a_busy_queue_gives_an_estimate_with_its_basis(live_server, width):
    ARTIFACTS.mkdir(exist_ok=True)
    AdvocateFactory(username="ada")
    the_day_in_the_database()
    # Twelve more asked in the last hour and waiting: 18 arrivals in 3 h (6 an hour), 17 waiting.
    for minute in range(0, 60, 5):
        when = at(0, 17, minute)
        ticket = TicketFactory(requested_at=when, sla_due_at=at(1, 0, minute))
        Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    with time_machine.travel(NOW, tick=False):
        text, page_width = _forecast_cell(live_server, "busy", width)
    # By hand: 6 arrivals an hour for 4 h = 24 more (18:10 ... 22:00, due Saturday 01:10 ... 05:00), 2 first replies
    # an hour = 8 (18:30 ... 22:00) taking the tickets due first: 17:00 (late), 19:00, 23:40 and the new ones due
    # Saturday 00:00 ... 00:20. Left before Monday 08:00: those due 00:25 ... 00:55 (7), the one due 00:30, the 24
    # arrivals, and the late one: 33, the first still to come Saturday 00:25.
    assert text.startswith("about 33, the first Sat 00:25")
    assert (
        "17 waiting for a first reply; about 33 may be past their 7 h target before coverage resumes Mon 08:00 UTC"
        in text
    )
    assert "from 18 arrivals in the last 3 h, 140 first replies in 70 covered hours of the last 7 days" in text
    assert page_width <= width
