"""Sending on Mastodon as a connected account, at the HTTP boundary: a reply (``POST /api/v1/statuses``), favourite,
boost and delete, and connecting an account (OAuth at the instance, or the channel's token).

Shapes: the answers are the recorded ones (fixtures/SOURCES.md): the reply posted (`status_reply_posted.json`), a
status favourited, boosted and deleted, the instance's limits, the 401/404/422 error bodies; the token endpoint's
answer is the documented Token (`docs_token.json`). The 429 is what Mastodon's ``rack_attack.rb`` answers
(SOURCES.md, "Shapes the tests build from these")."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from channels.adapters.base import AccountNeedsReconnect, AuthError, ReplyError, ReplyTarget
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon.oauth import MastodonOAuth, access_token_grant
from channels.http import build_session
from channels.models import Account
from channels.tests.sent import request_form

from .shapes import ALICE, BASE, DOMAIN, STATUSES, TEAM, ago, channel, connected, load, rate, status

pytestmark = pytest.mark.django_db
adapter = MastodonAdapter()
CALLBACK = "https://desk.example.com/connect/mastodon/callback/"


def target(visibility: str | None = "public", *, author: str = f"{ALICE}@{DOMAIN}", status_id: str = "9001"):
    raw = status(status_id, at=ago(10), visibility=visibility or "public")
    if visibility is None:
        del raw["visibility"]
    return ReplyTarget(external_id=status_id, author_handle=author, permalink=raw["url"], raw=raw)


def instance(max_characters: int = 500) -> None:
    answer = load("instance_v2_test_server.json")
    answer["configuration"]["statuses"]["max_characters"] = max_characters
    responses.get(f"{BASE}/api/v2/instance", json=answer)


def posted(answer: dict | None = None, **options) -> None:
    responses.post(STATUSES, json=answer or load("status_reply_posted.json"), headers=rate(), **options)


def send(made, account, tgt, text="Thanks, we are on it."):
    return adapter.post_reply(channel=made, account=account, session=build_session(), target=tgt, text=text)


@responses.activate
def test_a_reply_answers_the_post_as_visible_as_it_addressed_to_its_author_once():
    made = channel()
    account = connected(made)
    instance()
    posted()

    sent = send(made, account, target("unlisted"))

    call = responses.calls[-1].request
    assert request_form(call) == {
        "status": [f"@{ALICE}@{DOMAIN} Thanks, we are on it."],
        "in_reply_to_id": ["9001"],
        "visibility": ["unlisted"],
    }
    assert call.headers["Authorization"] == "Bearer account-token-1"
    key = call.headers["Idempotency-Key"]
    assert len(key) == 64 and "account-token-1" not in key
    recorded = load("status_reply_posted.json")
    assert (sent.external_id, sent.permalink) == (recorded["id"], recorded["url"])
    assert sent.created_at.isoformat() == "2026-08-01T13:53:15.910000+00:00"

    send(made, account, target("unlisted"))  # the same reply again: the same key, so the instance posts it once
    assert responses.calls[-1].request.headers["Idempotency-Key"] == key


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private", "direct"])
@responses.activate
def test_the_reply_is_never_more_visible_than_the_post(visibility):
    made = channel()
    instance()
    posted()
    send(made, connected(made), target(visibility))
    assert request_form(responses.calls[-1].request)["visibility"] == [visibility]


@responses.activate
def test_a_post_stored_without_its_visibility_is_asked_first():
    made = channel()
    instance()
    responses.get(f"{STATUSES}/9001", json=load("status_direct_posted.json"))
    posted()
    send(made, connected(made), target(None))
    assert request_form(responses.calls[-1].request)["visibility"] == ["direct"]


def test_an_unknown_visibility_is_refused_not_guessed():
    made = channel()
    with pytest.raises(ReplyError, match="Cannot tell who may see this post"):
        send(made, connected(made), target("local"))


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"@{ALICE} sure!", f"@{ALICE} sure!"),  # names her already (her own server's short form)
        (f"Hi @{ALICE}@{DOMAIN}, sure!", f"Hi @{ALICE}@{DOMAIN}, sure!"),
        (f"@{ALICE}s not her", f"@{ALICE}@{DOMAIN} @{ALICE}s not her"),
    ],
)
@responses.activate
def test_the_author_is_added_only_when_the_text_does_not_name_them(text, expected):
    made = channel()
    instance()
    posted()
    send(made, connected(made), target(), text)
    assert request_form(responses.calls[-1].request)["status"] == [expected]


@responses.activate
def test_replying_to_our_own_post_addresses_nobody():
    made = channel()
    instance()
    posted()
    send(made, connected(made), target(author=f"{TEAM}@{DOMAIN}"), "More on this below.")
    assert request_form(responses.calls[-1].request)["status"] == ["More on this below."]


@responses.activate
def test_a_reply_over_the_instances_limit_is_not_sent():
    made = channel()
    instance(100)
    link = "https://docs.gitlab.com/" + "x" * 300  # 23 as Mastodon counts it
    text = "a" * (100 - len(f"@{ALICE} ") - 23 - 1) + " " + link
    posted()
    send(made, connected(made), target(), text)  # 100 exactly, the long link counted 23
    with pytest.raises(ReplyError, match=r"The reply is 101 characters .* social.example takes 100 at most"):
        send(made, connected(made, username=f"ops@{DOMAIN}"), target(), text + "!")
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1


@pytest.mark.parametrize(
    "status_code, body, words",
    [
        (422, "error_422_too_long.json", "Text Begrenzung von 500 Zeichen überschritten"),
        (404, "error_404_status.json", "the post you are answering is gone"),
        (429, {"error": "Too many requests"}, "rate limit for this account is used up: try again after"),
    ],
)
@responses.activate
def test_a_refused_reply_says_why_in_words(status_code, body, words):
    made = channel()
    instance()
    answer = load(body) if isinstance(body, str) else body
    responses.post(STATUSES, status=status_code, json=answer, headers=rate(0))
    with pytest.raises(ReplyError, match=words) as raised:
        send(made, connected(made), target())
    assert "account-token-1" not in str(raised.value)


@responses.activate
def test_a_revoked_token_asks_for_the_account_to_be_connected_again():
    made = channel()
    account = connected(made)
    instance()
    responses.post(STATUSES, status=401, json=load("error_401_invalid_token.json"))
    with pytest.raises(AccountNeedsReconnect):
        send(made, account, target())
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT


@responses.activate
def test_favourite_boost_and_delete_our_post_as_the_account():
    made = channel()
    account = connected(made)
    favourited, boosted, deleted = (
        load("status_favourited.json"),
        load("status_reblogged.json"),
        load("status_deleted.json"),
    )
    responses.post(f"{STATUSES}/{favourited['id']}/favourite", json=favourited)
    responses.post(f"{STATUSES}/{boosted['reblog']['id']}/reblog", json=boosted)
    responses.delete(f"{STATUSES}/{deleted['id']}", json=deleted, headers=rate(29))
    session = build_session()

    liked = adapter.favourite(channel=made, account=account, session=session, status_id=favourited["id"])
    shared = adapter.boost(channel=made, account=account, session=session, status_id=boosted["reblog"]["id"])
    adapter.delete_post(channel=made, account=account, session=session, target=ReplyTarget(external_id=deleted["id"]))

    assert (liked.status_id, liked.state) == (favourited["id"], True)
    assert (shared.status_id, shared.state) == (boosted["reblog"]["id"], True)
    assert [c.request.method for c in responses.calls] == ["POST", "POST", "DELETE"]
    assert {c.request.headers["Authorization"] for c in responses.calls} == {"Bearer account-token-1"}


@responses.activate
def test_deleting_a_post_that_is_not_ours_is_refused_in_words():
    made = channel()
    responses.delete(f"{STATUSES}/9001", status=404, json=load("error_404_status.json"))
    with pytest.raises(ReplyError, match="no such post of this account"):
        adapter.delete_post(
            channel=made, account=connected(made), session=build_session(), target=ReplyTarget(external_id="9001")
        )
    with pytest.raises(ReplyError, match="not a Mastodon post"):
        adapter.favourite(
            channel=made, account=connected(made, "x@social.example"), session=build_session(), status_id="../x"
        )


@responses.activate
def test_an_account_connects_through_the_instances_sign_in_with_pkce():
    made = channel()
    made.credentials = {**made.credentials, "oauth_client_id": "app-id", "oauth_client_secret": "app-secret"}
    made.save()
    begun = MastodonOAuth().begin(channel=made, redirect_uri=CALLBACK, state="s1")
    query = {k: v[0] for k, v in parse_qs(urlparse(begun.url).query).items()}
    assert begun.url.startswith(f"{BASE}/oauth/authorize?")
    assert (query["scope"], query["state"], query["code_challenge_method"]) == ("read write", "s1", "S256")
    token = load("docs_token.json")
    responses.post(f"{BASE}/oauth/token", json=token)
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", json={**load("verify_credentials.json"), "acct": TEAM})

    grant = MastodonOAuth().complete(
        channel=made, session=build_session(), params={"code": "c1", "state": "s1"}, redirect_uri=CALLBACK,
        secret=begun.secret,
    )  # fmt: skip

    form = request_form(responses.calls[0].request)
    assert form["code_verifier"] == [begun.secret["code_verifier"]] and form["client_secret"] == ["app-secret"]
    assert (grant.username, grant.access_token, grant.refresh_token, grant.expires_at) == (
        f"{TEAM}@{DOMAIN}",
        token["access_token"],
        "",
        None,  # Mastodon's tokens do not expire
    )
    assert MastodonOAuth().refresh(channel=made, session=build_session(), tokens={"access_token": "x"}) is None


@responses.activate
def test_the_channels_token_connects_only_the_account_it_belongs_to():
    made = channel()
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", json=load("verify_credentials.json"))  # admin's
    with pytest.raises(AuthError, match=f"is admin@{DOMAIN}'s, not {TEAM}'s"):
        access_token_grant(channel=made, session=build_session(), username=TEAM)
    grant = access_token_grant(channel=made, session=build_session(), username="admin")
    assert grant.username == f"admin@{DOMAIN}" and grant.access_token == "desk-token-abc123"
    assert json.loads(json.dumps(grant.tokens))["token_type"] == "channel"
