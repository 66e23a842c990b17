"""The person's weight on the requester card ("12.3k followers on X", escaped like the rest of the card): the
largest audience of their identities (the API's `author_weight`: api/tests/test_author_weight.py). People and
tickets are made as the ingest ties them (people/tests/factories.py); no platform is asked here."""

from __future__ import annotations

import pytest

from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from people.audience import audience_count
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db


def test_counts_read_as_people_say_them():
    assert [audience_count(n) for n in (0, 4210, 9999, 12_345, 15_249, 100_000, 1_234_567)] == [
        "0",
        "4,210",
        "9,999",
        "12.3k",
        "15.2k",
        "100k",
        "1.2M",
    ]


def _vera():
    vera = PersonFactory(name="Vera <b>K</b>")
    on_hn = IdentityFactory(person=vera, platform="hackernews", handle="vera_k", audience=4210, audience_kind="karma")
    IdentityFactory(person=vera, platform="twitter", handle="verak", audience=12_345, audience_kind="followers")
    IdentityFactory(person=vera, platform="stackexchange", handle="2479931", audience=None)
    return ticket_from(on_hn)


def test_the_card_says_the_persons_largest_audience(advocate_client):
    ticket = _vera()
    page = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    card = page[page.index('id="panel-requester"') :]
    assert (
        '<p data-testid="requester-weight" title="Their largest audience on any platform">12.3k followers on X</p>'
        in card
    )
    assert "Vera &lt;b&gt;K&lt;/b&gt;" in card and "<b>K</b>" not in card


def test_karma_and_reputation_are_named_by_their_platform(advocate_client):
    hn = IdentityFactory(platform="hackernews", handle="pg_fan", audience=4210, audience_kind="karma")
    so = IdentityFactory(platform="stackexchange", handle="22656", audience=15_200, audience_kind="reputation")
    so_channel = ChannelFactory(kind="stackexchange", config=platform_of("stackexchange").example_config())
    for identity, channel, said in (
        (hn, None, "4,210 karma on Hacker News"),
        (so, so_channel, "15.2k reputation on Stack Overflow"),
    ):
        ticket = ticket_from(identity, channel=channel)
        page = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
        assert f'title="Their largest audience on any platform">{said}</p>' in page


def test_a_person_without_a_known_audience_has_no_weight_line(advocate_client):
    ticket = ticket_from(IdentityFactory(platform="hackernews", handle="quiet"))
    page = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert 'data-testid="requester-weight"' not in page


def test_erasing_the_person_forgets_their_audience_and_their_tickets_weight():
    from mentions.models import Ticket
    from mentions.tests.factories import ManagerFactory
    from people.models import Identity
    from people.privacy import person_erase

    vera = PersonFactory(name="Vera K.")
    on_x = IdentityFactory(person=vera, platform="twitter", handle="verak", audience=12_345, audience_kind="followers")
    ticket = ticket_from(on_x, channel=ChannelFactory(kind="twitter", config=platform_of("twitter").example_config()))
    Ticket.objects.filter(pk=ticket.pk).update(requester_audience=12_345)

    person_erase(person=vera, actor=ManagerFactory(), via="page")

    erased = Identity.objects.get(pk=on_x.pk)
    assert (erased.audience, erased.audience_kind, erased.audience_at) == (None, "", None)
    assert Ticket.objects.get(pk=ticket.pk).requester_audience is None
