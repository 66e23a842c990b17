"""The versions of an edited X post, read in either order and on separate pages or polls, leave one message under
the original's id with the newest version's text, links and permalink; an older version read later changes
nothing. Through the adapter's parser and the ingest (`ingest_payload`), and through a poll at the HTTP boundary
(`responses`).

Payloads:
- `edit_history_docs_sample.json`, X's "Edit Tweets" documentation sample (fixtures/SOURCES.md): the edit in
  `data` and its first version in `includes.tweets`, each with `edit_history_tweet_ids` [first, edit]. Here each
  version is a response of its own (`{"data": [version]}`), as two pages, two polls or two sources read them.
- The links pair: @happycamper's recorded post of `search_recent_with_expansions_docs_sample.json` (X's
  documentation sample, with a t.co in its text and `entities.urls`) as the newest version. Its earlier version
  is derived from it by changing only what an edit changes: an id one minute earlier, `created_at` one minute
  earlier, the text without the link and `entities.urls` without it; both versions get the
  `edit_history_tweet_ids` X adds to an edited post ([earlier, recorded]), which the 2020 recording predates.
"""

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import responses
from django.core.management import call_command

from channels.adapters.twitter import MENTIONS_URL, SEARCH_URL, TwitterAdapter, snowflake_time
from channels.adapters.twitter.tests.test_twitter_adapter import twitter_channel
from channels.tests.harness import ingested, poll
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = json.loads((FIXTURES / "edit_history_docs_sample.json").read_text())
ORIGINAL, EDIT = "1514991667853602822", "1514991667853602823"
NEWEST, FIRST = DOCS["data"][0], DOCS["includes"]["tweets"][0]
ORDERS = ["newest first", "oldest first"]


def ingest(channel, payload, tmp_path, name) -> dict[str, int]:
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    out = StringIO()
    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=out)
    return json.loads(out.getvalue())


def in_order(order: str, newest: Any, oldest: Any) -> list[Any]:
    return [newest, oldest] if order == "newest first" else [oldest, newest]


def edit_events(message: Message) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_EDITED))


def linked_versions() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(earlier version page, newest version page, the newest version's link) of @happycamper's post."""
    sample = json.loads((FIXTURES / "search_recent_with_expansions_docs_sample.json").read_text())
    recorded = next(t for t in sample["data"] if t["id"] == "1276035977375477760")
    [link] = recorded["entities"]["urls"]
    earlier_id = str(int(recorded["id"]) - (60_000 << 22))  # one minute earlier, in Snowflake terms
    history = [earlier_id, recorded["id"]]
    newest = {**copy.deepcopy(recorded), "edit_history_tweet_ids": history}
    earlier = {
        **copy.deepcopy(recorded),
        "id": earlier_id,
        "created_at": "2020-06-25T06:13:19.000Z",
        "text": recorded["text"][: link["start"]].rstrip(),
        "entities": {"mentions": recorded["entities"]["mentions"]},
        "edit_history_tweet_ids": history,
    }
    users = {"users": sample["includes"]["users"]}
    return {"data": [earlier], "includes": users}, {"data": [newest], "includes": users}, link


@pytest.mark.parametrize("order", ORDERS)
def test_the_versions_in_either_order_on_separate_pages_leave_one_message_with_the_newest_text(tmp_path, order):
    channel = twitter_channel()
    pages = in_order(order, {"data": [NEWEST]}, {"data": [FIRST]})

    first, second = (ingest(channel, page, tmp_path, f"{n}.json") for n, page in enumerate(pages))

    [message] = Message.objects.filter(channel=channel)
    assert message.external_id == ORIGINAL
    assert message.body == "we have an edit button"
    assert message.permalink == f"https://x.com/i/web/status/{EDIT}"
    assert (message.raw["id"], message.edited_at) == (EDIT, snowflake_time(EDIT))
    assert message.platform_created_at == snowflake_time(ORIGINAL)
    assert Ticket.objects.filter(channel=channel).count() == 1
    assert (first["created"], second["created"]) == (1, 0)
    if order == "oldest first":
        # The edit seen later: the first version's text goes to the ticket's history, as for any edit.
        assert second["edited"] == 1
        [event] = edit_events(message)
        assert event.data["previous_text"] == "we need an eidt button"
    else:
        # The first version read after the edit is an older version: a duplicate, nothing written.
        assert (second["edited"], second["duplicates"]) == (0, 1)
        assert edit_events(message) == []

    # Every page delivered again changes nothing.
    again = [ingest(channel, page, tmp_path, f"again{n}.json") for n, page in enumerate(pages)]
    assert [(r["created"], r["edited"]) for r in again] == [(0, 0), (0, 0)]
    message.refresh_from_db()
    assert message.body == "we have an edit button" and len(edit_events(message)) == (order == "oldest first")


@pytest.mark.parametrize("order", ORDERS)
def test_the_newest_versions_links_and_permalink_stay_whatever_the_order(tmp_path, order):
    channel = twitter_channel()
    earlier, newest, link = linked_versions()

    for n, page in enumerate(in_order(order, newest, earlier)):
        ingest(channel, page, tmp_path, f"{n}.json")

    [message] = Message.objects.filter(channel=channel)
    assert message.external_id == earlier["data"][0]["id"]
    assert message.body.endswith(link["expanded_url"]) and "t.co/" not in message.body
    assert message.permalink == "https://x.com/happycamper/status/1276035977375477760"
    assert message.raw["entities"]["urls"] == [link]


def test_both_versions_in_one_file_oldest_first_are_the_newest_once(tmp_path):
    channel = twitter_channel()
    earlier, newest, link = linked_versions()
    result = ingest(channel, [earlier, newest], tmp_path, "walk.json")  # a saved walk: one response per page
    assert (result["received"], result["created"]) == (1, 1)
    assert Message.objects.get(channel=channel).body.endswith(link["expanded_url"])


ONE_SEARCH: dict[str, Any] = {
    "handles": [{"username": "GitLab", "user_id": "2244994945", "role": "main"}],
    "search_queries": ['"edit button"'],
}


@pytest.mark.parametrize("mentions_has", ["newest", "first"])
@responses.activate
def test_one_poll_whose_sources_read_different_versions_keeps_the_newest(mentions_has):
    """The mentions timeline and a search are separate chunks of one poll, stored one after the other: a search
    index that still holds the first version must not undo the edit the timeline brought, nor the reverse."""
    channel = twitter_channel(config=ONE_SEARCH)
    newest, first = {"data": [NEWEST]}, {"data": [FIRST]}
    timeline, search = (newest, first) if mentions_has == "newest" else (first, newest)
    responses.get(MENTIONS_URL.format(user_id="2244994945"), json=timeline)
    responses.get(SEARCH_URL, json=search)

    result = ingested(poll(channel))

    assert result.created == 1
    [message] = Message.objects.filter(channel=channel)
    assert (message.external_id, message.body) == (ORIGINAL, "we have an edit button")
    assert message.permalink == f"https://x.com/i/web/status/{EDIT}"
    assert channel.cursor["edits"] == {EDIT: ORIGINAL}

    # The next poll reads the same answers again: still the newest version, nothing edited back and forth.
    again = ingested(poll(channel))
    assert (again.created, again.edited) == (0, 0)
    message.refresh_from_db()
    assert message.body == "we have an edit button"


def test_one_ingest_handed_both_versions_oldest_first_stores_the_newest():
    """A caller that hands the ingest both versions at once, each parsed on its own (a dead letter retried next to
    a page, a script): the ingest keeps the newest version, whatever the order."""
    channel = twitter_channel()
    [first] = TwitterAdapter().parse_page({"data": [FIRST]}).mentions
    [newest] = TwitterAdapter().parse_page({"data": [NEWEST]}).mentions

    result = mentions_ingest(channel=channel, mentions=[first, newest])

    assert (result.received, result.created) == (2, 1)
    message = Message.objects.get(channel=channel)
    assert (message.external_id, message.body, message.raw["id"]) == (ORIGINAL, "we have an edit button", EDIT)
