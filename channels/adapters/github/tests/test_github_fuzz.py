"""Property-based tests: every recorded GitHub payload of `fixtures/` (SOURCES.md), REST answers, GraphQL answers and
webhook bodies, mutated the ways the internet breaks payloads (channels.tests.fuzzing), is parsed without an
unhandled exception, read as a signed webhook delivery without one, fetched through a poll without one (the
cursor staying storable JSON), and stored whole or not at all.

Each fixture's mutated parse (and, for some, the store whole or not at all) is the shared contract's, over every
platform: channels/tests/test_platform_contract_fuzz.py (its part here: channels/tests/platform_fuzz.py)."""

import json

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters.github import GitHubAdapter
from channels.adapters.github.cursor import Cursor
from channels.adapters.github.webhook import DeliveryRejected, delivery_read, signature_for
from channels.models import Channel
from channels.tests import fuzzing
from channels.tests.fuzzing import (
    QUARTER,
    check_parse,
    deep,
    deep_dict,
    draw_mutated,
    dumps_deep,
    fuzz_each,
    fuzz_settings,
)
from channels.tests.platform_fuzz import FUZZED

from .shapes import COMMENTS_URL, CONFIG, GRAPHQL_URL, ISSUES_URL, limits

adapter = GitHubAdapter()
PAYLOADS = FUZZED["github"].payloads  # its recorded fixtures, as the shared fuzz contract reads them
WEBHOOKS = [n for n in PAYLOADS if n.startswith("webhooks/") and "ping" not in n]
LISTS = ["issues_page1.json", "issues_with_pulls.json", "issue_comments_page1.json"]
SECRET = "fuzz-secret"


def test_every_fixture_is_fuzzed_and_the_mention_ones_parse_unmutated():
    assert len(PAYLOADS) >= 35 and len(WEBHOOKS) == 8
    fuzzing.check_parses_whole(adapter, PAYLOADS, [*LISTS, "discussions_page.json", *WEBHOOKS])


@pytest.mark.django_db
@fuzz_each(WEBHOOKS, examples=QUARTER)
def test_a_mutated_signed_delivery_is_read_or_refused_in_words(name, data):
    payload = draw_mutated(data, PAYLOADS[name])
    channel = Channel(slug="fuzz", name="fuzz", kind="github", config={"repositories": ["Codertocat/Hello-World"]})
    channel.credentials = {"token": "t", "webhook_secret": SECRET}
    body = dumps_deep(payload).encode()
    event = name.split("/")[1].split(".")[0]
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": signature_for(SECRET, body)}
    try:
        delivery = delivery_read(channel=channel, body=body, headers=headers)
    except DeliveryRejected as refused:
        assert refused.status == 400 and str(refused)
        return
    check_parse(lambda: delivery)


@pytest.mark.django_db
@fuzz_each(LISTS, examples=QUARTER)
def test_github_poll_survives_mutated_lists(name, data):
    """The poll's own path (marks, ETags, the issue fetch for an unknown number, the cursor) over a mutated list."""
    page = draw_mutated(data, PAYLOADS[name])
    cursor = data.draw(
        st.sampled_from(
            [
                {},
                {"repos": {"octo-org/octo-repo": {"issues": {"mark": "2024-01-01T00:00:00Z", "seen": ["x"]}}}},
                {"repos": {"octo-org/octo-repo": {"numbers": {"1136": "I_x", "x": 5}, "comments": "junk"}}},
                {"repos": "junk", "version": None},
            ]
        )
    )
    channel = Channel(
        slug="fuzz", name="fuzz", kind="github", config={**CONFIG, "include_discussions": False}, cursor=cursor
    )
    channel.credentials = {"token": "t"}
    url = COMMENTS_URL if "comments" in name else ISSUES_URL
    other = ISSUES_URL if url == COMMENTS_URL else COMMENTS_URL

    def routes(mock):
        mock.get(other, json=[], headers=limits())
        mock.get(f"{ISSUES_URL}/1136", json=PAYLOADS["issue_1136.json"], headers=limits())

    for result in fuzzing.check_poll(
        adapter, channel, url, page, headers=limits(), more_routes=routes, allow_nan=False
    ):
        assert "\\u0000" not in json.dumps(result.cursor)
        assert Cursor.load(result.cursor).dump() == result.cursor  # read back as written


@pytest.mark.django_db
@settings(fuzz_settings, max_examples=QUARTER)
@given(data=st.data())
def test_github_poll_survives_mutated_discussions(data):
    page = draw_mutated(data, PAYLOADS["discussions_page.json"])
    channel = Channel(slug="fuzz", name="fuzz", kind="github", config=dict(CONFIG), cursor={})
    channel.credentials = {"token": "t"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(ISSUES_URL, json=[], headers=limits())
        mock.get(COMMENTS_URL, json=[], headers=limits())
        mock.post(
            GRAPHQL_URL, body=dumps_deep(page), content_type="application/json", headers=limits(resource="graphql")
        )
        fuzzing.check_fetch(adapter, channel, allow_nan=False)


@pytest.mark.parametrize(
    "payload", [deep(5000), [deep_dict(5000)], {"data": {"repository": {"discussions": {"nodes": [deep_dict(5000)]}}}}]
)
def test_a_payload_nested_5000_deep_is_parsed_or_refused_clearly(payload):
    mentions = check_parse(lambda: adapter.parse_page(payload))
    assert mentions == []
