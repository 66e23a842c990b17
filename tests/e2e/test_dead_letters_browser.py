"""An admin finds a poisoned item in a real browser: the channel list counts it, the dead letter
shows the payload and the error, Retry says why it still fails, Discard closes it."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from channels.adapters import get_adapter
from channels.models import DeadLetter
from channels.tests.factories import ChannelFactory
from intake.services.quarantine import mentions_store
from mentions.models import Message
from tests.e2e.login import sign_in
from tests.e2e.test_play_browser import ARTIFACTS, watched_page

FIXTURE = Path(__file__).resolve().parents[2] / "channels/adapters/discourse/tests/fixtures/posts_latest_real.json"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_poison_item_is_quarantined_its_page_stored_and_the_admin_can_see_retry_and_discard_it(live_server):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    channel = ChannelFactory(
        name="GitLab forum", slug="forum", kind="discourse", config={"base_url": "https://forum.gitlab.com"}
    )
    page = json.loads(FIXTURE.read_text())
    page["latest_posts"][2]["created_at"] = "0001-01-01T00:00:00Z"  # a time no mention can have
    page["latest_posts"][2]["username"] = "<script>alert('dead')</script>"
    adapter = get_adapter("discourse")
    parsed = adapter.parse_page_for_channel(page, channel=channel)
    result = mentions_store(channel=channel, mentions=parsed.mentions, rejected=parsed.rejected)
    assert (result.received, result.created, result.quarantined) == (5, 4, 1)
    assert Message.objects.filter(channel=channel).count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []

    with sync_playwright() as pw:
        browser, page_ = watched_page(pw, 1366, dialogs)
        sign_in(page_, f"{live_server.url}/admin/login/?next=/admin/channels/channel/", "root")

        link = page_.get_by_role("link", name="1 quarantined item")
        expect(link).to_be_visible()
        page_.screenshot(path=str(ARTIFACTS / "e2e-dead-letter-channel-list.png"), full_page=True)
        link.click()
        row = page_.locator("#result_list tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("20216")
        row.locator("th a").click()
        expect(page_.get_by_text("no usable created_at")).to_be_visible()
        expect(page_.get_by_text("<script>alert('dead')</script>").first).to_be_visible()
        page_.screenshot(path=str(ARTIFACTS / "e2e-dead-letter-detail.png"), full_page=True)

        page_.go_back()
        page_.get_by_role("checkbox", name="Select this object for an action").first.check()
        page_.get_by_label("Action:").select_option(label="Retry: parse and store again")
        page_.get_by_role("button", name="Go").click()
        expect(page_.get_by_text("still fails")).to_be_visible()
        page_.get_by_role("checkbox", name="Select this object for an action").first.check()
        page_.get_by_label("Action:").select_option(label="Discard: not a mention, keep out of the desk")
        page_.get_by_role("button", name="Go").click()
        expect(page_.get_by_text("1 item(s) discarded.")).to_be_visible()
        page_.screenshot(path=str(ARTIFACTS / "e2e-dead-letter-discarded.png"), full_page=True)
        browser.close()

    assert dialogs == []
    dead = DeadLetter.objects.get(channel=channel)
    assert dead.resolved_by is not None
    assert dead.status == DeadLetter.Status.DISCARDED and dead.resolved_by.username == "root"
    assert dead.attempts == 1
