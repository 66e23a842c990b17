"""Erasing a person reaches the suggestions' index (answers.privacy.answers_erase, through people.person_erase):
the answer on their ticket keeps our reply without their strings, a title and question that were theirs are
emptied, the stems and their counts follow, and the words their question gave an answer used for them go.
Tickets and messages are stored as the ingest stores them (mentions and people factories)."""

from __future__ import annotations

import pytest

from answers.index.follow import answer_words, answers_index
from answers.models import Answer, Term
from answers.services import answer_use
from answers.suggestions.ranking import text_suggestions
from mentions.models import Message, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory
from people.privacy import person_erase
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db
NAME, HANDLE = "Zyxwvut Qoppa", "zyx_qoppa_42"


def _answered_by_us(ticket, body: str) -> None:
    ticket.first_reply_at = ticket.requested_at
    ticket.status = "solved"
    ticket.save()
    MessageFactory(ticket=ticket, kind=Message.Kind.OUR_REPLY, body=body, platform_created_at=ticket.requested_at)


def test_their_answer_keeps_our_reply_and_loses_their_words_and_counts():
    identity = IdentityFactory(handle=HANDLE, key=HANDLE, person=PersonFactory(name=NAME))
    theirs = ticket_from(identity, subject="Zyxwvut asks: runner cache broken", body=f"I am {NAME}, cache broken")
    _answered_by_us(theirs, f"Hi {NAME}, clear the runner cache: https://docs.example.com/runner/cache")
    other = ticket_from(IdentityFactory(), subject="Artifacts expire", body="artifacts vanish after a day")
    _answered_by_us(other, "Set expire_in: https://docs.example.com/ci/artifacts")
    answers_index()
    # An advocate used the other answer on their ticket: their question's words joined its other wordings.
    answer_use(ticket=theirs, source_id=other.pk, user=AdvocateFactory())
    assert "zyxwvut" in Answer.objects.get(pk=other.pk).asked_terms.split()
    assert set(Term.objects.filter(term__in=["zyxwvut", "qoppa"]).values_list("term", "df")) == {
        ("zyxwvut", 2),
        ("qoppa", 2),
    }

    erasure = person_erase(person=identity.person, actor=ManagerFactory(), via="api")

    answer = Answer.objects.get(pk=theirs.pk)
    assert (answer.title, answer.question) == ("[erased]", "[erased]")
    assert answer.reply == "Hi [erased], clear the runner cache: https://docs.example.com/runner/cache"
    assert answer_words(answer) == {"clear", "runner", "cach"}
    used = Answer.objects.get(pk=other.pk)
    assert used.asked_terms == "" and used.reply == "Set expire_in: https://docs.example.com/ci/artifacts"
    # No answer holds their words: their counts are gone; the others' counts are the answers that hold them.
    assert not Term.objects.filter(term__in=["zyxwvut", "qoppa", "eras"]).exists()
    assert dict(Term.objects.filter(term__in=["runner", "artifact", ""]).values_list("term", "df")) == {
        "runner": 1,
        "artifact": 1,
        "": 2,
    }
    assert erasure.counts["answers"] == 2
    # Still offered for the same question, and a full re-index adds nothing.
    assert [s.ticket_id for s in text_suggestions("runner cache", "clear the runner cache?")] == [theirs.pk]
    assert answers_index(everything=True) == 0


def test_an_answer_used_event_without_its_answer_does_not_stop_the_erasure():
    identity = IdentityFactory(handle=HANDLE, key=HANDLE, person=PersonFactory(name=NAME))
    theirs = ticket_from(identity, body=f"I am {NAME}")
    TicketEvent.objects.create(ticket=theirs, kind=TicketEvent.Kind.ANSWER_USED, data={"part": "reply"})
    erasure = person_erase(person=identity.person, actor=ManagerFactory(), via="api")
    assert erasure.counts["tickets"] == 1
