"""Answered by the community, end to end: a watched thread's read brings an answer by someone outside the team that
the asker accepted; the ticket offers "Close: answered by the community" with the answer linked, one click solves
it, the KPI counts it apart from the tickets solved without a reply, the helper's person gets a forum-answer
contribution (once), and the API's ticket detail names the answer. The ticket page asks no more queries for it.

Shapes: Stack Overflow's answers are the recorded response
channels/adapters/stackexchange/tests/fixtures/questions_ids_answers.json (raysrashmi/ruby-stackoverflow, listed in
its SOURCES.md), whose answer 19401432 is `is_accepted: true`; the question is the adapter tests' hand-made one
(from the recorded questions_by_ids.json). Discourse's topic is the recorded
channels/adapters/discourse/tests/fixtures/topic_2144_posts_page1_real.json (a production forum that runs the
discourse-solved plugin: every post carries `accepted_answer`, all false there) with one post's `accepted_answer`
set true, as the plugin's PostSerializer gives it (discourse/discourse-solved plugin.rb: `attributes
:can_accept_answer, :can_unaccept_answer, :accepted_answer`); no recorded response with a solved post was found
(its SOURCES.md says so). Placed here because it drives intake, mentions, people, metrics and api together."""

from __future__ import annotations

import copy
import re
import time
from datetime import datetime, timedelta

import pytest
import responses
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.tokens import token_create
from channels.adapters.discourse.tests import test_discourse_adapter as discourse
from channels.adapters.discourse.tests.test_discourse_poll import latest_cursor
from channels.adapters.stackexchange.client import API_ROOT as SE_API
from channels.adapters.stackexchange.tests import test_stackexchange_adapter as se
from channels.models import Channel
from intake.services.polling import channel_poll
from intake.services.watching import threads_watch_due
from mentions.models import CommunityAnswer, Message, ThreadWatch, Ticket, TicketEvent
from mentions.services.watching import thread_watch_start
from mentions.tests.factories import ManagerFactory
from metrics.first_reply import first_reply_stats
from people.models import Contribution

pytestmark = pytest.mark.django_db

QUESTION = 19401289
ACCEPTED, NOT_ACCEPTED, ELSEWHERE = "a19401432", "a19405900", "a16176338"


def _poll(channel: Channel) -> Ticket:
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    assert channel_poll(channel_id=channel.pk).status == "ok"
    return Ticket.objects.get(channel=channel)


def _watch(ticket: Ticket) -> ThreadWatch:
    until = timezone.now() + timedelta(days=1)
    watch = thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.AFTER_REPLY, until=until)
    assert watch is not None
    return watch


def _stackoverflow_ticket() -> Ticket:
    """A question polled (asked by user 2327697), then its thread as recorded: three answers, one accepted."""
    channel = se.stackexchange_channel()
    se.add_questions([se.question(QUESTION, int(time.time()) - 3600)])
    se.add_answers([])
    se.add_comments([])
    ticket = _poll(channel)
    responses.get(f"{SE_API}/questions/{QUESTION}/answers", json=se.load("questions_ids_answers.json"))
    return ticket


def _kpi() -> tuple[int, int]:
    """The KPI's (answered by the community, solved without a reply) of the last two days, all channels."""
    today = timezone.now().date()
    stats = first_reply_stats(start=today - timedelta(days=1), end=today)["all"]
    assert stats.as_json()["answered_by_community"] == stats.answered_by_community
    return stats.answered_by_community, stats.solved_without_reply


def _api(user) -> Client:
    secret = token_create(user=user, name="community", scope="write", days=1)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _page_queries(client: Client, ticket: Ticket) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(ticket.get_absolute_url()).content.decode()
    return len(queries), html


@responses.activate
def test_an_accepted_stack_overflow_answer_offers_the_close_credits_the_helper_and_counts_apart(advocate_client):
    ticket = _stackoverflow_ticket()
    api = _api(ManagerFactory())
    detail = reverse("api:ticket", args=[ticket.pk])
    assert api.get(detail).json()["answered_by_community"] is None
    advocate_client.get(ticket.get_absolute_url())  # the session's and caches' first writes, out of the count
    queries_before, html = _page_queries(advocate_client, ticket)
    assert 'data-testid="community-close"' not in html

    watch = _watch(ticket)
    counts = threads_watch_due(now=watch.next_check_at)

    assert counts["stored"] == 1 and counts["failed"] == 0
    answer = Message.objects.get(channel=ticket.channel, external_id=ACCEPTED)
    assert answer.ticket_id == ticket.pk and answer.accepted_at is not None
    assert answer.permalink == "https://stackoverflow.com/a/19401432"
    # Neither the answer nobody accepted nor the other question's answer is the ticket's.
    assert not Message.objects.filter(channel=ticket.channel, external_id__in=[NOT_ACCEPTED, ELSEWHERE]).exists()
    marked = CommunityAnswer.objects.get(ticket=ticket)
    assert marked.message_id == answer.pk and marked.closed_at is None
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.COMMUNITY_ANSWERED)
    assert event.data == {"message_id": answer.pk, "link": answer.permalink}

    # The helper (Jakub Oboza, user 831197 in the recording) gets a forum-answer contribution, linked to it.
    credited = Contribution.objects.get(kind=Contribution.Kind.FORUM_ANSWER)
    assert credited.link == answer.permalink and credited.date == answer.platform_created_at.date()
    assert credited.person.identities.filter(key="831197").exists()
    assert credited.person.events.filter(kind="contribution").count() == 1
    # ...and the contributor journey's "answered others" activity, once, linked to it (issue 46).
    answered = credited.person.activities.filter(kind="answered")
    assert list(answered.values_list("link", flat=True)) == [answer.permalink]

    # The page offers the close with the answer linked, for no query more than before.
    queries_after, html = _page_queries(advocate_client, ticket)
    assert queries_after == queries_before
    assert 'data-testid="community-close"' in html
    assert 'href="https://stackoverflow.com/a/19401432"' in html and "Jakub Oboza" in html
    said = api.get(detail).json()["answered_by_community"]
    assert {k: said[k] for k in ("message_id", "link")} == {"message_id": answer.pk, "link": answer.permalink}
    assert datetime.fromisoformat(said["at"].replace("Z", "+00:00")) == marked.created_at

    # Read again: nothing new, still one mark, one event, one contribution.
    assert threads_watch_due(now=watch.next_check_at + timedelta(days=1))["stored"] == 0
    assert CommunityAnswer.objects.count() == 1 and Contribution.objects.count() == 1
    assert answered.count() == 1
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.COMMUNITY_ANSWERED).count() == 1

    assert _kpi() == (0, 0)
    seen = re.search(r'community-close".*?name="seen" value="(\d+)"', html, re.S)
    assert seen
    url = reverse("mentions:ticket-community-close", args=[ticket.pk])
    response = advocate_client.post(url, {"seen": seen.group(1)})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.first_reply_at is None
    status = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS).latest("pk")
    assert {k: status.data[k] for k in ("to", "reason", "link")} == {
        "to": "solved",
        "reason": "answered by the community",
        "link": answer.permalink,
    }
    assert CommunityAnswer.objects.get(ticket=ticket).closed_at is not None
    assert _kpi() == (1, 0)
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="community-close"' not in html and "Closed: answered by the community" in html
    # Asked again (a second tab): refused, nothing changes.
    again = advocate_client.post(url, {"seen": seen.group(1)})
    assert again.status_code in (303, 409)
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS).count() == 1


def _discourse_topic(accepted_post: int) -> Ticket:
    """Post 20104 (anonymous45 asking) polled, then its topic as recorded with `accepted_post` marked solved."""
    topic = discourse.load("topic_2144_posts_page1_real.json")
    asked = next(p for p in topic["post_stream"]["posts"] if p["id"] == 20104)
    channel = discourse.discourse_channel(
        config={**discourse.CONFIG, "staff_are_ours": False}, cursor=latest_cursor(20103)
    )
    discourse.add_latest([copy.deepcopy(asked)])
    ticket = _poll(channel)
    for post in topic["post_stream"]["posts"]:
        post["accepted_answer"] = post["id"] == accepted_post
    responses.get(discourse.BASE + "/t/2144.json", json=topic)
    return ticket


@responses.activate
def test_a_solved_discourse_post_by_another_member_marks_the_ticket_and_credits_them():
    ticket = _discourse_topic(accepted_post=20110)
    assert ticket.requester_handle == "anonymous45"

    watch = _watch(ticket)
    assert threads_watch_due(now=watch.next_check_at)["stored"] == 1

    answer = Message.objects.get(channel=ticket.channel, external_id="20110")
    assert answer.author_handle == "Apricus" and answer.ticket_id == ticket.pk
    assert CommunityAnswer.objects.get(ticket=ticket).message_id == answer.pk
    credited = Contribution.objects.get(kind=Contribution.Kind.FORUM_ANSWER)
    assert credited.link == discourse.BASE + "/t/kpop-demon-hunters/2144/4"
    assert credited.person.identities.filter(handle="Apricus").exists()


@responses.activate
def test_the_asker_accepting_their_own_post_is_no_answer_by_the_community():
    ticket = _discourse_topic(accepted_post=20104)

    watch = _watch(ticket)
    threads_watch_due(now=watch.next_check_at)

    # Their post is stored as accepted, but nothing is offered and nobody credited.
    assert Message.objects.get(channel=ticket.channel, external_id="20104").accepted_at is not None
    assert not CommunityAnswer.objects.exists() and not Contribution.objects.exists()
