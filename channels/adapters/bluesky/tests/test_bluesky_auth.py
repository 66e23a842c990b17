"""Signing in with an app password, refreshing, and never showing a token: at the HTTP boundary (`responses`).

Shapes: createSession and refreshSession answers as Bluesky's HTTP reference gives them (tests/bsky.py says why
none is recorded); the expired and revoked token bodies and the 429 of a refused sign-in as recorded
(fixtures/recorded_errors.json).
"""

import logging
import time

import pytest
import responses
from django.core.cache import cache

from channels.accounts.tokens import account_tokens
from channels.adapters import AuthError, ConfigError, PermanentError, RateLimited, TransientError
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.auth import cached_session, login_of
from channels.adapters.bluesky.oauth import BlueskySession
from channels.adapters.bluesky.tests.bsky import (
    CREATE_SESSION,
    DID,
    GABE,
    HANDLE,
    PASSWORD,
    PDS,
    REFRESH_SESSION,
    SEARCH,
    bluesky_channel,
    calls_to,
    jwt,
    load,
    mock_sign_in,
    ratelimit,
    session_body,
)
from channels.http import build_session
from channels.models import Account

pytestmark = pytest.mark.django_db
adapter = BlueskyAdapter()
RECORDED = load("recorded_errors.json")


def fetch(channel):
    return adapter.fetch(channel=channel, session=build_session())


def empty_search():
    responses.get(SEARCH, json={"posts": []}, headers=ratelimit())


@responses.activate
def test_the_session_is_made_once_kept_encrypted_and_reused_by_the_next_poll():
    channel = bluesky_channel(keywords=["gitlab"], read_notifications=False)
    access, refresh = mock_sign_in()
    empty_search()

    fetch(channel)
    fetch(channel)

    [sign_in] = calls_to(CREATE_SESSION)
    assert sign_in.request.body == f'{{"identifier": "{HANDLE}", "password": "{PASSWORD}"}}'.encode()
    assert [c.request.headers["Authorization"] for c in calls_to(SEARCH)] == [f"Bearer {access}"] * 2
    kept = cache.get(login_of(channel).cache_key)
    assert isinstance(kept, str) and access not in kept and refresh not in kept  # Fernet ciphertext
    session = cached_session(login_of(channel))
    assert session is not None and session.pds == PDS and session.did == DID


@responses.activate
def test_an_expired_access_token_is_refreshed_once_and_the_call_asked_again(caplog):
    channel = bluesky_channel(keywords=["gitlab"], read_notifications=False)
    access, refresh = mock_sign_in()
    expired = RECORDED["expired_access_token"]
    responses.get(SEARCH, status=expired["status"], json=expired["body"])
    new_access, new_refresh = jwt(), jwt(scope="com.atproto.refresh")
    responses.post(REFRESH_SESSION, json=session_body(new_access, new_refresh))
    empty_search()

    with caplog.at_level(logging.DEBUG):
        fetch(channel)

    [refreshed] = calls_to(REFRESH_SESSION)
    assert refreshed.request.headers["Authorization"] == f"Bearer {refresh}"
    assert calls_to(SEARCH)[1].request.headers["Authorization"] == f"Bearer {new_access}"
    assert len(calls_to(CREATE_SESSION)) == 1
    for secret in (access, refresh, new_access, new_refresh, PASSWORD):
        assert secret not in caplog.text


@responses.activate
def test_a_revoked_refresh_token_signs_in_again():
    channel = bluesky_channel(keywords=["gitlab"], read_notifications=False)
    mock_sign_in(lifetime=60)  # expires within the margin: the next poll refreshes first
    empty_search()
    fetch(channel)
    revoked = RECORDED["revoked_refresh_token"]
    responses.post(REFRESH_SESSION, status=revoked["status"], json=revoked["body"])
    access, _ = mock_sign_in()

    fetch(channel)

    assert len(calls_to(REFRESH_SESSION)) == 1 and len(calls_to(CREATE_SESSION)) == 2
    assert calls_to(SEARCH)[-1].request.headers["Authorization"] == f"Bearer {access}"


@responses.activate
def test_a_refused_sign_in_is_rate_limited_until_blueskys_reset_and_says_why():
    channel = bluesky_channel(keywords=["gitlab"], read_notifications=False)
    recorded = RECORDED["rate_limited_create_session"]
    headers = {k: v for k, v in recorded["headers"].items() if k != "content-length"}  # responses sets its own
    headers["ratelimit-reset"] = str(int(time.time()) + 3600)
    responses.post(CREATE_SESSION, status=429, json=recorded["body"], headers=headers)

    with pytest.raises(RateLimited, match="Rate Limit Exceeded") as raised:
        fetch(channel)

    assert raised.value.retry_after is not None and 3500 < raised.value.retry_after <= 3600


@responses.activate
def test_an_account_password_that_bluesky_refuses_is_an_auth_error_without_the_password():
    channel = bluesky_channel(keywords=["gitlab"], credentials={"app_password": "not-the-password"})
    responses.post(
        CREATE_SESSION,
        status=401,
        json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )

    with pytest.raises(AuthError) as raised:
        fetch(channel)

    assert "app password" in str(raised.value) and "not-the-password" not in str(raised.value)


# The error names are createSession's own (lexicon com.atproto.server.createSession: AccountTakedown,
# AuthFactorTokenRequired; AuthenticationRequired as the PDS answers a wrong password); the body, not the status,
# says which refusal it is.
@pytest.mark.parametrize(
    ("status", "error", "raised_as", "says"),
    [
        (400, "AuthenticationRequired", AuthError, "check the handle and that the credential is an app password"),
        (400, "AuthFactorTokenRequired", AuthError, "check the handle and that the credential is an app password"),
        (400, "AccountTakedown", AuthError, f"the account @{HANDLE} cannot sign in: AccountTakedown"),
        (400, "InvalidRequest", PermanentError, f"sign-in of @{HANDLE} failed: HTTP 400 (InvalidRequest"),
        (502, "AccountTakedown", TransientError, "sign-in: HTTP 502 (AccountTakedown"),
    ],
)
@responses.activate
def test_a_refused_sign_in_is_read_by_the_error_bluesky_names(status, error, raised_as, says):
    channel = bluesky_channel(keywords=["gitlab"])
    responses.post(CREATE_SESSION, status=status, json={"error": error, "message": f"said with {PASSWORD}"})

    with pytest.raises(raised_as) as raised:
        fetch(channel)

    assert type(raised.value) is raised_as and says in str(raised.value)
    assert PASSWORD not in str(raised.value)


def test_a_channel_without_an_app_password_says_what_to_add():
    channel = bluesky_channel(keywords=["gitlab"], credentials={})
    with pytest.raises(ConfigError, match="app password"):
        fetch(channel)


@responses.activate
def test_the_account_connects_with_the_channels_app_password_and_only_as_its_handle():
    channel = bluesky_channel(keywords=["gitlab"])
    access, refresh = mock_sign_in()

    grant = adapter.channel_key_grant(channel=channel, session=build_session(), username=f"@{HANDLE}")

    assert grant.username == HANDLE and grant.user_id == DID
    assert grant.tokens == {"did": DID, "pds": PDS, "access_token": access, "refresh_token": refresh}
    assert grant.expires_at is not None and grant.expires_at.timestamp() > time.time() + 3600
    with pytest.raises(AuthError, match=f"not @{GABE}"):
        adapter.channel_key_grant(channel=channel, session=build_session(), username=GABE)
    with pytest.raises(ConfigError, match="app password"):
        BlueskySession().begin(channel=channel, redirect_uri="https://desk.example/cb", state="s")


@responses.activate
def test_a_connected_accounts_session_is_refreshed_and_signed_in_again_when_refused():
    channel = bluesky_channel(keywords=["gitlab"])
    mock_sign_in()
    grant = adapter.channel_key_grant(channel=channel, session=build_session(), username=HANDLE)
    account = Account.objects.create(channel=channel, username=HANDLE, status=Account.Status.CONNECTED)
    account.tokens = grant.tokens
    account.save()
    new_access, new_refresh = jwt(), jwt(scope="com.atproto.refresh")
    responses.post(REFRESH_SESSION, json=session_body(new_access, new_refresh))

    tokens = account_tokens(account=account, session=build_session(), force_refresh=True)

    assert tokens["access_token"] == new_access and tokens["refresh_token"] == new_refresh and tokens["did"] == DID
    responses.replace(responses.POST, REFRESH_SESSION, status=400, json=RECORDED["revoked_refresh_token"]["body"])
    again, _ = mock_sign_in()
    assert account_tokens(account=account, session=build_session(), force_refresh=True)["access_token"] == again
    # The app password signs in as another account than this one's: it needs reconnecting, never others' tokens.
    responses.replace(
        responses.POST, CREATE_SESSION, json=session_body(jwt(), jwt(), did="did:plc:someoneelse000000000000")
    )
    assert BlueskySession().refresh(channel=channel, session=build_session(), tokens={"did": DID}) is None
