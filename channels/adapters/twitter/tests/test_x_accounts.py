"""Connecting an X handle the desk posts from: OAuth 2.0 Authorization Code with PKCE, started from
admin, against X's token and users/me endpoints (responses); tokens stored encrypted, refreshed
before they expire, never shown back."""

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from channels.accounts.tokens import accounts_refresh_due
from channels.adapters.twitter.oauth import AUTHORIZE_URL, ME_URL, TOKEN_URL
from channels.models import Account
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_form

pytestmark = pytest.mark.django_db

CONFIG = {"handles": [{"username": "GitLab", "user_id": "2244994945", "role": "main"}]}


@pytest.fixture
def admin_client():
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def account():
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=CONFIG, our_accounts=[])
    channel.credentials = {"bearer_token": "app", "oauth_client_id": "client-1", "oauth_client_secret": "shh"}
    channel.save()
    return Account.objects.create(channel=channel, username="GitLab")


def _token_answer(access: str, refresh: str, expires_in: int = 7200) -> dict:
    # The shape docs.x.com shows for POST /2/oauth2/token.
    return {
        "token_type": "bearer",
        "expires_in": expires_in,
        "access_token": access,
        "scope": "tweet.write users.read tweet.read offline.access",
        "refresh_token": refresh,
    }


def _start(admin_client, account) -> dict[str, str]:
    response = admin_client.get(reverse("channels:account-connect", args=[account.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(AUTHORIZE_URL + "?")
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


@responses.activate
def test_the_authorize_url_carries_a_pkce_challenge_and_the_callback_exchanges_the_code(
    admin_client, account, settings
):
    settings.SITE_URL = "https://desk.example.com"  # behind a proxy: the public address
    query = _start(admin_client, account)
    assert query["response_type"] == "code" and query["client_id"] == "client-1"
    assert query["redirect_uri"] == "https://desk.example.com/connect/twitter/callback/"
    assert query["scope"].split() == [
        "tweet.read",
        "tweet.write",
        "users.read",
        "dm.read",
        "dm.write",
        "offline.access",
        "media.write",
    ]
    assert query["code_challenge_method"] == "S256" and len(query["state"]) >= 32

    responses.post(TOKEN_URL, json=_token_answer("access-1", "refresh-1"))
    responses.get(ME_URL, json={"data": {"id": "2244994945", "name": "GitLab", "username": "GitLab"}})
    response = admin_client.get(
        reverse("channels:account-callback", args=["twitter"]), {"state": query["state"], "code": "the-code"}
    )

    assert response.status_code == 302 and response["Location"].endswith(
        f"/channels/channel/{account.channel_id}/change/"
    )
    exchange = request_form(responses.calls[0].request)
    assert exchange["grant_type"] == ["authorization_code"] and exchange["code"] == ["the-code"]
    assert exchange["redirect_uri"] == ["https://desk.example.com/connect/twitter/callback/"]
    # The verifier the desk kept is the one whose S256 hash it sent as the challenge.
    verifier = exchange["code_verifier"][0]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert digest == query["code_challenge"]
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")  # confidential client
    assert responses.calls[1].request.headers["Authorization"] == "Bearer access-1"

    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.platform_user_id == "2244994945"
    assert account.tokens == {"access_token": "access-1", "refresh_token": "refresh-1"}
    assert "access-1" not in account.tokens_encrypted  # encrypted at rest
    assert timedelta(seconds=7100) < account.token_expires_at - timezone.now() <= timedelta(seconds=7200)


@responses.activate
def test_the_channel_page_never_shows_the_tokens(admin_client, account):
    account.tokens = {"access_token": "secret-access-token", "refresh_token": "secret-refresh-token"}
    account.status = Account.Status.CONNECTED
    account.save()
    html = admin_client.get(reverse("admin:channels_channel_change", args=[account.channel_id])).content.decode()
    assert "Connected" in html and "Reconnect" in html
    assert "secret-access-token" not in html and "secret-refresh-token" not in html
    assert account.tokens_encrypted not in html


@responses.activate
def test_signing_in_as_another_handle_is_refused(admin_client, account):
    query = _start(admin_client, account)
    responses.post(TOKEN_URL, json=_token_answer("access-1", "refresh-1"))
    responses.get(ME_URL, json={"data": {"id": "1001", "name": "GitLab Status", "username": "GitLabStatus"}})
    response = admin_client.get(
        reverse("channels:account-callback", args=["twitter"]), {"state": query["state"], "code": "c"}, follow=True
    )
    assert "You signed in to X as GitLabStatus, but this account is GitLab" in response.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.NOT_CONNECTED and not account.tokens_encrypted


@responses.activate
def test_a_callback_the_browser_did_not_start_is_refused(admin_client, account):
    _start(admin_client, account)
    response = admin_client.get(
        reverse("channels:account-callback", args=["twitter"]), {"state": "forged", "code": "c"}, follow=True
    )
    assert "does not belong to a connection started from this browser" in response.content.decode()
    assert not responses.calls  # no code was exchanged


@responses.activate
def test_a_used_state_cannot_be_replayed(admin_client, account):
    query = _start(admin_client, account)
    responses.post(TOKEN_URL, json=_token_answer("access-1", "refresh-1"))
    responses.get(ME_URL, json={"data": {"id": "2244994945", "username": "GitLab"}})
    url = reverse("channels:account-callback", args=["twitter"])
    admin_client.get(url, {"state": query["state"], "code": "c"})
    again = admin_client.get(url, {"state": query["state"], "code": "c"}, follow=True)
    assert "does not belong to a connection" in again.content.decode()
    assert len(responses.calls) == 2  # the first exchange and its users/me only


@responses.activate
def test_declining_on_x_stores_nothing_and_says_so(admin_client, account):
    query = _start(admin_client, account)
    response = admin_client.get(
        reverse("channels:account-callback", args=["twitter"]),
        {"state": query["state"], "error": "access_denied"},
        follow=True,
    )
    assert "X did not authorise the desk: access_denied." in response.content.decode()
    account.refresh_from_db()
    assert account.status == Account.Status.NOT_CONNECTED


def test_an_advocate_cannot_start_a_connection(client, account):
    from mentions.tests.factories import AdvocateFactory

    client.force_login(AdvocateFactory())
    assert client.get(reverse("channels:account-connect", args=[account.pk])).status_code == 403


def _connected_until(account, *, refresh_token: str, minutes: int) -> None:
    """`account` connected with an old access token that expires in `minutes`, and `refresh_token` to renew it."""
    account.tokens = {"access_token": "old-access", "refresh_token": refresh_token}
    account.status = Account.Status.CONNECTED
    account.token_expires_at = timezone.now() + timedelta(minutes=minutes)
    account.save()


@responses.activate
def test_a_token_about_to_expire_is_refreshed_by_the_beat_and_the_new_refresh_token_kept(account):
    _connected_until(account, refresh_token="old-refresh", minutes=10)
    fresh = Account.objects.create(channel=account.channel, username="GitLabStatus", status=Account.Status.CONNECTED)
    fresh.tokens = {"access_token": "fresh", "refresh_token": "r"}
    fresh.token_expires_at = timezone.now() + timedelta(hours=2)
    fresh.save()
    responses.post(TOKEN_URL, json=_token_answer("new-access", "new-refresh"))

    assert accounts_refresh_due() == {"refreshed": 1, "needs_reconnect": 0, "later": 0}

    sent = request_form(responses.calls[0].request)
    assert sent == {"grant_type": ["refresh_token"], "refresh_token": ["old-refresh"], "client_id": ["client-1"]}
    account.refresh_from_db()
    assert account.tokens == {"access_token": "new-access", "refresh_token": "new-refresh"}  # X rotates it
    assert account.token_expires_at - timezone.now() > timedelta(hours=1)
    assert len(responses.calls) == 1  # the account with two hours left was not touched


@responses.activate
def test_a_refused_refresh_marks_the_account_for_reconnecting(account):
    _connected_until(account, refresh_token="revoked", minutes=1)
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
    )
    assert accounts_refresh_due() == {"refreshed": 0, "needs_reconnect": 1, "later": 0}
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT
    assert "Value passed for the token was invalid" in account.last_error
    assert "revoked" not in account.last_error


@responses.activate
def test_an_unreachable_token_endpoint_leaves_the_account_connected_for_the_next_try(account):
    _connected_until(account, refresh_token="r", minutes=1)
    responses.post(TOKEN_URL, status=503)
    assert accounts_refresh_due() == {"refreshed": 0, "needs_reconnect": 0, "later": 1}
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
