"""Discord, declared for the registry (channels.adapters.platform).

Request budget (discord.com/developers/docs/topics/rate-limits): a bot may make 50 requests a second in all (the
global limit), and each route has a bucket of its own that Discord announces in its headers (for reading a
channel's messages, 5 requests in about 5 seconds per channel, which one poll never nears). A poll makes one
request a text channel, one for the server's active threads, and one a thread with news; channels with the same
bot token share the global limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import MiB, ReplyMedia, ReplyRule
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel

GLOBAL_PER_SECOND = 50


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    requests = len(config.get("text_channels") or []) + 1 + len(config.get("forum_channels") or [])
    who = f"discord:{hashed(credential(channel, 'bot_token'))}"
    label = f"Discord: {GLOBAL_PER_SECOND} requests a second per bot (its global limit)"
    return [Bucket(who, max(1, requests), GLOBAL_PER_SECOND, 1, label)]


PLATFORM = Platform(
    kind="discord",
    label="Discord",
    adapter="channels.adapters.discord.DiscordAdapter",
    help_text="A Discord server's chosen text and forum channels, read by the team's bot; replies go in threads.",
    config_example={
        "guild_id": "613425648685547541",
        "text_channels": ["1019000000000000002"],
        "forum_channels": ["1019000000000000001"],
        "team_user_ids": ["1019000000000000010"],
        "team_role_ids": ["1019000000000000020"],
    },
    budget=budget,
    watch=None,
    replies="channels.adapters.discord.DiscordAdapter.post_reply",
    accounts="channels.adapters.discord.oauth.DiscordBotAuthorization",
    credentials_required=("bot_token",),
    reply_rule=ReplyRule(
        limit=2000,
        # Create Message: up to 10 files; 10 MiB a message's uploads for a bot on a server without boosts.
        media=ReplyMedia(
            10, 10 * MiB, how="one multipart Create Message: payload_json and files[n], attachments[n].description"
        ),
    ),
    message_rule=ReplyRule(limit=2000),
    own_place=True,  # the product's own server
    unsupported={
        "watch": "Every poll reads the chosen channels' active threads already: a watched thread adds nothing.",
    },
    actions={"like": "React 👍", "delete": "Delete", "message": "Send a DM"},
    author_ids=("author.id",),
    actions_done={"like": "Reacted 👍"},
)
