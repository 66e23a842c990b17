"""The team model's drafts are queued for judged tickets still waiting, never for solved ones: judging an imported
history (or the demo's month) in bulk queued a draft task for each of its solved tickets, ahead of the live ones'.
The endpoint is the fake OpenAI-compatible server of mentions/tests/openai_fake.py (its documented chat shape); the
queue is read where the desk hands a task to the broker (advocacy.enqueue), which no test here reaches."""

from __future__ import annotations

import pytest

from mentions.judgement import run
from mentions.models import Ticket
from mentions.tests.factories import TicketFactory
from mentions.tests.openai_fake import endpoint_configure, fake_openai

pytestmark = pytest.mark.django_db


def test_a_draft_is_queued_for_the_waiting_ticket_and_not_for_the_solved_one(monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr(run, "task_enqueue_on_commit", lambda name, *args, **kw: queued.append((name, *args)))
    waiting = TicketFactory(status=Ticket.Status.NEW)
    solved = TicketFactory(status=Ticket.Status.SOLVED)
    with fake_openai() as server:
        endpoint_configure(server, drafts=True)
        run.drafts_enqueue([solved.pk, waiting.pk])

    assert queued == [("answers.team_model_draft", waiting.pk)]


def test_no_draft_is_queued_while_drafts_are_off(monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr(run, "task_enqueue_on_commit", lambda name, *args, **kw: queued.append((name, *args)))
    with fake_openai() as server:
        endpoint_configure(server, drafts=False)
        run.drafts_enqueue([TicketFactory(status=Ticket.Status.NEW).pk])

    assert queued == []
