"""An expert's answer seen by ingestion closes the loop (without Slack: outreach rows made here)."""

from datetime import timedelta

import pytest

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from experts.models import Expert, ExpertIdentity, Outreach
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ViewFactory

pytestmark = pytest.mark.django_db
T = 1_700_000_000  # a Unix time in the past (2023): the parser refuses times in the future


def parse(*hits):
    return HackerNewsAdapter().parse_payload(search_page(list(hits)))


@pytest.fixture
def setup():
    channel = ChannelFactory(our_accounts=["gitlabhq"])
    expert = Expert.objects.create(name="Vera Verify", slack_handle="U0VERA")
    ExpertIdentity.objects.create(expert=expert, kind="hackernews", handle="Vera_CI")
    mentions_ingest(channel=channel, mentions=parse(story_hit(100, T, title="GitLab CI cache never restores")))
    ticket = Ticket.objects.get()
    return channel, expert, ticket


def _outreach(ticket, expert, sent_at):
    return Outreach.objects.create(
        ticket=ticket,
        expert=expert,
        advocate=AdvocateFactory(),
        status=Outreach.Status.SENT,
        message="Hello!",
        slack_channel="#s_verify",
        sent_at=sent_at,
    )


def test_the_experts_answer_joins_the_ticket_answers_the_outreach_tags_and_solves(setup):
    channel, expert, ticket = setup
    outreach = _outreach(ticket, expert, ticket.requested_at + timedelta(minutes=30))
    result = mentions_ingest(
        channel=channel, mentions=parse(comment_hit(201, T + 7200, author="vera_ci", parent_id=100, story_id=100))
    )
    assert (result.tickets_created, result.our_replies) == (0, 1)
    ticket.refresh_from_db()
    reply = Message.objects.get(external_id="201")
    assert reply.kind == Message.Kind.OUR_REPLY and reply.ticket == ticket
    assert ticket.first_reply_seconds == 7200
    assert ticket.status == Ticket.Status.SOLVED and ticket.solved_at is not None
    assert list(ticket.tags.values_list("name", flat=True)) == ["expert-responded"]
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED
    assert outreach.answer_seconds == 7200 - 1800 and outreach.answer_message == reply
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, data__reason="expert answered").exists()


def test_a_view_can_keep_the_ticket_open_after_the_expert_answers(setup):
    channel, expert, ticket = setup
    view = ViewFactory(solve_on_expert_reply=False)
    view.channels.add(channel)
    _outreach(ticket, expert, ticket.requested_at)
    mentions_ingest(
        channel=channel, mentions=parse(comment_hit(201, T + 60, author="Vera_CI", parent_id=100, story_id=100))
    )
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.SOLVED
    assert Outreach.objects.get().status == Outreach.Status.ANSWERED


def test_an_expert_message_outside_any_ticket_never_opens_one(setup):
    channel, _, _ = setup
    result = mentions_ingest(
        channel=channel, mentions=parse(comment_hit(300, T + 60, author="vera_ci", parent_id=77, story_id=77))
    )
    assert result.tickets_created == 0 and Ticket.objects.count() == 1
    assert Message.objects.get(external_id="300").kind == Message.Kind.OUR_REPLY


def test_an_unasked_experts_reply_is_our_reply_and_tagged_but_not_solved(setup):
    channel, _, ticket = setup
    mentions_ingest(
        channel=channel, mentions=parse(comment_hit(201, T + 60, author="vera_ci", parent_id=100, story_id=100))
    )
    ticket.refresh_from_db()
    assert ticket.first_reply_seconds == 60 and ticket.status != Ticket.Status.SOLVED
    assert list(ticket.tags.values_list("name", flat=True)) == ["expert-responded"]


def test_an_inactive_experts_identity_is_just_a_person(setup):
    channel, expert, _ = setup
    Expert.objects.filter(pk=expert.pk).update(active=False)
    result = mentions_ingest(
        channel=channel, mentions=parse(comment_hit(300, T + 60, author="vera_ci", parent_id=77, story_id=77))
    )
    assert result.tickets_created == 1
