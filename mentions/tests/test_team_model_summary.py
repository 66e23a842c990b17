"""The team model's summary of a long thread (mentions.assistant.summary): written by beat's task in the worker,
shown at the top of the conversation, written again when the thread grows, read with the ticket page's own query.

Shapes: the request and the answer are OpenAI's chat completions (API reference, "Create chat completion"), as
Ollama's OpenAI compatibility (docs/openai.md) and llama.cpp's server serve them; the fake is
mentions/tests/openai_fake.py."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentions.models import Message, TeamModelEndpoint, TeamModelOutput
from mentions.tasks import team_model_summaries
from mentions.tests.factories import MessageFactory, TicketFactory
from mentions.tests.openai_fake import Reply, answer, endpoint_configure, fake_openai

pytestmark = pytest.mark.django_db

SUMMARY = "Asks why the runner cache is lost after upgrading to 17.5.\nWe asked for the runner's config.\nStill open."


@pytest.fixture
def fake():
    with fake_openai() as server:
        yield server


def thread(n: int, *, ticket=None, handle: str = "priya_r"):
    """A thread of `n` public messages, the member and the team in turn, and an internal note."""
    ticket = ticket or TicketFactory(subject="Runner cache lost", requester_handle=handle)
    start = ticket.requested_at
    for i in range(n):
        ours = i % 2 == 1
        MessageFactory(
            ticket=ticket,
            kind=Message.Kind.OUR_REPLY if ours else Message.Kind.INBOUND,
            author_handle="gitlabhq" if ours else handle,
            body=f"{'Our answer' if ours else 'Question'} {i}",
            platform_created_at=start + timedelta(minutes=i),
        )
    MessageFactory(ticket=ticket, kind=Message.Kind.NOTE, body="Internal: VIP customer", platform_created_at=start)
    return ticket


def beat() -> dict:
    return team_model_summaries.apply().get()


def test_a_long_thread_is_summarised_without_names_notes_or_handles(fake):
    fake.replies = [answer(SUMMARY + "\n\n- Fourth.\n- Fifth.\n- Sixth, left out.")]
    endpoint_configure(fake)
    ticket = thread(6)
    assert beat()["summarised"] == 1
    (seen,) = fake.seen
    conversation = seen.body["messages"][1]["content"]
    assert "Member 1:\nQuestion 0" in conversation and "Team:\nOur answer 1" in conversation
    assert "priya_r" not in conversation and "gitlabhq" not in conversation and "VIP" not in conversation
    assert "at most 5 short lines" in seen.body["messages"][0]["content"]
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert output.summary == SUMMARY + "\n- Fourth.\n- Fifth."  # five lines at most, the blank one dropped
    assert (output.summary_model, output.summary_messages) == ("llama3.1:8b", 6)
    assert beat()["summarised"] == 0 and fake.requests == 1  # the same thread is not asked twice


def test_it_is_written_again_when_the_thread_grows(fake):
    fake.replies = [answer("First summary."), answer("Second summary.")]
    endpoint_configure(fake)
    ticket = thread(6)
    beat()
    later = ticket.requested_at + timedelta(hours=1)
    MessageFactory(ticket=ticket, body="One more question", platform_created_at=later)
    assert beat()["summarised"] == 1
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert (output.summary, output.summary_messages, fake.requests) == ("Second summary.", 7, 2)


def test_a_short_thread_an_opted_out_channel_or_summaries_off_send_nothing(fake):
    endpoint_configure(fake)
    thread(5)
    opted_out = thread(8, handle="other")
    TeamModelEndpoint.objects.get().opted_out_channels.add(opted_out.channel)
    assert beat()["summarised"] == 0
    TeamModelEndpoint.objects.update(summaries=False, summaries_after=0)
    thread(9, handle="third")
    assert beat() == {"summarised": 0}
    assert fake.requests == 0 and not TeamModelOutput.objects.exists()


def test_a_failure_keeps_the_old_summary_and_is_tried_again_only_when_the_thread_grows(fake, caplog):
    fake.replies = [answer("Kept summary."), Reply(status=500), answer("Newer summary.")]
    endpoint_configure(fake)
    ticket = thread(6)
    beat()
    MessageFactory(ticket=ticket, body="Still broken", platform_created_at=ticket.requested_at + timedelta(hours=1))
    with caplog.at_level(logging.WARNING, logger="mentions.assistant"):
        assert beat()["summarised"] == 0
    assert "answered 500" in caplog.text and "Still broken" not in caplog.text
    output = TeamModelOutput.objects.get(ticket=ticket)
    assert (output.summary, output.summary_tried) == ("Kept summary.", 7)
    # The failed run left the cursor: the next one finds the ticket again and passes it (tried at this size).
    assert beat()["summarised"] == 0 and fake.requests == 2
    MessageFactory(ticket=ticket, body="Hello?", platform_created_at=ticket.requested_at + timedelta(hours=2))
    assert beat()["summarised"] == 1 and TeamModelOutput.objects.get(ticket=ticket).summary == "Newer summary."


def test_over_the_budget_nothing_is_asked_and_the_thread_waits(fake):
    endpoint_configure(fake, daily_budget=0)
    ticket = thread(6)
    assert beat()["summarised"] == 0 and fake.requests == 0
    assert not TeamModelOutput.objects.filter(ticket=ticket).exists()  # not marked tried: asked once budget allows
    assert TeamModelEndpoint.objects.get().summaries_after == 0


def test_the_summary_stands_at_the_top_of_the_conversation_escaped_and_costs_no_query(advocate_client):
    ticket = thread(6)
    url = ticket.get_absolute_url()
    advocate_client.get(url)
    with CaptureQueriesContext(connection) as without:
        advocate_client.get(url)
    TeamModelOutput.objects.create(
        ticket=ticket, summary="Asks about <script>alert(1)</script>\nStill open.", summary_model="qwen2.5:7b",
        summary_messages=6,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as with_summary:
        page = advocate_client.get(url).content.decode()
    assert len(with_summary.captured_queries) == len(without.captured_queries)
    summary = page.index('data-testid="team-summary"')
    assert summary < page.index('id="conversation"')
    assert "by qwen2.5:7b of the first 6 messages" in page
    assert "Asks about &lt;script&gt;alert(1)&lt;/script&gt;<br>Still open." in page
