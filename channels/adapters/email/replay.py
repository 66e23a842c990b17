"""The demo desk's mailbox: an IMAP connection answered on this machine from the demo week (channels.demo.replay_kit
says what every replay shares).

The e-mail adapter speaks IMAP through imaplib, not HTTP, so with ``DESK_DEMO_REPLAY`` its client opens a
`ReplayMailbox` instead of a socket for the demo channel's host (`demo_mailbox`: a host on this machine is connected
to, any other refused); the rest of the poll is the production path. `ReplayMailbox` is an ``imaplib.IMAP4`` that
never connects, answering the commands `client.py` sends as imaplib returns them (RFC 3501; the shapes Dovecot
gives in ``test_email_imap.py``): ``login``/``authenticate("PLAIN")`` (a wrong password ``[AUTHENTICATIONFAILED]``),
``select`` (EXAMINE, with ``UIDVALIDITY`` and ``UIDNEXT``), ``uid("SEARCH")`` with ``ALL``, ``SINCE`` or ``UID
<set>``, ``uid("FETCH", set, "(UID INTERNALDATE BODY.PEEK[])")`` in the shape `protocol.parse_fetch_response`
documents, ``close``, ``logout``, ``shutdown``; anything else is imaplib's error for a tagged BAD.

Each post is an RFC 5322 text/plain message (``Message-ID <demo-email-N[-K]@sender's domain>``; a follow-up
``In-Reply-To`` the post before it and ``References`` the thread, as the notmuch thread fixtures do; our replies
``From`` the mailbox's own address). A message's UID is the Unix second it arrived (UIDs grow with arrival, RFC
3501 2.3.1.1); its INTERNALDATE and Date are its post's time.
"""

from __future__ import annotations

import email.policy
import email.utils
import imaplib
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any, Literal

from channels.adapters.base import IncomingMention
from channels.demo.replay import LOCAL_HOSTS, DemoPosts, demo_posts

from .config import Config
from .demo import DEMO
from .protocol import MONTHS

logger = logging.getLogger(__name__)

UIDVALIDITY = 1_700_000_000  # one mailbox for the demo's life: the UIDs are the posts' own times
CAPABILITIES = ("IMAP4REV1", "AUTH=PLAIN", "UIDPLUS", "IDLE")
_SINCE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")


def demo_mailbox(config: Config) -> ReplayMailbox | None:
    """What the demo desk connects to for `config`, as the demo network does for HTTP: the demo's IMAP host is
    answered here; a server on this machine (a local test server) is connected to (None); any other host is
    refused, as if nothing listened there."""
    if config.host in LOCAL_HOSTS:
        return None
    if config.host != DEMO["config"]["host"]:
        logger.warning("demo: refused an IMAP connection to %s (the demo desk stays on this machine)", config.host)
        raise ConnectionRefusedError(f"the demo desk opens no connection outside this machine ({config.host})")
    return ReplayMailbox(config)


class ReplayMailbox(imaplib.IMAP4):
    """An IMAP connection to the demo mailbox (see the module docstring). `posts`: the week's e-mail posts by
    now, read once when the connection opens (a server's mailbox as the SELECT sees it)."""

    def __init__(self, config: Config, posts: DemoPosts | None = None) -> None:
        # imaplib.IMAP4.__init__ would open a socket: set the state it would have after the greeting instead.
        self.host, self.port = config.host, config.port
        self.config = config
        self.debug = 0
        self.state = "NONAUTH"
        self.capabilities = CAPABILITIES
        self.untagged_responses = {}
        self.is_readonly = False
        self.welcome = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] demo mailbox ready"
        self.posts = posts or demo_posts("email")
        self.messages = _mailbox(self.posts, config.address)

    # --- the commands client.py sends ---------------------------------------------

    def login(self, user: str, password: str) -> tuple[Literal["OK"], list[bytes]]:
        self._check_credentials(user, password)
        return "OK", [b"Logged in"]

    def authenticate(self, mechanism: str, authobject: Callable[[bytes], bytes | None]) -> tuple[str, str]:
        if mechanism.upper() != "PLAIN":
            raise self.error(f"AUTHENTICATE command error: BAD [b'Unsupported authentication mechanism {mechanism}']")
        _authzid, user, password = (authobject(b"") or b"\0\0").decode("utf-8").split("\0", 2)
        self._check_credentials(user, password)
        return "OK", "Logged in"

    def select(self, mailbox: str = "INBOX", readonly: bool = False) -> tuple[str, list[bytes | None]]:
        self._require("AUTH", "SELECTED")
        name = mailbox[1:-1] if mailbox.startswith('"') and mailbox.endswith('"') else mailbox
        if name.upper() != "INBOX":
            self.state = "AUTH"
            return "NO", [b"[NONEXISTENT] Mailbox doesn't exist: " + name.encode("utf-8", "replace")]
        uids = sorted(self.messages)
        self.state, self.is_readonly = "SELECTED", readonly
        self.untagged_responses = {
            "FLAGS": [rb"(\Answered \Flagged \Deleted \Seen \Draft)"],
            "UIDVALIDITY": [str(UIDVALIDITY).encode()],
            "UIDNEXT": [str((uids[-1] if uids else 0) + 1).encode()],
            "READ-ONLY": [b""] if readonly else [],
        }
        return "OK", [str(len(uids)).encode()]

    def uid(self, command: str, *args: str) -> tuple[str, list[Any]]:
        self._require("SELECTED")
        if command.upper() == "SEARCH":
            found = self._search(" ".join(args).split())
            return "OK", [" ".join(str(uid) for uid in found).encode()]
        if command.upper() == "FETCH" and len(args) == 2:
            return "OK", self._fetch(args[0], args[1])
        raise self.error(f"UID command error: BAD [b'Unknown command {command}']")

    def close(self) -> tuple[str, list[Any]]:
        self._require("SELECTED")
        self.state = "AUTH"
        return "OK", [b"Close completed"]

    def logout(self) -> tuple[str, list[bytes | tuple[bytes, bytes]]]:
        self.state = "LOGOUT"
        return "BYE", [b"Logging out"]

    def shutdown(self) -> None:
        """No socket to close."""

    # --- answers --------------------------------------------------------------------

    def _check_credentials(self, user: str, password: str) -> None:
        self._require("NONAUTH")
        if user != self.config.username or password != DEMO["credentials"]["password"]:
            raise self.error("[AUTHENTICATIONFAILED] Authentication failed.")
        self.state = "AUTH"

    def _require(self, *states: str) -> None:
        if self.state not in states:
            raise self.error(f"command illegal in state {self.state}, only allowed in states {', '.join(states)}")

    def _search(self, keys: list[str]) -> list[int]:
        found = set(self.messages)
        while keys:
            key = keys.pop(0).upper()
            if key == "ALL":
                continue
            if key == "SINCE" and keys and (day := _search_date(keys[0])) is not None:
                keys.pop(0)
                found &= {uid for uid, (at, _raw) in self.messages.items() if at.date() >= day}
            elif key == "UID" and keys:
                found &= _uids_in(keys.pop(0), self.messages)
            else:
                raise self.error(f"UID command error: BAD [b'Error in IMAP command UID SEARCH: Unknown key {key}']")
        return sorted(found)

    def _fetch(self, uids: str, items: str) -> list[Any]:
        wanted = set(items.strip("()").upper().split())
        if not wanted <= {"UID", "INTERNALDATE", "BODY.PEEK[]", "BODY[]"} or not wanted & {"BODY.PEEK[]", "BODY[]"}:
            raise self.error(f"UID command error: BAD [b'Error in IMAP command UID FETCH: Unknown items {items}']")
        order = sorted(self.messages)
        data: list[Any] = []
        for uid in sorted(_uids_in(uids, self.messages)):
            at, raw = self.messages[uid]
            when = imaplib.Time2Internaldate(at)
            meta = f"{order.index(uid) + 1} (UID {uid} INTERNALDATE {when} BODY[] {{{len(raw)}}}"
            data.extend([(meta.encode(), raw), b")"])
        return data


def _mailbox(posts: DemoPosts, address: str) -> dict[int, tuple[datetime, bytes]]:
    """UID -> (arrival, raw message) for every post by now: UIDs in arrival order, stable between polls."""
    messages: dict[int, tuple[datetime, bytes]] = {}
    for thread in posts.threads():
        for number, post in enumerate(thread):
            uid = int(post.created_at.timestamp())
            while uid in messages:  # two posts in one second: the later one takes the next UID
                uid += 1
            messages[uid] = (post.created_at, render(post, thread[:number], ours=posts.our_account, mailbox=address))
    return messages


def message_id(post: IncomingMention) -> str:
    """``<demo-email-N[-K]@domain>``: the post's demo id at its sender's domain (stable across polls)."""
    domain = post.author_handle.rsplit("@", 1)[-1] if "@" in post.author_handle else "example.com"
    return f"<{post.external_id}@{domain}>"


def render(post: IncomingMention, earlier: list[IncomingMention], *, ours: str, mailbox: str) -> bytes:
    """One post as the RFC 5322 message its sender's mail client would send (CRLF line ends, as IMAP serves)."""
    mail = EmailMessage(policy=email.policy.SMTP)
    ours_wrote = post.author_handle == ours
    name = "" if post.author_name in ("", post.author_handle) else post.author_name
    mail["From"] = email.utils.formataddr((name, post.author_handle))
    opener = earlier[0].author_handle if earlier else ""
    mail["To"] = opener if ours_wrote and opener else mailbox
    subject = earlier[0].title if earlier else post.title
    mail["Subject"] = f"Re: {subject}" if earlier else subject
    mail["Date"] = email.utils.format_datetime(post.created_at)
    mail["Message-ID"] = message_id(post)
    if earlier:
        mail["In-Reply-To"] = message_id(earlier[-1])
        mail["References"] = " ".join(message_id(p) for p in earlier)
    mail.set_content(post.text + "\n")
    return mail.as_bytes()


def _search_date(value: str) -> date | None:
    match = _SINCE.fullmatch(value.strip('"'))
    if not match or match.group(2).title() not in MONTHS:
        return None
    return date(int(match.group(3)), MONTHS.index(match.group(2).title()) + 1, int(match.group(1)))


def _uids_in(uid_set: str, messages: dict[int, tuple[datetime, bytes]]) -> set[int]:
    """The UIDs of the mailbox in an IMAP set (``1:3,7,9:*``); ``*`` is the highest UID (RFC 3501 6.4.8)."""
    if not messages:
        return set()
    highest = max(messages)
    found: set[int] = set()
    for part in uid_set.split(","):
        low, _, high = part.partition(":")
        try:
            start = highest if low == "*" else int(low)
            end = start if not high else highest if high == "*" else int(high)
        except ValueError:
            raise imaplib.IMAP4.error(f"UID command error: BAD [b'Invalid uidset {uid_set}']") from None
        start, end = min(start, end), max(start, end)
        found |= {uid for uid in messages if start <= uid <= end}
    return found
