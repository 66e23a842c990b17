"""The KPI pages' daily activity table in Debian's chromium: every column shows whole at 1366 px (its last columns
were cut beside the chart on /kpi/monthly/), and on a 375 px phone it scrolls sideways inside its own box while the
page itself does not. The desk's own pages on a live server, over an empty month (the table has a row per day
whatever happened)."""

import pytest
from playwright.sync_api import expect, sync_playwright

from mentions.tests.factories import ManagerFactory
from tests.e2e.test_keyboard_browser import _desk_page
from tests.e2e.test_play_browser import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COLUMNS = ["Day", "Created", "Replied", "Solved", "Liked", "Reposts", "Deleted", "DMs"]
# The table's box and, for each header, whether the box shows it whole (not scrolled out of it, not cut by it).
SHOWN = """(table) => {
  const box = table.getBoundingClientRect();
  const heads = [...table.querySelectorAll("thead th")].filter((th) => th.textContent.trim());
  return {
    scroll: table.scrollWidth, client: table.clientWidth, right: box.right,
    whole: heads.map((th) => { const r = th.getBoundingClientRect();
      return [th.textContent.trim(), r.left >= box.left - 0.5 && r.right <= box.left + table.clientWidth + 0.5]; }),
  };
}"""


@pytest.mark.parametrize("path", ["/kpi/monthly/?month=2026-10", "/kpi/"])
def test_the_daily_activity_table_shows_every_column_at_1366_and_scrolls_in_its_box_on_a_phone(live_server, path):
    ManagerFactory(username="mo")
    ARTIFACTS.mkdir(exist_ok=True)
    name = "monthly" if "monthly" in path else "dashboard"

    with sync_playwright() as pw:
        browser, page = _desk_page(pw, live_server.url, "mo", viewport={"width": 1366, "height": 768})
        page.goto(f"{live_server.url}{path}")
        table = page.locator("table.kpi-table.compact", has=page.locator("th", has_text="Reposts"))
        expect(table).to_have_count(1)
        shown = table.evaluate(SHOWN)
        assert shown["scroll"] <= shown["client"], shown  # nothing to scroll to: every column in view
        assert shown["whole"] == [[c, True] for c in COLUMNS], shown
        assert shown["right"] <= 1366
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"e2e-kpi-{name}-activity-1366.png"))

        page.set_viewport_size({"width": 375, "height": 812})
        page.reload()
        shown = table.evaluate(SHOWN)
        assert shown["client"] < shown["scroll"] and shown["right"] <= 375, shown  # its own box scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the page does not
        browser.close()
