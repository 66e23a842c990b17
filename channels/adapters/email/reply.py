"""Replying to an e-mail ticket over SMTP (Django's e-mail backend, configured by EMAIL_URL)."""

from __future__ import annotations

import logging
import re
import smtplib
from email.utils import make_msgid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from channels.adapters import ReplyError, ReplyTarget, SentReply

if TYPE_CHECKING:
    import requests

    from channels.models import Account, Channel

logger = logging.getLogger(__name__)

# Backends that never leave this machine (printed, kept in memory, written to a file, dropped).
_LOCAL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "filebased", "dummy")
)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fwd?)\s*:\s*)+", re.IGNORECASE)
_TICKET_TAG = re.compile(r"\s*\[#\d+\]\s*")


def reply_subject(subject: str, ticket_id: int) -> str:
    """ "Re: <original> [#123]": the tag threads the customer's answer back to the ticket even
    if their mail client drops In-Reply-To."""
    base = _TICKET_TAG.sub(" ", _REPLY_PREFIX.sub("", subject or "")).strip() or "Your message"
    return f"Re: {base} [#{ticket_id}]"


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value or "")


def email_reply_send(
    *,
    channel: Channel,
    account: Account | None,
    session: requests.Session,
    target: ReplyTarget,
    text: str,
    style: str = "",
) -> SentReply:
    """The reply mailed over SMTP from the mailbox's address, threaded under the message it answers; the same
    call as an adapter's `post_reply` (channels.adapters.registry.reply_sender): no account (the mailbox sends as
    itself, `reply_as="address"`), no HTTP session, no style."""
    address = channel.config.get("address", "")
    if not address:
        raise ReplyError('This mailbox has no sending address configured (config "address").')
    recipient = target.author_handle
    if "@" not in recipient:
        raise ReplyError("The message has no sender address to reply to.")
    if target.ticket_hint is None:
        raise ReplyError("A mailed reply names its ticket: the ticket's number is missing.")
    raw = target.raw or {}
    parent = target.external_id
    references = [i for i in _ids(raw.get("References", "")) if i != parent]
    if parent and not parent.startswith("sha256:"):
        references.append(parent)
    domain = address.rsplit("@", 1)[-1]
    message_id = make_msgid(idstring=f"ticket-{target.ticket_hint}", domain=domain)
    headers = {"Message-ID": message_id}
    if references:
        headers["In-Reply-To"] = f"<{references[-1]}>"
        headers["References"] = " ".join(f"<{i}>" for i in references)
    mail = EmailMessage(
        subject=reply_subject(raw.get("Subject") or target.title, target.ticket_hint),
        body=text,
        from_email=address,
        to=[recipient],
        headers=headers,
        connection=demo_connection(),
    )
    try:
        mail.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email reply: channel=%s ticket=%s failed: %s", channel.slug, target.ticket_hint, exc)
        raise ReplyError(f"The mail server refused the reply: {exc}") from None
    return SentReply(
        external_id=message_id.strip("<>"),
        permalink="",
        created_at=timezone.now(),
        raw={"Message-ID": message_id, "To": recipient, "Subject": mail.subject, **headers},
    )


def demo_connection() -> BaseEmailBackend | None:
    """None (EMAIL_URL's backend) except on the demo desk (DESK_DEMO_REPLAY), which opens no connection outside
    this machine: there a backend that would (SMTP to another host, or any backend not known to stay local) is
    replaced by the console backend, so a reply to a demo sender is printed, never mailed. SMTP to 127.0.0.1 (a
    local catcher such as Mailpit) is left alone."""
    if not settings.DESK_DEMO_REPLAY or settings.EMAIL_BACKEND in _LOCAL_BACKENDS:
        return None
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and settings.EMAIL_HOST in _LOCAL_HOSTS:
        return None
    logger.warning(
        "email reply: the demo desk prints replies instead of sending them through %s (%s)",
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
    )
    return get_connection("django.core.mail.backends.console.EmailBackend")
