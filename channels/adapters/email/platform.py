"""E-mail (an IMAP mailbox), declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule

PLATFORM = Platform(
    kind="email",
    label="E-mail (IMAP mailbox)",
    adapter="channels.adapters.email.EmailAdapter",
    help_text="A team mailbox (community@, merch@…) read over IMAP: each message a person sends opens or joins a "
    "ticket.",
    config_example={
        "host": "imap.example.com",
        "port": 993,
        "security": "ssl",
        "mailbox": "INBOX",
        "address": "community@example.com",
        "username": "community@example.com",
    },
    budget=None,
    watch=None,
    # Replies go out over SMTP (Django's e-mail backend), from the mailbox's own address.
    replies="channels.adapters.email.EmailAdapter.post_reply",
    accounts=None,
    credentials_required=("password",),
    reply_rule=ReplyRule(
        limit=None,
    ),
    name="E-mail",
    reply_opening="Hi {requester},\n\n",
    reply_as="address",
    own_place=True,  # a team mailbox of ours
    identity="address",
    unsupported={
        "budget": "An IMAP server sets no request budget: the poll interval is the admin's (or 60 s).",
        "watch": "Every message of a conversation arrives in the mailbox itself: there is no thread to read.",
        "accounts": "Replies are sent from the mailbox's address over SMTP: no per-person account to connect.",
    },
)
