"""The story page after "Send the ticked replies", in Debian's chromium at 1366 and 375 px: while the replies go out
the page polls their outcomes, and each ticket's status on the timeline turns from New to Solved in place, without a
reload. The desk's own pages on a live server; the worker's task (stories.answer_send) is run by the test once the
press queued it, against X's and Reddit's reply endpoints faked with `responses` in the shapes stories/tests/wave.py
names (the X v2 docs sample, Reddit's recorded comment envelope)."""

import pytest
import responses
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from mentions.tests.factories import AdvocateFactory
from stories.models import StoryReply
from stories.tasks import answer_send
from stories.tests.wave import RELEASE_URL, release_wave, reply_endpoints_fake
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS
from tests.e2e.threads import in_own_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


ANSWER = "Thanks for the report! 18.6 changes the runner's helper image: the upgrade notes say what to change."


@pytest.mark.parametrize("width", [1366, 375])
@responses.activate
def test_after_send_the_timeline_says_solved_in_place(live_server, width):
    ada = AdvocateFactory(username="ada")
    wave = release_wave(x=3, reddit=2, hn=0)
    reply_endpoints_fake()
    drafting = Client()
    drafting.force_login(ada)
    made = drafting.post(reverse("stories:answer", args=[wave.story.pk]), {"answer": ANSWER, "link": RELEASE_URL})
    assert made.status_code == 302
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "ada", width=width)
        page.goto(f"{live_server.url}{wave.story.get_absolute_url()}")
        statuses = page.get_by_test_id("timeline-status")
        expect(statuses).to_have_count(5)
        expect(statuses).to_have_text(["New"] * 5)
        page.get_by_test_id("send").click()
        expect(page.get_by_test_id("tally")).to_have_text("5 on the way")
        in_own_thread(lambda: answer_send.apply(args=(wave.story.pk, ada.pk)))  # the worker, while the page stays open

        expect(page.get_by_test_id("tally")).to_have_text("5 sent", timeout=10_000)
        expect(statuses).to_have_text(["Solved"] * 5)  # the same page: no reload
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        page.get_by_test_id("timeline").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"e2e-story-after-send-{width}.png"), full_page=True)
        browser.close()
    assert StoryReply.objects.filter(story=wave.story, status=StoryReply.Status.SENT).count() == 5
