"""Meaning vectors of tickets (mentions.meaning): computed once from the first mention, stored, read back; a
vector made by another model is made again rather than compared with this one's."""

from __future__ import annotations

import numpy as np
import pytest

from advocacy import embeddings
from mentions.meaning import first_texts, ticket_vectors
from mentions.models import Message, TicketMeaning
from mentions.tests.factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _ticket(subject: str, body: str, follow_up: str = ""):
    ticket = TicketFactory(subject=subject)
    MessageFactory(ticket=ticket, body=body)
    if follow_up:
        MessageFactory(ticket=ticket, body=follow_up, platform_created_at=ticket.requested_at.replace(year=2030))
    MessageFactory(ticket=ticket, body="Our answer", kind=Message.Kind.OUR_REPLY)
    return ticket


def test_the_text_is_the_subject_and_the_first_inbound_mention_only():
    ticket = _ticket("Runner offline", "my runner shows offline since the upgrade", follow_up="still broken")
    assert first_texts([ticket.pk]) == {ticket.pk: "Runner offline\nmy runner shows offline since the upgrade"}


def test_vectors_are_stored_once_and_read_back(django_assert_num_queries):
    down = _ticket("", "is it down for everyone?")
    outage = _ticket("", "every page answers 502 and jobs never start")
    release = _ticket("", "version 18.6 is out with quicker merge pipelines")
    ids = [down.pk, outage.pk, release.pk]
    first = ticket_vectors(ids)
    assert TicketMeaning.objects.count() == 3
    assert first[outage.pk] @ first[down.pk] > first[outage.pk] @ first[release.pk]
    with django_assert_num_queries(1):
        again = ticket_vectors(ids)
    assert all(float(first[i] @ again[i]) > 0.999 for i in ids)


def test_a_vector_from_another_model_is_made_again():
    ticket = _ticket("", "deploys stuck in pending")
    TicketMeaning.objects.create(ticket=ticket, model="some-older-model", vector=np.ones(8, np.float16).tobytes())
    vector = ticket_vectors([ticket.pk])[ticket.pk]
    stored = TicketMeaning.objects.get(ticket=ticket)
    assert stored.model == embeddings.LOCAL_MODEL
    assert vector.shape == (384,)
