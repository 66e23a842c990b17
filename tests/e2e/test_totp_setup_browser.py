"""The authenticator set-up page in Debian's chromium at 1366 and 375 px: the whole key visible (every group of
four inside the page and inside its box, nothing cut or scrolled: allauth's disabled input showed 19 of its 32
characters), a selection of it copies the key without the gaps, and so does the Copy button; no sideways scroll.
Data from the project's factories; no HTTP leaves the machine."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from mentions.tests.factories import AdvocateFactory
from tests.e2e.signed_in import copy_pressed, page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY_JS = """() => {
  const box = document.querySelector('[data-testid="totp-secret"]');
  const b = box.getBoundingClientRect();
  const groups = [...box.querySelectorAll('.secret-group')].map(g => {
    const r = g.getBoundingClientRect();
    return {text: g.textContent, inside: r.left >= b.left && r.right <= b.right && r.right <= window.innerWidth
            && r.width > 0};
  });
  window.getSelection().selectAllChildren(box);
  const selected = window.getSelection().toString();
  window.getSelection().removeAllRanges();
  const tops = [...box.querySelectorAll('.secret-group')].map(g => Math.round(g.getBoundingClientRect().top));
  return {groups, selected, copyText: box.dataset.copyText, overflow: box.scrollWidth - box.clientWidth,
          lines: new Set(tops).size};
}"""


@pytest.mark.parametrize("width", [375, 1366])
def test_the_whole_key_is_visible_selectable_and_copied_without_its_gaps(live_server, width):
    AdvocateFactory(username="ada")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "ada", width=width, clipboard=True)
        page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
        key = page.evaluate(KEY_JS)
        clipboard = copy_pressed(page)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"e2e-totp-setup-{width}px.png"), full_page=True)
        browser.close()

    secret = key["copyText"]
    assert len(secret) == 32
    assert [g["text"] for g in key["groups"]] == [secret[i : i + 4] for i in range(0, 32, 4)]
    assert all(g["inside"] for g in key["groups"]), key["groups"]  # all 32 characters on screen
    assert key["overflow"] <= 0
    assert key["selected"] == secret  # selected by hand: the key as the apps take it
    assert clipboard == secret
    assert page_width <= width
    if width == 375:
        assert key["lines"] >= 2  # wrapped in whole groups, not pushed off the screen
