"""Property-based tests: every real Disqus fixture, mutated the ways the internet breaks payloads, is parsed
without an unhandled exception, fetched through a poll without one, and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json
import time
from datetime import UTC, datetime

import pytest
import responses
from hypothesis import strategies as st

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.disqus import DisqusAdapter
from channels.adapters.disqus.tests.test_disqus_adapter import LIST_URL, disqus_channel, envelope, guest, post
from channels.http import build_session
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import QUARTER, deep, deep_dict, dumps_deep, fuzz_each, mutated
from channels.tests.platform_fuzz import FUZZED

adapter = DisqusAdapter()
PAYLOADS = FUZZED["disqus"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
POST_PAGES = [n for n in PAYLOADS if isinstance(PAYLOADS[n].get("response"), list) and "post" in n.lower()]
ONE_POST = [n for n in PAYLOADS if "raw_message" in clean.mapping(PAYLOADS[n].get("response"))]


def test_every_post_fixture_is_fuzzed_and_parses_unmutated():
    assert len(PAYLOADS) >= 14 and len(POST_PAGES) == 7 and len(ONE_POST) == 3
    fuzzing.check_parses_whole(adapter, PAYLOADS, POST_PAGES + ONE_POST)


@pytest.mark.django_db
@fuzz_each(POST_PAGES, examples=QUARTER)
def test_disqus_poll_survives_mutated_pages(name, data):
    """The poll's own path (HTTP envelope, paging, `seen`, the cursor) over a mutated listing page."""
    page = data.draw(mutated(PAYLOADS[name]))
    cursor = data.draw(st.sampled_from([{}, {"version": 1, "since": 1_300_000_000, "seen": {"199088808": [1, "x"]}}]))
    channel = Channel(slug="fuzz", name="fuzz", kind="disqus", config={"forum": "gitlab"}, cursor=cursor)
    channel.credentials = {"api_key": "k"}
    fuzzing.check_poll(adapter, channel, LIST_URL, page)


# --- (a) nesting thousands deep -------------------------------------------------------------


def test_a_reply_chain_nested_5000_deep_is_parsed_without_recursion():
    """A post carrying a reply chain nested 5,000 deep (fuzzing.deep_dict) is parsed: no RecursionError, the
    post is handed over with its own fields, and its stored raw payload is cut at a bounded depth."""
    t = 1_700_000_000
    item = post(1, t, message="<p>Top comment</p>")
    item["replies"] = deep_dict(5000)
    item["children"] = [deep_dict(5000)]
    item["author"]["about"] = deep(5000)
    reply = post(2, t + 1, parent=1, author=guest("Ann"))
    reply["thread"] = deep_dict(5000)  # where the article should be

    parsed = adapter.parse_page(envelope([item, reply]))

    assert not parsed.rejected
    top, answer = parsed.mentions
    assert (top.external_id, top.text, top.parent_id) == ("1", "Top comment", "")
    assert (answer.external_id, answer.parent_id, answer.author_name, answer.title) == ("2", "1", "Ann", "")
    assert top.created_at == datetime.fromtimestamp(t, tz=UTC)
    json.dumps(top.raw)  # storable: the nesting is cut, not walked
    depth, node = 0, top.raw["replies"]
    while isinstance(node, dict | list) and node:
        node = (
            node["children"][0]
            if isinstance(node, dict) and "children" in node
            else node.get("replies")
            if isinstance(node, dict)
            else node[0]
        )
        depth += 1
    assert depth <= clean.RAW_MAX_DEPTH


@pytest.mark.parametrize(
    "payload",
    [deep_dict(5000), deep(5000), {"code": 0, "response": deep(5000)}, {"code": 0, "response": [deep_dict(5000)]}],
    ids=["deep-dict", "deep-list", "response-deep-list", "item-deep-dict"],
)
def test_a_payload_nested_5000_deep_is_refused_clearly(payload):
    with pytest.raises(AdapterError) as info:
        adapter.parse_page(payload)
    assert len(str(info.value)) < 400


@pytest.mark.django_db
@responses.activate
def test_a_response_nested_5000_deep_is_a_payload_error_not_a_crash():
    channel = disqus_channel()
    responses.get(
        LIST_URL, body=dumps_deep({"code": 0, "response": [deep_dict(5000)]}), content_type="application/json"
    )
    with pytest.raises(AdapterError, match="nested too deeply"):
        adapter.fetch(channel=channel, session=build_session())
    # A post whose reply chain is only shallow enough for the decoder is stored, cut.
    responses.reset()
    item = post(7, int(time.time()) - 60)
    item["replies"] = deep_dict(200)
    responses.get(LIST_URL, json=envelope([item]))
    [mention] = adapter.fetch(channel=channel, session=build_session()).mentions
    assert mention.external_id == "7"
