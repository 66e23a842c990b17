"""Connecting a Reddit, Disqus, Stack Exchange or Discourse account from admin through the platform's own
authorisation flow, against the platforms' token and identity endpoints faked with `responses`.

Shapes: Reddit's token answer and /api/v1/me (github.com/reddit-archive/reddit/wiki/OAuth2; `name`, `id`);
Disqus's access_token answer with `username` and `user_id` (disqus.com/api/docs/auth/); Stack Exchange's
/oauth/access_token/json and /me in the common wrapper (api.stackexchange.com/docs/authentication);
Discourse's user-api-key payload, RSA-encrypted JSON with `key` and `nonce` (meta.discourse.org/t/48536),
and /session/current.json's `current_user`.
"""

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from channels.adapters.disqus.oauth import AUTHORIZE_URL as DISQUS_AUTHORIZE
from channels.adapters.disqus.oauth import TOKEN_URL as DISQUS_TOKEN
from channels.adapters.reddit import AUTH_URL as REDDIT_TOKEN
from channels.adapters.reddit.oauth import AUTHORIZE_URL as REDDIT_AUTHORIZE
from channels.adapters.reddit.oauth import ME_URL as REDDIT_ME
from channels.adapters.stackexchange.oauth import AUTHORIZE_URL as SE_AUTHORIZE
from channels.adapters.stackexchange.oauth import ME_URL as SE_ME
from channels.adapters.stackexchange.oauth import TOKEN_URL as SE_TOKEN
from channels.models import Account
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_url

pytestmark = pytest.mark.django_db

FORUM = "https://forum.example.com"


@pytest.fixture
def admin_client(settings):
    settings.SITE_URL = "https://desk.example.com"
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    return client


def _account(kind, username, config, credentials):
    channel = ChannelFactory(kind=kind, name=kind, slug=kind, config=config, our_accounts=[])
    channel.credentials = credentials
    channel.save()
    return Account.objects.create(channel=channel, username=username)


def _start(admin_client, account, authorize_url):
    response = admin_client.get(reverse("channels:account-connect", args=[account.pk]))
    assert response.status_code == 302, response
    location = response["Location"]
    assert location.startswith(authorize_url + "?")
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def _callback(admin_client, kind, **params):
    return admin_client.get(reverse("channels:account-callback", args=[kind]), params, follow=True)


def _body(call):
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


@responses.activate
def test_reddit_web_app_flow_asks_for_a_permanent_grant_and_learns_who_consented(admin_client):
    account = _account("reddit", "gitlab_team", {"subreddits": ["gitlab"]}, {"client_id": "app", "client_secret": "s"})
    query = _start(admin_client, account, REDDIT_AUTHORIZE)
    assert query["client_id"] == "app" and query["response_type"] == "code" and query["duration"] == "permanent"
    assert query["scope"].split() == ["identity", "submit", "read", "privatemessages"]
    assert query["redirect_uri"] == "https://desk.example.com/connect/reddit/callback/"

    responses.post(
        REDDIT_TOKEN,
        json={
            "access_token": "r-1",
            "token_type": "bearer",
            "expires_in": 3600,
            "refresh_token": "rr-1",
            "scope": "identity submit read",
        },
    )
    responses.get(REDDIT_ME, json={"name": "gitlab_team", "id": "abc12", "is_employee": False})
    _callback(admin_client, "reddit", state=query["state"], code="the-code")

    exchange, me = responses.calls
    assert _body(exchange) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "https://desk.example.com/connect/reddit/callback/",
    }
    assert exchange.request.headers["Authorization"] == "Basic " + base64.b64encode(b"app:s").decode()
    assert "reddit-channel:reddit" in exchange.request.headers["User-Agent"]
    assert me.request.headers["Authorization"] == "bearer r-1"
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.platform_user_id == "abc12"
    assert account.tokens == {"access_token": "r-1", "refresh_token": "rr-1"}
    assert "r-1" not in account.tokens_encrypted
    assert timedelta(minutes=59) < account.token_expires_at - timezone.now() <= timedelta(hours=1)


@responses.activate
def test_reddit_refuses_a_consent_given_by_another_account(admin_client):
    account = _account("reddit", "gitlab_team", {"subreddits": ["gitlab"]}, {"client_id": "app", "client_secret": "s"})
    query = _start(admin_client, account, REDDIT_AUTHORIZE)
    responses.post(REDDIT_TOKEN, json={"access_token": "r-1", "expires_in": 3600, "refresh_token": "rr-1"})
    responses.get(REDDIT_ME, json={"name": "someone_else", "id": "zz9"})

    page = _callback(admin_client, "reddit", state=query["state"], code="c").content.decode()

    assert "You signed in to Reddit as someone_else, but this account is gitlab_team" in page
    account.refresh_from_db()
    assert account.status == Account.Status.NOT_CONNECTED and not account.tokens_encrypted


@responses.activate
def test_disqus_flow_exchanges_the_code_with_the_app_secret_and_the_answer_names_the_user(admin_client):
    account = _account(
        "disqus",
        "gitlab",
        {"forum": "gitlab"},
        {"api_key": "pub", "oauth_client_id": "pub", "oauth_client_secret": "sec"},
    )
    query = _start(admin_client, account, DISQUS_AUTHORIZE)
    assert (query["client_id"], query["scope"], query["response_type"]) == ("pub", "read,write", "code")

    responses.post(
        DISQUS_TOKEN,
        json={
            "access_token": "d-1",
            "expires_in": 2592000,
            "username": "gitlab",
            "user_id": 42,
            "refresh_token": "dr-1",
            "token_type": "Bearer",
            "scope": "read,write",
        },
    )
    _callback(admin_client, "disqus", state=query["state"], code="the-code")

    (exchange,) = responses.calls
    assert _body(exchange) == {
        "grant_type": "authorization_code",
        "client_id": "pub",
        "client_secret": "sec",
        "redirect_uri": "https://desk.example.com/connect/disqus/callback/",
        "code": "the-code",
    }
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.platform_user_id == "42"
    assert account.token_expires_at - timezone.now() > timedelta(days=29)


@responses.activate
def test_stack_exchange_flow_asks_for_write_access_without_expiry_and_reads_me(admin_client):
    account = _account(
        "stackexchange",
        "GitLab Team",
        {"site": "stackoverflow", "tags": ["gitlab"]},
        {"key": "app-key", "oauth_client_id": "1234", "oauth_client_secret": "shh"},
    )
    query = _start(admin_client, account, SE_AUTHORIZE)
    assert query["client_id"] == "1234" and query["scope"] == "write_access,no_expiry"

    responses.post(SE_TOKEN, json={"access_token": "se-1"})
    responses.get(
        SE_ME,
        json={
            "items": [{"user_id": 4242, "display_name": "GitLab Team", "reputation": 1250}],
            "has_more": False,
            "quota_max": 10000,
            "quota_remaining": 9990,
        },
    )
    _callback(admin_client, "stackexchange", state=query["state"], code="the-code")

    exchange, me = responses.calls
    assert _body(exchange) == {
        "client_id": "1234",
        "client_secret": "shh",
        "code": "the-code",
        "redirect_uri": "https://desk.example.com/connect/stackexchange/callback/",
    }
    assert parse_qs(urlparse(request_url(me.request)).query) == {
        "site": ["stackoverflow"],
        "access_token": ["se-1"],
        "key": ["app-key"],
    }
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.token_expires_at is None
    assert account.platform_user_id == "4242"


def _discourse_answers(query, *, nonce=None, key="user-api-key-1"):
    """What the forum does on approval: encrypt {key, nonce} with the public key the desk sent."""
    public = serialization.load_pem_public_key(query["public_key"].encode())
    assert isinstance(public, rsa.RSAPublicKey)  # the desk sends an RSA key (PKCS#1 v1.5 is RSA's)
    payload = json.dumps({"key": key, "nonce": nonce or query["nonce"], "push": False, "api": 4})
    return base64.b64encode(public.encrypt(payload.encode(), padding.PKCS1v15())).decode()


@responses.activate
def test_discourse_user_api_key_flow_decrypts_the_key_with_the_private_key_it_kept(admin_client):
    account = _account("discourse", "gitlab-team", {"base_url": FORUM}, {})
    query = _start(admin_client, account, FORUM + "/user-api-key/new")
    assert query["scopes"] == "read,write" and query["client_id"] == "triage-desk-discourse"
    assert query["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    redirect = urlparse(query["auth_redirect"])
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == (
        "https://desk.example.com/connect/discourse/callback/"
    )
    state = parse_qs(redirect.query)["state"][0]

    responses.get(FORUM + "/session/current.json", json={"current_user": {"id": 5, "username": "gitlab-team"}})
    _callback(admin_client, "discourse", state=state, payload=_discourse_answers(query))

    (me,) = responses.calls
    assert me.request.headers["User-Api-Key"] == "user-api-key-1"
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.tokens == {"access_token": "user-api-key-1"}
    assert account.token_expires_at is None


@responses.activate
def test_a_discourse_answer_with_another_nonce_is_refused(admin_client):
    account = _account("discourse", "gitlab-team", {"base_url": FORUM}, {})
    query = _start(admin_client, account, FORUM + "/user-api-key/new")
    state = parse_qs(urlparse(query["auth_redirect"]).query)["state"][0]

    page = _callback(admin_client, "discourse", state=state, payload=_discourse_answers(query, nonce="replayed"))

    assert "does not belong to this connection" in page.content.decode()
    assert not responses.calls
    account.refresh_from_db()
    assert account.status == Account.Status.NOT_CONNECTED


@responses.activate
def test_no_answer_from_stack_exchange_s_me_keeps_the_token_in_its_address_out_of_the_error():
    import traceback

    import requests

    from channels.adapters.base import TransientError
    from channels.adapters.stackexchange.oauth import _whoami
    from channels.http import build_session

    account = _account("stackexchange", "Team", {"site": "stackoverflow", "tags": ["gitlab"]}, {"key": "app-key"})
    token = "-".join(("se", "secret", "token"))  # not written out where the traceback quotes this test's lines

    def unreachable(request):
        # What requests raises when no connection opens: urllib3's words, the request's path and query in them.
        path = request.url.split("stackexchange.com", 1)[1]
        said = f"HTTPSConnectionPool(host='api.stackexchange.com', port=443): Max retries exceeded with url: {path}"
        raise requests.ConnectionError(said)

    responses.add_callback(responses.GET, SE_ME, callback=unreachable)
    with pytest.raises(TransientError) as raised:
        _whoami(account.channel, build_session(), token)
    assert "se-secret-token" in request_url(responses.calls[0].request)  # the token was in the address
    # Nor in the traceback a log or an error tracker prints (the chained exception's message).
    assert "se-secret-token" not in "".join(traceback.format_exception(raised.value))
