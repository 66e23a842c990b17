"""The demo desk's connected accounts: on each demo channel whose spec has `account_tokens` (channels.demo.channels),
our account (its first `our_accounts`) connected to reply from the desk, so the demo shows replying, liking,
reposting, deleting and direct messages from the ticket page, and on each demo issue tracker (Jira, Linear) our
account to file issues as. What they send goes to the platform's replay (channels.demo.replay), which answers it as
done and keeps nothing but a direct message and an issue, which it answers later (channels.demo.kept).

Made only on the demo network (DESK_DEMO_REPLAY): the tokens are fake, and a desk that reaches the real platforms
must not send them there. An account made before is left as it is (an admin may have paused or reconnected it).
A demo channel made before its platform could send lacks the app keys its sends need (Stack Exchange's `key`, Disqus's
`api_secret`): connecting the account adds the spec's credentials the channel has not got, and changes none it has."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.models import Account, Channel

logger = logging.getLogger(__name__)


def demo_accounts_ensure() -> list[Account]:
    """Connect our account on each demo channel that declares its tokens and has none of that name yet. Returns the
    accounts made now."""
    made = []
    for kind, spec in DEMO_CHANNELS.items():
        tokens = spec.get("account_tokens")
        channel = Channel.objects.filter(slug=demo_slug(kind), kind=kind).first()
        if not tokens or channel is None:
            continue
        # The name a completed connection stores: the platform's sign-in answer names the account (`account_username`,
        # where the channel's `our_accounts` holds an id, as Stack Exchange's user ids), else our account's handle.
        username = spec.get("account_username") or spec["our_accounts"][0]
        with transaction.atomic():
            if Account.objects.select_for_update().filter(channel=channel, username__iexact=username).exists():
                continue
            account = Account(
                channel=channel,
                username=username,
                reply_mode=Account.ReplyMode.DESK,
                status=Account.Status.CONNECTED,
                connected_at=timezone.now(),
            )
            account.tokens = tokens  # encrypted, as a completed connection stores them
            account.save()
            held = channel.credentials
            if missing := {k: v for k, v in spec.get("credentials", {}).items() if k not in held}:
                channel.credentials = {**held, **missing}
                channel.save(update_fields=["credentials_encrypted", "updated_at"])
        logger.info("demo: %s connected on channel=%s (its replay answers what it sends)", username, channel.slug)
        made.append(account)
    return made
