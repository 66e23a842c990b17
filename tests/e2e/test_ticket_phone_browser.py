"""The ticket page on a 375 px phone and a story's head, as a new user met them, in Debian's chromium: the
floating Reply button never covers the composer's explanations, the macro picker's link box and "Send as" fit
the screen and show what they hold, a missed first-reply target is one red badge, and a story's Rename button
looks as pressable as the buttons beside it. The desk's own pages on a live server; nothing leaves the machine
(Slack is not configured, the e-mail channel is never polled). The requester is tied to their person as the
ingest ties one (people/tests/factories.py)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import FloatRect, Locator, Page, expect, sync_playwright

from channels.tests.factories import ChannelFactory
from experts.tests.factories import ExpertFactory
from mentions.services.sla import sla_sweep
from mentions.tests.factories import AdvocateFactory, MessageFactory
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from
from stories.models import Story
from tests.e2e.test_keyboard_browser import _browser, _desk_page, _log_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "maintainer@example.net"
MAILBOX = "community-programmes@example.com"  # the mailbox the reply is sent as: a long "Send as"
PHONE = {"width": 375, "height": 812}

# How wide a control's text is in its own font, against the room the control gives it (a select keeps ~16 px
# for its arrow): text cut inside the box is as bad as a box cut by the screen.
FITS = """(el) => {
  const style = getComputedStyle(el);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = el.tagName === "SELECT" ? el.selectedOptions[0].text : el.value || el.placeholder;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    - (el.tagName === "SELECT" ? 16 : 0);
  return {text, needs: Math.ceil(ctx.measureText(text).width), room: Math.floor(room)};
}"""


def _mailed_ticket():
    priya = PersonFactory(name="Priya Raman")
    person_tag(priya, "customer")
    mailbox = IdentityFactory(person=priya, platform="email", handle=ADDRESS, key=ADDRESS, name=ADDRESS)
    config = {"host": "imap.example.com", "address": MAILBOX}
    channel = ChannelFactory(kind="email", name="Community mailbox", config=config)
    due = timezone.now() - timedelta(days=3, hours=7)
    ticket = ticket_from(
        mailbox,
        channel=channel,
        subject="Open-source programme application stuck",
        body="We applied for the GitLab for Open Source programme three weeks ago and haven't heard back.",
        requested_at=due - timedelta(hours=7),
        sla_due_at=due,
        sla_target="all",
    )
    for n in range(3):  # a conversation longer than the screen: the composer starts below it
        MessageFactory(ticket=ticket, author_name=ADDRESS, body=f"Following up ({n + 1}): " + "any news? " * 40)
    sla_sweep()  # the breach is recorded: the flag and the clock both say it
    return ticket


def _overlap(a: FloatRect | None, b: FloatRect | None) -> bool:
    if not a or not b:
        return False
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _reply_button_box(page: Page, jump: Locator) -> FloatRect | None:
    """The floating Reply button's box on the screen, or None when it is not shown."""
    page.wait_for_timeout(150)  # the button steps aside on the next frame after a scroll
    return jump.bounding_box() if jump.is_visible() else None


@override_settings(SLACK_BOT_TOKEN="")
def test_at_375_px_the_floating_reply_never_covers_the_composer_and_its_controls_fit(live_server, handbook_macros):
    AdvocateFactory(username="ada")
    ExpertFactory(name="Vera Runner")  # "Reached out to expert" asks which: the picker's widest row
    ticket = _mailed_ticket()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport=PHONE)
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        page.wait_for_load_state("networkidle")  # the context column's panels come after the page
        jump = page.get_by_test_id("jump-composer")

        # Far from the composer (the conversation above it, the panels under it), the button is there to take
        # the advocate to it.
        page.evaluate("window.scrollTo(0, 0)")
        expect(jump).to_be_visible()
        page.locator("#panel-answers").evaluate("el => el.scrollIntoView({block: 'start'})")
        expect(jump).to_be_visible()

        # At the composer, nothing of it is under the button: each explanation brought to the bottom of the
        # screen, where the button floats.
        picker = page.get_by_test_id("macro-picker")
        picker.locator(".macro-unavailable-box summary").click()
        explanations = {
            "where it is sent": page.locator("#composer .send-where"),
            "why macros are unavailable": page.get_by_test_id("macro-unavailable"),
            "the picker": picker,
            "send as": page.locator(".send-controls"),
        }
        for name, explanation in explanations.items():
            explanation.evaluate("el => el.scrollIntoView({block: 'end'})")
            assert not _overlap(_reply_button_box(page, jump), explanation.bounding_box()), name
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-375px-composer.png"))

        # The picker's link box and "Send as" are on the screen and show what they hold.
        for control in (picker.locator("input[name=macro_link]"), page.locator("#send-handle")):
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            fit = control.evaluate(FITS)
            assert fit["needs"] <= fit["room"], fit
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # One missed target, one red badge.
        facts = page.locator("#ticket-facts")
        expect(facts.locator(".sla-breached")).to_have_count(1)
        expect(facts.locator(".sla-breached")).to_have_text("breached 3 d 7 h ago")

        # The end of the page scrolls clear of the button: the last panel and the footer's links.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        button = _reply_button_box(page, jump)
        assert button is not None
        for end in (page.locator(".context-column > *").last, page.locator("footer.keys-hint")):
            assert not _overlap(button, end.bounding_box())
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-375px-end.png"))

        # On a laptop's screen too, in the composer's one row beside the conversation.
        page.set_viewport_size({"width": 1366, "height": 768})
        page.reload()
        page.wait_for_load_state("networkidle")
        for control in (picker.locator("input[name=macro_link]"), page.locator("#send-handle")):
            fit = control.evaluate(FITS)
            assert fit["needs"] <= fit["room"], fit
        send = page.get_by_role("button", name="Send reply").bounding_box()
        assert send and send["y"] + send["height"] <= 768  # the composer stays on the first screen
        expect(jump).to_be_hidden()
        browser.close()


def test_at_375_px_the_snooze_and_more_actions_menus_open_on_the_screen(live_server):
    """On a phone the ticket's head stacks, its menus at the left edge: a menu anchored by its right edge opened
    off the left of the screen, its Snooze button out of reach (seen at 375 px, 2026-11-28)."""
    AdvocateFactory(username="ada")
    ticket = _mailed_ticket()

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport=PHONE)
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        page.wait_for_load_state("networkidle")
        for menu in (page.get_by_test_id("snooze-menu"), page.get_by_test_id("more-actions")):
            menu.locator("summary").click()
            box = menu.locator(".more-menu").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            menu.locator("summary").click()
        page.get_by_test_id("snooze-menu").locator("summary").click()
        page.get_by_test_id("snooze-menu").get_by_role("button", name="Snooze").click()  # on the screen: clickable
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-375px-snooze.png"))
        browser.close()
    ticket.refresh_from_db()
    assert ticket.is_snoozed


# What is drawn on top at a point of the screen: the element itself, never the page showing through or over it.
TOPMOST = """([x, y]) => {
  const el = document.elementFromPoint(x, y);
  return el ? (el.closest("[data-testid]") || el).dataset.testid || el.tagName : null;
}"""


@override_settings(SLACK_BOT_TOKEN="")
def test_at_375_px_the_reply_button_is_docked_along_the_bottom_edge_and_sits_on_no_content(
    live_server, handbook_macros
):
    AdvocateFactory(username="ada")
    ticket = _mailed_ticket()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "ada", viewport=PHONE)
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        page.wait_for_load_state("networkidle")
        dock, jump = page.get_by_test_id("reply-dock"), page.get_by_test_id("jump-composer")
        composer_top = page.locator("#composer").evaluate("el => el.getBoundingClientRect().top + window.scrollY")

        # Scrolled through the conversation above the composer (long messages, their text to the screen's edge):
        # the strip along the bottom is the bar's, from edge to edge, and the page shows nowhere in it, neither
        # beside the button nor through it, as at the screen's own edge.
        for y in range(0, int(composer_top) - PHONE["height"], 250):
            page.evaluate(f"window.scrollTo(0, {y})")
            box = _reply_button_box(page, jump)
            bar = dock.bounding_box()
            assert box is not None and bar is not None, y
            assert (bar["x"], bar["width"], bar["y"] + bar["height"]) == (0, PHONE["width"], PHONE["height"]), bar
            assert box["height"] >= 44 and bar["y"] <= box["y"], (bar, box)  # a thumb's target, inside the bar
            for x in (4, PHONE["width"] // 3, PHONE["width"] // 2, box["x"] + box["width"] / 2, PHONE["width"] - 4):
                for at in (bar["y"] + 2, bar["y"] + bar["height"] / 2, PHONE["height"] - 2):
                    assert page.evaluate(TOPMOST, [x, at]) in ("reply-dock", "jump-composer"), (y, x, at)
            assert dock.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
        page.evaluate("window.scrollTo(0, 600)")
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / "e2e-ticket-375px-reply-dock.png"))

        # The end of the page scrolls clear of the bar; at the composer the bar steps aside; one tap brings it.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        bar = dock.bounding_box()
        footer = page.locator("footer.keys-hint").bounding_box()
        assert bar and footer and footer["y"] + footer["height"] <= bar["y"]
        page.evaluate("window.scrollTo(0, 0)")
        jump.click()
        expect(page.locator("#send-body")).to_be_focused()  # the e-mail is sent from the desk: its Send box
        expect(dock).to_be_hidden()
        browser.close()


def test_a_story_s_rename_button_looks_like_the_close_button_beside_it(live_server):
    AdvocateFactory(username="ada")
    now = timezone.now()
    story = Story.objects.create(
        title="gitlab.com: 502 on pushes and merge requests", origin=Story.Origin.ADVOCATE, first_at=now, last_at=now
    )
    looks = """(el) => { const s = getComputedStyle(el);
      return [s.opacity, s.color, s.backgroundColor, s.borderColor, s.borderStyle, s.cursor]; }"""

    with sync_playwright() as pw:
        browser = _browser(pw)
        for viewport in ({"width": 1366, "height": 768}, PHONE):
            page = browser.new_page(viewport=viewport)
            _log_in(page, live_server.url, "ada")
            page.goto(f"{live_server.url}{story.get_absolute_url()}")
            rename = page.get_by_role("button", name="Rename")
            close = page.get_by_role("button", name="Close")
            expect(rename).to_be_enabled()
            assert rename.evaluate(looks) == close.evaluate(looks)
            page.screenshot(path=str(ARTIFACTS / f"e2e-story-head-{viewport['width']}px.png"))
            page.close()
        browser.close()
