"""The demo repository polled through the real GitHub adapter, with DESK_DEMO_REPLAY on: every request the poll (and
a watched thread's fetch) makes is answered by channels/adapters/github/replay.py from the demo week. Shapes come
from that replay module, which follows the recorded responses in fixtures/ (issues_with_pulls.json,
issue_comments_page1.json, discussions_page.json, the Link and ETag headers of issues_page1.json; SOURCES.md)."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine

from channels.adapters.github import GitHubAdapter
from channels.adapters.github.parse import readable
from channels.adapters.github.replay import COMMENT_ID_BASE, NUMBER_BASE, REPO, answer
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoNetwork
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "github"
ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]
WEEK = [(i, t) for i, t in enumerate(THREADS) if t.kind == KIND]


def test_the_demo_week_polls_into_an_issue_and_a_discussion_with_our_replies_and_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

        assert outcome.status == "ok", outcome
        week = demo.assert_week_stored(channel, ANCHOR, shown=readable)
        assert ingested(outcome).created == sum(len(t) for t in week) == 6 and len(week) == 2
        (first, story), (second, _) = WEEK
        number = NUMBER_BASE + first
        assert stored(channel) == sorted(
            [
                f"I_kwDOdemo{number}",
                f"IC_kwDOdemo{COMMENT_ID_BASE + 1000 * number + 1}",
                f"IC_kwDOdemo{COMMENT_ID_BASE + 1000 * number + 2}",
                f"D_kwDOdemo{NUMBER_BASE + second}",
                f"DC_kwDOdemo{NUMBER_BASE + second}001",
                f"DC_kwDOdemo{NUMBER_BASE + second}002",
            ]
        )
        opening = Message.objects.get(channel=channel, external_id=f"I_kwDOdemo{number}")
        assert opening.ticket is not None and opening.ticket.subject == story.title
        assert opening.permalink == f"https://github.com/{REPO}/issues/{number}"
        image = "https://user-images.githubusercontent.com/5421/plan-output.png"
        assert opening.media == [{"kind": "image", "url": image, "preview_url": "", "alt": "plan output"}]
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert {m.kind for m in ours} == {Message.Kind.OUR_REPLY} and ours.count() == 2

        demo.assert_second_poll_stores_nothing(channel)
        third = poll(channel)  # nothing moved since the second poll: GitHub answers both lists 304
        assert ingested(third).received == 0

    assert Message.objects.filter(channel=channel).count() == 6


def test_a_comment_not_yet_written_is_served_only_once_its_time_has_come():
    _, thread = WEEK[1]  # the discussion: opened at 10:00 the day before the anchor
    start = thread_start(thread, ANCHOR)
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        first = poll(channel)
    assert ingested(first).created == 3 + 2  # the issue and its two comments; the discussion and one comment
    with time_machine.travel(start + timedelta(minutes=80), tick=False):
        second = poll(channel)
        third = poll(channel)
    assert ingested(second).created == 1 and ingested(third).created == 0
    discussion = Ticket.objects.get(channel=channel, subject=thread.title)
    assert [m.author_handle for m in discussion.messages.order_by("platform_created_at")] == [
        thread.author,
        thread.followups[0][1],
        OURS,
    ]


def test_watched_threads_are_fetched_with_the_polls_ids():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        poll(channel)
        for index, _ in WEEK:
            opening = Ticket.objects.get(channel=channel, subject=THREADS[index].title).messages.earliest(
                "platform_created_at"
            )
            ref = GitHubAdapter.thread_ref(str(opening.external_id), opening.thread_external_id, opening.raw)
            fetched = GitHubAdapter.fetch_thread(channel=channel, session=build_session(), ref=ref)
            thread = Message.objects.filter(channel=channel, ticket=opening.ticket)
            assert sorted(m.external_id for m in fetched.mentions) == sorted(str(m.external_id) for m in thread)
            assert fetched.requests_made == (2 if "/issues/" in ref else 1)
        assert (
            GitHubAdapter()
            .test_connection(channel=channel, session=build_session())
            .startswith(f"GitHub answered: {REPO} (public); 4,990 of 5,000 requests left")
        )


def test_a_long_issue_list_is_walked_by_its_link_header_each_issue_once():
    channel = demo.channel(KIND, ANCHOR, slug="github-paging", include_discussions=False)
    posts = demo.one_post_threads(KIND, ANCHOR, 230, text="Issue", title="Issue")
    session = requests.Session()
    session.mount("https://", DemoNetwork(posts_of=lambda kind: posts))
    with time_machine.travel(ANCHOR, tick=False):
        results = list(GitHubAdapter().fetch_chunks(channel=channel, session=session))
    issues = [m for r in results for m in r.mentions]
    assert len(issues) == 115 and len({m.external_id for m in issues}) == 115  # every other thread is a discussion
    assert sum(r.requests_made for r in results) == 3  # two pages of issues (100 each), one of comments


def test_the_replay_answers_304_to_its_own_etag_and_404_elsewhere():
    posts = demo.one_post_threads(KIND, ANCHOR, 3, text="Issue", title="Issue")
    url = f"https://api.github.com/repos/{REPO}/issues"
    found = answer(requests.Request("GET", url).prepare(), posts)
    assert len(found) == 3, found
    status, body, headers = found[0], found[1], found[2]
    assert status == 200 and [i["number"] for i in body] == [NUMBER_BASE + 2, NUMBER_BASE]  # newest created first
    again = requests.Request("GET", url, headers={"If-None-Match": headers["ETag"]}).prepare()
    assert answer(again, posts)[0] == 304
    assert answer(requests.Request("GET", "https://api.github.com/repos/someone/else").prepare(), posts)[0] == 404
    assert answer(requests.Request("GET", f"{url}/{NUMBER_BASE + 1}").prepare(), posts)[0] == 404  # a discussion
