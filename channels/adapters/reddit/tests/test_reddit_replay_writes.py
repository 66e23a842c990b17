"""The demo's connected Reddit account sending through the real adapter (reply.py, message.py, oauth.py) to the demo's
oauth.reddit.com (DESK_DEMO_REPLAY). The answers' shapes are the replay's (channels/adapters/reddit/replay_writes.py),
which follows the recorded comment envelope tests/fixtures/comment_reply_post.json (PRAW's cassette) and 403
error_403.json, Reddit's OAuth2 wiki (reddit-archive/reddit, "Refreshing the token") and Reddit's own error codes and
words (reddit-archive/reddit r2/r2/lib/errors.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters.base import ReplyError, ReplyTarget
from channels.adapters.reddit import RedditAdapter, replay
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.http import build_session
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "reddit"
ANCHOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STORY_POST = "t3_1h1b58"  # a post the week does not hold: the release-day story's form (seed_demo_stories)
USER_TOKEN = DEMO_CHANNELS[KIND]["account_tokens"]["access_token"]


def _connected():
    channel = demo.channel(KIND, ANCHOR)
    demo_accounts_ensure()
    return channel, Account.objects.get(channel=channel)


def test_a_reply_is_a_new_comment_under_the_post_it_answers():
    with time_machine.travel(ANCHOR, tick=False):
        channel, account = _connected()
        things = replay.items(demo_posts(KIND), replay.SUBREDDIT, escape=False)
        week_comment = next(t["data"] for t in things if t["kind"] == "t1")
        sent = [
            RedditAdapter.post_reply(
                channel=channel, account=account, session=build_session(), target=ReplyTarget(parent), text="On it."
            )
            for parent in (week_comment["name"], STORY_POST)
        ]
        ids = {s.external_id for s in sent}
        assert len(ids) == 2 and not ids & {t["data"]["name"] for t in things}
        under_week, under_story = (s.raw["data"] for s in sent)
        assert under_week["parent_id"] == week_comment["name"] and under_week["link_id"] == week_comment["link_id"]
        post_id = week_comment["link_id"].removeprefix("t3_")
        assert sent[0].permalink == f"https://www.reddit.com/comments/{post_id}/_/{under_week['id']}/"
        assert under_story["link_id"] == STORY_POST and under_story["author"] == "gitlab_team"
        assert under_story["body_html"] == '<div class="md"><p>On it.</p>\n</div>'  # as the recorded answer has it


def test_a_write_reddit_refuses_shows_its_words():
    with time_machine.travel(ANCHOR, tick=False):
        channel, account = _connected()
        account.tokens = {"access_token": replay.ACCESS_TOKEN}  # the app-only token: it reads, it may not comment
        with pytest.raises(ReplyError) as refused:
            RedditAdapter.post_reply(
                channel=channel, account=account, session=build_session(), target=ReplyTarget(STORY_POST), text="Hi"
            )
        assert str(refused.value).startswith("Reddit refused the reply (403): Forbidden")

        session, signed = build_session(), {"Authorization": f"bearer {USER_TOKEN}"}
        comment = "https://oauth.reddit.com/api/comment"
        form = {"api_type": "json", "thing_id": "t9_nothing", "text": "Hi"}
        assert session.post(comment, data=form, headers=signed).json() == {
            "json": {"errors": [["NO_THING_ID", "id not specified", "parent"]]}
        }
        blank = session.post(comment, data={**form, "thing_id": STORY_POST, "text": " "}, headers=signed)
        assert blank.json() == {"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}}


def test_an_expiring_token_is_refreshed_at_reddits_token_endpoint_before_the_comment():
    with time_machine.travel(ANCHOR, tick=False):
        channel, account = _connected()
        Account.objects.filter(pk=account.pk).update(token_expires_at=timezone.now() + timedelta(minutes=1))
        account.refresh_from_db()
        sent = RedditAdapter.post_reply(
            channel=channel, account=account, session=build_session(), target=ReplyTarget(STORY_POST), text="Fixed."
        )
        assert sent.external_id.startswith("t1_")
        account.refresh_from_db()
        assert account.token_expires_at == timezone.now() + timedelta(days=1)
        assert account.tokens["access_token"] == USER_TOKEN and account.status == Account.Status.CONNECTED
