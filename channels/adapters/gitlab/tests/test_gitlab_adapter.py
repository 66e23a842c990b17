"""The GitLab adapter without a poll: the documented fixtures parsed (fixtures/SOURCES.md), config validation
errors in words, `manage.py ingest_payload` with a list of issues and a list of notes, a note posted as a
connected account (the Notes API's "Create new issue note"; the answer is a note object like the documented
one), connecting an account with OAuth + PKCE (docs.gitlab.com, "OAuth 2.0 identity provider API": the token
answer's `access_token`, `refresh_token`, `expires_in`; `GET /user`'s `username` and `id`), and every fixture
mutated (hypothesis) parsing without an unhandled exception."""

import json
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.core.management import call_command

from channels.accounts.tokens import account_connect
from channels.adapters.base import ConfigError, ReplyError, ReplyTarget
from channels.adapters.gitlab import GitLabAdapter
from channels.adapters.gitlab.oauth import GitLabOAuth, access_token_grant
from channels.http import build_session
from channels.models import Account
from channels.tests.factories import ChannelFactory
from channels.tests.harness import stored
from channels.tests.sent import request_form
from mentions.models import Message

from .shapes import API, BASE, CONFIG, FIXTURES, load, note

adapter = GitLabAdapter()
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


def test_the_documented_issues_parse_with_their_ids_links_and_authors():
    parsed = adapter.parse_page([*load("issues_list_docs.json"), load("issue_new_docs.json")])
    assert not parsed.rejected
    first, new = parsed.mentions
    assert first.external_id == "4/issues/1" and first.thread_id == "4/issues/1"
    assert first.title == "Ut commodi ullam eos dolores perferendis nihil sunt."
    assert first.text == "Omnis vero earum sunt corporis dolor et placeat."
    assert (first.author_handle, first.author_name) == ("root", "Administrator")
    assert first.permalink == "http://example.com/my-group/my-project/issues/1"
    assert new.external_id == "4/issues/14" and new.text == "Issues with auth"  # no description: the title


def test_the_documented_notes_are_system_notes_and_are_skipped():
    parsed = adapter.parse_page(load("notes_list_docs.json"))
    assert parsed.mentions == [] and parsed.rejected == []


def test_a_note_follows_its_issue_and_links_to_it_when_the_issue_is_in_the_payload():
    issues = load("issues_list_docs.json")
    comment = note(77, 1, at="2016-01-05T10:00:00Z")
    parsed = adapter.parse_page([[comment], issues])
    issue_mention, note_mention = parsed.mentions
    assert note_mention.external_id == "4/notes/77"
    assert note_mention.parent_id == note_mention.thread_id == issue_mention.external_id == "4/issues/1"
    assert note_mention.permalink == "http://example.com/my-group/my-project/issues/1#note_77"


@pytest.mark.parametrize(
    "config, words",
    [
        ({}, '"projects" is required'),
        ({"projects": ["gitlab"]}, 'a path like "gitlab-org/gitlab"'),
        ({"projects": ["a/b"], "base_url": "http://gitlab.example.com"}, "must start with https://"),
        ({"projects": ["a/b"], "base_url": "https://gitlab.com/api/v4"}, "not an API or project address"),
        ({"projects": ["a/b"], "base_url": "https://u:p@gitlab.com"}, "user name or password"),
        ({"projects": ["a/b"], "labels": ["a,b"]}, "cannot contain a comma"),
        ({"projects": ["a/b"], "include_confidential": "yes"}, "true or false"),
        ({"projects": ["a/b"], "max_requests_per_poll": 0}, "whole number from 2 to 500"),
        ({"projects": ["a/b"], "query": "x"}, "Unknown GitLab setting(s): query"),
    ],
)
def test_config_errors_say_what_to_fix(config, words):
    with pytest.raises(ConfigError) as raised:
        adapter.validate_config(config)
    assert words in str(raised.value)


def test_a_valid_config_is_normalised():
    config = adapter.validate_config({"projects": ["gitlab-org/gitlab/", 278964], "base_url": "https://GitLab.com/"})
    assert config["projects"] == ["gitlab-org/gitlab", "278964"] and config["base_url"] == "https://gitlab.com"


@pytest.mark.django_db
def test_ingest_payload_takes_a_list_of_issues_then_a_list_of_notes(tmp_path):
    channel = ChannelFactory(kind="gitlab", slug="gl", config=dict(CONFIG), our_accounts=[])
    issues, notes = tmp_path / "issues.json", tmp_path / "notes.json"
    issues.write_text(json.dumps(load("issues_list_docs.json")))
    notes.write_text(json.dumps([note(77, 1, at="2016-01-05T10:00:00Z"), *load("notes_list_docs.json")]))
    call_command("ingest_payload", "--channel", "gl", str(issues), stdout=StringIO())
    call_command("ingest_payload", "--channel", "gl", str(notes), stdout=StringIO())
    messages = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert stored(channel) == ["4/issues/1", "4/notes/77"]
    assert messages["4/notes/77"].ticket_id == messages["4/issues/1"].ticket_id


def _account(tokens=None, credentials=None):
    channel = ChannelFactory(kind="gitlab", config=dict(CONFIG), our_accounts=["desk-bot"])
    channel.credentials = credentials or {}
    channel.save()
    account = Account.objects.create(channel=channel, username="desk-bot")
    if tokens:
        from channels.accounts.oauth import Grant

        account_connect(account=account, grant=Grant(**tokens))
    return channel, account


@pytest.mark.django_db
@responses.activate
def test_a_reply_is_posted_as_a_note_with_the_accounts_token():
    channel, account = _account({"access_token": "oauth-token-1", "username": "desk-bot"})
    posted = {**note(900, 1, at="2026-01-05T10:00:00.000Z", username="desk-bot"), "body": "Thanks!"}
    responses.post(f"{API}/projects/4/issues/1/notes", json=posted, status=201)
    target = ReplyTarget(
        external_id="4/issues/1", thread_id="4/issues/1", permalink=f"{BASE}/g/p/-/issues/1",
        raw=load("issues_list_docs.json")[0],
    )  # fmt: skip
    sent = adapter.post_reply(channel=channel, account=account, session=build_session(), target=target, text="Thanks!")
    call = responses.calls[0].request
    assert call.body is not None
    assert json.loads(call.body) == {"body": "Thanks!"} and call.headers["Authorization"] == "Bearer oauth-token-1"
    assert sent.external_id == "4/notes/900" and sent.permalink == f"{BASE}/g/p/-/issues/1#note_900"


@pytest.mark.django_db
@responses.activate
def test_a_refused_reply_says_why_without_the_token():
    channel, account = _account(
        {"access_token": "glpat-secret-token", "username": "desk-bot", "extra": {"token_type": "private"}}
    )
    responses.post(f"{API}/projects/4/issues/1/notes", json={"message": "403 Forbidden glpat-secret-token"}, status=403)
    target = ReplyTarget(external_id="4/notes/5", raw=note(5, 1, at="2026-01-05T10:00:00Z"))
    with pytest.raises(ReplyError) as raised:
        adapter.post_reply(channel=channel, account=account, session=build_session(), target=target, text="Hi")
    assert responses.calls[0].request.headers["PRIVATE-TOKEN"] == "glpat-secret-token"
    assert "may not comment here" in str(raised.value) and "glpat-secret-token" not in str(raised.value)


@pytest.mark.django_db
@responses.activate
def test_oauth_with_pkce_at_the_instance_and_the_user_who_signed_in():
    channel, _ = _account(credentials={"oauth_client_id": "app-id", "oauth_client_secret": "app-secret"})
    begun = GitLabOAuth().begin(
        channel=channel, redirect_uri="https://desk.example.com/connect/gitlab/callback/", state="s1"
    )
    query = {k: v[0] for k, v in parse_qs(urlparse(begun.url).query).items()}
    assert begun.url.startswith(f"{BASE}/oauth/authorize?")
    assert query["code_challenge_method"] == "S256" and query["scope"] == "api" and query["state"] == "s1"
    responses.post(
        f"{BASE}/oauth/token",
        json={"access_token": "a1", "refresh_token": "r1", "expires_in": 7200, "token_type": "Bearer"},
    )
    responses.get(f"{API}/user", json={"id": 18, "username": "desk-bot"})
    grant = GitLabOAuth().complete(
        channel=channel, session=build_session(), params={"code": "c1", "state": "s1"},
        redirect_uri="https://desk.example.com/connect/gitlab/callback/", secret=begun.secret,
    )  # fmt: skip
    sent = request_form(responses.calls[0].request)
    assert sent["code_verifier"] == [begun.secret["code_verifier"]] and sent["grant_type"] == ["authorization_code"]
    assert (grant.username, grant.user_id, grant.refresh_token) == ("desk-bot", "18", "r1")


@pytest.mark.django_db
@responses.activate
def test_an_access_token_connects_only_the_user_it_acts_as():
    channel, _ = _account(credentials={"access_token": "glpat-abc123"})
    responses.get(f"{API}/user", json={"id": 3, "username": "someone-else"})
    with pytest.raises(Exception, match="acts as someone-else, not desk-bot"):
        access_token_grant(channel=channel, session=build_session(), username="desk-bot")
    assert responses.calls[0].request.headers["PRIVATE-TOKEN"] == "glpat-abc123"


@pytest.mark.django_db
@responses.activate
def test_admin_offers_the_channels_access_token_in_gitlabs_words_and_connects_with_it(client):
    from django.urls import reverse

    from mentions.tests.factories import UserFactory

    channel, account = _account(credentials={"access_token": "glpat-abc123"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "or with the channel&#x27;s access token" in change and "admin API key" not in change

    url = reverse("channels:account-channel-key", args=[account.pk])
    confirm = client.get(url).content.decode()
    assert "PRIVATE-TOKEN" in confirm and "it must be desk-bot" in confirm and "glpat-abc123" not in confirm
    responses.get(f"{API}/user", json={"id": 18, "username": "desk-bot"})
    page = client.post(url, follow=True).content.decode()
    assert "is connected with the channel&#x27;s access token." in page
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
