"""Rules may test the ticket's product (issue 71, docs/products.md): a rule naming product B fires on B's tickets only,
at intake (the product the ticket opens with), in the dry run and for the rules that wait for the judgement; a ticket
from before products is the first product's; with one product the condition is neither asked nor read."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import ProductProfile, Rule, Ticket
from mentions.products import desk_products
from mentions.services.rules import rule_try, rules_load
from mentions.tests.factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_our_rules():
    Rule.objects.all().delete()


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def mention(n: int, text: str) -> IncomingMention:
    return IncomingMention(
        external_id=f"p{n}",
        created_at=T0 + timedelta(seconds=n),
        text=text,
        author_handle=f"dana{n}",
        permalink=f"https://x.com/dana/status/{n}",
    )


def twitter_channel(**kw):
    return ChannelFactory(kind="twitter", config=platform_of("twitter").example_config(), our_accounts=[], **kw)


def cloud_rule(cloud: ProductProfile, **fields) -> Rule:
    rule = Rule.objects.create(name="Cloud outage", enabled=True, text_keywords="down", add_tags="cloud", **fields)
    rule.products.set([cloud])
    return rule


def tagged(external_id: str) -> list[str]:
    ticket = Ticket.objects.get(messages__external_id=external_id)
    return list(ticket.tags.values_list("name", flat=True))


def test_a_rule_testing_product_b_fires_on_b_tickets_only_at_intake(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    cloud_rule(cloud)
    channel = twitter_channel(product=kiln)
    mentions_ingest(
        channel=channel,
        mentions=[
            mention(1, "Kiln Cloud is down again"),  # names Cloud: Cloud's ticket
            mention(2, "the build is down"),  # the channel's product: Kiln
        ],
    )
    assert Ticket.objects.get(messages__external_id="p1").product_id == cloud.pk
    assert tagged("p1") == ["cloud"]
    assert tagged("p2") == []


def test_a_rule_testing_the_first_product_fires_on_a_channel_without_one(kiln_and_cloud):
    kiln, _cloud = kiln_and_cloud
    rule = Rule.objects.create(name="Kiln", enabled=True, text_keywords="down", add_tags="kiln")
    rule.products.set([kiln])
    mentions_ingest(channel=twitter_channel(), mentions=[mention(1, "it is down"), mention(2, "Kiln Cloud is down")])
    assert tagged("p1") == ["kiln"]
    assert tagged("p2") == []


def test_the_dry_run_reads_the_product_and_a_ticket_without_one_is_the_first_products(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    old = TicketFactory()  # from before products: Kiln's
    MessageFactory(ticket=old, body="everything is down")
    on_cloud = TicketFactory(product=cloud)
    MessageFactory(ticket=on_cloud, body="cloud is down")
    rule = Rule(name="try", text_keywords="down", add_tags="x")

    assert {
        m.ticket.pk for m in rule_try(rule=rule, channel_ids=[], macro_actions=[], product_ids=[cloud.pk]).matches
    } == {on_cloud.pk}
    assert {
        m.ticket.pk for m in rule_try(rule=rule, channel_ids=[], macro_actions=[], product_ids=[kiln.pk]).matches
    } == {old.pk}
    both = rule_try(rule=rule, channel_ids=[], macro_actions=[], product_ids=[])
    assert {m.ticket.pk for m in both.matches} == {old.pk, on_cloud.pk}


def _load_queries() -> int:
    desk_products()  # read once per process (mentions.products): not what loading the rules costs
    with CaptureQueriesContext(connection) as queries:
        rules_load()
    return len(queries)


def test_with_one_product_the_condition_is_neither_asked_nor_read(admin_client):
    only = ProductProfile.objects.create(name="Kiln")
    rule = cloud_rule(only)
    one = _load_queries()
    assert rules_load().rules[0].product_ids == frozenset()
    mentions_ingest(channel=twitter_channel(), mentions=[mention(1, "it is down")])
    assert tagged("p1") == ["cloud"]
    assert 'name="products"' not in admin_client.get(f"/admin/mentions/rule/{rule.pk}/change/").content.decode()

    ProductProfile.objects.create(name="Kiln Cloud")
    assert _load_queries() == one + 1  # the rules' products, in one query however many rules
    assert rules_load().rules[0].product_ids == {only.pk}
    assert 'name="products"' in admin_client.get(f"/admin/mentions/rule/{rule.pk}/change/").content.decode()


def test_admin_saves_a_rule_on_a_product_alone(admin_client, kiln_and_cloud):
    _kiln, cloud = kiln_and_cloud
    response = admin_client.post(
        "/admin/mentions/rule/add/",
        {"name": "Cloud only", "position": 1, "products": [cloud.pk], "add_tags": "cloud"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Rule.objects.get().products.all()) == [cloud]
