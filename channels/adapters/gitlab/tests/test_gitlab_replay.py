"""The demo project polled through the real GitLab adapter, with DESK_DEMO_REPLAY on: every request the poll (and a
watched issue's fetch) makes is answered by channels/adapters/gitlab/replay.py from the demo week. Shapes come from
that replay module, which follows GitLab's documented example responses in fixtures/ (issues_list_docs.json,
issue_new_docs.json, notes_list_docs.json; SOURCES.md) and the pagination headers of docs.gitlab.com ("REST API",
"Pagination")."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import time_machine

from channels.adapters.gitlab import GitLabAdapter
from channels.adapters.gitlab.replay import IID_BASE, NOTE_ID_BASE, PROJECT_ID, answer
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoNetwork, DemoPosts
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "gitlab"
ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # the demo channel was made then: its week ends that day
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]
WEEK = [(i, t) for i, t in enumerate(THREADS) if t.kind == KIND]


def test_the_demo_week_polls_into_one_ticket_per_issue_with_our_replies_and_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

        assert outcome.status == "ok", outcome
        week = demo.assert_week_stored(channel, ANCHOR)
        assert ingested(outcome).created == sum(len(t) for t in week) == 4
        assert len(week) == 2
        (first, story), (second, _) = WEEK
        note = NOTE_ID_BASE + 1000 * first + 1
        assert stored(channel) == sorted(
            [
                f"{PROJECT_ID}/issues/{IID_BASE + first}",
                f"{PROJECT_ID}/issues/{IID_BASE + second}",
                f"{PROJECT_ID}/notes/{note}",
                f"{PROJECT_ID}/notes/{NOTE_ID_BASE + 1000 * second + 1}",
            ]
        )
        ours = Message.objects.get(channel=channel, author_handle=OURS)
        assert ours.kind == Message.Kind.OUR_REPLY and ours.external_id == f"{PROJECT_ID}/notes/{note}"
        issue_url = f"https://gitlab.com/gitlab-org/gitlab/-/issues/{IID_BASE + first}"
        opening = Message.objects.get(channel=channel, external_id=f"{PROJECT_ID}/issues/{IID_BASE + first}")
        assert opening.permalink == issue_url and opening.title == story.title
        assert opening.author_url == f"https://gitlab.com/{story.author}"
        assert ours.permalink == f"{issue_url}#note_{note}" and ours.ticket_id == opening.ticket_id
        mark = channel.cursor["projects"]["gitlab-org/gitlab"]
        assert mark["issues"] == {str(IID_BASE + first): note, str(IID_BASE + second): note + 1000}

        demo.assert_second_poll_stores_nothing(channel)

    assert Message.objects.filter(channel=channel).count() == 4


def test_a_comment_not_yet_written_is_served_only_once_its_time_has_come():
    # The second issue opened at 11:00 two days before the anchor; its comment came two hours later.
    index, thread = WEEK[1]
    start = thread_start(thread, ANCHOR)
    channel = demo.channel(KIND, ANCHOR)

    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        first = poll(channel)
    assert ingested(first).created == 3  # the first issue and our reply, the second issue alone
    opened = Message.objects.get(channel=channel, external_id=f"{PROJECT_ID}/issues/{IID_BASE + index}")
    ticket = opened.ticket
    assert ticket is not None and [m.body for m in ticket.messages.all()] == [thread.text]

    with time_machine.travel(start + timedelta(minutes=121), tick=False):
        second = poll(channel)
        third = poll(channel)
    assert ingested(second).created == 1 and ingested(third).created == 0
    assert [(m.body, m.author_handle) for m in ticket.messages.order_by("platform_created_at")] == [
        (thread.text, thread.author),
        (thread.followups[0][2], thread.followups[0][1]),
    ]
    assert Ticket.objects.filter(channel=channel).count() == 2


def test_a_watched_issue_is_fetched_with_its_notes_under_the_polls_ids():
    channel = demo.channel(KIND, ANCHOR)
    index = WEEK[0][0]
    with time_machine.travel(ANCHOR, tick=False):
        poll(channel)
        opening = Message.objects.get(channel=channel, external_id=f"{PROJECT_ID}/issues/{IID_BASE + index}")
        ref = GitLabAdapter.thread_ref(str(opening.external_id), opening.thread_external_id, opening.raw)
        fetched = GitLabAdapter.fetch_thread(channel=channel, session=build_session(), ref=ref)
    assert ref == f"{PROJECT_ID}/issues/{IID_BASE + index}"
    assert fetched.requests_made == 2
    thread = Message.objects.filter(channel=channel, ticket=opening.ticket)
    assert sorted(m.external_id for m in fetched.mentions) == sorted(str(m.external_id) for m in thread)
    assert GitLabAdapter().test_connection(channel=channel, session=build_session()) == (
        "GitLab answered: GitLab.org / GitLab"
    )


def many(count: int) -> DemoPosts:
    """`count` issues a minute apart, each without comments, for paging."""
    return demo.one_post_threads(KIND, ANCHOR, count, text="Issue", title="Issue")


def test_a_long_issue_list_is_walked_by_its_link_header_each_issue_once():
    channel = demo.channel(KIND, ANCHOR, slug="gitlab-paging")
    session = requests.Session()
    session.mount("https://", DemoNetwork(posts_of=lambda kind: many(230)))
    with time_machine.travel(ANCHOR, tick=False):
        results = list(GitLabAdapter().fetch_chunks(channel=channel, session=session))
    ids = [m.external_id for r in results for m in r.mentions]
    assert ids == [f"{PROJECT_ID}/issues/{IID_BASE + n}" for n in range(230)]
    assert sum(r.requests_made for r in results) == 3  # 100 a page


def get(path: str, **params) -> requests.PreparedRequest:
    query = f"?{urlencode(params)}" if params else ""
    return requests.Request("GET", f"https://gitlab.com/api/v4{path}{query}").prepare()


def listed(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any, dict[str, str]]:
    """A list's answer: status, items and its pagination headers."""
    found = answer(request, posts)
    assert len(found) == 3, found
    return found


def test_pages_carry_gitlabs_pagination_headers_and_filters_are_inclusive():
    posts = many(45)
    path = "/projects/gitlab-org%2Fgitlab/issues"
    status, body, headers = listed(get(path, order_by="updated_at", sort="asc", page=3), posts)
    assert status == 200 and [i["iid"] for i in body] == [IID_BASE + n for n in range(40, 45)]
    assert headers["X-Page"] == "3" and headers["X-Per-Page"] == "20" and headers["X-Total"] == "45"
    assert headers["X-Next-Page"] == "" and headers["X-Prev-Page"] == "2" and headers["X-Total-Pages"] == "3"
    assert 'rel="next"' not in headers["Link"] and "page=2" in headers["Link"]
    status, body, headers = listed(get(path), posts)  # default: newest created first
    assert body[0]["iid"] == IID_BASE + 44 and headers["X-Next-Page"] == "2"
    following = re.search(r'<([^>]+)>; rel="next"', headers["Link"])
    assert following and parse_qs(urlsplit(following.group(1)).query)["page"] == ["2"]
    at = body[0]["updated_at"]
    _, since, _ = listed(get(f"/projects/{PROJECT_ID}/issues", updated_after=at), posts)
    assert [i["updated_at"] for i in since] == [at]  # updated_after is "on or after"

    assert answer(get(f"/projects/{PROJECT_ID}/issues/{IID_BASE + 99}"), posts) == (404, {"message": "404 Not found"})
    assert answer(get("/projects/someone%2Felse/issues"), posts) == (404, {"message": "404 Project Not Found"})
    assert answer(get("/nope"), posts) == (404, {"error": "404 Not Found"})
