"""The demo's connected X handle sending through the real adapter (reply.py, actions.py, oauth.py) to the demo's
api.x.com (DESK_DEMO_REPLAY). The answers' shapes are the replay's (channels/adapters/twitter/replay_writes.py), which
follows X's recorded 201 to POST /2/tweets (tests/fixtures/create_tweet_201.json and its headers in
_responses_meta.json) and X API v2's reference pages ("Like a Post", "Send a new message to a user", "OAuth 2.0
Authorization Code Flow with PKCE") for the rest; refusals are X's problem shape (`title`, `detail`, `type`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters.base import ReplyError, ReplyTarget
from channels.adapters.twitter import TwitterAdapter, actions, snowflake_time
from channels.adapters.twitter.replay import demo_posts as week_posts
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.http import build_session
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "twitter"
ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STORY_POST = "1860500000000007000"  # a post the week does not hold: the release-day story's form (seed_demo_stories)


def _connected():
    channel = demo.channel(KIND, ANCHOR)
    demo_accounts_ensure()
    return channel, Account.objects.get(channel=channel)


def test_a_reply_to_any_post_gets_a_new_post_id_no_post_of_the_week_has():
    with time_machine.travel(ANCHOR + timedelta(hours=1), tick=False):
        channel, account = _connected()
        session = build_session()
        week = {str(p.id) for p in week_posts(demo_posts(KIND))}
        sent = [
            TwitterAdapter.post_reply(
                channel=channel, account=account, session=session, target=ReplyTarget(external_id=post), text="On it."
            )
            for post in (STORY_POST, sorted(week)[0], STORY_POST)
        ]
        ids = [reply.external_id for reply in sent]
        assert len(set(ids)) == 3 and not week & set(ids)
        assert all(snowflake_time(i) == timezone.now() for i in ids)  # Snowflakes of the time they were posted
        assert sent[0].permalink == f"https://x.com/gitlab/status/{ids[0]}"
        assert sent[0].raw == {"data": {"id": ids[0], "text": "On it."}}  # the recorded 201's body


def test_a_write_x_refuses_shows_xs_words():
    with time_machine.travel(ANCHOR, tick=False):
        channel, account = _connected()
        account.platform_user_id = "783214"  # another user's likes: X refuses to act for them
        with pytest.raises(ReplyError) as refused:
            actions.like(channel=channel, account=account, session=build_session(), target=ReplyTarget(STORY_POST))
        assert str(refused.value) == ("X refused to like the post (403): You are not permitted to perform this action.")

        response = build_session().post(
            "https://api.x.com/2/tweets",
            json={"text": "Hi", "reply": {"in_reply_to_tweet_id": "not-a-post"}},
            headers={"Authorization": f"Bearer {DEMO_CHANNELS[KIND]['account_tokens']['access_token']}"},
        )
        assert response.status_code == 400 and response.json()["type"].endswith("/problems/invalid-request")
        assert response.json()["errors"][0]["parameters"] == {"reply.in_reply_to_tweet_id": ["not-a-post"]}
        app_only = build_session().post(
            "https://api.x.com/2/tweets", json={"text": "Hi"}, headers={"Authorization": "Bearer app-only"}
        )
        assert (app_only.status_code, app_only.json()["title"]) == (401, "Unauthorized")


def test_an_expiring_token_is_refreshed_at_xs_token_endpoint_before_the_post():
    with time_machine.travel(ANCHOR, tick=False):
        channel, account = _connected()
        Account.objects.filter(pk=account.pk).update(token_expires_at=timezone.now() + timedelta(minutes=1))
        account.refresh_from_db()
        sent = TwitterAdapter.post_reply(
            channel=channel, account=account, session=build_session(), target=ReplyTarget(STORY_POST), text="Fixed."
        )
        assert sent.external_id
        account.refresh_from_db()
        assert account.token_expires_at == timezone.now() + timedelta(seconds=7200)  # X's two hours
        assert account.tokens == DEMO_CHANNELS[KIND]["account_tokens"] and account.status == Account.Status.CONNECTED
