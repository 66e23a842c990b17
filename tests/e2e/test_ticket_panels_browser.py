"""The ticket page as Chromium loads it (issue 41): the cheap panels are in the first answer, the answers panel
comes in the one request after it, nothing else is asked for until the advocate opens a fold (Share to Slack),
and the live refresh waits for its interval. Screenshots at a laptop's and a phone's width."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from mentions.tests.factories import AdvocateFactory, MessageFactory
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from stories.models import Membership, Story
from tests.e2e.test_keyboard_browser import _browser, _log_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _ticket():
    priya = PersonFactory(name="Priya Raman")
    identity = IdentityFactory(person=priya, platform="email", handle="priya@example.net", key="priya@example.net")
    ticket = ticket_from(identity, subject="How do I cache node_modules in GitLab CI?")
    MessageFactory(ticket=ticket, body="Our pipelines spend 4 minutes on npm ci.")
    now = timezone.now()
    story = Story.objects.create(title="CI cache misses", origin=Story.Origin.TERMS, first_at=now, last_at=now)
    Membership.objects.create(story=story, ticket=ticket, via=Membership.Via.TERMS, reason="Shared terms: cache, npm")
    return ticket


def _record(asked: list[str], request) -> None:
    if request.resource_type in ("document", "xhr", "fetch"):  # not the styles, scripts and icon
        asked.append(request.url)


def test_a_page_view_is_one_request_and_the_folded_panel_loads_when_opened(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ticket = _ticket()
    url = f"{live_server.url}/tickets/{ticket.pk}/"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = _browser(pw)
        for width, height in ((1366, 800), (375, 812)):
            page = browser.new_page(viewport={"width": width, "height": height})
            _log_in(page, live_server.url, "ada")
            asked: list[str] = []
            page.on("request", lambda r, asked=asked: _record(asked, r))
            page.goto(url)
            expect(page.get_by_test_id("answers-panel")).to_be_visible()  # in the page's one answer
            page.wait_for_load_state("networkidle")
            assert [u.split("?")[0] for u in asked] == [url], asked
            for testid in ("requester-card", "story-panel", "discount-code-panel", "outreach-panel"):
                expect(page.get_by_test_id(testid)).to_be_visible()
            expect(page.get_by_test_id("share-panel")).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / f"e2e-ticket-panels-{width}.png"), full_page=True)

            page.get_by_test_id("panel-fold-share").locator("summary").click()
            expect(page.get_by_test_id("share-panel")).to_be_visible()
            assert asked[-1].split("?")[0] == f"{url}panels/share/"
            page.screenshot(path=str(ARTIFACTS / f"e2e-ticket-panels-share-open-{width}.png"), full_page=True)
            page.close()
        browser.close()
