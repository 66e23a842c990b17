"""An outage found as a burst (stories.detection.bursts), as an advocate opens its page at a laptop's and a phone's
width: the story says it is a burst of problem reports, lists each report with why it is there, and fits the phone
without scrolling sideways. Screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from mentions.tests.factories import AdvocateFactory
from stories.detection.detector import stories_detect
from stories.models import Story
from stories.tests import helpers
from stories.tests.helpers import background, mention
from stories.tests.test_bursts import REPORTS
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_burst_story_page_at_1366_and_375_px(live_server, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(helpers, "RELEASE_DAY", now - timedelta(hours=1))  # the weeks before this hour
    background()
    for i, (kind, text) in enumerate(REPORTS):
        mention(kind, text, at=now - timedelta(minutes=30 - 2 * i))
    stories_detect()
    story = Story.objects.get(origin=Story.Origin.BURST)
    AdvocateFactory(username="ada")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        for width in (1366, 375):
            browser, page = page_signed_in(pw, live_server.url, "ada", width=width)
            page.goto(f"{live_server.url}{story.get_absolute_url()}")
            assert "a burst of problem reports" in page.content()
            assert page.get_by_text("problem reports in").count() >= 3
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"e2e-burst-story-{width}px.png"), full_page=True)
            browser.close()
