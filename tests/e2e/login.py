"""Signing a browser page in through a sign-in form, as a person would (the factories' password is "pw")."""

from __future__ import annotations

from playwright.sync_api import Page


def sign_in(page: Page, url: str, username: str) -> None:
    """Open `url` (the desk's or admin's sign-in form with its `next`, or a page that sends a stranger there), fill
    the form in as `username` and send it."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
