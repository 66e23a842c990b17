"""Share of voice's admin (issue 70): a competitor named with its search terms, one per line; its change list counts
what was found in one query for any number of rows; the form says where competitors are and are not listened for.
No platform shapes are read here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.models import Competitor, CompetitorMention
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_competitor_is_named_with_its_terms_one_per_line(admin_user_client):
    form = admin_user_client.get(reverse("admin:channels_competitor_add")).content.decode()
    assert "Hacker News, Reddit, Mastodon and Bluesky" in form and "not listened for there" in form

    answer = admin_user_client.post(
        reverse("admin:channels_competitor_add"),
        {"name": "Acme CI", "terms": "acme ci\n\n  Acme   CI \nacmeci", "enabled": "on", **_inline()},
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Competitor.objects.get().terms == ["acme ci", "acmeci"]  # blank lines dropped, one of each


@pytest.mark.parametrize(
    ("name", "terms", "error"),
    [
        ("Acme", "a\nb\nc\nd", "lists 4; at most 3."),
        ("Us", "us", "is how the share of voice names the desk itself"),
        ("Acme", "", "This field is required."),
    ],
)
def test_a_wrong_competitor_is_refused_with_the_reason(admin_user_client, name, terms, error):
    answer = admin_user_client.post(
        reverse("admin:channels_competitor_add"), {"name": name, "terms": terms, **_inline()}
    )
    assert answer.status_code == 200 and error in answer.content.decode()
    assert not Competitor.objects.exists()


def test_the_change_list_counts_what_was_found_in_the_same_queries_for_more_rows(admin_user_client):
    channel = ChannelFactory()

    def listed(n: int) -> int:
        for i in range(n):
            competitor = Competitor.objects.create(name=f"C{Competitor.objects.count()}", terms=[f"t{i}"])
            CompetitorMention.objects.create(
                competitor=competitor, channel=channel, kind="hackernews", external_id=f"{competitor.pk}",
                posted_at="2026-11-02T10:00:00Z", sentiment="neutral",
            )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            page = admin_user_client.get(reverse("admin:channels_competitor_changelist"))
        assert page.status_code == 200
        return len(queries)

    listed(0)  # the first page of a session reads the user's permissions once: not counted
    assert listed(2) == listed(6)


def _inline() -> dict[str, str]:
    return {
        "searches-TOTAL_FORMS": "0",
        "searches-INITIAL_FORMS": "0",
        "searches-MIN_NUM_FORMS": "0",
        "searches-MAX_NUM_FORMS": "1000",
    }
