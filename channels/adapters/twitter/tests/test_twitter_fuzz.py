"""Property-based tests: every real X fixture, mutated the ways the internet breaks payloads (entities and
expansions of wrong types, includes missing, odd referenced_tweets and edit histories, meta of wrong types,
errors next to data), is parsed without an unhandled exception, polled without one, and stored whole.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json

import pytest
import responses
from hypothesis import strategies as st

from channels import clean
from channels.adapters.twitter import MENTIONS_URL, TwitterAdapter
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import QUARTER, draw_mutated, fuzz_each
from channels.tests.platform_fuzz import FUZZED
from mentions.models import Message

adapter = TwitterAdapter()
PAYLOADS = FUZZED["twitter"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
# The responses that hold posts (the others are a created post, a deletion, recorded headers).
POST_PAGES = [n for n in PAYLOADS if isinstance(PAYLOADS[n], dict) and isinstance(PAYLOADS[n].get("data"), list)]
MAIN_ID = "2244994945"
CONFIG = {"handles": [{"username": "GitLab", "user_id": MAIN_ID, "role": "main"}]}


def test_every_fixture_is_fuzzed_and_the_post_pages_parse_unmutated():
    assert len(PAYLOADS) >= 15 and len(POST_PAGES) >= 10
    fuzzing.check_parses_whole(adapter, PAYLOADS, POST_PAGES)


CURSORS = [
    {},
    {f"mentions:{MAIN_ID}": "1"},
    {f"mentions:{MAIN_ID}": "1", "pending": {f"mentions:{MAIN_ID}": {"next_token": "t", "since_id": "1"}}},
    {f"mentions:{MAIN_ID}": 1.5, "pending": [], "edits": {"x": None, "2": "1"}},
    {f"mentions:{MAIN_ID}": "9" * 40, "pending": {f"mentions:{MAIN_ID}": {"next_token": ["t"]}}, "edits": []},
]


@fuzz_each(POST_PAGES, examples=QUARTER)
def test_x_poll_survives_mutated_pages(name, data):
    """The poll's own path (HTTP, paging, cursor, edits memory) over a mutated page and a mutated cursor."""
    page = draw_mutated(data, PAYLOADS[name])
    cursor = data.draw(st.sampled_from(CURSORS))
    channel = Channel(slug="fuzz", kind="twitter", config=CONFIG, cursor=cursor)
    channel.credentials = {"bearer_token": "b"}
    fuzzing.check_poll(adapter, channel, MENTIONS_URL.format(user_id=MAIN_ID), page, allow_nan=False)


STORED = ["search_recent_with_expansions_docs_sample.json", "search_recent_with_tweet_fields.json"]


@pytest.mark.django_db
@fuzz_each(STORED, examples=QUARTER)
def test_x_mutated_pages_are_stored_whole_or_quarantined(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    channel = ChannelFactory(kind="twitter", config=CONFIG, our_accounts=[])
    stored = fuzzing.check_stored_whole(lambda: adapter.parse_page(payload), channel, cursor={})
    if stored is None:
        return
    _, result = stored
    assert Message.objects.filter(channel=channel).count() == result.created
    fuzzing.check_messages_have_tickets(channel)  # every stored post has its ticket


# --- the X crash signatures of the probe, one by one --------------------------------------------

_BASE = PAYLOADS["search_recent_with_expansions_docs_sample.json"]


def _with(path, value):
    payload = json.loads(json.dumps(_BASE))
    node = payload
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return payload


HOSTILE = {
    "entities not an object": (("data", 0, "entities"), ["@x"]),
    "urls a string": (("data", 0, "entities"), {"urls": "https://t.co/x"}),
    "url entries of wrong types": (("data", 0, "entities"), {"urls": [None, 1, {"url": 5, "expanded_url": []}]}),
    "mentions of strings": (("data", 0, "entities"), {"mentions": ["GitLab", 7, None]}),
    "mention usernames of any type": (
        ("data", 0, "entities"),
        {"mentions": [{"username": ["a"]}, {"username": 5}, {"username": "ok_name"}, {"username": "a\x00b"}]},
    ),
    "hashtags an object": (("data", 0, "entities"), {"hashtags": {"tag": "x"}}),
    "includes missing": (("includes",), KeyError),
    "includes a list": (("includes",), [1, 2]),
    "includes.users a string": (("includes", "users"), "snowman"),
    "includes.users entries without id": (("includes", "users"), [{"username": "x"}, None, {"id": {"x": 1}}]),
    "includes.tweets malformed": (("includes", "tweets"), [None, {"id": None}, {"edit_history_tweet_ids": "1"}]),
    "referenced_tweets an object": (("data", 1, "referenced_tweets"), {"type": "replied_to", "id": "1"}),
    "referenced_tweets odd entries": (("data", 1, "referenced_tweets"), [None, {"type": 5}, {"type": "replied_to"}]),
    "replied_to id a float": (("data", 1, "referenced_tweets"), [{"type": "replied_to", "id": 1.5e18}]),
    "edit history a string": (("data", 0, "edit_history_tweet_ids"), "1275828087666679809"),
    "edit history of junk": (("data", 0, "edit_history_tweet_ids"), [None, "x", -1]),
    "edit history without the post": (("data", 0, "edit_history_tweet_ids"), ["1"]),
    "meta a list": (("meta",), []),
    "meta fields of wrong types": (("meta",), {"next_token": 5, "newest_id": ["1"], "result_count": "many"}),
    "errors next to data": (("errors",), [{"detail": "Could not find tweet"}, "oops", None]),
    "errors a string": (("errors",), "everything failed"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_x_hostile_entities_expansions_meta_and_errors_never_raise(case):
    path, value = HOSTILE[case]
    parsed = adapter.parse_page(_with(path, value))
    assert len(parsed.mentions) + len(parsed.rejected) == 4  # every post accounted for
    for mention in parsed.mentions:
        assert clean.mention_clean(mention) == mention
    if case == "mention usernames of any type":
        assert parsed.mentions[0].mentioned == ("ok_name",)
    if case == "edit history a string" or case == "edit history of junk":
        assert parsed.mentions[0].external_id == _BASE["data"][0]["id"] and parsed.mentions[0].edited_at is None


@pytest.mark.parametrize("case", [c for c in HOSTILE if HOSTILE[c][0][0] in ("meta", "errors", "includes")])
@responses.activate
def test_x_hostile_pages_poll_without_raising(case):
    path, value = HOSTILE[case]
    channel = Channel(slug="hostile", kind="twitter", config=CONFIG, cursor={f"mentions:{MAIN_ID}": "1"})
    channel.credentials = {"bearer_token": "b"}
    responses.get(MENTIONS_URL.format(user_id=MAIN_ID), json=_with(path, value))
    [chunk] = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    assert len(chunk.mentions) == 4 and chunk.reads == 4
    assert chunk.cursor[f"mentions:{MAIN_ID}"] == max((t["id"] for t in _BASE["data"]), key=int)
