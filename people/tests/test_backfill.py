"""The data migration's backfill (people.backfill): what was stored before the people app gets its people,
as the ingest would have tied it, in set-based SQL. Tickets and messages are made with the mentions
factories only, as they stood before this app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from mentions.models import Message
from mentions.tests.factories import MessageFactory, TicketFactory
from people.backfill import KEY_SQL, people_backfill
from people.models import Authorship, Identity, Person, Requester, account_key
from people.selectors import identities_seen
from people.tests.factories import KIND_CONFIG, IdentityFactory

pytestmark = pytest.mark.django_db


def _thread(channel, handle, *, name="", replies=0, at=None, reply_handles=()):
    ticket = TicketFactory(channel=channel, requester_handle=handle, requester_name=name or handle)
    if at is not None:
        ticket.requested_at = at
        ticket.save(update_fields=["requested_at"])
    opener = MessageFactory(
        ticket=ticket, author_handle=handle, author_name=name, platform_created_at=ticket.requested_at
    )
    for n, other in enumerate(reply_handles or [handle] * replies, start=1):
        MessageFactory(
            ticket=ticket,
            author_handle=other,
            author_name="",
            platform_created_at=ticket.requested_at + timedelta(minutes=n),
        )
    return ticket, opener


@pytest.mark.parametrize(
    "handle",
    ["vera_k", "@Vera_K", "  VERA_K  ", "@@double", "MiXeD.Case-99", "vera@example.COM", "Ünïcode", ""],
)
def test_the_sql_account_key_is_account_key(handle):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {KEY_SQL.format('%s')}", [handle])
        assert cursor.fetchone()[0] == account_key(handle)


def test_untied_messages_and_tickets_get_one_person_per_account():
    hn = ChannelFactory(kind="hackernews", config=KIND_CONFIG["hackernews"])
    reddit = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    mail = ChannelFactory(kind="email", config=KIND_CONFIG["email"])
    early = timezone.now() - timedelta(days=30)
    first, _ = _thread(hn, "vera_k", name="Vera K", replies=2, at=early)
    second, _ = _thread(hn, "@VERA_K", name="Vera Kowalska")  # the same account, written otherwise
    on_reddit, _ = _thread(reddit, "vera_k")  # the same handle elsewhere is another account
    by_mail, _ = _thread(mail, "Vera@Example.com", name="Vera")
    again, _ = _thread(mail, "vera@example.com")
    ours = MessageFactory(ticket=first, kind=Message.Kind.OUR_REPLY, author_handle="desk")
    anonymous, _ = _thread(hn, "")

    counts = people_backfill(connection, timezone.now())

    assert counts["people"] == 3 and counts["tickets"] == 5 and counts["messages"] == 7
    [hn_vera] = identities_seen([Identity.objects.get(platform="hackernews", key="vera_k")])
    assert hn_vera.mentions == 4
    assert hn_vera.first_seen_at == early
    assert hn_vera.person.name == "Vera Kowalska"  # the latest message's name
    assert Identity.objects.get(platform="reddit", key="vera_k").person != hn_vera.person
    assert identities_seen([Identity.objects.get(platform="email", key="vera@example.com")])[0].mentions == 2
    assert {r.ticket_id for r in Requester.objects.filter(identity=hn_vera)} == {first.pk, second.pk}
    assert Requester.objects.get(ticket=by_mail).identity == Requester.objects.get(ticket=again).identity
    assert not Authorship.objects.filter(message=ours).exists()
    assert not Requester.objects.filter(ticket=anonymous).exists()
    assert not Requester.objects.filter(ticket=on_reddit).exclude(identity__platform="reddit").exists()


def test_a_second_run_ties_only_what_is_new_and_joins_known_accounts():
    hn = ChannelFactory(kind="hackernews", config=KIND_CONFIG["hackernews"])
    known = IdentityFactory(platform="hackernews", handle="vera_k")
    _thread(hn, "vera_k")
    _thread(hn, "sam")

    first = people_backfill(connection, timezone.now())
    again = people_backfill(connection, timezone.now())

    assert first == {"people": 1, "identities": 1, "messages": 2, "tickets": 2}
    assert again == {"people": 0, "identities": 0, "messages": 0, "tickets": 0}
    assert identities_seen([known])[0].mentions == 1  # the known account's message joined it
    assert Person.objects.count() == 2
    assert Authorship.objects.count() == Message.objects.filter(kind="inbound").count() == 2


def test_the_command_reports_what_it_tied(capsys):
    _thread(ChannelFactory(kind="hackernews", config=KIND_CONFIG["hackernews"]), "vera_k", replies=1)
    call_command("people_backfill")
    assert "people: 1 new, messages tied: 2, tickets tied: 1" in capsys.readouterr().out
    # A person made by the backfill takes the next id, and one the ingest makes after it does not collide.
    assert Person.objects.create(name="after").pk > Person.objects.get(identities__key="vera_k").pk
