"""The lists at a laptop's and a phone's size in Debian's chromium: one line per ticket so a 1366x800 screen
shows at least 15 of them, long channel names cut (whole in the title), no sideways scrolling at 375 px, Play
on screen on a phone, and a failing channel's banner on the queue. Data from the project's factories; the
channel states are those the poller writes (intake.services.polling); no HTTP leaves the machine."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, sync_playwright

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LONG_NAME = "Stack Overflow / Stack Exchange: gitlab, gitlab-ci and gitlab-runner tags"


def _tickets(n: int, **fields) -> list[Ticket]:
    long = ChannelFactory(name=LONG_NAME, kind="hackernews")
    short = ChannelFactory(name="Hacker News")
    subject = "Runner stuck on arm64 since the 17.6 upgrade, and the cache never restores between stages"
    return [TicketFactory(channel=long if i % 2 else short, subject=f"{subject} ({i})", **fields) for i in range(n)]


def _sign_in(page: Page, base: str, username: str) -> None:
    sign_in(page, f"{base}/accounts/login/", username)


def _rows_on_screen(page: Page, rows: str) -> int:
    """Rows wholly inside the viewport as it is scrolled now."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(r => {
             const b = r.getBoundingClientRect();
             return b.top >= 0 && b.bottom <= window.innerHeight && b.height > 0;
           }).length""",
        rows,
    )


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def test_the_ticket_list_shows_15_one_line_rows_at_1366_and_cards_at_375(live_server):
    AdvocateFactory(username="ada")
    _tickets(40)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
        _sign_in(page, live_server.url, "ada")
        page.goto(f"{live_server.url}/tickets/")
        on_screen = _rows_on_screen(page, "tr[data-ticket]")
        heights = page.eval_on_selector_all("tr[data-ticket]", "rows => rows.map(r => r.offsetHeight)")
        channel = page.locator("tr[data-ticket] td.c-channel", has_text="Stack Overflow").first
        channel_title, channel_box = channel.get_attribute("title"), channel.bounding_box()
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "e2e-tickets-1366.png"))

        phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        _sign_in(phone, live_server.url, "ada")
        phone.goto(f"{live_server.url}/tickets/")
        narrow = phone.evaluate("document.documentElement.scrollWidth")
        first = phone.locator("tr[data-ticket] td.c-subject a").first.bounding_box()
        phone.screenshot(path=str(ARTIFACTS / "e2e-tickets-375.png"))
        browser.close()

    assert on_screen >= 15, f"{on_screen} rows on a 1366x800 screen"
    assert max(heights) <= 40  # one line each: nothing wraps
    assert channel_title == LONG_NAME and channel_box is not None and channel_box["height"] <= 40
    assert wide <= 1366
    assert narrow <= 375  # no sideways scrolling to reach a ticket
    assert first is not None and first["x"] >= 0 and first["x"] + first["width"] <= 375


def test_play_is_on_screen_at_375_and_my_tickets_fill_a_laptop_screen(live_server):
    ada = AdvocateFactory(username="ada")
    ViewFactory(name="Everything, newest and oldest included", slug="all")
    ViewFactory(name="High priority", slug="high", high_priority_only=True)
    _tickets(30, assignee=ada, status=Ticket.Status.OPEN)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = _browser(pw)
        phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        _sign_in(phone, live_server.url, "ada")
        phone.goto(f"{live_server.url}/")
        plays = [phone.get_by_role("button", name=f"Play {name}").bounding_box() for name in ("High priority",)]
        plays.append(phone.locator("[data-play-view=all] button").bounding_box())
        narrow = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=str(ARTIFACTS / "e2e-queue-375.png"))

        page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
        _sign_in(page, live_server.url, "ada")
        page.goto(f"{live_server.url}/")
        page.locator("#mine").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('mine').scrollIntoView({block: 'start'})")
        on_screen = _rows_on_screen(page, "tr[data-ticket]")
        page.screenshot(path=str(ARTIFACTS / "e2e-queue-mine-1366.png"))
        browser.close()

    for box in plays:
        # On the screen as the page opens: not off to the right in a table that scrolls sideways.
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 812
    assert narrow <= 375
    assert on_screen >= 15, f"{on_screen} of my tickets on a 1366x800 screen"


def test_an_advocate_sees_the_failing_channels_banner_on_the_queue(live_server):
    AdvocateFactory(username="ada")
    ViewFactory(name="Everything", slug="all")
    last_read = timezone.now() - timedelta(minutes=40)
    reddit = ChannelFactory(name="Reddit", last_success_at=last_read)
    Channel.objects.filter(pk=reddit.pk).update(
        health=Channel.Health.FAILING, consecutive_failures=5, last_error="HTTP 401"
    )
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = _browser(pw)
        for width, height in ((1366, 800), (375, 812)):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            _sign_in(page, live_server.url, "ada")
            page.goto(f"{live_server.url}/")
            banner = page.get_by_test_id("channel-banner")
            text = " ".join(banner.inner_text().split())
            box = banner.bounding_box()
            links = banner.locator("a").count()
            page.screenshot(path=str(ARTIFACTS / f"e2e-queue-channel-banner-{width}.png"))
            read = timezone.localtime(last_read)
            since = (
                f"{read:%H:%M}"
                if read.date() == timezone.localtime().date()
                else f"{read:%a} {read.day} {read:%b %H:%M}"
            )
            assert text == f"Reddit has not been read since {since}: needs an admin."
            assert box is not None and box["y"] < height and box["x"] + box["width"] <= width
            assert links == 0  # an advocate cannot configure channels: no link to a page it may not open
        browser.close()
