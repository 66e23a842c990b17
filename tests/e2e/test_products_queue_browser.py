"""The queue of a desk with two products (issue 71), on a laptop and a 375 px phone: the product switch, a row's product
in its colour, the switch narrowing the views' counts, and the page no wider than the phone."""

import pytest
from playwright.sync_api import sync_playwright

from mentions.models import ProductProfile
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory
from tests.e2e.signed_in import page_signed_in
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 375])
def test_the_queue_with_two_products_narrows_to_one(live_server, width):
    ada = AdvocateFactory(username="ada")
    kiln = ProductProfile.objects.create(name="Kiln", colour="#c2410c")
    cloud = ProductProfile.objects.create(name="Kiln Cloud", colour="#2563eb")
    ViewFactory(name="All mentions", slug="all")
    TicketFactory(product=cloud, assignee=ada, subject="Kiln Cloud login loops after SSO change")
    TicketFactory(product=kiln, assignee=ada, subject="kiln build --watch eats a core")
    TicketFactory(assignee=ada, subject="A question from before products")
    TicketFactory.create_batch(3, product=cloud)
    TicketFactory.create_batch(2, product=kiln)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser, page = page_signed_in(pw, live_server.url, "ada", width=width)
        page.goto(f"{live_server.url}/")
        whole = page.get_by_test_id("waiting-all").inner_text()
        labels = page.get_by_test_id("product-label").all_inner_texts()
        dots = {c.evaluate("c => getComputedStyle(c).fill") for c in page.locator(".product-label circle").all()}
        page.screenshot(path=str(ARTIFACTS / f"e2e-queue-products-{width}px.png"), full_page=True)
        page.get_by_test_id("product-switch-kiln-cloud").click()
        page.wait_for_url("**/?product=kiln-cloud")
        narrowed = page.get_by_test_id("waiting-all").inner_text()
        play_action = page.locator('form[data-play-view="all"]').get_attribute("action")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"e2e-queue-products-{width}px-kiln-cloud.png"), full_page=True)
        browser.close()

    assert (whole, narrowed) == ("5", "3")
    assert sorted(labels) == ["Kiln", "Kiln", "Kiln Cloud"]  # the ticket from before products is Kiln's
    # Each product's colour, drawn though the CSP allows no inline style.
    assert dots == {"rgb(194, 65, 12)", "rgb(37, 99, 235)"}
    assert play_action == "/views/all/play/?product=kiln-cloud"
    assert page_width <= width
