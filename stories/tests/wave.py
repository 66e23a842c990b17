"""A release-day wave for the stories tests: mentions on X, Reddit and Hacker News stored through the real ingest
(`intake.pipeline.mentions_ingest`, each platform's own parser on its own payload shape), then grouped by the real
detector (`stories.detection.detector.stories_detect`), and the platforms' reply endpoints faked with `responses`.

Where the shapes come from:
- X: posts, users and pages built by channels/adapters/twitter/tests/test_twitter_adapter.py (`tweet`, `user`,
  `page`: the X API v2 docs sample with expansions, recorded in that package's fixtures); the reply endpoint's
  201 `{"data": {"id", "text"}}` as mentions/tests/test_send_reply.py fakes it (POST /2/tweets).
- Reddit: listings and posts built by channels/adapters/reddit/tests/test_reddit_adapter.py (`post`, `listing`,
  from the recorded subreddit listings); the comment endpoint's `{"json": {"errors": [], "data": {"things":
  [...]}}}` envelope as mentions/tests/test_send_reply_reddit.py fakes it (POST /api/comment, api_type=json).
- Hacker News: Algolia hits built by channels/tests/hn.py (`story_hit`, `comment_hit`, `search_page`, from the
  recorded hn.algolia.com answers); the desk does not post there (advocates reply on the site and mark replied).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import responses
from django.utils import timezone
from requests import PreparedRequest

from channels.accounts.tokens import accounts_from_handles
from channels.adapters.hackernews import HackerNewsAdapter
from channels.adapters.reddit import RedditAdapter
from channels.adapters.reddit.reply import COMMENT_URL
from channels.adapters.reddit.tests.test_reddit_adapter import comment, listing, post, reddit_channel
from channels.adapters.twitter import TWEETS_URL, TwitterAdapter
from channels.adapters.twitter.tests.test_twitter_adapter import page, snowflake, tweet, user
from channels.models import Account, Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import Ticket
from stories.detection.detector import stories_detect
from stories.models import Story

RELEASE_URL = "https://about.gitlab.com/releases/2026/11/20/gitlab-18-6-released/"
X_CONFIG = {
    "handles": [
        {"username": "GitLab", "user_id": "2244994945", "role": "main"},
        {"username": "GitLabStatus", "user_id": "1143870337", "role": "status"},
    ],
}
_ids = itertools.count(1)


def x_channel() -> Channel:
    """An X channel whose @GitLab and @GitLabStatus post from the desk (connected, tokens valid)."""
    n = next(_ids)
    channel = ChannelFactory(kind="twitter", name=f"X {n}", slug=f"x-{n}", config=X_CONFIG, our_accounts=[])
    channel.credentials = {"bearer_token": "app", "oauth_client_id": "client-1", "oauth_client_secret": "s"}
    channel.save()
    for position, handle in enumerate(("GitLab", "GitLabStatus")):
        account = Account(channel=channel, username=handle, reply_mode=Account.ReplyMode.DESK, position=position)
        account.tokens = {"access_token": f"tok-{handle}", "refresh_token": f"refresh-{handle}"}
        account.token_expires_at = timezone.now() + timedelta(hours=2)
        account.status = Account.Status.CONNECTED
        account.save()
    return channel


def reddit_connected() -> Channel:
    """A Reddit channel with our connected account u/gitlab_team (as admin makes it on save, then connects it)."""
    channel = reddit_channel(subreddits=["gitlab"], our_accounts=["gitlab_team"])
    (account,) = accounts_from_handles(channel=channel)
    account.tokens = {"access_token": "acc-1", "refresh_token": "ref-1"}
    account.token_expires_at = timezone.now() + timedelta(hours=2)
    account.status = Account.Status.CONNECTED
    account.save()
    return channel


def hn_channel() -> Channel:
    return ChannelFactory()


def x_ingest(channel: Channel, posts: list[tuple[str, str, datetime]]) -> None:
    """(author handle, text, posted at): one post each, each from its own author."""
    tweets, users = [], []
    for seq, (handle, text, at) in enumerate(posts):
        author_id = str(900000 + next(_ids))
        tweets.append(tweet(snowflake(at, seq), text, author_id=author_id))
        users.append(user(author_id, handle, handle.replace("_", " ").title()))
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(page(tweets, users)))


def reddit_ingest(channel: Channel, posts: list[tuple[str, str, str, datetime]]) -> None:
    """(author, title, text, posted at): one self post each in r/gitlab."""
    things = [
        post(f"p{next(_ids):x}", int(at.timestamp()), title=title, selftext=text, author=author)
        for author, title, text, at in posts
    ]
    mentions_ingest(channel=channel, mentions=RedditAdapter().parse_payload(listing(things)))


def hn_ingest(channel: Channel, items: list[tuple[str, str, datetime]], *, title: str = "") -> None:
    """(author, text, posted at): with `title`, the first is a story of that title and the others comments under it
    (one ticket, one thread); without, each is a comment in a thread of its own (a ticket each)."""
    story_id = 40_000_000 + next(_ids) * 100
    hits = []
    for n, (author, text, at) in enumerate(items):
        when = int(at.timestamp())
        if title and n == 0:
            hits.append(story_hit(story_id, when, title=title, author=author, story_text=text))
        else:
            thread = story_id if title else story_id + 50 + n
            hits.append(
                comment_hit(story_id + n + 1, when, text=text, author=author, parent_id=thread, story_id=thread)
            )
    mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(hits)))


@dataclass
class Wave:
    x: Channel
    reddit: Channel
    hn: Channel
    story: Story
    tickets: dict[str, list[Ticket]] = field(default_factory=dict)  # channel kind -> its tickets

    @property
    def all(self) -> list[Ticket]:
        return [t for kind in ("twitter", "reddit", "hackernews") for t in self.tickets.get(kind, [])]


def release_wave(*, x: int = 8, reddit: int = 7, hn: int = 5, start: datetime | None = None) -> Wave:
    """`x` + `reddit` + `hn` tickets that all link to the release post, stored through the ingest and made one
    story by the detector."""
    start = start or timezone.now() - timedelta(hours=3)
    at = (start + timedelta(minutes=3 * i) for i in itertools.count())
    channels = Wave(x=x_channel(), reddit=reddit_connected(), hn=hn_channel(), story=Story())
    x_ingest(
        channels.x,
        [
            (f"x_user{i}", f"@GitLab is the runner change in 18.6 breaking my jobs? {RELEASE_URL}", next(at))
            for i in range(x)
        ],
    )
    reddit_ingest(
        channels.reddit,
        [
            (
                f"redditor{i}",
                f"18.6 upgrade question {i}",
                f"After 18.6 our pipelines behave differently. {RELEASE_URL}",
                next(at),
            )
            for i in range(reddit)
        ],
    )
    hn_ingest(
        channels.hn,
        [(f"hn_user{i}", f"The 18.6 release notes mention a runner change {RELEASE_URL}", next(at)) for i in range(hn)],
    )
    stories_detect()
    for channel in (channels.x, channels.reddit, channels.hn):
        channels.tickets[channel.kind] = list(Ticket.objects.filter(channel=channel).order_by("requested_at", "pk"))
    (channels.story,) = Story.objects.filter(merged_into__isnull=True, size__gt=0).order_by("-size")[:1]
    return channels


@dataclass
class Fakes:
    """What the fake reply endpoints were asked: X posts by the post they answer, Reddit comments by parent."""

    x_replies: list[str] = field(default_factory=list)
    reddit_replies: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)


def _text(request: PreparedRequest) -> str:
    body = request.body
    return body.decode() if isinstance(body, bytes) else body or ""


def reply_endpoints_fake() -> Fakes:
    """X's POST /2/tweets and Reddit's POST /api/comment answering each call with a new post (call inside
    `responses.activate`)."""
    fakes = Fakes()
    posted = itertools.count(1)

    def x_reply(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(_text(request))
        parent = body["reply"]["in_reply_to_tweet_id"]
        fakes.x_replies.append(parent)
        fakes.texts[parent] = body["text"]
        new_id = snowflake(timezone.now(), next(posted) % 4096)
        return 201, {}, json.dumps({"data": {"id": new_id, "text": body["text"]}})

    def reddit_reply(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(_text(request)).items()}
        parent = form["thing_id"]
        fakes.reddit_replies.append(parent)
        fakes.texts[parent] = form["text"]
        thing = comment(f"c{next(posted):x}", int(timezone.now().timestamp()), body=form["text"], author="gitlab_team",
                        post=parent.removeprefix("t3_"))  # fmt: skip
        return 200, {}, json.dumps({"json": {"errors": [], "data": {"things": [thing]}}})

    responses.add_callback(responses.POST, TWEETS_URL, callback=x_reply, content_type="application/json")
    responses.add_callback(responses.POST, COMMENT_URL, callback=reddit_reply, content_type="application/json")
    return fakes
