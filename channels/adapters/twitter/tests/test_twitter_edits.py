"""X edits and links, through the adapter's parser and the ingest pipeline (`ingest_payload`, which leaves the
channel's cursor, and so its remembered edit histories, alone).

Payloads: `edit_history_docs_sample.json` is the sample response of X's "Edit Tweets" documentation page (an
edited post with `edit_history_tweet_ids` of two ids and `edit_controls`, its first version in `includes.tweets`;
see fixtures/twitter/SOURCES.md). The reply is a recorded reply of `search_recent_with_tweet_fields.json`
(sns-sdks/python-twitter testdata, a recent search with entities and referenced_tweets) with its
`referenced_tweets` pointed at a version of the edited post. The linked post is @happycamper's of
`search_recent_with_expansions_docs_sample.json` (X's documentation sample, with entities.urls). Each change to a
recorded payload is said where it is made.
"""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from channels.adapters.twitter import TwitterAdapter
from channels.adapters.twitter.tests.test_twitter_adapter import twitter_channel
from mentions.models import Message, TicketEvent

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ORIGINAL, EDIT = "1514991667853602822", "1514991667853602823"
adapter = TwitterAdapter()


def load(name):
    return json.loads((FIXTURES / name).read_text())


def ingest(channel, payload, tmp_path, name):
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    out = StringIO()
    call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=out)
    return json.loads(out.getvalue())


REPLY = "1275840892281249793"


def recorded_post(name="search_recent_with_expansions_docs_sample.json", post_id="1276035977375477760"):
    page = load(name)
    post = next(t for t in page["data"] if t["id"] == post_id)
    return page, post


def reply_to(version):
    """The recorded reply as a reply to `version` of the edited post (only referenced_tweets and created_at
    changed: the recorded post is from 2020, the edited one from 2022)."""
    page, post = recorded_post("search_recent_with_tweet_fields.json", REPLY)
    post = {
        **post,
        "referenced_tweets": [{"type": "replied_to", "id": version}],
        "created_at": "2022-04-16T10:00:00.000Z",
    }
    post.pop("conversation_id", None)
    return {**page, "data": [post]}


def first_version_before_the_edit():
    """The first version as X served it before the edit: the documentation's includes.tweets entry, its
    edit history cut to its own id (there was no second version yet)."""
    first = copy.deepcopy(load("edit_history_docs_sample.json")["includes"]["tweets"][0])
    first["edit_history_tweet_ids"] = [ORIGINAL]
    return {"data": [first]}


def test_the_edited_post_is_one_message_under_its_original_id_with_the_latest_text():
    [mention] = adapter.parse_page(load("edit_history_docs_sample.json")).mentions
    assert (mention.external_id, mention.text) == (ORIGINAL, "we have an edit button")
    assert mention.permalink == f"https://x.com/i/web/status/{EDIT}"
    assert mention.raw["edit_history_tweet_ids"] == [ORIGINAL, EDIT]


@pytest.mark.parametrize("version", [EDIT, ORIGINAL])
def test_a_reply_to_any_version_joins_the_edited_posts_ticket_without_the_cursors_edit_map(tmp_path, version):
    channel = twitter_channel()
    ingest(channel, load("edit_history_docs_sample.json"), tmp_path, "edited.json")
    post = Message.objects.get(channel=channel, external_id=ORIGINAL)

    # A separate file: the reply's page carries no edit history, and ingest_payload reads no cursor.
    result = ingest(channel, reply_to(version), tmp_path, "reply.json")

    assert (result["created"], result["tickets_created"], result["threaded"]) == (1, 0, 1)
    reply = Message.objects.get(channel=channel, external_id=REPLY)
    assert reply.ticket_id == post.ticket_id and reply.parent_external_id == version


def test_an_edit_seen_later_replaces_text_link_and_raw_and_keeps_the_old_ones_in_the_history(tmp_path):
    channel = twitter_channel()
    ingest(channel, first_version_before_the_edit(), tmp_path, "first.json")
    message = Message.objects.get(channel=channel, external_id=ORIGINAL)
    assert (message.body, message.permalink) == ("we need an eidt button", f"https://x.com/i/web/status/{ORIGINAL}")

    result = ingest(channel, load("edit_history_docs_sample.json"), tmp_path, "edited.json")

    assert (result["created"], result["edited"]) == (0, 1)
    message.refresh_from_db()
    assert message.body == "we have an edit button"
    assert message.permalink == f"https://x.com/i/web/status/{EDIT}"
    assert message.raw["edit_history_tweet_ids"] == [ORIGINAL, EDIT]
    assert message.raw["edit_controls"]["edits_remaining"] == 4
    [event] = TicketEvent.objects.filter(ticket=message.ticket, kind=TicketEvent.Kind.MESSAGE_EDITED)
    assert event.data == {
        "external_id": ORIGINAL,
        "previous_text": "we need an eidt button",
        "previous_permalink": f"https://x.com/i/web/status/{ORIGINAL}",
    }

    # The stored post now knows its versions: a reply to the edit, read with nothing else, joins its ticket.
    ingest(channel, reply_to(EDIT), tmp_path, "reply.json")
    assert Message.objects.get(external_id=REPLY).ticket_id == message.ticket_id


def test_a_reply_to_an_unknown_post_still_opens_its_own_ticket(tmp_path):
    channel = twitter_channel()
    ingest(channel, load("edit_history_docs_sample.json"), tmp_path, "edited.json")
    result = ingest(channel, reply_to("1514991667853602999"), tmp_path, "reply.json")  # not a version of it
    assert (result["tickets_created"], result["threaded"]) == (1, 0)


def test_a_link_only_in_the_entities_is_kept_in_the_text():
    page, post = recorded_post()
    [link] = post["entities"]["urls"]
    assert post["text"].endswith(link["url"])  # as recorded: the t.co of the photo at the end of the text
    # As X cuts a long post's text: the t.co is no longer in the text, only in entities.urls.
    cut = {**post, "text": post["text"][: link["start"]].rstrip()}
    [mention] = adapter.parse_page({**page, "data": [cut]}).mentions
    assert mention.text == cut["text"] + "\n" + link["expanded_url"]

    # Recorded as it is, the t.co in the text becomes its expanded address, once.
    [whole] = adapter.parse_page({**page, "data": [post]}).mentions
    assert whole.text.endswith(link["expanded_url"]) and whole.text.count(link["expanded_url"]) == 1
    assert "t.co/" not in whole.text

    # A card's link X has unwound (the recorded zerohedge entity of search_recent_with_tweet_fields.json, whose
    # post is a retweet the desk skips, on this post): the address the reader lands on.
    _, retweet = recorded_post("search_recent_with_tweet_fields.json", "1275840876997050369")
    card = retweet["entities"]["urls"][0]
    [carded] = adapter.parse_page({**page, "data": [{**cut, "entities": {"urls": [card]}}]}).mentions
    assert carded.text == cut["text"] + "\n" + card["unwound_url"]


def test_a_link_only_in_the_entities_reaches_the_stored_message(tmp_path):
    channel = twitter_channel()
    page, post = recorded_post()
    [link] = post["entities"]["urls"]
    cut = {**post, "text": post["text"][: link["start"]].rstrip()}
    ingest(channel, {**page, "data": [cut]}, tmp_path, "cut.json")
    assert Message.objects.get(channel=channel, external_id=post["id"]).body.endswith("\n" + link["expanded_url"])
