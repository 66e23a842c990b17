"""Disqus `users/listActivity` is refused wherever posts are expected: its entries are activities
(`{"type": ..., "object": ..., "createdAt": ...}`) of one user on every forum, not the channel forum's comments.

The recorded response is `users_listActivity.json` (jeremyvdw/disqussion spec/fixtures/users/listActivity.json, see
fixtures/SOURCES.md): one entry of type "post" whose comment is on another site's forum ("litpark"). The entries
of other types are built from that recording (its post's own `thread` object as a "thread" entry, as Disqus sends
an article the user started; a "vote" entry around the same post): no recording of them was found. Read through
the adapter's page parser, `manage.py ingest_payload`, a poll whose listing answers with it (HTTP mocked with
`responses` at the edge), a watched thread and a dead letter retried.
"""

import copy
import json
from io import StringIO

import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from channels.adapters import PayloadError
from channels.adapters.disqus import DisqusAdapter
from channels.adapters.disqus.tests.test_disqus_adapter import LIST_URL, disqus_channel, load
from channels.adapters.disqus.thread import THREAD_POSTS, fetch_thread
from channels.models import DeadLetter
from channels.tests.harness import poll
from mentions.models import Message

pytestmark = pytest.mark.django_db
adapter = DisqusAdapter()
REFUSED = r"users/listActivity.*not the forum's comments.*forums/listPosts, threads/listPosts or users/listPosts"


def with_other_entries():
    page = load("users_listActivity.json")
    [entry] = page["response"]
    thread = {"type": "thread", "object": copy.deepcopy(entry["object"]["thread"]), "createdAt": "2010-05-10T16:44:37"}
    vote = {"type": "vote", "object": {**copy.deepcopy(entry["object"]), "vote": 1}, "createdAt": entry["createdAt"]}
    page["response"] = [thread, entry, vote]
    return page


@pytest.mark.parametrize(
    ("payload", "types"),
    [
        (load("users_listActivity.json"), "post 1"),
        (with_other_entries(), "post 1, thread 1, vote 1"),
        ([load("users_listActivity.json")], "post 1"),  # a saved walk: a list of pages
        (load("users_listActivity.json")["response"][0], "post 1"),  # one entry on its own
    ],
)
def test_the_page_parser_refuses_an_activity_listing_with_what_to_save_instead(payload, types):
    with pytest.raises(PayloadError, match=REFUSED) as refused:
        adapter.parse_page(payload)
    assert f"({types})" in str(refused.value)


def test_an_activity_entry_among_posts_refuses_the_whole_payload():
    """A file that mixes a listing's posts with activity entries is a mistake, not a page to half store."""
    posts = load("posts_list.json")
    posts["response"].append(load("users_listActivity.json")["response"][0])
    with pytest.raises(PayloadError, match=REFUSED):
        adapter.parse_page(posts)


def test_ingest_payload_refuses_it_and_stores_nothing(tmp_path):
    channel = disqus_channel()
    for n, payload in enumerate([load("users_listActivity.json"), with_other_entries()]):
        path = tmp_path / f"activity{n}.json"
        path.write_text(json.dumps(payload))
        with pytest.raises(CommandError, match=REFUSED):
            call_command("ingest_payload", "--channel", channel.slug, str(path), stdout=StringIO())
    assert not Message.objects.filter(channel=channel).exists()
    assert not DeadLetter.objects.exists()


@responses.activate
def test_a_listing_answered_with_activity_fails_the_poll_with_the_reason_and_stores_nothing():
    """A misconfigured endpoint (a proxy or a replay answering forums/listPosts with a user's activity): the poll
    stops with the reason on the channel and keeps its cursor; nothing is stored, nothing becomes a dead letter."""
    channel = disqus_channel(cursor={})
    responses.get(LIST_URL, json=load("users_listActivity.json"))

    outcome = poll(channel)

    assert outcome.status == "transient_error"
    assert "users/listActivity" in (outcome.error or "") and "forums/listPosts" in (outcome.error or "")
    assert channel.cursor == {} and "users/listActivity" in channel.last_error
    assert not Message.objects.filter(channel=channel).exists()
    assert not DeadLetter.objects.exists()


@responses.activate
def test_a_watched_thread_answered_with_activity_is_refused():
    channel = disqus_channel()
    responses.get(f"https://disqus.com/api/3.0/{THREAD_POSTS}.json", json=load("users_listActivity.json"))
    with requests.Session() as session, pytest.raises(PayloadError, match=REFUSED):
        fetch_thread(channel=channel, session=session, ref="94126077")


def test_an_activity_entry_retried_from_the_dead_letters_is_refused():
    entry = load("users_listActivity.json")["response"][0]
    with pytest.raises(PayloadError, match=REFUSED):
        adapter.parse_item(entry)
