"""The person page's forms (log a contribution, record a gift, a gift's state, erase) in Debian's chromium at a
phone's 375 px and a laptop's 1366 px: each label sits above its control or beside it on the same line, never
stranded at the end of one line with its control on the next; each section's heading stands clear of the table
or list before it; the page never scrolls sideways. Data from the project's factories; no HTTP leaves the
machine."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import sync_playwright

from mentions.tests.factories import ManagerFactory
from people.models import Contribution, Gift
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORMS = ["contribution-form", "gift-form", "gift-state-form", "erase-form"]

# Where each label of the page's forms is against its control (boxes in CSS px), read in the browser.
LABELS_JS = """(testids) => testids.flatMap(testid =>
  [...document.querySelectorAll(`[data-testid="${testid}"] label[for]`)].map(label => {
    const control = document.getElementById(label.htmlFor);
    const l = label.getBoundingClientRect(), c = control.getBoundingClientRect();
    return {form: testid, label: label.textContent.trim(), l: [l.left, l.top, l.right, l.bottom],
            c: [c.left, c.top, c.right, c.bottom]};
  }))"""

# Each section heading's distance from the bottom of what comes before it on the page.
HEADINGS_JS = """() => [...document.querySelectorAll('.person-main section > h2')].map(h => {
  const before = h.parentElement.previousElementSibling;
  return {heading: h.textContent.trim(),
          gap: h.getBoundingClientRect().top - before.getBoundingClientRect().bottom};
})"""


def _placement(box: dict) -> str:
    """ "above", "beside" or "stranded" (anything else: a label at a line's end with its control on the next)."""
    l_left, l_top, l_right, l_bottom = box["l"]
    c_left, c_top, c_right, c_bottom = box["c"]
    if l_bottom <= c_top + 1 and c_top - l_bottom <= 12 and c_left - 2 <= l_left < c_right:
        return "above"
    same_line = l_top < c_bottom and c_top < l_bottom
    if same_line and l_right <= c_left + 1 and c_left - l_right <= 24:
        return "beside"
    return "stranded"


@pytest.mark.parametrize("width", [375, 1366])
def test_the_person_page_forms_keep_each_label_with_its_control_and_never_scroll_sideways(live_server, width):
    ManagerFactory(username="mona")
    felix = PersonFactory(name="Felix Moreau")
    ticket_from(IdentityFactory(person=felix, platform="hackernews", handle="felix_m"))
    Contribution.objects.create(
        person=felix, kind=Contribution.Kind.FORUM_ANSWER, date=date(2026, 11, 11), title="Protected variables"
    )
    Gift.objects.create(person=felix, item="Contributor mug", postal_address="1200 rue Example\nMontréal")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "mona", width=width)
        page.goto(f"{live_server.url}{felix.get_absolute_url()}")
        labels = page.evaluate(LABELS_JS, FORMS)
        headings = page.evaluate(HEADINGS_JS)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"e2e-person-forms-{width}px.png"), full_page=True)
        browser.close()

    assert {box["form"] for box in labels} == set(FORMS)  # every form was found and measured
    placed = {(box["form"], box["label"]): _placement(box) for box in labels}
    assert "stranded" not in placed.values(), placed
    assert page_width <= width  # no sideways scrolling of the whole page
    # "Contributions", "Gifts and swag", "Privacy": clear of the table or list above them.
    assert len(headings) >= 3 and all(h["gap"] >= 16 for h in headings), headings
