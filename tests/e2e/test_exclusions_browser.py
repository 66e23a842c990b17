"""Admin → Mentions → Suggested exclusions in a real browser, at a laptop's 1366 px and a phone's 375 px: the terms the
desk learned from a Hugo desk's history (mentions.judgement.exclusions, run as beat runs it), the help line above
them, a row's Accept button deciding that row, and the list fitting the laptop without a sideways scrollbar
(screenshots in test-artifacts/). The mentions' texts are written for the test (mentions/tests/test_exclusions.py)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from mentions.judgement.exclusions import exclusions_suggest
from mentions.models import ExclusionSuggestion, ProductProfile
from mentions.services.exclusions import exclusions_decide
from mentions.tests.factories import AdvocateFactory, ChannelFactory
from mentions.tests.test_exclusions import history, mention
from tests.e2e.login import sign_in
from tests.e2e.test_admin_browser import OVERFLOW_JS
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOSS = [
    "Hugo Boss suit on sale, worth it for a wedding?",
    "New Hugo Boss fragrance review: Boss Bottled Elixir",
    "The Hugo Boss store downtown closes this month",
]
State = ExclusionSuggestion.State


def _hugo_desk() -> None:
    ProductProfile.objects.create(
        name="Hugo",
        other_names="gohugo.io",
        description="Hugo, the static site generator written in Go: themes, templates, shortcodes, content files.",
    )
    reddit = ChannelFactory(name="Reddit: r/gohugo and r/webdev", slug="reddit-hugo", config={"keywords": ["hugo"]})
    hn = ChannelFactory(name="Hacker News: Hugo", slug="hn-hugo", config={"keywords": ["hugo"]})
    history(reddit)
    history(hn)
    for text in BOSS:
        mention(reddit, text, "noise")
    mention(reddit, "Anyone tried the Hugo spritz at the new bar by the office?", "open")
    mention(reddit, "Made a Hugo theme named after the Hugo spritz: how do I add a recipe shortcode?", "answered")
    exclusions_suggest()
    anna = AdvocateFactory(username="anna", first_name="Anna", last_name="Lindqvist")
    exclusions_decide(
        ExclusionSuggestion.objects.filter(term="victor hugo").values_list("pk", flat=True), "accepted", anna
    )
    exclusions_decide(
        ExclusionSuggestion.objects.filter(term="hugo awards", channel=hn).values_list("pk", flat=True),
        "declined",
        anna,
    )


def test_the_suggested_exclusions_list_at_a_laptops_and_a_phones_width(live_server):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw", first_name="Sam", last_name="Okafor")
    _hugo_desk()
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server.url}/admin/mentions/exclusionsuggestion/"
    rows = ExclusionSuggestion.objects.count()  # read here: the browser's event loop is no place for the ORM

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sign_in(page, f"{live_server.url}/admin/login/?next=/admin/mentions/exclusionsuggestion/", "root")
        expect(page.get_by_test_id("exclusions-help")).to_contain_text("Nothing is applied until you accept it.")
        expect(page.locator("#result_list tbody tr")).to_have_count(rows)
        width = page.evaluate(OVERFLOW_JS)
        page.screenshot(path=str(ARTIFACTS / "e2e-exclusions-1366.png"), full_page=True)

        spritz = page.locator("#result_list tbody tr", has_text="hugo spritz").filter(has_text="Reddit")
        expect(spritz).to_contain_text("Would have excluded 5 past mentions, of which 1 the team answered")
        spritz.get_by_role("button", name="Accept “hugo spritz”").click()
        expect(page.locator(".messagelist")).to_contain_text("Accepted “hugo spritz”.")
        page.screenshot(path=str(ARTIFACTS / "e2e-exclusions-1366-accepted.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 375, "height": 812})
        sign_in(phone, f"{live_server.url}/admin/login/?next=/admin/mentions/exclusionsuggestion/", "root")
        phone.goto(url)
        expect(phone.get_by_test_id("exclusions-help")).to_be_visible()
        phone.screenshot(path=str(ARTIFACTS / "e2e-exclusions-375.png"), full_page=True)
        browser.close()

    assert width <= 1366
    accepted = ExclusionSuggestion.objects.get(term="hugo spritz", channel__slug="reddit-hugo")
    assert accepted.decided_by is not None
    assert (accepted.state, accepted.decided_by.get_username()) == (State.ACCEPTED, "root")
