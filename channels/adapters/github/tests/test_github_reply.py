"""Posting on GitHub as a connected account, at the HTTP boundary: a reply on an issue (REST "Create an issue
comment", answered with the recorded comment `issue_comment_20227753.json`) or in a discussion (GraphQL
``addDiscussionComment``, answered as recorded in `add_discussion_comment.json`), a like (REST reactions, answered
with `reaction_created.json`; GraphQL ``addReaction`` in the schema's shape), deleting our own comment (REST 204 as
recorded in PyGithub's ``IssueComment.testDelete``; GraphQL ``deleteDiscussionComment`` as in
`delete_discussion_comment.json`), refusals (the recorded 422, a 403 rate limit per docs.github.com), and
connecting accounts: GitHub's OAuth web flow with PKCE (`oauth_token.json`, `oauth_token_refreshed.json`,
``GET /user`` as `user.json`), a personal access token, and a GitHub App's installation token
(`installation_token.json`, ``GET /app`` as `app.json`) signed with RS256."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from channels.accounts.oauth import Grant
from channels.accounts.tokens import account_connect, account_tokens
from channels.adapters.base import ReplyError, ReplyTarget, ReplyUncertain
from channels.adapters.github import GitHubAdapter
from channels.adapters.github.oauth import GitHubOAuth, channel_key_grant
from channels.adapters.github.page import parse_page
from channels.adapters.github.reply import where_of
from channels.http import build_session
from channels.models import Account
from channels.tests.sent import request_form

from .shapes import (
    API,
    GRAPHQL_URL,
    REPO,
    comment,
    discussion,
    discussion_comment,
    github_channel,
    issue,
    load,
    sent_json,
)

pytestmark = pytest.mark.django_db
adapter = GitHubAdapter()
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
).decode()


def connected(username="desk-bot", tokens=None, **channel):
    found = github_channel(**channel)
    account = Account.objects.create(channel=found, username=username)
    account_connect(account=account, grant=Grant(**(tokens or {"access_token": "gho_account", "username": username})))
    return found, account


def target_of(item):
    """The stored message a reply answers, as the desk builds it: the parsed item's id, thread, author and raw."""
    [mention] = [m for m in parse_page(item).mentions if m.external_id in (item.get("node_id"), item.get("id"))]
    return ReplyTarget(
        external_id=mention.external_id,
        thread_id=mention.thread_id,
        permalink=mention.permalink,
        author_handle=mention.author_handle,
        raw=mention.raw,
    )


def send(channel, account, target, text="Thanks, fixed in 1.2!"):
    return adapter.post_reply(channel=channel, account=account, session=build_session(), target=target, text=text)


@responses.activate
def test_a_reply_on_an_issue_or_its_comment_is_a_comment_on_the_issue():
    channel, account = connected()
    recorded = load("issue_comment_20227753.json")
    responses.post(f"{API}/repos/{REPO}/issues/5/comments", json=recorded, status=201)

    sent = send(channel, account, target_of(comment(70, 5, at="2026-01-05T10:00:00Z")))

    call = responses.calls[0].request
    assert sent_json(call) == {"body": "Thanks, fixed in 1.2!"}
    assert (
        call.headers["Authorization"] == "Bearer gho_account"
        and call.headers["Accept"] == "application/vnd.github+json"
    )
    assert sent.external_id == recorded["node_id"]  # what the next poll finds: the same message, not a second one
    assert sent.permalink == recorded["html_url"] and sent.created_at.isoformat() == "2013-06-29T10:31:38+00:00"
    # Our comment is stored as a poll stores one: the desk can act on it later (delete it), as on any comment.
    assert where_of(ReplyTarget(external_id=sent.external_id, raw=sent.raw)) == ("issue_comment", REPO, 5)
    assert sent.raw["item"]["node_id"] == recorded["node_id"]
    send(channel, account, target_of(issue(5, at="2026-01-05T09:00:00Z")))
    assert responses.calls[1].request.url == f"{API}/repos/{REPO}/issues/5/comments"


@responses.activate
def test_a_reply_in_a_discussion_goes_under_the_comment_answered():
    channel, account = connected()
    responses.post(GRAPHQL_URL, json=load("add_discussion_comment.json"))
    reply = discussion_comment("DC_reply", at="2026-01-05T10:05:00Z")
    top = discussion_comment("DC_top", at="2026-01-05T10:00:00Z", replies={"nodes": [reply]})
    parsed = parse_page({"data": {"node": discussion(7, at="2026-01-05T09:00:00Z", comments=[top])}}).mentions
    answered = next(m for m in parsed if m.external_id == "DC_reply")
    target = ReplyTarget(external_id=answered.external_id, thread_id=answered.thread_id, raw=answered.raw)

    sent = send(channel, account, target)

    sent_vars = sent_json(responses.calls[0].request)["variables"]["input"]
    assert sent_vars == {"discussionId": "D_kwTEST7", "body": "Thanks, fixed in 1.2!", "replyToId": "DC_top"}
    assert sent.external_id == "DC_kwDOADYVqs4AovYl"
    assert where_of(ReplyTarget(external_id=sent.external_id, raw=sent.raw)) == ("discussion_comment", REPO, 7)
    assert sent.raw["discussion_id"] == "D_kwTEST7" and sent.raw["reply_to"] == "DC_top"
    on_discussion = next(m for m in parsed if m.external_id == "D_kwTEST7")
    send(channel, account, ReplyTarget(external_id="D_kwTEST7", thread_id="D_kwTEST7", raw=on_discussion.raw))
    assert "replyToId" not in sent_json(responses.calls[1].request)["variables"]["input"]


@responses.activate
def test_refusals_are_said_in_words_and_nothing_is_sent_twice():
    channel, account = connected()
    target = target_of(issue(5, at="2026-01-05T09:00:00Z"))
    with pytest.raises(ReplyError, match="at most 65,536 characters"):
        send(channel, account, target, text="x" * 65_537)
    assert len(responses.calls) == 0
    url = f"{API}/repos/{REPO}/issues/5/comments"
    responses.post(url, json=load("error_validation_422.json"), status=422)
    with pytest.raises(ReplyError, match=r"GitHub refused \(422\): Validation Failed \(GitHub did not accept it\)"):
        send(channel, account, target)
    responses.replace(
        responses.POST, url, json={"message": "secondary rate limit"}, status=403, headers={"retry-after": "60"}
    )
    with pytest.raises(ReplyError, match="try again in 60 s"):
        send(channel, account, target)
    responses.replace(responses.POST, url, json=load("issue_comment_created_2012.json"), status=201)
    with pytest.raises(ReplyUncertain, match="named no comment"):
        send(channel, account, target)  # posted, but GitHub's 2012 answer had no node id to count it by
    responses.replace(responses.POST, url, json={"message": "Bad credentials gho_account"}, status=403)
    with pytest.raises(ReplyError) as refused:
        send(channel, account, target)
    assert "gho_account" not in str(refused.value) and "may not write here" in str(refused.value)


@responses.activate
def test_likes_are_reactions_on_the_issue_the_comment_or_the_discussion():
    channel, account = connected()
    responses.post(f"{API}/repos/{REPO}/issues/5/reactions", json=load("reaction_created.json"), status=201)
    responses.post(f"{API}/repos/{REPO}/issues/comments/70/reactions", json=load("reaction_created.json"), status=200)
    answer = {"data": {"addReaction": {"reaction": {"content": "HEART"}, "subject": {"id": "D_kwTEST7"}}}}
    responses.post(GRAPHQL_URL, json=answer)
    session = build_session()

    made = adapter.like(
        channel=channel, account=account, session=session, target=target_of(issue(5, at="2026-01-05T09:00:00Z"))
    )
    adapter.like(
        channel=channel, account=account, session=session, target=target_of(comment(70, 5, at="2026-01-05T10:00:00Z"))
    )
    discussed = parse_page({"data": {"node": discussion(7, at="2026-01-05T09:00:00Z")}}).mentions[0]
    liked = ReplyTarget(external_id="D_kwTEST7", raw=discussed.raw)
    said = adapter.like(channel=channel, account=account, session=session, target=liked, content="heart")

    assert made["content"] == "hooray" and said["reaction"]["content"] == "HEART"
    assert [sent_json(c.request) for c in responses.calls[:2]] == [{"content": "+1"}, {"content": "+1"}]
    assert responses.calls[0].request.headers["Accept"] == "application/vnd.github+json"
    assert sent_json(responses.calls[2].request)["variables"] == {
        "input": {"subjectId": "D_kwTEST7", "content": "HEART"}
    }
    with pytest.raises(ReplyError, match="reactions the desk sends"):
        adapter.like(channel=channel, account=account, session=session, target=liked, content="rocket")


@responses.activate
def test_only_our_own_comments_are_deleted():
    channel, account = connected()
    responses.delete(f"{API}/repos/{REPO}/issues/comments/70", status=204)
    responses.post(GRAPHQL_URL, json=load("delete_discussion_comment.json"))
    session = build_session()

    adapter.delete_post(
        channel=channel,
        account=account,
        session=session,
        target=target_of(comment(70, 5, at="2026-01-05T10:00:00Z", login="desk-bot")),
    )
    ours = discussion_comment("DC_kwDOADYVqs4AovYk", at="2026-01-05T10:00:00Z", login="desk-bot")
    page = parse_page({"data": {"node": discussion(7, at="2026-01-05T09:00:00Z", comments=[ours])}})
    mention = next(m for m in page.mentions if m.external_id == ours["id"])
    adapter.delete_post(
        channel=channel,
        account=account,
        session=session,
        target=ReplyTarget(external_id=mention.external_id, author_handle="desk-bot", raw=mention.raw),
    )

    assert [c.request.method for c in responses.calls] == ["DELETE", "POST"]
    assert sent_json(responses.calls[1].request)["variables"] == {"input": {"id": "DC_kwDOADYVqs4AovYk"}}
    with pytest.raises(ReplyError, match="Only desk-bot's own comments"):
        adapter.delete_post(
            channel=channel,
            account=account,
            session=session,
            target=target_of(comment(71, 5, at="2026-01-05T10:00:00Z")),
        )
    with pytest.raises(ReplyError, match="Only a comment can be deleted"):
        adapter.delete_post(
            channel=channel,
            account=account,
            session=session,
            target=target_of(issue(5, at="2026-01-05T09:00:00Z", login="desk-bot")),
        )
    assert len(responses.calls) == 2


@responses.activate
def test_connecting_through_githubs_sign_in_with_pkce_and_refreshing_an_app_user_token():
    channel = github_channel(credentials={"token": "x", "oauth_client_id": "Iv1.app", "oauth_client_secret": "shh"})
    begun = GitHubOAuth().begin(
        channel=channel, redirect_uri="https://desk.example.com/connect/github/callback/", state="s1"
    )
    query = {k: v[0] for k, v in parse_qs(urlparse(begun.url).query).items()}
    assert begun.url.startswith("https://github.com/login/oauth/authorize?")
    assert query["code_challenge_method"] == "S256" and query["client_id"] == "Iv1.app" and query["state"] == "s1"
    responses.post("https://github.com/login/oauth/access_token", json=load("oauth_token.json"))
    responses.get(f"{API}/user", json=load("user.json"))

    grant = GitHubOAuth().complete(
        channel=channel, session=build_session(), params={"code": "c1", "state": "s1"},
        redirect_uri="https://desk.example.com/connect/github/callback/", secret=begun.secret,
    )  # fmt: skip

    sent = request_form(responses.calls[0].request)
    assert sent["code_verifier"] == [begun.secret["code_verifier"]] and sent["client_secret"] == ["shh"]
    assert responses.calls[0].request.headers["Accept"] == "application/json"
    assert (grant.username, grant.user_id, grant.refresh_token) == ("jacquev6", "327146", "refresh_token_removed")
    assert grant.expires_at is not None  # a GitHub App's user token: eight hours
    responses.replace(
        responses.POST, "https://github.com/login/oauth/access_token", json=load("oauth_token_refreshed.json")
    )
    renewed = GitHubOAuth().refresh(channel=channel, session=build_session(), tokens=grant.tokens)
    assert renewed is not None and renewed.access_token == "another_access_token_removed"
    assert request_form(responses.calls[2].request)["grant_type"] == ["refresh_token"]
    assert (
        GitHubOAuth().refresh(
            channel=channel, session=build_session(), tokens={"access_token": "t", "token_type": "pat"}
        )
        is None
    )


@responses.activate
def test_the_channels_token_connects_only_the_login_it_acts_as():
    channel = github_channel()
    responses.get(f"{API}/user", json=load("user.json"))
    with pytest.raises(Exception, match="acts as jacquev6, not desk-bot"):
        channel_key_grant(channel=channel, session=build_session(), username="desk-bot")
    grant = channel_key_grant(channel=channel, session=build_session(), username="JacqueV6")
    assert grant.access_token == "github_pat_test_0123456789" and grant.extra == {"token_type": "pat"}
    assert responses.calls[0].request.headers["Authorization"] == "Bearer github_pat_test_0123456789"


def in_an_hour():
    return (datetime.now(tz=UTC) + timedelta(hours=1)).isoformat(timespec="seconds").replace("+00:00", "Z")


def app_channel(**fields):
    credentials = {"app_id": "75269", "app_private_key": PEM, "app_installation_id": "29782936"}
    return github_channel(config={"repositories": [REPO], "auth": "app"}, credentials=credentials, **fields)


@responses.activate
def test_a_github_app_posts_as_its_bot_with_installation_tokens_minted_from_a_signed_jwt():
    channel = app_channel()
    responses.get(f"{API}/app", json=load("app.json"))
    tokens_url = f"{API}/app/installations/29782936/access_tokens"
    responses.post(tokens_url, json={**load("installation_token.json"), "expires_at": in_an_hour()}, status=201)

    grant = channel_key_grant(channel=channel, session=build_session(), username="pygithubtest[bot]")

    bearer = responses.calls[0].request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(bearer, KEY.public_key(), algorithms=["RS256"])
    assert claims["iss"] == "75269" and claims["exp"] - claims["iat"] == 600
    assert grant.username == "pygithubtest[bot]" and grant.access_token == "private_token_removed"
    assert (
        grant.extra == {"token_type": "installation"}
        and grant.expires_at is not None
        and grant.expires_at > datetime.now(tz=UTC)
    )
    account = Account.objects.create(channel=channel, username="pygithubtest[bot]")
    account_connect(account=account, grant=grant)
    renewed = GitHubOAuth().refresh(
        channel=channel, session=build_session(), tokens=account_tokens(account=account, session=build_session())
    )
    assert renewed is not None and responses.calls[-1].request.url == tokens_url  # minted again, not from the cache
    with pytest.raises(Exception, match="posts as pygithubtest\\[bot\\], not desk-bot"):
        channel_key_grant(channel=channel, session=build_session(), username="desk-bot")


@responses.activate
def test_a_github_app_channel_polls_with_one_cached_installation_token():
    channel = app_channel()
    responses.post(
        f"{API}/app/installations/29782936/access_tokens",
        json={**load("installation_token.json"), "expires_at": in_an_hour()},
        status=201,
    )
    responses.get(f"{API}/repos/{REPO}", json={"full_name": REPO, "private": True})
    assert adapter.test_connection(channel=channel, session=build_session()) == f"GitHub answered: {REPO} (private)."
    assert adapter.test_connection(channel=channel, session=build_session())
    minted = [c for c in responses.calls if c.request.method == "POST"]
    assert len(minted) == 1 and responses.calls[1].request.headers["Authorization"] == "Bearer private_token_removed"
    responses.replace(
        responses.POST,
        f"{API}/app/installations/29782936/access_tokens",
        json=load("error_jwt_expired_401.json"),
        status=401,
    )
    cache.clear()  # the cached token gone (evicted, or expired): a JWT is signed again, and refused
    with pytest.raises(Exception, match="GitHub refused"):
        adapter.test_connection(channel=channel, session=build_session())


@responses.activate
def test_the_desks_like_and_delete_reach_github_on_a_polled_ticket():
    """mentions.services.platform_actions through GitHub's declared actions (+1, Delete), as the replying account."""
    from channels.tests.harness import poll
    from mentions.models import Message
    from mentions.services.platform_actions import message_like, reply_delete
    from mentions.tests.factories import AdvocateFactory, ManagerFactory

    from .shapes import COMMENTS_URL, ISSUES_URL, add_graphql, add_list, discussions_answer

    channel, _account = connected()
    add_list(ISSUES_URL, [issue(5, at="2026-11-20T09:00:00Z")])
    add_list(COMMENTS_URL, [comment(70, 5, at="2026-11-20T10:00:00Z", login="desk-bot")])
    add_graphql(discussions_answer([], end=None))
    channel.config = {**channel.config, "backfill_hours": 720}
    channel.save()
    poll(channel)
    mention = Message.objects.get(channel=channel, external_id="I_kwTEST5")
    ours = Message.objects.get(channel=channel, external_id="IC_kwTEST70")
    assert mention.ticket is not None and ours.kind == Message.Kind.OUR_REPLY
    responses.post(f"{API}/repos/{REPO}/issues/5/reactions", json=load("reaction_created.json"), status=201)
    responses.delete(f"{API}/repos/{REPO}/issues/comments/70", status=204)
    advocate = AdvocateFactory()

    assert message_like(ticket=mention.ticket, message_id=mention.pk, user=advocate) is True
    # Posted by our account outside the desk (no author here): a manager deletes it (mentions.services.outward_policy).
    assert reply_delete(ticket=mention.ticket, message_id=ours.pk, user=ManagerFactory(), confirmed=True) is True

    liked, deleted = responses.calls[-2].request, responses.calls[-1].request
    assert sent_json(liked) == {"content": "+1"} and liked.headers["Authorization"] == "Bearer gho_account"
    assert deleted.method == "DELETE"
    ours.refresh_from_db()
    assert ours.deleted_at is not None and ours.body == "Comment 70"  # the ticket keeps what it said
