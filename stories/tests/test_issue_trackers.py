"""Jira Cloud and Linear as trackers the desk follows issues to their end on, through the desk's own paths, at the
HTTP boundary (`responses`): an issue filed from a ticket (stories.issues.linking.issue_file) as the channel's
connected account, one linked by its address, followed by `issues_follow` until it is done (one drafted follow-up
per ticket; a second run drafts nothing more), one closed as "won't do" / canceled told to nobody, and a rate limit
or a refused token said in words that never carry the token. Here, not in the platforms' folders, because channels
never imports stories (the import contract); the platforms' own tests are channels/adapters/{jira,linear}/tests.

Shapes: the platforms' documented examples (channels/adapters/jira/tests/fixtures and
channels/adapters/linear/tests/fixtures, each with its SOURCES.md)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import responses
from django.core.exceptions import ValidationError
from django.utils import timezone

from channels.adapters.jira.tests import shapes as jira
from channels.adapters.linear.tests import shapes as linear
from mentions.models import IssueLink, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory
from stories.issues.follow import issues_follow
from stories.issues.linking import issue_file, issue_link_url
from stories.models import IssueFollowUp

pytestmark = pytest.mark.django_db


def tickets(count: int = 2):
    return [MessageFactory(body=f"The runner cache is gone <b>{n}</b> @someone").ticket for n in range(count)]


def basic(email: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()


def follow_to_done(read: dict, done: object, link: IssueLink, count: int) -> None:
    """Open at the first run, `done` at the next, and nothing more after it, however often the beat runs."""
    now = timezone.now()
    assert issues_follow(now=now) == {"read": 1, "failed": 0, "drafted": 0}
    assert issues_follow(now=now + timedelta(minutes=5)) == {"read": 0, "failed": 0, "drafted": 0}  # not due yet
    read["answer"] = done
    assert issues_follow(now=now + timedelta(minutes=16)) == {"read": 1, "failed": 0, "drafted": count}
    assert issues_follow(now=now + timedelta(minutes=40)) == {"read": 0, "failed": 0, "drafted": 0}
    link.refresh_from_db()
    assert link.state == IssueLink.State.CLOSED
    assert IssueFollowUp.objects.filter(issue=link, event=IssueFollowUp.Event.CLOSED).count() == count


@responses.activate
def test_jira_an_issue_filed_from_tickets_is_followed_until_done():
    channel = jira.tracker()
    filed: list = []

    def create(request):
        filed.append((request.headers["Authorization"], json.loads(request.body)))
        return 201, {}, json.dumps(jira.load("issue_created.json"))

    responses.add_callback(responses.POST, jira.CREATE_URL, callback=create, content_type="application/json")
    read = {"answer": jira.load("issue_open.json")}
    seen: list[str] = []

    def get(request):
        seen.append(request.headers["Authorization"])
        return 200, {}, json.dumps(read["answer"])

    responses.add_callback(responses.GET, jira.ISSUE_URL, callback=get, content_type="application/json")
    reported = tickets(2)

    link = issue_file(tickets=reported, user=AdvocateFactory(), where=f"{channel.pk}:DESK", expert="Ana <i>x</i>")

    ((authorization, body),) = filed
    assert authorization == basic("desk@example.com", jira.FILE_TOKEN)  # as the connected account
    fields = body["fields"]
    assert fields["project"] == {"key": "DESK"} and fields["issuetype"] == {"name": "Bug"}
    assert fields["description"]["type"] == "doc"
    quotes = [b for b in fields["description"]["content"] if b["type"] == "blockquote"]
    words = json.dumps(quotes)
    assert len(quotes) == 2 and "<b>0</b>" in words and "&lt;" not in words  # text nodes: words, not markup
    assert (link.kind, link.project, link.number, link.url, link.filed) == ("jira", "DESK", 24, jira.BROWSE_URL, True)
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ISSUE, data__action="filed").count() == 2

    follow_to_done(read, jira.load("issue_done.json"), link, 2)
    assert set(seen) == {basic("reader@example.com", jira.READ_TOKEN)}  # read with the channel's own credentials
    link.refresh_from_db()
    assert link.milestone == "2.4.0"


@responses.activate
def test_jira_an_issue_linked_by_its_address_and_closed_as_wont_do_tells_nobody():
    jira.tracker()
    responses.get(jira.ISSUE_URL, json=jira.load("issue_wont_do.json"))

    link = issue_link_url(tickets=tickets(1), user=AdvocateFactory(), url=f"{jira.BROWSE_URL}?focusedCommentId=9")

    assert (link.kind, link.project, link.number, link.filed) == ("jira", "DESK", 24, False)
    assert issues_follow() == {"read": 1, "failed": 0, "drafted": 0}
    link.refresh_from_db()
    assert link.state == IssueLink.State.CLOSED and not IssueFollowUp.objects.exists()
    with pytest.raises(ValidationError, match="not the address of an issue"):
        issue_link_url(tickets=tickets(1), user=AdvocateFactory(), url="https://other.atlassian.net/browse/DESK-1")


@responses.activate
def test_jira_a_rate_limit_and_refused_tokens_are_said_without_the_token():
    channel = jira.tracker()
    link = issue_link_url(tickets=tickets(1), user=AdvocateFactory(), url=jira.BROWSE_URL)
    responses.get(jira.ISSUE_URL, status=429, headers={"Retry-After": "30"}, json={})

    assert issues_follow() == {"read": 0, "failed": 1, "drafted": 0}
    link.refresh_from_db()
    assert link.check_error.startswith("Rate limited") and jira.READ_TOKEN not in link.check_error

    responses.replace(responses.GET, jira.ISSUE_URL, status=401, json={"errorMessages": [jira.READ_TOKEN]})
    assert issues_follow(now=timezone.now() + timedelta(minutes=20))["failed"] == 1
    link.refresh_from_db()
    assert "Jira refused the e-mail and API token" in link.check_error and jira.READ_TOKEN not in link.check_error

    responses.post(jira.CREATE_URL, status=401, json={"errorMessages": [jira.FILE_TOKEN]})
    with pytest.raises(ValidationError) as refused:
        issue_file(tickets=tickets(1), user=AdvocateFactory(), where=f"{channel.pk}:DESK")
    assert "needs reconnecting" in str(refused.value) and jira.FILE_TOKEN not in str(refused.value)

    responses.replace(
        responses.POST, jira.CREATE_URL, status=400, json={"errors": {"issuetype": "Specify a valid issue type"}}
    )
    channel.accounts.update(status="connected")
    with pytest.raises(ValidationError, match=r"Jira refused the issue.*Specify a valid issue type"):
        issue_file(tickets=tickets(1), user=AdvocateFactory(), where=f"{channel.pk}:DESK")


def linear_api(read: dict, calls: list) -> None:
    """Linear's one address, answering each of the desk's operations from the fixtures."""

    def answer(request):
        name = linear.operation(request.body)
        calls.append((name, request.headers["Authorization"], json.loads(request.body)["variables"]))
        found = {"Team": "teams.json", "IssueCreate": "issue_created.json"}.get(name)
        return 200, {}, json.dumps(linear.load(found) if found else read["answer"])

    responses.add_callback(responses.POST, linear.URL, callback=answer, content_type="application/json")


@responses.activate
def test_linear_an_issue_filed_from_tickets_is_followed_until_completed():
    channel = linear.tracker()
    read = {"answer": linear.load("issue_started.json")}
    calls: list = []
    linear_api(read, calls)
    reported = tickets(2)

    link = issue_file(tickets=reported, user=AdvocateFactory(), where=f"{channel.pk}:ENG")

    (team, create) = calls
    assert team[0] == "Team" and team[2] == {"key": "ENG"}
    assert create[0] == "IssueCreate" and create[1] == f"Bearer {linear.FILE_TOKEN}"  # the account's OAuth token
    made = create[2]["input"]
    assert made["teamId"] == "9cfb482a-81e3-4154-b5b9-2c805e70a02d" and "> The runner cache" in made["description"]
    assert (link.kind, link.project, link.number, link.url) == ("linear", "ENG", 123, linear.ISSUE_PAGE)

    issue_file(tickets=tickets(1), user=AdvocateFactory(), where=f"{channel.pk}:ENG")
    assert [c[0] for c in calls[2:]] == ["IssueCreate"]  # the team's id was looked up once

    follow_to_done(read, linear.load("issue_completed.json"), link, 3)
    reads = [c for c in calls if c[0] == "Issue"]
    assert {c[1] for c in reads} == {linear.READ_KEY} and reads[0][2] == {"id": "ENG-123"}
    link.refresh_from_db()
    assert link.milestone == "Beta"


@responses.activate
def test_linear_an_issue_linked_by_its_address_and_canceled_tells_nobody():
    linear.tracker()
    calls: list = []
    linear_api({"answer": linear.load("issue_canceled.json")}, calls)

    link = issue_link_url(tickets=tickets(1), user=AdvocateFactory(), url=linear.ISSUE_PAGE)

    assert (link.kind, link.project, link.number, link.filed) == ("linear", "ENG", 123, False)
    assert issues_follow() == {"read": 1, "failed": 0, "drafted": 0}
    link.refresh_from_db()
    assert link.state == IssueLink.State.CLOSED and not IssueFollowUp.objects.exists()


@responses.activate
def test_linear_a_rate_limit_and_a_refused_key_are_said_without_the_key():
    channel = linear.tracker()
    link = issue_link_url(tickets=tickets(1), user=AdvocateFactory(), url=linear.ISSUE_PAGE)
    limited = json.dumps(linear.load("ratelimited.json")).replace("Too many", f"Too many ({linear.READ_KEY})")
    responses.post(linear.URL, status=400, body=limited, content_type="application/json")

    assert issues_follow() == {"read": 0, "failed": 1, "drafted": 0}
    link.refresh_from_db()
    assert "rate limit is used up" in link.check_error and linear.READ_KEY not in link.check_error

    refused = json.dumps(linear.load("authentication_error.json"))
    responses.replace(responses.POST, linear.URL, status=400, body=refused, content_type="application/json")
    assert issues_follow(now=timezone.now() + timedelta(minutes=20))["failed"] == 1
    link.refresh_from_db()
    assert "Linear refused the key" in link.check_error and linear.READ_KEY not in link.check_error

    with pytest.raises(ValidationError) as said:
        issue_file(tickets=tickets(1), user=AdvocateFactory(), where=f"{channel.pk}:ENG")
    assert "Linear" in str(said.value) and linear.FILE_TOKEN not in str(said.value)


@responses.activate
def test_a_poll_of_a_tracker_only_channel_reads_nothing_and_keeps_it_healthy():
    from channels.models import Channel
    from channels.tests.harness import ingested, poll

    for channel in (jira.tracker(), linear.tracker()):
        channel.cursor = {"kept": 1}
        channel.save()
        outcome = poll(channel)

        assert ingested(outcome).created == 0 and not responses.calls  # no request: nothing is polled there
        assert channel.health == Channel.Health.OK and channel.cursor == {"kept": 1}
