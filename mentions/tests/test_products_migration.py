"""Issue 71's migration (mentions 0058_products, channels 0020_channel_product) run for real on PostgreSQL: a desk
with its one product profile keeps it as its one product, unchanged; a desk in use that never saved a profile is
given the defaults it ran on as a row; a fresh desk gets none (the defaults apply, as before)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mentions", "0057_ticket_imported"), ("channels", "0019_competitors")]
AFTER = [("mentions", "0058_products"), ("channels", "0020_channel_product")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def desk_before_products():
    """The schema as it was before products; migrated forward again whatever the test did."""
    old = _migrate(BEFORE)
    try:
        yield old
    finally:
        _migrate(_leaves())


def _leaves():
    # Every app's leaf, not only the two migrated here: going back before products also unapplies the later
    # migrations of apps that depend on them (stories, metrics, answers, experts), and a test after this one in
    # the same process would meet their tables without the product columns.
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_a_desk_with_its_one_profile_keeps_it_as_its_one_product(desk_before_products):
    old = desk_before_products
    profile = old.get_model("mentions", "ProductProfile").objects.create(
        name="Hugo Static", other_names="gohugo.io\nhugo", description="Hugo, the static site generator."
    )
    old.get_model("channels", "Channel").objects.create(kind="hackernews", name="HN", slug="hn")

    new = _migrate(AFTER)

    products = list(new.get_model("mentions", "ProductProfile").objects.values())
    assert len(products) == 1
    (product,) = products
    assert (product["id"], product["name"], product["other_names"], product["description"]) == (
        profile.pk,
        "Hugo Static",
        "gohugo.io\nhugo",
        "Hugo, the static site generator.",
    )
    assert (product["slug"], product["colour"], product["search_terms"]) == ("hugo-static", "#6b5bd2", "")
    channel = new.get_model("channels", "Channel").objects.get(slug="hn")
    assert channel.product_id is None  # the desk's first product: the profile


def test_a_desk_in_use_on_the_defaults_gets_them_as_its_product_and_a_fresh_desk_none(desk_before_products):
    old = desk_before_products
    channel = old.get_model("channels", "Channel").objects.create(kind="hackernews", name="HN", slug="hn")
    old.get_model("mentions", "Ticket").objects.create(channel=channel, requested_at=datetime(2026, 1, 5, tzinfo=UTC))

    new = _migrate(AFTER)

    products = list(new.get_model("mentions", "ProductProfile").objects.values_list("name", "slug", "other_names"))
    assert products == [("GitLab", "gitlab", "gitlab.com")]
    assert new.get_model("mentions", "Ticket").objects.get().product_id is None  # tickets are not rewritten


def test_a_fresh_desk_gets_no_product_row(desk_before_products):
    new = _migrate(AFTER)
    assert not new.get_model("mentions", "ProductProfile").objects.exists()
