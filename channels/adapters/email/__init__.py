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

What a poll does (one connection, always logged out in ``finally``; every socket operation has the timeout
``DESK_HTTP_TIMEOUT_SECONDS``):

1. Connect with TLS (``IMAP4_SSL``, or ``IMAP4`` + ``STARTTLS``), the context from
   ``ssl.create_default_context(cafile=ca_file)``; log in; ``EXAMINE`` the mailbox (SELECT read-only) and read
   ``UIDVALIDITY``, ``UIDNEXT`` and ``EXISTS``.
2. With a cursor for this mailbox and UIDVALIDITY: ``UID SEARCH UID <last+1>:*``. Without one (first poll, the
   mailbox setting changed, or UIDVALIDITY changed, which voids every UID we know): ``UID SEARCH SINCE <date>``
   for ``backfill_days`` (0: nothing old, only mail that arrives from now on). A range ending in ``*`` always
   contains the highest message, even when its UID is not above ``last``, so UIDs are filtered client-side.
3. ``UID FETCH <set> (UID INTERNALDATE BODY.PEEK[])`` for the oldest ``max_messages_per_poll`` of them, in
   chunks. PEEK and the read-only EXAMINE leave ``\\Seen`` alone: the team still sees the mail as unread in their
   own client. Each message goes through `parse.read_message`; auto-replies, bounces and bulk mail are
   logged (info, with their Message-ID) and dropped.

Cursor (``Channel.cursor``), saved by the ingest service with the mentions it covers::

    {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242}

``last_uid`` moves to the highest UID this poll read (dropped messages included, so they are not read again);
when a re-sync read everything in its window, it moves to ``UIDNEXT - 1``. UIDs only grow within one
UIDVALIDITY, so no overlap window is needed; a re-sync re-reads the backfill window and the ingest's unique
(channel, Message-ID) drops what is already stored.

Errors: a refused login is an ``AuthError`` (the server's words, never the password); a certificate that does not
verify is a ``PermanentError`` that says to set ``ca_file``; a missing mailbox or a port that does not speak TLS
is a ``ConfigError``; timeouts, refused connections, dropped connections and other TLS errors are
``TransientError`` (the channel backs off and the cursor stays where it was).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import requests

from ..base import FetchResult, IncomingMention, PayloadError
from .client import imap_session
from .config import DEFAULTS, password_of, settings_of, validate_config
from .cursor import Cursor
from .parse import ParsedEmail, looks_like_message, raw_hash, read_message, split_messages
from .parse import parse_message as parse_message  # one message -> mention or None
from .protocol import imap_quote, imap_utf7, parse_fetch_response, uid_set

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


class EmailAdapter:
    kind = "email"

    # --- config ----------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return validate_config(config)

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """The mailbox's own address: mail from it is our reply, never a ticket."""
        return [self.validate_config(config)["address"]]

    # --- polling ---------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        """One poll of the mailbox. `session` (HTTP) is not used: this channel speaks IMAP."""
        config = settings_of(self.validate_config(channel.config))
        password = password_of(channel)
        old = Cursor.load(channel.cursor)
        mentions: list[IncomingMention] = []
        reads = 0
        with imap_session(config, password) as imap:
            box = imap.examine()
            resync = old is None or old.mailbox != config.mailbox or old.uidvalidity != box.uidvalidity
            if resync:
                if old is not None:
                    logger.warning(
                        "email: channel=%s mailbox=%s UIDVALIDITY %s -> %s (or the mailbox changed): UIDs reset, "
                        "re-reading the last %s days; stored messages are recognised by Message-ID",
                        channel.slug,
                        config.mailbox,
                        old.uidvalidity,
                        box.uidvalidity,
                        config.backfill_days,
                    )
                floor = 0
                found = imap.search_since(config.backfill_days) if config.backfill_days else []
            else:
                floor = old.last_uid
                found = imap.search(f"UID {floor + 1}:*")
            candidates = sorted({uid for uid in found if uid > floor})
            batch = candidates[: config.max_messages_per_poll]
            wanted = set(batch)
            last_uid = floor
            for uid, internaldate, raw in imap.fetch(batch):
                if uid not in wanted:
                    continue
                wanted.discard(uid)
                last_uid = max(last_uid, uid)
                reads += 1
                parsed = _read(raw, internaldate=internaldate, uid=uid, mailbox=config.mailbox)
                reason = parsed.skip_reason or (
                    f"mailing-list post ({parsed.mailing_list})"
                    if config.skip_list_mail and parsed.mailing_list
                    else ""
                )
                if reason:
                    logger.info(
                        "email: channel=%s uid=%s Message-ID %s skipped, no ticket: %s",
                        channel.slug,
                        uid,
                        parsed.mention.external_id,
                        reason,
                    )
                    continue
                mentions.append(parsed.mention)
            backlog = len(candidates) - len(batch)
            if resync and not backlog:
                # The window was read completely: the UIDs below UIDNEXT that it did not return are older mail.
                last_uid = max(last_uid, (box.uidnext - 1) if box.uidnext else imap.highest_uid())
            cursor = Cursor(mailbox=config.mailbox, uidvalidity=box.uidvalidity, last_uid=last_uid).dump()
            status = {
                "mailbox": config.mailbox,
                "messages": box.exists,
                "uidvalidity": box.uidvalidity,
                "uidnext": box.uidnext,
                "backlog": backlog,
                "checked_at": datetime.now(tz=UTC).isoformat(),
            }
            commands = imap.commands
        return FetchResult(
            mentions=mentions, cursor=cursor, requests_made=commands, reads=reads, platform_status=status
        )

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = settings_of(self.validate_config(channel.config))
        with imap_session(config, password_of(channel)) as imap:
            box = imap.examine()
        return f"IMAP answered: {config.mailbox} has {box.exists} messages (UIDVALIDITY {box.uidvalidity})."

    # --- parsing ---------------------------------------------------------------------

    def parse_message(self, raw: bytes, *, internaldate: datetime | None = None) -> IncomingMention | None:
        """One message; None for an auto-reply, bounce or bulk mail."""
        return parse_message(raw, internaldate=internaldate)

    def parse_file(self, data: bytes) -> list[IncomingMention]:
        """A saved message (.eml), or an mbox of several, for ``manage.py ingest_payload``. Automated mail is
        dropped as when polling; ``skip_list_mail`` is a polling setting and does not apply here."""
        messages = split_messages(data)
        if not messages or not all(looks_like_message(raw) for raw in messages):
            raise PayloadError(
                "not an e-mail message: expected an RFC 5322 message (.eml: header lines, a blank line, the body)."
            )
        mentions: list[IncomingMention] = []
        for raw in messages:
            parsed = read_message(raw)
            if parsed.skip_reason:
                logger.info(
                    "email: Message-ID %s skipped, no ticket: %s", parsed.mention.external_id, parsed.skip_reason
                )
                continue
            mentions.append(parsed.mention)
        return mentions

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        raise PayloadError("E-mail channels read saved messages (.eml files), not JSON: pass the .eml file itself.")


def _read(raw: bytes, *, internaldate: datetime | None, uid: int, mailbox: str) -> ParsedEmail:
    try:
        return read_message(raw, internaldate=internaldate)
    except Exception:  # a parser bug must not wedge the mailbox on one message: keep it, readable by a human
        logger.exception("email: mailbox=%s uid=%s could not be parsed; stored as unreadable", mailbox, uid)
        return ParsedEmail(
            mention=IncomingMention(
                external_id=raw_hash(raw),
                created_at=internaldate or datetime.now(tz=UTC),
                text=f"[The desk could not read this message: open UID {uid} in the {mailbox} mailbox to see it.]",
                title="Unreadable e-mail",
                raw={"uid": uid, "size": len(raw)},
            )
        )
