"""The queue's stories narrowed to a product (issue 71, docs/products.md#narrowed-to-a-product): on `/?product=` the
Stories block lists that product's stories and the desk-wide ones (no product), each only while one of that product's
tickets waits, and counts only those; another product's story is left out. The un-narrowed queue and a desk with one
product are as before. The block's HTML is cached per narrowing, and its queries do not grow with the stories."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mentions.models import ProductProfile, Ticket
from mentions.products import desk_products
from mentions.tests.factories import AdvocateFactory, TicketFactory, ViewFactory
from stories.answering.page_reads import queue_stories
from stories.answering.queue import stories_queue_block
from stories.models import Membership, Story

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def story_with(title: str, product: ProductProfile | None, *tickets: Ticket) -> Story:
    story = Story.objects.create(
        title=title, origin=Story.Origin.LINK, product=product, size=len(tickets), first_at=AT, last_at=AT
    )
    Membership.objects.bulk_create(
        Membership(story=story, ticket=t, via=Membership.Via.LINK, reason="links to the same URL") for t in tickets
    )
    return story


def waiting(product: ProductProfile | None, n: int = 1) -> list[Ticket]:
    return TicketFactory.create_batch(n, product=product)


def shown(html: str) -> dict[int, int]:
    """The block's stories on a page: {story id: its "N waiting"}."""
    rows = re.findall(r'data-story="(\d+)">.*?<strong>(\d+) waiting</strong>', html, flags=re.S)
    return {int(story): int(n) for story, n in rows}


@pytest.fixture
def three_stories(kiln_and_cloud):
    """Kiln's story (one Kiln ticket waiting, one Kiln Cloud ticket that joined it), Kiln Cloud's (two waiting), a
    desk-wide one (a ticket from before products, so Kiln's, and one of Kiln Cloud's waiting, one of Kiln Cloud's
    solved), and a Kiln story whose one waiting ticket is Kiln Cloud's."""
    kiln, cloud = kiln_and_cloud
    solved = TicketFactory(product=cloud, status=Ticket.Status.SOLVED)
    return {
        "kiln": story_with("Kiln 4.2", kiln, *waiting(kiln), *waiting(cloud)),
        "cloud": story_with("Kiln Cloud outage", cloud, *waiting(cloud, 2)),
        "desk": story_with("Status page incident", None, *waiting(None), *waiting(cloud), solved),
        "kiln_only_cloud_waits": story_with("Kiln docs moved", kiln, *waiting(cloud)),
    }


def test_the_narrowed_queue_shows_only_its_products_stories_and_the_desk_wide_ones(
    advocate_client, kiln_and_cloud, three_stories, settings
):
    settings.DESK_FRAGMENT_CACHE = True  # as in production: the block's HTML kept per change stamp and minute
    kiln, cloud = kiln_and_cloud
    s = {name: story.pk for name, story in three_stories.items()}
    ViewFactory(slug="all")

    whole = shown(advocate_client.get("/").content.decode())
    # Asked right after the whole queue, within its minute: the narrowed block is not the whole one from the cache.
    on_kiln = shown(advocate_client.get(f"/?product={kiln.slug}").content.decode())
    on_cloud = shown(advocate_client.get(f"/?product={cloud.slug}").content.decode())

    assert whole == {s["kiln"]: 2, s["cloud"]: 2, s["desk"]: 2, s["kiln_only_cloud_waits"]: 1}
    # The desk-wide story counts the ticket from before products as the desk's first product's (Kiln's).
    assert on_kiln == {s["kiln"]: 1, s["desk"]: 1}
    assert on_cloud == {s["cloud"]: 2, s["desk"]: 1}
    assert shown(advocate_client.get("/").content.decode()) == whole  # and the whole one is not a narrowed one


def test_a_story_whose_product_tickets_were_all_taken_leaves_the_narrowed_block(kiln_and_cloud, three_stories):
    kiln, _cloud = kiln_and_cloud
    Ticket.objects.filter(product=kiln).update(assignee=AdvocateFactory())  # Play can no longer serve it
    assert [st.pk for st in queue_stories(product_id=kiln.pk)] == [three_stories["desk"].pk]
    assert three_stories["kiln"].pk in {st.pk for st in queue_stories()}  # its Kiln Cloud ticket still waits


def test_with_one_product_the_stories_block_is_the_same_narrowed_or_not(advocate_client):
    kiln = ProductProfile.objects.create(name="Kiln")
    ViewFactory(slug="all")
    mine = story_with("Kiln 4.2", kiln, *waiting(kiln, 2))
    desk = story_with("Status page incident", None, *waiting(None))

    whole = advocate_client.get("/").content.decode()
    asked = advocate_client.get(f"/?product={kiln.slug}").content.decode()

    assert shown(whole) == shown(asked) == {mine.pk: 2, desk.pk: 1}
    assert "product-switch" not in asked


def test_the_narrowed_block_costs_the_same_queries_whatever_the_number_of_stories(
    kiln_and_cloud, django_assert_num_queries
):
    kiln, cloud = kiln_and_cloud
    desk_products()  # read once a version, as the queue's narrowing has read them before its block
    for n in range(2):
        story_with(f"Kiln Cloud story {n}", cloud, *waiting(cloud), *waiting(kiln))
    with django_assert_num_queries(3):  # the stories, their memberships' counts, their channels' kinds
        assert stories_queue_block(product_id=cloud.pk).count('data-testid="queue-story"') == 2

    for n in range(5):
        story_with(f"More {n}", cloud if n % 2 else None, *waiting(cloud, 2), *waiting(kiln))
    with django_assert_num_queries(3):
        assert stories_queue_block(product_id=cloud.pk).count('data-testid="queue-story"') == 7
    with django_assert_num_queries(3):  # Kiln's: the three desk-wide ones, where a Kiln ticket waits
        assert stories_queue_block(product_id=kiln.pk).count('data-testid="queue-story"') == 3
