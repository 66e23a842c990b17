"""The channel admin: health in the list, credentials write-only and encrypted, the adapter's config check, the
connection test and the budget projection. Hacker News answers in Algolia's recorded shape (channels/tests/hn.py)."""

import pytest
import responses
from django.urls import reverse

from channels.adapters.hackernews import SEARCH_URL
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import search_page

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-token-value-never-shown"


def hn_form(**changes: str) -> dict:
    """The change form of the channel "HN" as admin posts it, with `changes`."""
    form = {"name": "HN", "slug": "hn", "kind": "hackernews", "poll_interval_seconds": 300, "our_accounts": "[]"}
    return {**form, "config": '{"keywords": ["gitlab"]}', "new_credentials": "", **changes}


def test_the_channel_list_shows_health(admin_client):
    ChannelFactory(name="HN main", health=Channel.Health.FAILING, last_error="HTTP 403 Forbidden")
    html = admin_client.get(reverse("admin:channels_channel_changelist")).content.decode()
    assert "HN main" in html and "Failing: needs an admin" in html and "HTTP 403 Forbidden" in html


def test_credentials_are_stored_encrypted_and_never_shown_back(admin_client):
    channel = ChannelFactory(name="HN", slug="hn")
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    data = hn_form(
        enabled="on", our_accounts='["gitlabhq"]', slack_channel="", new_credentials=f'{{"token": "{SECRET}"}}'
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.credentials == {"token": SECRET}
    assert SECRET not in channel.credentials_encrypted
    html = admin_client.get(url).content.decode()
    assert SECRET not in html
    assert "token: set" in html

    # Saving again with the field empty keeps them.
    data["new_credentials"] = ""
    admin_client.post(url, data)
    channel.refresh_from_db()
    assert channel.credentials == {"token": SECRET}


def test_a_bad_config_is_refused_with_the_adapters_message(admin_client):
    channel = ChannelFactory(name="HN", slug="hn")
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    response = admin_client.post(url, hn_form(config='{"keywords": []}'))
    assert response.status_code == 200
    assert "must be a non-empty list of search words" in response.content.decode()
    channel.refresh_from_db()
    assert channel.config == {"keywords": ["gitlab"]}


@responses.activate
def test_test_connection_shows_what_the_platform_answered(admin_client):
    channel = ChannelFactory(name="HN", slug="hn")
    responses.get(SEARCH_URL, json={**search_page([]), "nbHits": 1234})
    response = admin_client.post(
        reverse("admin:channels_channel_changelist"),
        {"action": "test_connection", "_selected_action": [channel.pk]},
        follow=True,
    )
    assert "Algolia answered: 1234 hits for &#x27;gitlab&#x27;" in response.content.decode()


@responses.activate
def test_test_connection_shows_the_platform_error(admin_client):
    channel = ChannelFactory(name="HN", slug="hn")
    responses.get(SEARCH_URL, status=403)
    response = admin_client.post(
        reverse("admin:channels_channel_changelist"),
        {"action": "test_connection", "_selected_action": [channel.pk]},
        follow=True,
    )
    assert "HTTP 403" in response.content.decode()


def test_credentials_encrypted_with_another_key_are_reported_not_crashed(settings, admin_client):
    from channels.secrets import CredentialsUnreadable

    channel = ChannelFactory()
    channel.credentials = {"token": SECRET}
    channel.save()
    settings.DESK_ENCRYPTION_KEY = "a-different-key"
    channel.refresh_from_db()
    with pytest.raises(CredentialsUnreadable, match="enter them again in admin"):
        _ = channel.credentials
    html = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "cannot be decrypted" in html and SECRET not in html


def test_an_x_channel_shows_its_budget_projection(admin_client):
    from django.utils import timezone

    config = {"handles": [{"username": "GitLab", "user_id": "2244994945", "role": "main"}], "monthly_read_budget": 1000}
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=config, poll_interval_seconds=300)
    Channel.objects.filter(pk=channel.pk).update(
        usage={"month": timezone.now().strftime("%Y-%m"), "reads": 900, "polls": 90}
    )
    listing = admin_client.get(reverse("admin:channels_channel_changelist")).content.decode()
    assert "900 / 1,000" in listing
    html = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "900 of 1,000 reads used this month (90%)" in html
    assert "about 10.0 reads per poll" in html and "projects 1,000 reads by" in html


def test_bad_credentials_json_is_refused_without_echoing_it(admin_client):
    channel = ChannelFactory(name="HN", slug="hn")
    url = reverse("admin:channels_channel_change", args=[channel.pk])
    html = admin_client.get(url).content.decode()
    assert ">null<" not in html  # the write-only box starts empty
    response = admin_client.post(url, hn_form(new_credentials='{"token": "' + SECRET + '"'))
    html = response.content.decode()
    assert response.status_code == 200 and "Not valid JSON" in html
    assert SECRET not in html
