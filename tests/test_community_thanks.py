"""Answered by the community where nobody accepts answers: the asker's reply that thanks someone outside the team
marks the answer it thanks (intake.pipeline.thanked), the ticket page offers the close, the helper is credited; a
thanks for our own reply, or one that says it did not help, marks nothing.

Shapes: Reddit's listings are the adapter tests' builders on the recorded comment and post of
channels/adapters/reddit/tests/fixtures (SOURCES.md); GitHub's issues and comments are the recorded issue #3042 and
comment of channels/adapters/github/tests/fixtures (SOURCES.md, built on in shapes.py). Only HTTP is faked."""

from __future__ import annotations

import time

import pytest
import responses
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from channels.adapters.github.tests.shapes import (
    COMMENTS_URL,
    ISSUES_URL,
    add_graphql,
    add_list,
    comment,
    discussions_answer,
    github_channel,
    issue,
)
from channels.adapters.github.tests.test_github_poll import ago
from channels.adapters.reddit.tests.test_reddit_adapter import comment as reddit_comment
from channels.adapters.reddit.tests.test_reddit_adapter import mock_token, page, post, reddit_channel
from channels.tests.harness import poll
from intake.thanks import reads_as_thanks
from mentions.models import CommunityAnswer, Ticket, TicketEvent
from mentions.tests.factories import ManagerFactory
from people.models import Contribution

pytestmark = pytest.mark.django_db


def _reddit(comments: list[dict], *, our_accounts: tuple[str, ...] = ()) -> Ticket:
    """Bob's post polled, then its comments."""
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], our_accounts=list(our_accounts))
    mock_token()
    page("/r/gitlab/new", [post("p1", now - 3600, author="bob")])
    page("/r/gitlab/comments", [])
    poll(channel)
    responses.reset()
    mock_token()
    page("/r/gitlab/new", [post("p1", now - 3600, author="bob")])
    page("/r/gitlab/comments", comments)
    assert poll(channel).status == "ok"
    return Ticket.objects.get(channel=channel)


@responses.activate
def test_the_askers_thanks_on_reddit_marks_the_answer_it_replies_to_and_credits_its_author():
    now = int(time.time())
    ticket = _reddit(
        [
            reddit_comment("c3", now - 60, post="p1", parent="t1_c2", author="bob", body="thanks, that fixed it!"),
            reddit_comment("c2", now - 600, post="p1", author="alice", body="Clear the runner cache and retry."),
            reddit_comment("c1", now - 900, post="p1", author="carol", body="Same problem here."),
        ]
    )

    answer = CommunityAnswer.objects.get(ticket=ticket)
    assert answer.message.external_id == "t1_c2"
    event = ticket.events.get(kind=TicketEvent.Kind.COMMUNITY_ANSWERED)
    assert event.data["thanks_message_id"] == ticket.messages.get(external_id="t1_c3").pk
    assert (
        Contribution.objects.filter(kind=Contribution.Kind.FORUM_ANSWER, person__identities__key="alice").count() == 1
    )

    client = Client()
    client.force_login(ManagerFactory())
    shown = client.get(reverse("mentions:ticket", args=[ticket.pk])).content.decode()
    assert "The asker thanked alice for an answer" in shown
    assert "Close: answered by the community" in shown


@responses.activate
def test_a_thanks_for_our_own_reply_or_one_that_did_not_help_marks_nothing():
    now = int(time.time())
    ours = _reddit(
        [
            reddit_comment("c2", now - 60, post="p1", parent="t1_c1", author="bob", body="Thank you so much!"),
            reddit_comment("c1", now - 600, post="p1", author="gitlab_team", body="Try 17.2, it fixes that."),
        ],
        our_accounts=("gitlab_team",),
    )
    not_helped = _reddit(
        [
            reddit_comment(
                "c2", now - 60, post="p1", parent="t1_c1", author="bob", body="thanks but I still get the 502"
            ),
            reddit_comment("c1", now - 600, post="p1", author="alice", body="Restart the pod."),
        ]
    )
    by_someone_else = _reddit(
        [
            reddit_comment("c2", now - 60, post="p1", parent="t1_c1", author="carol", body="thanks, worked for me too"),
            reddit_comment("c1", now - 600, post="p1", author="alice", body="Restart the pod."),
        ]
    )

    assert not CommunityAnswer.objects.filter(ticket__in=[ours, not_helped, by_someone_else]).exists()


@responses.activate
def test_on_githubs_flat_comments_the_thanks_credits_the_outsider_who_answered_last_not_our_reply():
    opened = ago(120)
    add_list(
        ISSUES_URL,
        [issue(3, at=ago(10), created=opened, login="asker"), issue(4, at=ago(10), created=opened, login="asker")],
    )
    add_list(
        COMMENTS_URL,
        [
            comment(11, 3, at=ago(60), login="helper", body="Pin the provider to 5.2, 5.3 broke it."),
            comment(12, 3, at=ago(30), login="asker", body="That did the trick 🙏"),
            comment(21, 4, at=ago(70), login="helper", body="Maybe the provider version?"),
            comment(22, 4, at=ago(60), login="desk-bot", body="It is fixed in 5.3.1, please upgrade."),
            comment(23, 4, at=ago(30), login="asker", body="Upgraded, works now. Thanks!"),
        ],
    )
    add_graphql(discussions_answer([], end=None))
    channel = github_channel()
    assert poll(channel).status == "ok"

    answers = {
        a.ticket.messages.order_by("platform_created_at")[0].external_id: a.message.external_id
        for a in CommunityAnswer.objects.filter(ticket__channel=channel)
    }
    assert answers == {"I_kwTEST3": "IC_kwTEST11"}


def test_thanks_are_read_from_the_askers_own_words():
    assert reads_as_thanks("> try clearing the cache\n\nthat did the trick, cheers")
    assert reads_as_thanks("Danke, hat geklappt!")
    assert not reads_as_thanks("Thanks in advance!")
    assert not reads_as_thanks("> thanks, that fixed it\n\nit did not fix it for me")
    assert not reads_as_thanks("Thanks to the maintainers for the release")
    assert not reads_as_thanks("```\nthanks\n```\nstill failing")


def test_the_evaluation_reports_the_held_out_set_first(capsys):
    call_command("thanks_evaluate")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("held-out (")
    assert lines[-1].startswith("development (")
