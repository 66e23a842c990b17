"""The demo desk's channel of each kind (`seed_demo` makes them): a config its adapter accepts, our account
there, and whether its tickets open high. Their API is answered by channels.demo.replay, so they are polled
like any channel; the day a demo channel was made anchors its week (the posts are "N days before" that day).
`account_tokens`: the tokens of our account there (its first `our_accounts`), connected to reply from the desk
(channels.demo.accounts); the demo's replay of that platform answers what it sends. `account_username`: the name
that account is connected under when `our_accounts` holds an id (the platform's sign-in names it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

DEMO_CHANNELS: dict[str, dict[str, Any]] = {
    "twitter": {
        "name": "X / Twitter (demo sample)",
        # The mentions timeline never holds our own posts: the search finds our replies (replay: twitter/replay.py).
        "config": {
            "handles": [{"username": "gitlab", "user_id": "2244994945", "role": "main"}],
            "search_queries": ["from:gitlab"],
        },
        "our_accounts": ["gitlab"],
        "high_priority": True,
        # The app's bearer token reads; its OAuth app (client id) refreshes the handle's token after a 401.
        "credentials": {
            "bearer_token": "demo-x-bearer-token-not-a-secret",
            "oauth_client_id": "demo-x-oauth-client-id-not-a-secret",
        },
        # The user-context tokens "Connect" stores for @gitlab (X's OAuth 2.0 with PKCE and offline.access); the
        # demo's api.x.com (channels/adapters/twitter/replay_writes.py) takes posts made with them.
        "account_tokens": {
            "access_token": "demo-x-access-token-not-a-secret",
            "refresh_token": "demo-x-refresh-token-not-a-secret",
        },
    },
    "reddit": {
        "name": "Reddit (demo sample)",
        # The subreddit's streams bring the comments (keyword search finds posts only); the first poll reaches
        # back over the demo's whole week (the default is 24 hours).
        "config": {"keywords": ["gitlab"], "subreddits": ["gitlab"], "backfill_hours": 168},
        "our_accounts": ["gitlab_team"],
        "credentials": {"client_id": "demo-reddit-client-id", "client_secret": "demo-reddit-client-secret"},
        # The tokens "Connect" stores for u/gitlab_team (Reddit's code flow, duration=permanent); the demo's
        # oauth.reddit.com (channels/adapters/reddit/replay_writes.py) takes comments and messages made with them.
        "account_tokens": {
            "access_token": "demo-reddit-user-token-not-a-secret",
            "refresh_token": "demo-reddit-refresh-token-not-a-secret",
        },
    },
    # Our account is a user id: the adapter matches Stack Exchange authors by owner.user_id. The first poll
    # reads the whole week back (backfill_hours), as its replay serves it.
    "stackexchange": {
        "name": "Stack Overflow (demo sample)",
        "config": {"site": "stackoverflow", "tags": ["gitlab"], "backfill_hours": 192},
        "our_accounts": ["9071001"],
        # The app key (stackapps.com) that writes need next to the account's token; reads carry it too.
        "credentials": {"key": "demo-stackexchange-app-key-not-a-secret"},
        # What the OAuth flow stores (stackexchange/oauth.py): an access token only, `no_expiry`, no refresh token.
        "account_tokens": {"access_token": "demo-stackexchange-access-token-not-a-secret"},
        "account_username": "GitLab Advocate",  # its display_name, which the flow stores (oauth.py _whoami)
    },
    "disqus": {
        "name": "Blog comments (demo sample)",
        "config": {"forum": "gitlab", "backfill_hours": 192},
        "our_accounts": ["gitlab"],
        # The application's public key (reads and posts/create) and secret key (the account's token refresh).
        "credentials": {
            "api_key": "demo-disqus-public-key-not-real",
            "api_secret": "demo-disqus-secret-key-not-a-secret",
        },
        # What the OAuth flow stores (disqus/oauth.py): the access token and the refresh token of the token answer.
        "account_tokens": {
            "access_token": "demo-disqus-access-token-not-a-secret",
            "refresh_token": "demo-disqus-refresh-token-not-a-secret",
        },
    },
    "discourse": {
        "name": "Community forum (demo sample)",
        "config": {"base_url": "https://forum.gitlab.com"},
        "our_accounts": ["gitlab-team"],
        # A User API key, as the forum's approval page hands it over (channels/adapters/discourse/oauth.py): the
        # key the demo forum (channels/adapters/discourse/replay_writes.py) accepts for our account's writes.
        "account_tokens": {"access_token": "demo-discourse-user-api-key-not-a-secret"},
    },
    "gitlab": {
        "name": "GitLab issues (demo sample)",
        # The first poll reads back 30 days (the adapter's most): the whole demo week, even weeks after seeding.
        "config": {"projects": ["gitlab-org/gitlab"], "backfill_hours": 720},
        "our_accounts": ["gitlab-bot"],
        # The access token the demo's gitlab.com (channels/adapters/gitlab/replay.py) accepts.
        "credentials": {"access_token": "demo-gitlab-token-not-a-secret"},
        # The account posts with the channel's token, as "connect with the channel's access token" stores it.
        "account_tokens": {"access_token": "demo-gitlab-token-not-a-secret", "token_type": "private"},
    },
    "github": {
        "name": "GitHub issues and discussions (demo sample)",
        # The Terraform provider lives on GitHub; the first poll reads back 30 days, the whole demo week.
        "config": {"repositories": ["gitlabhq/terraform-provider-gitlab"], "backfill_hours": 720},
        "our_accounts": ["gitlab-devrel"],
        "credentials": {"token": "demo-github-token-not-a-secret"},
        # The account posts with the channel's token, as "connect with the channel's token" stores it.
        "account_tokens": {"access_token": "demo-github-token-not-a-secret", "token_type": "pat"},
    },
    "mastodon": {
        "name": "Mastodon (demo sample)",
        # Mentions of @gitlab and the #gitlab hashtag on mastodon.social; the first poll reads the whole week back.
        "config": {
            "base_url": "https://mastodon.social",
            "hashtags": ["gitlab"],
            "handles": ["gitlab"],
            "backfill_hours": 192,
        },
        "our_accounts": ["gitlab@mastodon.social"],
        # The access token the demo instance (channels/adapters/mastodon/replay.py) accepts.
        "credentials": {"access_token": "demo-mastodon-token-not-a-secret"},
        # Our connected account posts with the channel's token, as "connect with the channel's token" stores it.
        "account_tokens": {"access_token": "demo-mastodon-token-not-a-secret", "token_type": "channel"},
    },
    "bluesky": {
        "name": "Bluesky (demo sample)",
        # Notifications bring the mentions of our account and the replies to it; the search finds the posts naming
        # GitLab and our own replies (Bluesky's `from:` syntax: notifications never hold them).
        "config": {"handle": "gitlab.com", "keywords": ["gitlab", "from:gitlab.com"], "backfill_hours": 192},
        "our_accounts": ["gitlab.com"],
        # Any app password signs in on the demo's bsky.social (channels/adapters/bluesky/replay.py).
        "credentials": {"app_password": "demo-bluesky-app-password-not-a-secret"},
        # The session the demo's bsky.social issues on sign-in, as the app password connects the account.
        "account_tokens": {
            "access_token": "demo-bluesky-access-jwt-not-a-secret",
            "refresh_token": "demo-bluesky-refresh-jwt-not-a-secret",
            "pds": "https://bsky.social",
            "did": "did:plc:xggoxpmrtcacmsdtu7zgfxfi",  # the demo's DID of gitlab.com (bluesky/replay.py did_of)
        },
    },
    "discord": {
        "name": "Discord community server (demo sample)",
        # The #help text channel and the #duo-and-ide forum of the demo server (channels/adapters/discord/replay.py
        # serves these ids); gitlab_team's messages are our replies, as are the bot's (the application's user).
        "config": {
            "guild_id": "1083790519441932349",
            "text_channels": ["1083790520117211186"],
            "forum_channels": ["1083790520569778267"],
            "team_user_ids": ["1083791236912238622"],
            "application_id": "1083791981631889468",
        },
        "our_accounts": ["gitlab_team"],
        # The bot token the demo server accepts.
        "credentials": {"bot_token": "demo-discord-bot-token-not-a-secret"},
        # The account posts as the channel's bot, as "connect with the bot token" stores it.
        "account_tokens": {"access_token": "demo-discord-bot-token-not-a-secret", "token_type": "bot"},
    },
    "email": {
        "name": "Community mailbox (demo sample)",
        "config": {"host": "imap.example.com", "address": "community@example.com"},
        "our_accounts": ["community@example.com"],
        # The IMAP login (the demo's mailbox, channels.adapters.email.replay, accepts only this one).
        "credentials": {"password": "demo-imap-password-not-a-secret"},
    },
    "webhook": {
        "name": "Status page webhook (demo sample)",
        "config": {},
        "our_accounts": ["desk"],
        # The signing secret the demo's deliveries are signed with (channels.adapters.webhook.replay).
        "credentials": {"secret": "demo-webhook-secret-not-a-secret"},
    },
}


def demo_slug(kind: str) -> str:
    return f"{kind}-demo"


def demo_anchor(kind: str) -> datetime | None:
    """When the demo channel of `kind` was made (its week ends that day); None before `seed_demo` ran.
    One query per replayed request: the demo polls a few times a minute."""
    from channels.models import Channel

    return Channel.objects.filter(slug=demo_slug(kind)).values_list("created_at", flat=True).first()
