"""What an advocate does on the platform besides replying: like a mention (the handbook: like positive feedback,
and nothing else), repost it to our followers (a boost, a retweet) and delete one of our own posts (a reply sent by
accident); a direct message to its author is mentions.services.direct_messages. Offered where the platform declares
the action (`Platform.actions`), done as the account the desk replies from, recorded in the ticket's history and
counted in the KPI's activity.

The platform is asked outside any transaction (a slow platform holds no lock); what it did is then written with
the ticket's row locked, asked again there, so two presses at once record one like, one repost and one deletion. A
deleted post stays on the ticket, its text kept, with when and by whom it was deleted (`Message.deleted_at` and a
`reply_deleted` event): the first reply it was still counts as the first reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels.adapters import ReplyError, get_adapter
from channels.adapters.platform import Action
from channels.adapters.registry import platform_or_default
from channels.http import build_session
from channels.models import Account
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.events import event_record
from mentions.services.outward_policy import outward_allowed
from mentions.services.replies import reply_target_of
from mentions.services.reply_hooks import replies_deleted
from mentions.services.reply_plan import reply_plan
from mentions.services.versions import ticket_lock

logger = logging.getLogger(__name__)

LIKED = TicketEvent.Kind.LIKED.value
REPOSTED = TicketEvent.Kind.REPOSTED.value
DELETED = TicketEvent.Kind.REPLY_DELETED.value
# How a refusal names each action: "The desk cannot like a post on Hacker News."
DOING: dict[Action, str] = {
    "like": "like a post",
    "repost": "repost a post",
    "delete": "delete a post",
    "message": "send a direct message",
}


@dataclass(frozen=True)
class Offered:
    """What the ticket page offers on its messages, in the platform's words ("" where it has none). What is done
    already is on each message's row (`liked_at`, `reposted_at`, `deleted_at`; a direct message sent is a message of
    its own): no query."""

    like: str
    delete: str
    platform: str  # how a sentence names it ("Delete from GitHub")
    repost: str = ""
    message: str = ""  # "Send a DM"
    message_max_length: int = 0  # the platform's limit on a direct message (the form's maxlength)
    # What is said once done, in the platform's word too: "Favourited", "Boosted", "+1'd", "Reacted 👍".
    like_done: str = ""
    repost_done: str = ""


def actions_offered(ticket: Ticket) -> Offered:
    platform = platform_or_default(ticket.channel.kind)
    words = platform.actions
    limit = (platform.message_rule.limit or 0) if "message" in words else 0
    return Offered(
        like=words.get("like", ""),
        delete=words.get("delete", ""),
        platform=platform.spoken_name,
        repost=words.get("repost", ""),
        message=words.get("message", ""),
        message_max_length=limit,
        like_done=platform.action_done("like") if "like" in words else "",
        repost_done=platform.action_done("repost") if "repost" in words else "",
    )


def action_word(ticket: Ticket, action: Action) -> str:
    """The platform's word for `action`, or ValidationError where it has none."""
    platform = platform_or_default(ticket.channel.kind)
    word = platform.actions.get(action)
    if not word:
        raise ValidationError(f"The desk cannot {DOING[action]} on {platform.spoken_name}.")
    return word


def action_said(ticket: Ticket, action: Action, *, now: bool) -> str:
    """What the page says after `action`, in the platform's word for the act, as its button was: "Boosted on
    Mastodon." when done `now`, "Boosted from the desk already." when it had been."""
    platform = platform_or_default(ticket.channel.kind)
    done = platform.action_done(action)
    return f"{done} on {platform.spoken_name}." if now else f"{done} from the desk already."


def action_message(ticket: Ticket, message_id: int, kind: str) -> Message:
    """The ticket's message acted on, of `kind`, with an id on the platform; or ValidationError in words."""
    message = Message.objects.filter(pk=message_id, ticket=ticket).first()
    if message is None or message.kind != kind:
        whose = "a mention" if kind == Message.Kind.INBOUND else "one of our replies"
        raise ValidationError(f"That message is not {whose} of ticket #{ticket.pk}.")
    if not message.external_id:
        raise ValidationError("That message has no id on the platform: nothing to act on there.")
    return message


def acting_account(ticket: Ticket) -> Account:
    """The account the desk replies from on this ticket (reply_plan: the respond-from rule, the first account)."""
    plan = reply_plan(ticket)
    if plan is None or not plan.chosen:
        raise ValidationError("No account of ours acts from the desk here: do it on the platform.")
    if plan.chosen in plan.unavailable:
        raise ValidationError(f"{plan.chosen} {plan.unavailable[plan.chosen]}.")
    account = Account.objects.filter(channel=ticket.channel, username__iexact=plan.chosen).first()
    if account is None or not account.can_post:
        raise ValidationError(f"{plan.chosen} is not connected: an admin connects it in Admin, Channels.")
    return account


def _ask(method: str, ticket: Ticket, account: Account, message: Message, what: str) -> None:
    try:
        get_adapter(ticket.channel.kind).act(
            method,
            channel=ticket.channel,
            account=account,
            session=build_session(),
            target=reply_target_of(message, ticket),
        )
    except ReplyError as exc:
        logger.warning("%s on ticket %s (message %s) refused: %s", what, ticket.pk, message.pk, exc)
        raise ValidationError(str(exc)) from exc


def _mark_once(*, ticket: Ticket, message_id: int, user: Any, action: Action, field: str, kind: str) -> bool:
    """Do `action` on the mention once: asked of the platform unless the message's `field` (when it was done) is set,
    then set with the row locked, so two presses at once record it once. Who may: the outward policy."""
    outward_allowed(user, action, ticket=ticket)
    word = action_word(ticket, action)
    message = action_message(ticket, message_id, Message.Kind.INBOUND)
    if getattr(message, field) is not None:
        return False
    account = acting_account(ticket)
    _ask(action, ticket, account, message, f"A {action}")
    with transaction.atomic():
        locked = ticket_lock(ticket.pk, seen_version=None)
        if not Message.objects.filter(pk=message.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()}):
            return False
        event_record(ticket=locked, kind=kind, actor=user, message=message.pk, account=account.username, word=word)
    return True


def message_like(*, ticket: Ticket, message_id: int, user: Any) -> bool:
    """Like the mention on the platform. True when liked now; False when the desk had liked it already."""
    return _mark_once(ticket=ticket, message_id=message_id, user=user, action="like", field="liked_at", kind=LIKED)


def message_repost(*, ticket: Ticket, message_id: int, user: Any) -> bool:
    """Repost (boost, retweet) the mention to our followers. True when reposted now; False when it was already."""
    return _mark_once(
        ticket=ticket, message_id=message_id, user=user, action="repost", field="reposted_at", kind=REPOSTED
    )


def reply_delete(*, ticket: Ticket, message_id: int, user: Any, confirmed: bool) -> bool:
    """Delete our post from the platform; the ticket keeps its text. True when deleted now; False when it was gone
    already. `confirmed`: the advocate said yes to "Delete it from <platform>?". Who may (its author or a manager:
    mentions.services.outward_policy) is asked before the post is looked at, then of the post."""
    outward_allowed(user, "delete", ticket=ticket)
    action_word(ticket, "delete")
    message = action_message(ticket, message_id, Message.Kind.OUR_REPLY)
    outward_allowed(user, "delete", ticket=ticket, post=message)
    if message.deleted_at is not None:
        return False
    if not confirmed:
        raise ValidationError("Confirm that the post is to be deleted from the platform.")
    account = Account.objects.filter(channel=ticket.channel, username__iexact=message.author_handle.lstrip("@")).first()
    if account is None or not account.can_post:
        raise ValidationError(f"{message.author_handle or 'The account that posted it'} is not connected here.")
    _ask("delete_post", ticket, account, message, "A deletion")
    with transaction.atomic():
        locked = ticket_lock(ticket.pk, seen_version=None)
        deleted_at = timezone.now()
        if not Message.objects.filter(pk=message.pk, deleted_at__isnull=True).update(deleted_at=deleted_at):
            return False
        event_record(
            ticket=locked, kind=DELETED, actor=user, message=message.pk, account=account.username, text=message.body
        )
        replies_deleted(ticket_ids=[locked.pk])  # answers: the stored suggestions offering this ticket's reply
    return True
