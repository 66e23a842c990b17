"""A team mailbox (community@, merch@, education@...) read over IMAP: every message a person sends it opens or
joins a ticket.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "host": "imap.example.com",            # required: a host name or IP address, not a URL
        "port": 993,                           # default 993 for "ssl", 143 for "starttls"
        "security": "ssl",                     # "ssl" (IMAPS, the default) or "starttls"; plain IMAP is refused
        "mailbox": "INBOX",                    # the folder polled (opened read-only)
        "address": "community@example.com",    # required: the mailbox's own address (replies are sent from it)
        "username": "community@example.com",   # the IMAP login; default: the address
        "ca_file": "/etc/ssl/private-ca.pem",  # optional: CA bundle for a server with a private or self-signed
                                               # certificate; the certificate and host name are always verified
        "backfill_days": 7,                    # how far back the first poll (and a re-sync) reads
        "max_messages_per_poll": 200,          # messages one poll reads; the rest wait for the next poll
        "skip_list_mail": false,               # true: mailing-list posts (List-Id, Precedence: list) are dropped
    }

Credentials: ``{"password": "..."}``. It never appears in logs or error messages.

Our accounts: the mailbox's ``address`` is ours by definition (`own_accounts`), so a copy of our own reply
(Bcc to ourselves, or a Sent folder polled as a channel) is recorded as our reply and sets the ticket's first
reply time; list other addresses the team sends from in ``Channel.our_accounts``.

What a poll does (`paging.py`; one connection, always logged out in ``finally``, every socket operation with the
timeout ``DESK_HTTP_TIMEOUT_SECONDS``):

1. Connect with TLS (``IMAP4_SSL``, or ``IMAP4`` + ``STARTTLS``), the context from
   ``ssl.create_default_context(cafile=ca_file)``; log in; ``EXAMINE`` the mailbox (SELECT read-only) and read
   ``UIDVALIDITY``, ``UIDNEXT`` and ``EXISTS`` (`client.py`).
2. With a cursor for this mailbox and UIDVALIDITY: ``UID SEARCH UID <last+1>:*``. Without one (first poll, the
   mailbox setting changed, or UIDVALIDITY changed, which voids every UID we know): ``UID SEARCH SINCE <date>``
   for ``backfill_days`` (0: nothing old, only mail that arrives from now on).
3. The oldest ``max_messages_per_poll`` of them (the poll's budget), ``UID FETCH <range> (UID INTERNALDATE
   BODY.PEEK[])`` 25 at a time, each chunk handed over (`fetch_chunks`) with the cursor at its highest UID and
   stored with it before the next FETCH. The rest wait for the next poll, which comes soon: a mailbox holding
   more than one poll's budget drains oldest first. PEEK and EXAMINE leave ``\\Seen`` alone.
4. Each message is one item (`page.py`) read through ``guard.parse_each``: `parse.read_message` (headers in
   `headers.py`, body in `body.py`), then ``clean.mention_clean``. Automated mail (`automated.py`) is logged
   (info, with its Message-ID) and dropped; a message that still cannot be read or stored is quarantined with
   the message itself, and the rest of the chunk is stored.

Cursor (`cursor.py`), saved by the ingest service with the mentions it covers::

    {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242}

``last_uid`` moves to the highest UID of each chunk (dropped and quarantined messages included, so they are not
read again); when a re-sync read everything in its window, it moves to ``UIDNEXT - 1``. UIDs only grow within one
UIDVALIDITY, so no overlap window is needed; a re-sync re-reads the backfill window and the ingest's unique
(channel, Message-ID) drops what is already stored.

Errors: a refused login is an ``AuthError`` (the server's words, never the password); a certificate that does not
verify is a ``PermanentError`` that says to set ``ca_file``; a missing mailbox or a port that does not speak TLS
is a ``ConfigError``; timeouts, refused connections, dropped connections and other TLS errors are
``TransientError`` (the channel backs off and the cursor stays where it was).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from ..base import FetchResult, IncomingMention, PayloadError
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from . import config as config_module
from .client import imap_session
from .config import DEFAULTS, password_of, settings_of
from .cursor import Cursor
from .page import parse_page
from .paging import MailboxWalk
from .parse import parse_message as parse_message  # one message -> mention or None
from .protocol import imap_quote, imap_utf7, parse_fetch_response, uid_set
from .reply import email_reply_send

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "DEFAULTS",
    "EmailAdapter",
    "imap_quote",
    "imap_session",
    "imap_utf7",
    "parse_fetch_response",
    "parse_message",
    "uid_set",
]

logger = logging.getLogger(__name__)


class EmailAdapter(PolledAdapter, config=config_module):
    kind = "email"
    post_reply = staticmethod(email_reply_send)  # over SMTP, from the channel's address (Platform.reply_as)

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """The mailbox's own address: mail from it is our reply, never a ticket."""
        return [self.validate_config(config)["address"]]

    # --- polling ---------------------------------------------------------------------

    cursor_type = Cursor  # declared like every polled platform's; read by `fetch_chunks` below, not the engine

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        """The poll's messages in UID chunks, oldest first, each with the cursor just after it (see `paging`).
        `session` (HTTP) is not used: this channel speaks IMAP. The one poll not on the engine
        (channels.adapters.poll): its client is an IMAP session that must stay open for the whole walk and be logged
        out after it (a context around the chunks), and it has no request budget or 429 to count."""
        config = settings_of(self.validate_config(channel.config))
        password = password_of(channel)
        with imap_session(config, password) as imap:
            # None for a missing or damaged cursor: the poll re-syncs the backfill window (Message-ID dedupes).
            walk = MailboxWalk(imap, config, Cursor.loaded(channel.cursor), channel_slug=channel.slug)
            yield from walk.chunks()

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(self.validate_config(channel.config))
        with imap_session(config, password_of(channel)) as imap:
            box = imap.examine()
        return f"IMAP answered: {config.mailbox} has {box.exists} messages (UIDVALIDITY {box.uidvalidity})."

    # --- parsing ---------------------------------------------------------------------

    def parse_message(self, raw: bytes, *, internaldate: datetime | None = None) -> IncomingMention | None:
        """One message; None for an auto-reply, bounce or bulk mail."""
        return parse_message(raw, internaldate=internaldate)

    # A saved message or mbox (bytes), or message items (see `page`), as mentions and rejected messages.
    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One message item kept in the dead-letter table, read again."""
        return parse_page(item if isinstance(item, dict) else [item])

    def parse_file(self, data: bytes, *, channel: Channel | None = None) -> Parsed:
        """A saved message (.eml), or an mbox of several, for ``manage.py ingest_payload``. Automated mail is
        dropped as when polling; ``skip_list_mail`` is a polling setting and does not apply here. Messages that
        cannot be read are in the answer's ``rejected`` (quarantined by the command)."""
        return parse_page(bytes(data))

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        if not isinstance(payload, bytes | bytearray | str):
            raise PayloadError("E-mail channels read saved messages (.eml files), not JSON: pass the .eml file itself.")
        return parse_page(payload).mentions
