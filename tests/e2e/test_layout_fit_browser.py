"""Pages that were cut (issue 69), in Debian's chromium at a laptop's 1366 px and a phone's 375 px: nothing reaches
past the screen's right edge or is clipped inside its box. Your sessions (`/accounts/sessions/`, django-allauth's
page in the desk's layout) with two sessions from real browsers' user agents, and the ticket list's Tags column with
tickets carrying several tags. The sessions are made by signing in through the sign-in form, as a person does; the
tickets by the project's factories. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, sync_playwright

from mentions.models import Tag
from mentions.tests.factories import AdvocateFactory, TicketFactory
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 375)
# Real browsers' user agents, as long as they come.
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 "
    "Edg/131.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
    "Mobile/15E148 Safari/604.1",
)
TAGS = ("core-contributor", "customer", "security", "docs", "feature-request")

# Every element whose box ends past the screen's right edge (unless a box around it that ends on the screen scrolls
# to it), or whose content is clipped by its own box (wider than it shows) with no ellipsis to say so and no scrollbar
# to reach it: what a person cannot read. The page's own width
# too. Text cut with an ellipsis on purpose (a dense list's cells, whole in their title) is not counted.
CUT_JS = """
(selector) => {
  const width = document.documentElement.clientWidth;
  // An ancestor that scrolls sideways (a wide table in its own box) and ends on the screen: what is past its edge is
  // reached by scrolling it, as the KPI pages' tables are on a phone.
  const scrolledInto = (el, width) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) {
        return up.getBoundingClientRect().right <= width + 1;
      }
    }
    return false;
  };
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest('.visually-hidden')) continue;  // read aloud, never shown
    const style = getComputedStyle(el);
    const clips = ['hidden', 'clip'].includes(style.overflowX);
    const said = style.textOverflow === 'ellipsis' && el.title;
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (box.right > width + 1 && scrolledInto(el, width)) continue;  // inside a box that scrolls to it, itself whole
    if (box.right > width + 1) cut.push(`${name}: right edge ${Math.round(box.right)} > ${width}`);
    else if (clips && !said && el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${name}: ${el.scrollWidth} in ${el.clientWidth}`);
    }
  }
  return {page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), cut};
}
"""


def _fit(page: Page, selector: str) -> dict:
    return page.evaluate(CUT_JS, selector)


def _fits_at_both_widths(live_server, username: str, path: str, selector: str, shot: str, more=None) -> dict:
    """`path` signed in as `username` at each width: what _fit finds under `selector`, with `more(page)`'s figures,
    and a screenshot in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
            sign_in(page, f"{live_server.url}/accounts/login/", username)
            page.goto(f"{live_server.url}{path}")
            found[width] = {**_fit(page, selector), **(more(page) if more else {})}
            page.screenshot(path=str(ARTIFACTS / f"e2e-{shot}-{width}.png"), full_page=True)
        browser.close()
    return found


def test_your_sessions_fit_a_phone_and_a_laptop(live_server):
    AdvocateFactory(username="ada")
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for agent in AGENTS:  # a second session, from another browser: the list has two rows and its sign-out
            other = browser.new_context(user_agent=agent).new_page()
            sign_in(other, f"{live_server.url}/accounts/login/", "ada")
        for width in WIDTHS:
            page = browser.new_context(viewport={"width": width, "height": 800}, user_agent=AGENTS[0]).new_page()
            sign_in(page, f"{live_server.url}/accounts/login/", "ada")
            page.goto(f"{live_server.url}/accounts/sessions/")
            assert page.get_by_role("button", name="Sign Out Other Sessions").is_visible()
            found[width] = _fit(page, "main, main *")
            button = page.get_by_role("button", name="Sign Out Other Sessions").bounding_box()
            found[width]["button"] = button
            page.screenshot(path=str(ARTIFACTS / f"e2e-sessions-{width}.png"), full_page=True)
        browser.close()

    for width, fit in found.items():
        assert fit["page"] <= width, (width, fit)
        assert fit["cut"] == [], (width, fit["cut"])
        assert fit["button"]["x"] >= 0 and fit["button"]["x"] + fit["button"]["width"] <= width


def test_the_ticket_lists_tags_are_whole_or_said_cut_at_1366(live_server):
    AdvocateFactory(username="ada")
    tags = [Tag.objects.create(name=name) for name in TAGS]
    for n in range(12):
        ticket = TicketFactory(subject=f"Runner stuck on arm64 since the 17.6 upgrade ({n})")
        ticket.tags.set(tags[: 1 + n % len(tags)])
    found = _fits_at_both_widths(
        live_server, "ada", "/tickets/", "td.c-tags, td.c-tags *, th.c-tags", "ticket-tags",
        lambda page: {
            "titles": page.eval_on_selector_all("td.c-tags", "cells => cells.map(c => c.title)"),
            "heights": page.eval_on_selector_all("tr[data-ticket]", "rows => rows.map(r => r.offsetHeight)"),
        },
    )  # fmt: skip

    for width, fit in found.items():
        assert fit["page"] <= width, (width, fit["page"])
        assert fit["cut"] == [], (width, fit["cut"])
        assert ", ".join(sorted(TAGS)) in fit["titles"]  # every tag named whole in the cell's title
    assert max(found[1366]["heights"]) <= 40  # still one line per ticket on a laptop


def test_the_community_page_fits_a_phone_and_a_laptop(live_server):
    """The Community page (issue 70) with mentions on several platforms, every sentiment and intent, and two
    competitors' counted mentions: its charts and tables fit, a wide table scrolling inside its own box."""
    from datetime import timedelta

    from django.utils import timezone

    from channels.adapters.registry import kinds_where, platform_of
    from channels.models import Competitor, CompetitorMention
    from mentions.tests.factories import ChannelFactory, ManagerFactory

    ManagerFactory(username="mia")
    now = timezone.now()
    searching = kinds_where(lambda p: bool(p.competitor_search))
    channels = [
        ChannelFactory(kind=kind, name=f"Demo {kind}", config=platform_of(kind).example_config()) for kind in searching
    ]
    for n in range(60):
        TicketFactory(
            channel=channels[n % len(channels)], requested_at=now - timedelta(days=n % 20, hours=n % 7),
            subject=f"Pipeline cache misses after upgrade {n}", sentiment=("positive", "neutral", "negative")[n % 3],
            intent=("question", "bug", "praise", "outage")[n % 4], judgement="needs_response",
        )  # fmt: skip
    for name in ("Acme CI", "Forgeworks"):
        competitor = Competitor.objects.create(name=name, terms=[name.lower()])
        CompetitorMention.objects.bulk_create(
            CompetitorMention(competitor=competitor, channel=channels[0], kind=channels[0].kind, external_id=f"{n}",
                              posted_at=now - timedelta(days=n % 20), sentiment="negative")
            for n in range(15)
        )  # fmt: skip
    found = _fits_at_both_widths(
        live_server, "mia", "/kpi/community/", "main, main *", "community",
        lambda page: {"share_of_voice": page.get_by_role("heading", name="Share of voice").is_visible()},
    )  # fmt: skip

    for width, fit in found.items():
        assert fit["page"] <= width, (width, fit["page"])
        assert fit["cut"] == [], (width, fit["cut"])
        assert fit["share_of_voice"], width
