"""Every ingested mention tied to its person in the ingest's transaction (people.ingest through
intake.hooks.AuthorsHook), as sets; joined automatically only through the same account.

The mentions are built as the adapters return them (channels.adapters.base.IncomingMention): each
platform's parser is tested against its recorded shapes in channels/adapters/*/tests."""

from __future__ import annotations

import importlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Rule, Ticket, TicketEvent
from mentions.tests.concurrency import at_once
from people.models import Authorship, Identity, Person, Requester
from people.selectors import identities_seen
from people.tests.factories import person_tag

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def said(author: str, text: str = "How do I cache node_modules?", *, name: str = "", parent: str = "", at=None):
    n = next(_ids)
    return IncomingMention(
        external_id=f"m{n}",
        created_at=at or T0 + timedelta(minutes=n),
        text=text,
        author_handle=author,
        author_name=name,
        author_url=f"https://news.ycombinator.com/user?id={author}" if author else "",
        parent_id=parent,
        permalink=f"https://news.ycombinator.com/item?id={n}",
    )


def person_of(ticket: Ticket) -> Person:
    return Requester.objects.select_related("identity__person").get(ticket=ticket).identity.person


@pytest.mark.django_db
def test_the_same_account_is_one_person_and_each_message_and_ticket_is_tied_to_it():
    hn = ChannelFactory()
    first, follow = said("vera_k", name="Vera K."), None
    mentions_ingest(channel=hn, mentions=[first])
    follow = said("Vera_K", "Still failing", parent=first.external_id)
    mentions_ingest(channel=hn, mentions=[follow, said("@vera_k", "Another question")])

    [identity] = identities_seen(list(Identity.objects.all()))
    assert (identity.platform, identity.key, identity.mentions) == ("hackernews", "vera_k", 3)
    assert identity.first_seen_at == first.created_at and identity.handle == "@vera_k"
    assert Person.objects.get().name == "Vera K."
    inbound = Message.objects.filter(kind=Message.Kind.INBOUND)
    assert set(Authorship.objects.values_list("message_id", flat=True)) == set(inbound.values_list("pk", flat=True))
    assert {person_of(t).pk for t in Ticket.objects.all()} == {identity.person_id}
    assert Requester.objects.count() == Ticket.objects.count() == 2


@pytest.mark.django_db
def test_the_same_handle_on_another_platform_or_channel_kind_is_another_person():
    mentions_ingest(channel=ChannelFactory(), mentions=[said("vera_k")])
    reddit = ChannelFactory(kind="reddit", config={"subreddits": ["gitlab"]})
    mentions_ingest(channel=reddit, mentions=[said("vera_k")])
    assert Person.objects.count() == 2
    assert set(Identity.objects.values_list("platform", flat=True)) == {"hackernews", "reddit"}


@pytest.mark.django_db
def test_an_address_in_another_case_is_the_same_mailbox_and_each_webhook_is_its_own_platform():
    mail = ChannelFactory(kind="email", config={"host": "imap.example.com", "address": "help@example.com"})
    mentions_ingest(channel=mail, mentions=[said("Vera@Example.org"), said("vera@example.org ")])
    assert Identity.objects.get(platform="email").key == "vera@example.org"
    for slug in ("status-hook", "forms-hook"):
        mentions_ingest(channel=ChannelFactory(kind="webhook", slug=slug, config={}), mentions=[said("vera")])
    assert set(Identity.objects.values_list("platform", flat=True)) == {
        "email",
        "webhook:status-hook",
        "webhook:forms-hook",
    }
    assert Person.objects.count() == 3


@pytest.mark.django_db
def test_our_own_replies_and_anonymous_mentions_tie_nobody():
    hn = ChannelFactory(our_accounts=["gitlabhq"])
    question = said("vera_k")
    mentions_ingest(
        channel=hn, mentions=[question, said("gitlabhq", "Try this", parent=question.external_id), said("")]
    )
    assert list(Identity.objects.values_list("key", flat=True)) == ["vera_k"]
    assert Authorship.objects.count() == 1
    anonymous = Ticket.objects.get(requester_handle="")
    assert not Requester.objects.filter(ticket=anonymous).exists()


@pytest.mark.django_db
def test_a_person_marked_spam_has_their_later_mentions_tagged_and_a_rule_solves_them():
    hn = ChannelFactory()
    mentions_ingest(channel=hn, mentions=[said("promo_bot", "Cheap followers")])
    person_tag(Person.objects.get(), "spam")
    # The seeded rule (people's initial migration) solves mentions of people tagged spam without a reply (as seeded: a
    # transactional test before this one may have emptied the table).
    seeded = importlib.import_module("people.migrations.0001_squashed_0012_journey_seed").RULE
    Rule.objects.get_or_create(name=seeded["name"], defaults=seeded)

    mentions_ingest(channel=hn, mentions=[said("promo_bot", "Cheap followers again"), said("vera_k")])

    later = Ticket.objects.get(messages__body="Cheap followers again")
    assert list(later.tags.values_list("name", flat=True)) == ["spam"]
    assert later.status == Ticket.Status.SOLVED
    assert TicketEvent.objects.filter(ticket=later, kind=TicketEvent.Kind.TAG_ADDED, data__tag="spam").exists()
    honest = Ticket.objects.get(requester_handle="vera_k")
    assert honest.status == Ticket.Status.NEW and not honest.tags.exists()


@pytest.mark.django_db
def test_the_rules_dry_run_reads_the_authors_tags_as_the_ingest_does():
    from mentions.services.rules import rule_try

    hn = ChannelFactory()
    mentions_ingest(channel=hn, mentions=[said("promo_bot", "Cheap followers"), said("vera_k")])
    person_tag(Identity.objects.get(key="promo_bot").person, "spam")
    result = rule_try(rule=Rule(name="Known spam", author_tags="spam"), channel_ids=[], macro_actions=[])
    assert [m.ticket.requester_handle for m in result.matches] == ["promo_bot"]


@pytest.mark.django_db
def test_a_page_ties_its_people_in_the_same_statements_whatever_its_size():
    counts = []
    for size in (10, 200):
        hn = ChannelFactory()
        page = [said(f"user{size}_{i}") for i in range(size)]
        mentions_ingest(channel=hn, mentions=page[: size // 2])  # half known, half new
        with CaptureQueriesContext(connection) as queries:
            mentions_ingest(channel=hn, mentions=[*page[size // 2 :], *(said(f"user{size}_{i}") for i in range(3))])
        counts.append(len(queries))
        assert Identity.objects.filter(key__startswith=f"user{size}_").count() == size
    assert counts[0] == counts[1], counts


@pytest.mark.django_db(transaction=True)
def test_two_channels_meeting_a_new_account_at_once_make_one_person():
    """Two Hacker News channels ingest the same new author at the same moment, on two connections."""
    channels = [ChannelFactory(), ChannelFactory()]
    at_once(2, lambda i: mentions_ingest(channel=channels[i], mentions=[said("vera_k"), said(f"only_in_{i}")]))
    [vera] = identities_seen([Identity.objects.get(key="vera_k")])
    assert vera.mentions == 2
    assert Person.objects.count() == 3  # vera, only_in_0, only_in_1: no person left without an identity
    assert not Person.objects.filter(identities=None).exists()
    assert {person_of(t).pk for t in Ticket.objects.filter(requester_handle="vera_k")} == {vera.person_id}


@pytest.mark.django_db(transaction=True)
def test_tagging_a_person_moves_the_live_pages_change_stamp():
    """The queue marks tickets from tagged people: a live page must refresh when a tag is added or removed."""
    from mentions.live import change_stamp

    mentions_ingest(channel=ChannelFactory(), mentions=[said("promo_bot", "Cheap followers")])
    person = Person.objects.get()
    before = change_stamp()
    tag = person_tag(person, "spam")
    tagged = change_stamp()
    person.tags.remove(tag)
    assert before < tagged < change_stamp()
