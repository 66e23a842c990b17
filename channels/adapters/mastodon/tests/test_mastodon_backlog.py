"""A Mastodon backlog: more new posts than a page, and more than a poll may read, end to end (channel_poll ->
MastodonAdapter -> mentions_ingest) with only HTTP mocked. Each stream goes forward from its mark with ``min_id``, the
next page named by the ``Link`` header's rel="prev"; a poll cut short by ``max_requests_per_poll`` keeps its mark and
the next one goes on from there.

Shapes: the recorded tag timeline's status and `Link` header (fixtures/SOURCES.md, `shapes.py`)."""

import pytest
import responses

from channels.tests.harness import ingested, poll
from channels.tests.sent import request_params, request_url

from .shapes import CONFIG, TAG, ago, answer, channel, status

pytestmark = pytest.mark.django_db


def calls(url: str) -> list[dict]:
    return [request_params(c.request) for c in responses.calls if request_url(c.request).split("?")[0] == url]


@responses.activate
def test_new_posts_come_page_by_page_forward_from_the_mark():
    made = channel(config={**CONFIG, "mentions": False})
    answer(TAG, [status(100, at=ago(60))])
    poll(made)
    newer = [status(n, at=ago(50 - n % 100 / 10)) for n in range(101, 141)]  # a full page of 40 after the mark
    newest = [status(141, at=ago(1))]
    responses.reset()
    answer(TAG, list(reversed(newer)), {"min_id": "100"})
    answer(TAG, newest, {"min_id": "140"})

    result = ingested(poll(made))

    assert result.created == 41 and made.cursor["streams"]["tag:gitlab"] == {"min_id": "141"}
    assert [c["min_id"] for c in calls(TAG)] == ["100", "140"]  # the second from the Link header's rel="prev"


@responses.activate
def test_a_poll_cut_short_by_its_budget_goes_on_next_time():
    made = channel(config={**CONFIG, "mentions": False, "max_requests_per_poll": 2})
    answer(TAG, [status(100, at=ago(60))])
    poll(made)
    pages = [
        [status(n, at=ago(50 - (n - 100) / 100)) for n in range(start + 39, start - 1, -1)] for start in (101, 141, 181)
    ]
    responses.reset()
    for page in pages:
        answer(TAG, page, {"min_id": str(int(page[-1]["id"]) - 1)})
    answer(TAG, [], {"min_id": "220"})

    first = poll(made)

    assert ingested(first).created == 80 and made.cursor["streams"]["tag:gitlab"] == {"min_id": "180"}
    assert made.platform_status["backlog"] is True
    assert ingested(poll(made)).created == 40 and made.cursor["streams"]["tag:gitlab"] == {"min_id": "220"}
