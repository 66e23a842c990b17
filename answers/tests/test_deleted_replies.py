"""A reply we deleted from the platform is never offered again as an earlier answer (issue 55: a Discord reply
deleted there came back in the Answers panel with Insert reply and its dead link): left out of the suggestions and
refused by Insert from the moment the desk knows, and gone from the index (or built again from the replies left)
at the index's next run, with the stems' counts.

Everything goes through the real ingest: the member's question and our reply as the platform shows them, then our
reply seen deleted on a later poll (the path a platform's deletion takes, `IncomingMention.deleted`). Shapes: the
IncomingMentions as the Hacker News parser makes them (channels/adapters/hackernews), our reply marked `by_us`
as the parsers mark the team's own account."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from answers.models import Answer, Term
from answers.services import answer_use
from answers.suggestions.ranking import ticket_suggestions
from answers.tasks import index as answers_index_task
from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEAD = "https://news.ycombinator.com/item?id=9002"


def item(n: int, text: str, *, handle: str = "vera_k", parent: str = "", ours: bool = False) -> IncomingMention:
    return IncomingMention(
        external_id=str(9000 + n),
        created_at=T0 + timedelta(minutes=n),
        text=text,
        author_handle="gitlabhq" if ours else handle,
        author_url=f"https://news.ycombinator.com/user?id={handle}",
        parent_id=parent,
        permalink=f"https://news.ycombinator.com/item?id={9000 + n}",
        by_us=ours,
    )


QUESTION = item(1, "Our pipeline cache is never restored between jobs, the cache key changes every run")
REPLY = item(2, "Key the cache on your lock file: https://docs.example.com/ci/caching", parent="9001", ours=True)


def asked(channel) -> Ticket:
    mentions_ingest(
        channel=channel,
        mentions=[item(10, "Why is my pipeline cache never restored? The cache key changes", handle="dana_m")],
    )
    return Ticket.objects.get(requester_handle="dana_m")


def offered(ticket: Ticket) -> list[tuple[int, str]]:
    return [(s.ticket_id, s.answer.reply) for s in ticket_suggestions(ticket)]


def test_a_reply_deleted_on_the_platform_is_never_offered_again_and_leaves_the_index():
    channel = ChannelFactory()
    mentions_ingest(channel=channel, mentions=[QUESTION, REPLY])
    theirs = Ticket.objects.get(requester_handle="vera_k")
    assert Message.objects.get(ticket=theirs, kind=Message.Kind.OUR_REPLY).permalink == DEAD
    answers_index_task.apply().get()
    question = asked(channel)
    assert offered(question) == [(theirs.pk, REPLY.text)]
    caching = Term.objects.get(term="lock").df

    # A later poll sees our reply gone from the platform.
    mentions_ingest(channel=channel, mentions=[replace(REPLY, deleted=True)])
    assert Message.objects.get(ticket=theirs, kind=Message.Kind.OUR_REPLY).deleted_at is not None
    # Before the index runs again: not offered, and Insert refuses it.
    assert offered(question) == []
    with pytest.raises(Answer.DoesNotExist):
        answer_use(ticket=question, source_id=theirs.pk, user=AdvocateFactory())
    # The index's next run drops it, with its stems' counts; a full re-index does not bring it back.
    answers_index_task.apply().get()
    assert not Answer.objects.filter(pk=theirs.pk).exists()
    assert Term.objects.get(term="lock").df == caching - 1
    from answers.index.follow import answers_index

    assert answers_index(everything=True) == 0
    assert offered(question) == []


def test_a_later_reply_of_ours_is_offered_once_the_first_was_deleted():
    channel = ChannelFactory()
    later = item(3, "Or pin cache:key:files to package-lock.json: https://docs.example.com/ci/caching#files",
                 parent="9001", ours=True)  # fmt: skip
    mentions_ingest(channel=channel, mentions=[QUESTION, REPLY, later])
    theirs = Ticket.objects.get(requester_handle="vera_k")
    answers_index_task.apply().get()
    question = asked(channel)
    assert offered(question) == [(theirs.pk, REPLY.text)]
    mentions_ingest(channel=channel, mentions=[replace(REPLY, deleted=True)])
    assert offered(question) == []
    answers_index_task.apply().get()
    answer = Answer.objects.get(pk=theirs.pk)
    assert (answer.reply, answer.reply_permalink) == (later.text, later.permalink)
    assert offered(question) == [(theirs.pk, later.text)]
    # Used now, it records the use as before.
    assert answer_use(ticket=question, source_id=theirs.pk, user=AdvocateFactory()) == later.text
