"""Disqus `users/listActivity`: only its "post" entries are comments. The recorded response is
`users_listActivity.json` (jeremyvdw/disqussion spec/fixtures/users/listActivity.json, see
fixtures/disqus/SOURCES.md): one entry of type "post". The entries of other types are built from that recording
(its post's own `thread` object as a "thread" entry, as Disqus sends an article the user started; a "vote" entry
around the same post): no recording of them was found."""

import copy
import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from channels.adapters.disqus import DisqusAdapter
from channels.adapters.disqus.tests.test_disqus_adapter import disqus_channel, load
from channels.models import DeadLetter
from mentions.models import Message

pytestmark = pytest.mark.django_db
adapter = DisqusAdapter()


def with_other_entries():
    page = load("users_listActivity.json")
    [entry] = page["response"]
    thread = {"type": "thread", "object": copy.deepcopy(entry["object"]["thread"]), "createdAt": "2010-05-10T16:44:37"}
    vote = {"type": "vote", "object": {**copy.deepcopy(entry["object"]), "vote": 1}, "createdAt": entry["createdAt"]}
    page["response"] = [thread, entry, vote]
    return page


def test_the_recorded_post_entry_is_its_post():
    parsed = adapter.parse_page(load("users_listActivity.json"))
    assert parsed.rejected == []
    [mention] = parsed.mentions
    assert mention.external_id == "57102360" and mention.author_handle == "SusanHenderson"
    assert mention.title == "LitPark Announcement: BEA Signing and Party News!"
    assert mention.permalink == (
        "http://litpark.com/2010/05/10/litpark-announcement-bea-signing-and-party-news/#comment-57102360"
    )
    assert mention.text.startswith("Another job for you creative people needing work:")
    assert "emailHash" not in json.dumps(mention.raw)


def test_entries_that_are_not_posts_are_skipped_and_logged_not_stored_or_quarantined(caplog, tmp_path):
    channel = disqus_channel()
    path = tmp_path / "activity.json"
    path.write_text(json.dumps(with_other_entries()))
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="channels.adapters.disqus.parse"):
        call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=out)

    result = json.loads(out.getvalue())
    assert (result["received"], result["created"], result["quarantined"]) == (1, 1, 0)
    assert list(Message.objects.filter(channel=channel).values_list("external_id", flat=True)) == ["57102360"]
    assert not DeadLetter.objects.exists()
    assert "2 activity entries that are not posts skipped (thread 1, vote 1)" in caplog.text


def test_a_page_of_activity_without_posts_is_empty_not_an_error():
    page = with_other_entries()
    page["response"] = [e for e in page["response"] if e["type"] != "post"]
    parsed = adapter.parse_page(page)
    assert (parsed.mentions, parsed.rejected) == ([], [])
