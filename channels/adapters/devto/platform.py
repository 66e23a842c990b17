"""dev.to, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES
from channels.freshness import Bucket

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    # One request for the latest articles (when the channel reads articles), one per hand-listed article, and the
    # taken-in articles' comments a poll reads (config.followed_per_poll, as the adapter reads them). Forem
    # throttles API reads at 3 a second per IP (forem/forem config/initializers/rack_attack.rb); the desk counts a
    # tenth of that, 30 per 30 s, shared by every dev.to channel of the deployment (one IP).
    from channels.adapters.base import ConfigError
    from channels.adapters.devto.config import DEFAULTS, followed_per_poll, reads_articles, settings_of

    try:
        settings = settings_of(config)
    except ConfigError:  # a channel that cannot poll spends nothing but the poll that says so
        settings = DEFAULTS
    requests = int(reads_articles(settings)) + len(settings["articles"]) + followed_per_poll(settings)
    return [Bucket("devto", max(1, requests), 30, 30, "Forem: 30 API reads per 30 s per IP")]


PLATFORM = Platform(
    kind="devto",
    label="dev.to",
    adapter="channels.adapters.devto.DevtoAdapter",
    help_text="New dev.to articles with your tags or keywords and their comments for a few days, and the comments of "
    "articles you list (no account).",
    config_example={"tags": ["gitlab"], "articles": [1612784]},
    budget=budget,
    watch=None,
    replies=None,
    accounts=None,
    credentials_required=(),
    reply_rule=NO_REPLIES,
    credentials_none="Forem's article and comment reads are public: dev.to is read without a key.",
    story_titles=True,
    headline_titles=True,  # an article's or an entry's title is its headline
    unsupported={
        "replies": "Forem's v1 API documents no endpoint that writes a comment: an advocate replies on dev.to (the "
        "ticket links there).",
        "accounts": "Nothing is posted through the desk, so no account is connected.",
        "watch": "The comments of the articles taken in are read for `follow_days`, and a listed article's (config "
        "`articles`) by every poll; the desk posts no reply there whose thread it would watch.",
    },
)
