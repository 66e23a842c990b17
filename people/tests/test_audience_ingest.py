"""An author's weight (followers, karma, reputation) kept on their identity as the ingest meets it, their
person's weight (the largest of their identities'), the rules' "author audience at least" condition, and each new
ticket's requester_audience (Play's deadline ties).

The mentions are built as the adapters return them (channels.adapters.base.IncomingMention, with the audience the
X and Stack Exchange parsers read): each parser is tested against its platform's shapes in
channels/adapters/twitter/tests/test_twitter_audience.py and stackexchange/tests/test_stackexchange_audience.py."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Rule, Ticket
from mentions.services.rules import rule_try
from people.models import Identity

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def posted(author: str, followers: int | None, text: str = "Is the registry down?") -> IncomingMention:
    n = next(_ids)
    return IncomingMention(
        external_id=str(1364398068313903104 + n),
        created_at=T0 + timedelta(minutes=n),
        text=text,
        author_handle=author,
        author_name=author,
        author_url=f"https://x.com/{author}",
        permalink=f"https://x.com/{author}/status/{n}",
        author_audience=followers,
        author_audience_kind="followers" if followers is not None else "",
    )


def x_channel():
    return ChannelFactory(kind="twitter", config=platform_of("twitter").example_config(), our_accounts=[])


@pytest.mark.django_db
def test_the_identity_keeps_the_audience_the_payload_carries_and_its_latest_figure():
    x = x_channel()
    mentions_ingest(channel=x, mentions=[posted("big_dev", 12_345)])
    identity = Identity.objects.get(key="big_dev")
    assert (identity.audience, identity.audience_kind) == (12_345, "followers") and identity.audience_at is not None
    mentions_ingest(channel=x, mentions=[posted("big_dev", 12_400)])
    identity.refresh_from_db()
    assert identity.audience == 12_400
    mentions_ingest(channel=x, mentions=[posted("big_dev", None)])  # a payload without it keeps the figure
    identity.refresh_from_db()
    assert (identity.audience, identity.audience_kind) == (12_400, "followers")


@pytest.mark.django_db
def test_a_rule_on_the_authors_audience_fires_for_a_large_author_and_not_a_small_one():
    Rule.objects.create(name="Large audience", enabled=True, author_audience_min=10_000, add_tags="large-audience")
    x = x_channel()
    mentions_ingest(channel=x, mentions=[posted("big_dev", 12_345), posted("small_dev", 80), posted("nobody", None)])
    tagged = {t.requester_handle: set(t.tags.values_list("name", flat=True)) for t in Ticket.objects.all()}
    assert tagged == {"big_dev": {"large-audience"}, "small_dev": set(), "nobody": set()}
    # The dry run judges the stored tickets the same way, from the weight each ticket keeps.
    result = rule_try(rule=Rule(name="Try", author_audience_min=10_000), channel_ids=[], macro_actions=[])
    assert [m.ticket.requester_handle for m in result.matches] == ["big_dev"]


@pytest.mark.django_db
def test_the_persons_weight_is_the_largest_of_their_identities():
    x, so = x_channel(), ChannelFactory(kind="stackexchange", config=platform_of("stackexchange").example_config())
    mentions_ingest(channel=x, mentions=[posted("vera", 90)])
    reputation = IncomingMention(
        external_id="q1",
        created_at=T0,
        text="Cache question",
        author_handle="2479931",
        author_name="Vera",
        author_audience=15_200,
        author_audience_kind="reputation",
    )
    mentions_ingest(channel=so, mentions=[reputation])
    on_x, on_so = Identity.objects.get(key="vera"), Identity.objects.get(key="2479931")
    Identity.objects.filter(pk=on_so.pk).update(person=on_x.person)  # the same person on both platforms
    on_so.person.delete()
    Rule.objects.create(name="Large", enabled=True, author_audience_min=10_000, add_tags="large-audience")
    mentions_ingest(channel=x, mentions=[posted("vera", 95, "Another question")])
    ticket = Ticket.objects.get(messages__body="Another question")
    assert ticket.requester_audience == 15_200
    assert list(ticket.tags.values_list("name", flat=True)) == ["large-audience"]


@pytest.mark.django_db
def test_each_new_ticket_keeps_its_requesters_weight():
    x = x_channel()
    mentions_ingest(channel=x, mentions=[posted("big_dev", 12_345), posted("nobody", None)])
    weights = dict(Ticket.objects.values_list("requester_handle", "requester_audience"))
    assert weights == {"big_dev": 12_345, "nobody": None}


@pytest.mark.django_db
def test_admin_saves_a_rule_whose_one_condition_is_the_authors_audience(admin_client):
    response = admin_client.post(
        "/admin/mentions/rule/add/",
        {"name": "Large audience", "position": 0, "author_audience_min": "10000", "add_tags": "large-audience"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Rule.objects.get(name="Large audience").author_audience_min == 10_000
