"""A Stack Exchange backlog larger than one poll's request budget drains over successive polls, oldest first, each
page committed with the cursor just after it, through the real poll service (`channels.services.channel_poll`),
and a `backoff` met on the way is honoured without losing anything."""

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core.cache import cache
from django.utils import timezone

from channels.adapters.stackexchange.tests.test_stackexchange_adapter import (
    ANSWERS_URL,
    COMMENTS_URL,
    QUESTIONS_URL,
    answer,
    calls_to,
    comment,
    question,
    stackexchange_channel,
)
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db


class Site:
    """The API over a fixed set of questions, answers and comments: `sort=creation&order=asc`, `fromdate`
    (inclusive), `page`/`pagesize` and `has_more`, vectorised ids, as api.stackexchange.com answers them."""

    def __init__(self, questions, answers=(), comments=(), backoff_on_call=None):
        self.questions, self.answers, self.comments = list(questions), list(answers), list(comments)
        # Which /questions call (1 = the first) answers with a backoff. By call, not by its fromdate:
        # the adapter's clock may tick to the next second after the test computed "now".
        self.backoff_on_call = backoff_on_call
        self.question_calls = 0
        responses.add_callback(responses.GET, QUESTIONS_URL, callback=self.on_questions)
        responses.add_callback(responses.GET, ANSWERS_URL, callback=self.on_answers)
        responses.add_callback(responses.GET, COMMENTS_URL, callback=self.on_comments)

    @staticmethod
    def _page(request, items, *, key):
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        assert (query["sort"], query["order"], query["filter"]) == ("creation", "asc", "withbody")
        fromdate, page, size = int(query["fromdate"]), int(query["page"]), int(query["pagesize"])
        matching = sorted(
            (i for i in items if i["creation_date"] >= fromdate), key=lambda i: (i["creation_date"], i[key])
        )
        body = {
            "items": matching[(page - 1) * size : page * size],
            "has_more": page * size < len(matching),
            "quota_max": 10000,
            "quota_remaining": 9000,
        }
        return body, (fromdate, page)

    def on_questions(self, request):
        body, _ = self._page(request, self.questions, key="question_id")
        self.question_calls += 1
        if self.question_calls == self.backoff_on_call:
            body["backoff"] = 120
        return 200, {}, json.dumps(body)

    def on_answers(self, request):
        asked = re.search(r"/questions/([0-9;]+)/answers", request.url)
        assert asked is not None
        ids = {int(i) for i in asked.group(1).split(";")}
        body, _ = self._page(request, [a for a in self.answers if a["question_id"] in ids], key="answer_id")
        return 200, {}, json.dumps(body)

    def on_comments(self, request):
        asked = re.search(r"/posts/([0-9;]+)/comments", request.url)
        assert asked is not None
        ids = {int(i) for i in asked.group(1).split(";")}
        body, _ = self._page(request, [c for c in self.comments if c["post_id"] in ids], key="comment_id")
        return 200, {}, json.dumps(body)


@responses.activate
def test_stackexchange_backlog_larger_than_budget_drains_oldest_first_through_channel_poll():
    now = int(time.time())
    start = now - 20 * 3600
    # 1,050 questions 60 s apart, 300 answers on the newest 300 of them, 150 comments on the first 150 answers.
    questions = [question(1000 + n, start + 60 * n) for n in range(1050)]
    answers = [answer(5000 + n, 1000 + 750 + n, start + 60 * (750 + n) + 30) for n in range(300)]
    comments = [comment(9000 + n, 5000 + n, start + 60 * (750 + n) + 40) for n in range(150)]
    Site(questions, answers, comments)
    channel = stackexchange_channel(config={"site": "stackoverflow", "tags": ["gitlab"], "max_requests_per_poll": 3})

    total = len(questions) + len(answers) + len(comments)
    per_poll, cursor = [], channel.cursor
    for _ in range(80):
        outcome = poll(channel)
        assert outcome.status == "ok", outcome.error
        assert outcome.result is not None
        per_poll.append(outcome.result.received)
        if outcome.result.received == 0 and Message.objects.filter(channel=channel).count() == total:
            break
        assert channel.cursor != cursor  # every poll moved the cursor (a page read, or a walk's next id chunk)
        cursor = channel.cursor
        if any("resume" in m for m in cursor["tags"].values()):
            assert (channel.next_poll_at - timezone.now()).total_seconds() <= 16  # a backlog: come back soon

    print(
        f"stackexchange backlog: 1,050 questions + 300 answers + 150 comments, budget 3 requests a poll; "
        f"per-poll received {per_poll}; {len(responses.calls)} requests"
    )
    assert sum(per_poll) == total and per_poll[-1] == 0
    order = stored(channel, order="stored")
    assert len(order) == len(set(order)) == total  # every item exactly once
    asked = [int(x[1:]) for x in order if x.startswith("q")]
    assert asked == sorted(asked) == [q["question_id"] for q in questions]  # oldest first
    assert all(n <= 3 * 100 for n in per_poll) and len(per_poll) > 5
    # Follow-ups join their question's ticket: one ticket per question, none for answers or comments.
    assert Ticket.objects.filter(channel=channel).count() == 1050
    threaded = Message.objects.filter(channel=channel, external_id="c9000").get()
    assert (threaded.parent_external_id, threaded.thread_external_id) == ("a5000", "q1750")


@responses.activate
def test_stackexchange_backoff_during_a_backlog_is_honoured_and_loses_nothing():
    now = int(time.time())
    start = now - 10 * 3600
    questions = [question(1 + n, start + 60 * n) for n in range(450)]
    Site(questions, backoff_on_call=2)  # page 2 of the first walk says "backoff": 120
    channel = stackexchange_channel(
        config={"site": "stackoverflow", "tags": ["gitlab"], "max_requests_per_poll": 10}, poll_interval_seconds=60
    )

    first = poll(channel)

    assert first.result is not None
    assert first.status == "ok" and first.result.received == 200  # pages 1 and 2; page 3 not asked for
    assert len(calls_to(QUESTIONS_URL)) == 2
    wait = (channel.next_poll_at - timezone.now()).total_seconds()
    assert 110 < wait <= 120  # the backoff, not the 15 s backlog re-poll
    mark = channel.cursor["tags"]["gitlab"]
    assert mark["resume"] == start + 60 * 199 and list(channel.cursor["backoff"]) == ["/questions"]

    # "Poll now" by an admin during the backoff: /questions is not called, nothing is lost or repeated.
    second = poll(channel)
    assert second.status == "ok" and len(calls_to(QUESTIONS_URL)) == 2
    assert channel.cursor["tags"]["gitlab"] == mark

    # The backoff is over (simulated: the cache and the cursor forget it); the walk goes on where it stopped.
    cache.clear()
    Channel.objects.filter(pk=channel.pk).update(cursor={**channel.cursor, "backoff": {}})
    channel.refresh_from_db()
    assert second.result is not None
    received = [first.result.received, second.result.received]
    for _ in range(5):
        outcome = poll(channel)
        assert outcome.result is not None
        received.append(outcome.result.received)
        if "resume" not in channel.cursor["tags"]["gitlab"]:
            break
    print(f"stackexchange backlog with a backoff: per-poll received {received}")
    resumed = parse_qs(urlsplit(calls_to(QUESTIONS_URL)[2].request.url).query)
    assert resumed["fromdate"] == [str(start + 60 * 199)] and resumed["page"] == ["1"]
    order = stored(channel, order="stored")
    assert order == [f"q{1 + n}" for n in range(450)]


@responses.activate
def test_stackexchange_questions_all_in_one_second_still_drain_page_by_page():
    # 250 questions with the same creation second: resuming "from the newest question read" would read the same
    # page for ever, so the cursor goes on by page number instead.
    t = int(time.time()) - 3600
    Site([question(1 + n, t) for n in range(250)])
    channel = stackexchange_channel(
        config={"site": "stackoverflow", "tags": ["gitlab"], "max_requests_per_poll": 1, "watch_days": 0}
    )
    received = [ingested(poll(channel)).received for _ in range(4)]
    assert received == [100, 100, 50, 0]
    assert sorted(stored(channel, order="stored")) == sorted(f"q{1 + n}" for n in range(250))
    pages = [parse_qs(urlsplit(c.request.url).query)["page"] for c in calls_to(QUESTIONS_URL)]
    assert pages == [["1"], ["2"], ["3"], ["1"]]


@responses.activate
def test_stackexchange_answers_longer_than_a_poll_resume_where_the_walk_stopped():
    now = int(time.time())
    t = now - 7200
    answers = [answer(100 + n, 1, t + 10 * n) for n in range(350)]
    Site([question(1, t - 60)], answers)
    channel = stackexchange_channel(config={"site": "stackoverflow", "tags": ["gitlab"], "max_requests_per_poll": 2})
    received = []
    for _ in range(8):
        outcome = poll(channel)
        assert outcome.result is not None
        received.append(outcome.result.received)
        if outcome.result.received == 0:
            break
    print(f"stackexchange answers walk over several polls: per-poll received {received}")
    assert sum(received) == 351
    order = stored(channel, order="stored")
    assert len(order) == len(set(order)) == 351
    assert [x for x in order if x.startswith("a")] == [f"a{100 + n}" for n in range(350)]  # oldest first
    fromdates = [int(parse_qs(urlsplit(c.request.url).query)["fromdate"][0]) for c in calls_to(ANSWERS_URL)]
    assert fromdates[:4] == sorted(fromdates[:4])  # each poll goes on from the newest answer read, never back


@responses.activate
def test_a_tag_removed_from_the_config_leaves_no_backlog_behind():
    now = int(time.time())
    Site([question(1, now - 60)])
    stale = {"since": now - 600, "seen": {}, "resume": now - 600}
    channel = stackexchange_channel(cursor={"version": 1, "tags": {"old-tag": stale}})
    outcome = poll(channel)
    assert outcome.result is not None
    assert outcome.result.received == 1
    assert list(channel.cursor["tags"]) == ["gitlab"]
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 200  # no re-poll for a walk nobody reads
