import json

import pytest
from django.core.management import CommandError

from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures, ingest_payload, ingest_payload_twice
from channels.tests.hn import FIXTURES
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("algolia_search_by_date_comment.json", 1),
        ("algolia_search_by_date_comment_query_apple.json", 1),
        ("algolia_search_by_date_story.json", 1),
        ("algolia_items_17.json", 3),
        ("firebase_item_121003.json", 1),
        ("firebase_item_2921983.json", 1),
        ("firebase_item_8863.json", 1),
    ],
)
def test_every_recorded_payload_ingests_and_the_second_run_creates_nothing(fixture, expected):
    channel = ChannelFactory(name="HN demo", slug="hn-demo")
    path = str(FIXTURES / fixture)
    first, second = ingest_payload_twice(channel, path)
    assert first["received"] == first["created"] == expected
    assert second == figures(received=expected, duplicates=expected)
    assert Message.objects.filter(channel=channel).count() == expected


def test_the_item_tree_threads_replies_into_one_ticket():
    ChannelFactory(name="HN")
    result = ingest_payload("--channel", "HN", str(FIXTURES / "algolia_items_17.json"))
    assert result == figures(received=3, created=3, tickets_created=1, threaded=2)
    assert Ticket.objects.get().messages.count() == 3


def test_the_poll_cursor_is_left_alone():
    channel = ChannelFactory(name="HN", cursor={"created_at_i": 42, "recent_ids": []})
    ingest_payload("--channel", "HN", str(FIXTURES / "algolia_search_by_date_story.json"))
    channel.refresh_from_db()
    assert channel.cursor == {"created_at_i": 42, "recent_ids": []}


def test_errors_are_clear_and_store_nothing(tmp_path):
    ChannelFactory(name="HN")
    with pytest.raises(CommandError, match="No channel named 'nope'"):
        ingest_payload("--channel", "nope", str(FIXTURES / "algolia_items_17.json"))
    with pytest.raises(CommandError, match="Cannot read"):
        ingest_payload("--channel", "HN", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    # A file that is not a page at all is refused whole (items the parser cannot read are
    # quarantined instead: see the next test).
    bad.write_text('{"hits": "not a list"}')
    with pytest.raises(CommandError, match="not a valid Hacker News payload"):
        ingest_payload("--channel", "HN", str(bad))
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not a valid"):
        ingest_payload("--channel", "HN", str(bad))
    assert Message.objects.count() == 0


def test_an_unreadable_item_in_a_saved_file_is_quarantined_and_the_rest_stored(tmp_path):
    """A saved page goes item by item like a poll: the item the parser cannot read is kept as a
    dead letter with its payload, the others become tickets."""
    from channels.adapters.discourse.tests.test_discourse_adapter import FIXTURES as DISCOURSE_FIXTURES
    from channels.models import DeadLetter

    channel = ChannelFactory(
        name="Forum", slug="forum", kind="discourse", config={"base_url": "https://forum.gitlab.com"}
    )
    page = json.loads((DISCOURSE_FIXTURES / "posts_latest_real.json").read_text())
    page["latest_posts"][1]["created_at"] = "9999-12-31T23:59:59Z"
    saved = tmp_path / "latest.json"
    saved.write_text(json.dumps(page))

    result = ingest_payload("--channel", "forum", str(saved))

    assert (result["received"], result["created"], result["quarantined"]) == (5, 4, 1)
    dead = DeadLetter.objects.get(channel=channel)
    assert dead.external_id == "20217" and dead.stage == "parse"
    assert "created_at" in dead.error and "9999-12-31" in dead.payload
    assert Message.objects.filter(channel=channel).count() == 4
