"""A page of Debian's chromium signed in to the live server through the sign-in page, at a given width, for the
browser tests of one page at a phone's and a laptop's size (the factories' password is "pw")."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, Playwright

from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import CHROMIUM, CHROMIUM_ARGS


def page_signed_in(
    pw: Playwright, base_url: str, username: str, *, width: int, clipboard: bool = False
) -> tuple[Browser, Page]:
    """The browser (close it) and a page signed in as `username`; `clipboard` lets the page's script write the
    clipboard and the test read it back (what a Copy button put there)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": width, "height": 800})
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    sign_in(page, f"{base_url}/accounts/login/", username)
    page.wait_for_load_state("load")
    return browser, page


def copy_pressed(page: Page) -> str:
    """Press the page's Copy button (static/copy.js), wait for it to say so, and return what it put on the
    clipboard (the page needs `clipboard=True`)."""
    page.get_by_role("button", name="Copy", exact=True).click()
    page.get_by_text("Copied.").wait_for()
    return page.evaluate("navigator.clipboard.readText()")


def send_panel(pw: Playwright, base_url: str, ticket_id: int, username: str) -> tuple[Browser, Page, Locator]:
    """The browser (close it), a laptop-sized page signed in as `username` on ticket `ticket_id`, and its send panel."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, f"{base_url}/accounts/login/", username)
    page.goto(f"{base_url}/tickets/{ticket_id}/")
    return browser, page, page.get_by_test_id("send-panel")
