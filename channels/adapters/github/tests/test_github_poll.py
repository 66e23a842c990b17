"""Polling a GitHub channel end to end: channel_poll -> adapter -> ingest, with GitHub faked at the network edge by
`responses`. Shapes: the recorded issues, comments and discussions of `fixtures/` (SOURCES.md, built on in
`shapes.py`); headers as recorded there (`Link`, `ETag`, `x-ratelimit-*`) and as docs.github.com documents the
rate limits ("Rate limits for the REST API": a 403/429 with ``x-ratelimit-remaining: 0`` and its reset, or with
``retry-after``, or a secondary limit's message)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses

from channels.models import DeadLetter
from channels.tests.harness import ingested, poll, stored
from channels.tests.sent import request_params, request_url
from mentions.models import Message, Ticket

from .shapes import (
    COMMENTS_URL,
    GRAPHQL_URL,
    ISSUES_URL,
    add_graphql,
    add_list,
    comment,
    discussion,
    discussion_comment,
    discussions_answer,
    github_channel,
    issue,
    limits,
    load,
    meta,
    pull,
    quiet_repository,
    sent_json,
)

pytestmark = pytest.mark.django_db


_NOW: list[datetime] = []


@pytest.fixture(autouse=True)
def _one_now_per_test():
    """`ago` counts from one instant per test: times written for two polls of one test must be equal to the second,
    or an item "at the mark" moves past it when the clock crosses a second between the polls."""
    _NOW[:] = [datetime.now(tz=UTC)]
    yield
    _NOW.clear()


def ago(minutes: int) -> str:
    now = _NOW[0] if _NOW else datetime.now(tz=UTC)
    return (now - timedelta(minutes=minutes)).isoformat(timespec="seconds").replace("+00:00", "Z")


def wait_of(channel):
    """Seconds until the channel's next poll."""
    assert channel.next_poll_at is not None
    return (channel.next_poll_at - datetime.now(tz=UTC)).total_seconds()


def week_of_activity():
    t1, t2 = ago(50), ago(40)
    add_list(
        ISSUES_URL,
        [issue(1, at=t1), pull(2, at=ago(45)), issue(3, at=t2, created=ago(300))],
        headers={"ETag": 'W/"i1"'},
    )
    comments = [
        comment(11, 3, at=ago(44)),
        comment(12, 3, at=ago(43), login="desk-bot"),  # our account
        comment(13, 3, at=ago(42), login="maintainer", association="MEMBER"),  # the team, by association
        comment(14, 2, at=ago(41), html_url="https://github.com/octo-org/octo-repo/pull/2#issuecomment-14"),
    ]
    add_list(COMMENTS_URL, comments, headers={"ETag": 'W/"c1"'})
    reply = discussion_comment("DC_r1", at=ago(20), login="helper")
    top = discussion_comment("DC_c1", at=ago(25), replies={"nodes": [reply]})
    add_graphql(discussions_answer([discussion(7, at=ago(30), updated=ago(20), comments=[top])], end=None))
    return t2


@responses.activate
def test_issues_comments_and_discussions_become_tickets_with_their_follow_ups_and_our_replies():
    channel = github_channel()
    t2 = week_of_activity()

    outcome = poll(channel)

    assert outcome.status == "ok", outcome
    assert stored(channel) == sorted(
        ["I_kwTEST1", "I_kwTEST3", "IC_kwTEST11", "IC_kwTEST12", "IC_kwTEST13", "D_kwTEST7", "DC_c1", "DC_r1"]
    )
    assert (
        Ticket.objects.filter(channel=channel).count() == 3
    )  # two issues and a discussion; the pull request is not ours
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert {by_id[i].ticket_id for i in ("IC_kwTEST11", "IC_kwTEST12", "IC_kwTEST13")} == {by_id["I_kwTEST3"].ticket_id}
    assert by_id["IC_kwTEST12"].kind == by_id["IC_kwTEST13"].kind == Message.Kind.OUR_REPLY
    assert by_id["IC_kwTEST11"].kind == Message.Kind.INBOUND
    assert by_id["DC_r1"].ticket_id == by_id["DC_c1"].ticket_id == by_id["D_kwTEST7"].ticket_id
    assert by_id["IC_kwTEST11"].permalink == "https://github.com/octo-org/octo-repo/issues/3#issuecomment-11"

    sent = request_params(responses.calls[0].request)
    assert (
        sent["state"] == "all"
        and sent["sort"] == "updated"
        and sent["direction"] == "asc"
        and sent["per_page"] == "100"
    )
    headers = responses.calls[0].request.headers
    assert (
        headers["Authorization"] == "Bearer github_pat_test_0123456789"
        and headers["X-GitHub-Api-Version"] == "2022-11-28"
    )
    state = channel.cursor["repos"]["octo-org/octo-repo"]
    assert state["issues"]["mark"] == t2 and state["issues"]["seen"] == ["I_kwTEST3"]
    assert state["numbers"] == {"1": "I_kwTEST1", "3": "I_kwTEST3"}
    assert state["discussions"]["seen"] == ["D_kwTEST7"] and "resume" not in state["discussions"]
    assert channel.platform_status["rate_limits"]["core"]["remaining"] == 4922
    assert channel.platform_status["rate_limits"]["graphql"]["resource"] == "graphql"


@responses.activate
def test_polls_go_on_from_the_marks_and_an_unchanged_list_is_a_304_that_stores_nothing():
    channel = github_channel()
    t2 = week_of_activity()
    poll(channel)
    mark = channel.cursor["repos"]["octo-org/octo-repo"]["issues"]["mark"]
    # GitHub's `since` counts the issue updated at the mark: it comes back, and is skipped.
    responses.reset()
    add_list(ISSUES_URL, [issue(3, at=t2)], headers={"ETag": 'W/"i2"'})
    add_list(COMMENTS_URL, [comment(13, 3, at=ago(42), login="maintainer")], headers={"ETag": 'W/"c2"'})
    add_graphql(discussions_answer([discussion(7, at=ago(30), updated=ago(20))], end=None))  # at the mark: no news

    second = poll(channel)

    assert second.status == "ok" and ingested(second).received == 0
    assert request_params(responses.calls[0].request)["since"] == mark == t2
    assert "If-None-Match" not in responses.calls[0].request.headers  # a new query: no ETag for it yet
    responses.reset()
    unchanged = {**limits(), "ETag": meta("(304 Not Modified)")["headers"]["etag"]}
    responses.get(ISSUES_URL, status=304, headers=unchanged)
    responses.get(COMMENTS_URL, status=304, headers=unchanged)
    add_graphql(discussions_answer([discussion(7, at=ago(30), updated=ago(20))], end=None))

    third = poll(channel)

    assert third.status == "ok" and ingested(third).received == 0
    assert responses.calls[0].request.headers["If-None-Match"] == 'W/"i2"'
    assert responses.calls[1].request.headers["If-None-Match"] == 'W/"c2"'
    assert Message.objects.filter(channel=channel).count() == 8


@responses.activate
def test_the_recorded_issue_pages_are_followed_by_their_link_header():
    channel = github_channel(config={"repositories": ["octo-org/octo-repo"], "include_discussions": False})
    pages = [load(f"issues_page{n}.json") for n in range(1, 6)]
    for n, page in enumerate(pages, start=1):
        recorded = meta(f"issues_page{n}.json")["headers"]
        url = ISSUES_URL if n == 1 else "https://api.github.com/repositories/515435940/issues"
        match = {} if n == 1 else {"page": str(n)}
        add_list(url, page, headers={k: v for k, v in recorded.items() if k in ("Link", "ETag")}, match=match)
    add_list(COMMENTS_URL, [])

    outcome = poll(channel)

    assert outcome.status == "ok" and ingested(outcome).created == 13
    asked = [request_url(c.request).split("?")[0] for c in responses.calls]
    assert asked == [ISSUES_URL, *["https://api.github.com/repositories/515435940/issues"] * 4, COMMENTS_URL]
    assert [request_params(c.request).get("page") for c in responses.calls[1:5]] == ["2", "3", "4", "5"]


@responses.activate
def test_the_primary_limit_used_up_waits_for_its_reset():
    channel = github_channel()
    reset = int((datetime.now(tz=UTC) + timedelta(seconds=600)).timestamp())
    headers = {**limits(remaining=0), "X-RateLimit-Reset": str(reset)}
    responses.get(ISSUES_URL, json=load("error_rate_limit_403.json"), status=403, headers=headers)

    outcome = poll(channel)

    assert outcome.status != "ok" and stored(channel) == []
    assert 590 < wait_of(channel) <= 610


@responses.activate
def test_a_secondary_limit_on_the_first_call_waits_what_github_asks():
    channel = github_channel()
    said = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
    responses.get(ISSUES_URL, json=said, status=403, headers={"retry-after": "30"})
    poll(channel)
    assert 20 < wait_of(channel) <= 35


@responses.activate
def test_a_rate_limit_later_in_the_walk_keeps_what_was_read_and_the_comments_wait():
    channel = github_channel()
    add_list(ISSUES_URL, [issue(1, at=ago(30))])
    responses.get(COMMENTS_URL, json={"message": "secondary rate limit"}, status=429, headers={"retry-after": "90"})

    outcome = poll(channel)

    assert outcome.status == "ok" and stored(channel) == ["I_kwTEST1"]
    assert channel.platform_status["backlog"] is True
    assert channel.cursor["repos"]["octo-org/octo-repo"]["comments"]["mark"] is None  # read again next time
    assert 60 < wait_of(channel) <= 95
    assert len(responses.calls) == 2  # the discussions wait too


@responses.activate
def test_a_resource_running_low_ends_the_walk_until_its_reset():
    channel = github_channel()
    add_list(ISSUES_URL, [issue(1, at=ago(30))], headers=limits(remaining=12, reset_in=120))

    outcome = poll(channel)

    assert outcome.status == "ok" and stored(channel) == ["I_kwTEST1"] and len(responses.calls) == 1
    assert 100 < wait_of(channel) <= 125


@responses.activate
def test_a_comment_on_an_issue_written_after_the_issue_list_brings_its_issue():
    channel = github_channel()
    add_list(ISSUES_URL, [])
    add_list(COMMENTS_URL, [comment(21, 9, at=ago(5))])
    add_list(f"{ISSUES_URL}/9", issue(9, at=ago(5), created=ago(90)))
    add_graphql(discussions_answer([], end=None))

    poll(channel)

    first, then = Message.objects.filter(channel=channel).order_by("platform_created_at")
    assert (first.external_id, then.external_id) == ("I_kwTEST9", "IC_kwTEST21") and first.ticket_id == then.ticket_id
    assert channel.cursor["repos"]["octo-org/octo-repo"]["numbers"] == {"9": "I_kwTEST9"}


@responses.activate
def test_labels_choose_the_issues_discussions_and_their_comments():
    channel = github_channel(config={"repositories": ["octo-org/octo-repo"], "labels": ["Question"]})
    labelled = issue(1, at=ago(30), labels=[{"name": "question", "color": "d876e3"}])
    add_list(ISSUES_URL, [labelled, issue(2, at=ago(20))])
    add_list(COMMENTS_URL, [comment(31, 1, at=ago(19)), comment(32, 2, at=ago(18)), comment(33, 8, at=ago(17))])
    followed = discussion(
        5, at=ago(40), labels={"nodes": [{"name": "question"}]}, comments=[discussion_comment("DC_5", at=ago(10))]
    )
    add_graphql(
        discussions_answer(
            [followed, discussion(6, at=ago(40), comments=[discussion_comment("DC_6", at=ago(9))])], end=None
        )
    )

    poll(channel)

    assert stored(channel) == ["DC_5", "D_kwTEST5", "IC_kwTEST31", "I_kwTEST1"]
    assert len(responses.calls) == 3  # no issue read for a comment on an unfollowed one


@responses.activate
def test_an_unreadable_issue_is_quarantined_and_the_rest_stored():
    channel = github_channel()
    broken = issue(4, at=ago(10))
    broken["created_at"] = "not a time"
    add_list(ISSUES_URL, [issue(1, at=ago(30)), broken])
    add_list(COMMENTS_URL, [])
    add_graphql(discussions_answer([], end=None))

    outcome = poll(channel)

    assert outcome.status == "ok" and stored(channel) == ["I_kwTEST1"]
    letter = DeadLetter.objects.get(channel=channel)
    assert "creation time" in letter.error and json.loads(letter.payload)["number"] == 4


@responses.activate
def test_a_refused_token_and_a_missing_repository_say_what_to_fix():
    channel = github_channel()
    responses.get(ISSUES_URL, json=load("error_bad_credentials_401.json"), status=401)
    poll(channel)
    assert "Bad credentials" in channel.last_error and "refused the token" in channel.last_error
    assert "github_pat_test" not in channel.last_error

    other = github_channel()
    responses.reset()
    responses.get(ISSUES_URL, json=load("error_not_found_404.json"), status=404)
    poll(other)
    assert "no such repository" in other.last_error


@responses.activate
def test_a_discussion_walk_cut_short_goes_on_where_it_stopped():
    channel = github_channel(config={"repositories": ["octo-org/octo-repo"], "max_requests_per_poll": 3})
    quiet = {"ETag": 'W/"q"'}
    add_list(ISSUES_URL, [], headers=quiet)
    add_list(COMMENTS_URL, [], headers=quiet)
    add_graphql(discussions_answer([discussion(9, at=ago(60), updated=ago(5))], more=True, end="page-2"))

    poll(channel)

    state = channel.cursor["repos"]["octo-org/octo-repo"]["discussions"]
    assert state["resume"]["after"] == "page-2" and state["mark"] is None and channel.platform_status["backlog"]
    responses.reset()
    responses.get(ISSUES_URL, status=304, headers=limits())
    responses.get(COMMENTS_URL, status=304, headers=limits())
    add_graphql(discussions_answer([discussion(8, at=ago(90), updated=ago(50))], end=None))

    poll(channel)

    assert sent_json(responses.calls[2].request)["variables"]["after"] == "page-2"
    state = channel.cursor["repos"]["octo-org/octo-repo"]["discussions"]
    assert "resume" not in state and state["seen"] == ["D_kwTEST9"]  # the first walk's top is the new mark
    assert stored(channel) == ["D_kwTEST8", "D_kwTEST9"]


@responses.activate
def test_a_quiet_repository_costs_two_requests_and_a_graphql_query():
    channel = github_channel()
    quiet_repository()
    outcome = poll(channel)
    assert outcome.status == "ok" and len(responses.calls) == 3
    assert [c.request.method for c in responses.calls] == ["GET", "GET", "POST"]
    assert responses.calls[2].request.url == GRAPHQL_URL
