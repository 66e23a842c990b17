"""YouTube, declared for the registry (channels.adapters.platform).

Request budget: YouTube counts units, not requests: a Google Cloud project has 10,000 a day
(developers.google.com/youtube/v3/getting-started#quota), reset at midnight Pacific time; a list call costs 1, a
search 100, a comment posted 50. A poll reads a page per channel and per followed video when nothing is new; the
searches (``search_every_hours``) spend a fixed share of the day, taken off the channel's ``daily_quota`` here, and
every channel with the same API key (one project) shares the rest. The adapter counts the units themselves
(`quota.py`) and stops a poll before the day's budget is passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    keywords = len(config.get("keywords") or [])
    per_keyword = int(config.get("videos_per_keyword") or 5)
    reads = len(config.get("channel_ids") or []) + keywords * per_keyword
    searches = keywords * 100 * 24 // int(config.get("search_every_hours") or 6)
    daily = int(config.get("daily_quota") or 9000)
    who = f"youtube:{hashed(credential(channel, 'api_key'))}"
    label = f"YouTube Data API: {daily:,} units a day for the polls, {searches:,} of them for searches"
    return [Bucket(who, max(1, reads), max(1, daily - searches), 86_400, label)]


PLATFORM = Platform(
    kind="youtube",
    label="YouTube",
    adapter="channels.adapters.youtube.YoutubeAdapter",
    help_text="Comments on your channel's videos and on new videos your keywords find; replies as your channel.",
    config_example={"channel_ids": ["UCnMGQ8QHMAnVIsI3xJrihhg"], "keywords": ["gitlab ci"]},
    budget=budget,
    watch=None,
    replies="channels.adapters.youtube.YoutubeAdapter.post_reply",
    accounts="channels.adapters.youtube.oauth.GoogleOAuth",
    credentials_required=("api_key",),
    # comments.insert: "snippet.textOriginal … limited to 10,000 characters" (YouTube's comment length limit).
    reply_rule=ReplyRule(limit=10_000),
    # comments.delete, as the connected account: our own comment taken back (reply.delete_post).
    actions={"delete": "Delete"},
    unsupported={
        "watch": "Every poll re-reads the comment threads of the last follow_days days, replies included: a thread "
        "we answered is read again without a watch list.",
    },
    author_ids=("snippet.authorChannelId.value",),
)
