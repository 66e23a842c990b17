"""Polling a GitLab channel end to end: channel_poll -> adapter -> ingest, with GitLab's API faked at the network
edge by `responses`. Shapes: the documented issues and notes of `fixtures/` (SOURCES.md), pagination headers
(`Link` rel="next", `X-Next-Page`) and rate-limit headers (`RateLimit-Remaining`, `RateLimit-Reset`,
`Retry-After`) as docs.gitlab.com documents them."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import responses

from channels.models import Channel, DeadLetter
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_params, request_url
from intake.services.polling import channel_poll
from mentions.models import Message

from .shapes import CONFIG, ISSUES_URL, add_issues, add_notes, issue, note

pytestmark = pytest.mark.django_db


def gitlab_channel(**fields):
    defaults = {"kind": "gitlab", "config": dict(CONFIG), "our_accounts": ["desk-bot"], "cursor": {}}
    return ChannelFactory(**{**defaults, **fields})


def poll(channel):
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    outcome = channel_poll(channel_id=channel.pk)
    channel.refresh_from_db()
    return outcome


def stored(channel):
    return sorted(Message.objects.filter(channel=channel).values_list("external_id", flat=True))


def recent(minutes: int) -> str:
    return (datetime.now(tz=UTC) - timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@responses.activate
def test_new_issues_become_tickets_and_their_comments_follow_up_and_a_second_poll_stores_nothing():
    channel = gitlab_channel()
    t1, t2 = recent(30), recent(20)
    add_issues(
        [issue(1, at=t1), issue(2, at=t2, created=recent(40), notes=3)],
        order_by="updated_at",
        sort="asc",
        per_page="100",
        confidential="false",
    )
    add_notes(
        2,
        [
            note(501, 2, at=recent(35)),
            note(502, 2, at=recent(34), system=True),  # "changed the label": not a mention
            note(503, 2, at=recent(33), username="desk-bot"),  # ours: our reply on the ticket
        ],
        sort="asc",
    )

    outcome = poll(channel)

    assert outcome.status == "ok", outcome
    assert stored(channel) == ["4/issues/1", "4/issues/2", "4/notes/501", "4/notes/503"]
    replies = Message.objects.filter(channel=channel, external_id__in=["4/notes/501", "4/notes/503"])
    issue_two = Message.objects.get(channel=channel, external_id="4/issues/2")
    assert {m.ticket_id for m in replies} == {issue_two.ticket_id}
    assert Message.objects.get(channel=channel, external_id="4/notes/503").kind == Message.Kind.OUR_REPLY
    note_link = Message.objects.get(channel=channel, external_id="4/notes/501").permalink
    assert note_link == "https://gitlab.example.com/my-group/my-project/-/issues/2#note_501"
    project = channel.cursor["projects"]["my-group/my-project"]
    assert project["updated"] == t2 and project["seen"] == [1002]
    assert project["issues"] == {"1": 0, "2": 503}

    # GitLab's updated_after is inclusive: the last issue comes back, and nothing is stored twice.
    responses.reset()
    add_issues([issue(2, at=t2, notes=3)], updated_after=t2)
    outcome = poll(channel)
    assert outcome.status == "ok" and outcome.result.as_dict()["received"] == 0
    assert [request_url(c.request).split("?")[0] for c in responses.calls] == [ISSUES_URL]
    assert len(stored(channel)) == 4


@responses.activate
def test_a_new_comment_on_a_known_issue_is_handed_over_alone():
    t1 = recent(30)
    channel = gitlab_channel()
    add_issues([issue(7, at=t1, notes=1)])
    add_notes(7, [note(700, 7, at=recent(31))])
    poll(channel)
    responses.reset()
    t2 = recent(5)
    add_issues([issue(7, at=t2, notes=2)], updated_after=t1)
    add_notes(7, [note(700, 7, at=recent(31)), note(701, 7, at=recent(5))])
    outcome = poll(channel)
    assert outcome.result.as_dict()["received"] == 1 and outcome.result.as_dict()["threaded"] == 1
    assert stored(channel) == ["4/issues/7", "4/notes/700", "4/notes/701"]


@responses.activate
def test_pages_follow_the_link_header_and_x_next_page():
    channel = gitlab_channel()
    nxt = f'<{ISSUES_URL}?page=2&per_page=100&sort=asc>; rel="next", <{ISSUES_URL}?page=1>; rel="first"'
    add_issues([issue(1, at=recent(50))], headers={"Link": nxt})
    responses.get(ISSUES_URL, json=[issue(2, at=recent(40))], headers={"X-Next-Page": "3"},
                  match=[responses.matchers.query_param_matcher({"page": "2"}, strict_match=False)])  # fmt: skip
    responses.get(ISSUES_URL, json=[issue(3, at=recent(30))], headers={"X-Next-Page": ""},
                  match=[responses.matchers.query_param_matcher({"page": "3"}, strict_match=False)])  # fmt: skip
    responses.calls.reset()
    outcome = poll(channel)
    assert outcome.status == "ok"
    assert stored(channel) == ["4/issues/1", "4/issues/2", "4/issues/3"]
    pages = [request_params(c.request).get("page") for c in responses.calls]
    assert pages == [None, "2", "3"]


@responses.activate
def test_a_429_on_the_first_call_backs_off_for_retry_after():
    channel = gitlab_channel()
    responses.get(ISSUES_URL, body="Retry later", status=429, headers={"Retry-After": "42"})
    outcome = poll(channel)
    assert outcome.status != "ok"
    assert channel.next_poll_at is not None
    assert 30 < (channel.next_poll_at - datetime.now(tz=UTC)).total_seconds() <= 45
    assert stored(channel) == []


@responses.activate
def test_a_low_remaining_budget_stops_the_walk_and_waits_for_the_reset():
    channel = gitlab_channel()
    reset = int((datetime.now(tz=UTC) + timedelta(seconds=90)).timestamp())
    limits = {"RateLimit-Remaining": "3", "RateLimit-Reset": str(reset)}
    add_issues([issue(1, at=recent(30), notes=1), issue(2, at=recent(20))], headers=limits)
    outcome = poll(channel)
    # The issues page was read; the walk stopped before spending more: issue 1's notes wait, so does issue 1.
    assert outcome.status == "ok"
    assert len(responses.calls) == 1 and stored(channel) == []
    assert channel.platform_status["rate_limit_remaining"] == 3
    assert channel.platform_status["backlog"] is True
    assert 60 < (channel.next_poll_at - datetime.now(tz=UTC)).total_seconds() <= 95


@responses.activate
def test_confidential_issues_and_internal_notes_are_skipped_unless_configured():
    channel = gitlab_channel()
    add_issues([issue(1, at=recent(30), confidential=True), issue(2, at=recent(20), notes=1)])
    add_notes(2, [note(9, 2, at=recent(19), internal=True, confidential=True)])
    poll(channel)
    assert stored(channel) == ["4/issues/2"]

    included = gitlab_channel(config={**CONFIG, "include_confidential": True})
    poll(included)
    assert stored(included) == ["4/issues/1", "4/issues/2", "4/notes/9"]
    assert "confidential" not in request_params(responses.calls[-3].request)


@responses.activate
def test_keywords_and_labels_choose_the_issues():
    channel = gitlab_channel(config={**CONFIG, "keywords": ["JOB 2"], "labels": ["foo"]})
    add_issues([issue(1, at=recent(30)), issue(2, at=recent(20))], labels="foo")
    poll(channel)
    assert stored(channel) == ["4/issues/2"]


@responses.activate
def test_an_unreadable_issue_is_quarantined_and_the_rest_stored():
    channel = gitlab_channel()
    broken = issue(3, at=recent(10))
    broken["created_at"] = "not a time"
    add_issues([issue(1, at=recent(30)), broken])
    outcome = poll(channel)
    assert outcome.status == "ok"
    assert stored(channel) == ["4/issues/1"]
    letter = DeadLetter.objects.get(channel=channel)
    assert "created_at" in letter.error and json.loads(letter.payload)["iid"] == 3


@responses.activate
def test_a_private_project_without_a_token_says_what_to_do():
    channel = gitlab_channel()
    responses.get(ISSUES_URL, json={"message": "401 Unauthorized"}, status=401)
    poll(channel)
    assert "add an access token" in channel.last_error
