"""The recognition page (people.views.recognition) at 1366 and 375 px: each person's line with its three
buttons fits the screen (on a phone the buttons wrap under the name), and Send <gift> answers in place (htmx) and
records the gift. Screenshots in test-artifacts/ for the closing note. No platform payload: the level-up comes
from a contribution logged as the person page logs it."""

from datetime import date

import pytest
from playwright.sync_api import sync_playwright

from mentions.tests.factories import ManagerFactory
from people.codes import batch_upload
from people.contributions import contribution_add
from people.models import Gift, Level
from people.tests.factories import PersonFactory
from people.tests.test_journey import journey_seeded
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_recognition_page_fits_a_phone_and_sends_the_gift_in_place(live_server):
    ManagerFactory(username="mia")
    journey_seeded()
    batch = batch_upload(name="Contributor thank-you 2026", text="THANKS-1\n", user=None).batch
    Level.objects.filter(name="Participant").update(gift_item="Sticker pack", discount_batch=batch)
    for name in ("Małgorzata Wiśniewska-Kowalczyk", "Ola Nowak"):
        person = PersonFactory(name=name)
        contribution_add(person=person, kind="talk", on=date(2026, 11, 3), user=None)
    ARTIFACTS.mkdir(exist_ok=True)

    widths = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for width, height in ((1366, 768), (375, 812)):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            sign_in(page, f"{live_server.url}/accounts/login/", "mia")
            page.goto(f"{live_server.url}/people/recognition/")
            rows = page.get_by_test_id("recognition-row")
            widths[width] = (page.evaluate("document.documentElement.scrollWidth"), rows.count())
            page.screenshot(path=str(ARTIFACTS / f"e2e-recognition-{width}px.png"), full_page=True)
        first = page.get_by_test_id("recognition-row").first
        first.get_by_role("button", name="Send Sticker pack").click()
        first.get_by_test_id("recognition-result").get_by_text("Sticker pack requested for").wait_for()
        page.screenshot(path=str(ARTIFACTS / "e2e-recognition-375px-sent.png"), full_page=True)
        browser.close()

    assert widths == {1366: (1366, 2), 375: (375, 2)}  # no sideways scrolling, both listed
    assert Gift.objects.filter(item="Sticker pack", state=Gift.State.REQUESTED).count() == 1
