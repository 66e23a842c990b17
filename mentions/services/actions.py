"""What an advocate does on a ticket. Each call is one audited step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels.text import safe_url
from mentions.models import Macro, MacroAction, Message, Ticket, TicketEvent
from mentions.services.drafts import draft_append
from mentions.services.events import (
    ensure_can_act,
    event_record,
    first_reply_set,
    status_after_reply,
    status_set,
    tags_add,
    tags_remove,
)
from mentions.services.followups import followup_seen
from mentions.services.macro_hooks import macro_hooks_run, saved_reply_text
from mentions.services.macro_needs import macro_summary
from mentions.services.next_reply import ticket_next_reply_answered
from mentions.services.notes import note_add
from mentions.services.sla import ticket_breach_on_reply
from mentions.services.versions import ticket_lock
from mentions.services.watching import thread_watch_after_reply

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _submit(ticket: Ticket) -> None:
    """The served ticket was worked: Play may serve the next one."""
    ticket.served_to = None
    ticket.served_view = None


def template_render(template: str, context: dict[str, str]) -> str:
    """Fill {name} placeholders from `context`; unknown ones stay as written. Deliberately
    not Django templates: macro text is data, it must not reach attributes or tags."""
    return _PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), template)


def _context(ticket: Ticket, user: Any, link: str, base_url: str) -> dict[str, str]:
    first = ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("platform_created_at").first()
    return {
        "ticket_id": str(ticket.pk),
        "ticket_url": f"{base_url}{ticket.get_absolute_url()}",
        "requester": ticket.requester_handle or ticket.requester_name,
        "channel": ticket.channel.name,
        "permalink": first.permalink if first else "",
        "link": link,
        "user": user.get_full_name() or user.get_username(),
    }


def ticket_add_note(*, ticket: Ticket, user: Any, body: str, seen_version: int | None = None) -> Message:
    """The advocate's internal note. `seen_version`, here and in every write below: the ticket's version the
    advocate's page showed (versions.TicketStale when it changed since; None: not checked)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("A note needs some text.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version)
        ensure_can_act(ticket=ticket, user=user)
        note = note_add(ticket=ticket, body=body, author=user)
        followup_seen(ticket)
        ticket.save()
    return note


def ticket_mark_replied(
    *,
    ticket: Ticket,
    user: Any,
    body: str,
    link: str = "",
    status: str = Ticket.Status.SOLVED,
    seen_version: int | None = None,
) -> Message:
    """Record a public reply made on the platform; it counts as first reply."""
    body = (body or "").strip()
    link = (link or "").strip()
    if not body and not link:
        raise ValidationError("Give the reply text or a link to the posted reply.")
    if link and not safe_url(link):
        raise ValidationError("The link must start with http:// or https://.")
    if status not in (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.SOLVED):
        raise ValidationError("Submit as pending or solved.")
    status = status_after_reply(status)
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version)
        ensure_can_act(ticket=ticket, user=user)
        now = timezone.now()
        reply = Message.objects.create(
            ticket=ticket,
            channel=ticket.channel,
            kind=Message.Kind.OUR_REPLY,
            author_user=user,
            author_name=user.get_username(),
            body=body,
            permalink=link,
            platform_created_at=now,
        )
        first = first_reply_set(ticket=ticket, at=now)
        if first:
            ticket_breach_on_reply(ticket=ticket, now=now)
        ticket_next_reply_answered(ticket=ticket, at=now)
        event_record(
            ticket=ticket, kind=TicketEvent.Kind.REPLIED, actor=user, message_id=reply.pk, link=link, first_reply=first
        )
        thread_watch_after_reply(ticket=ticket, at=now)
        if ticket.assignee_id is None:
            ticket.assignee = user
        status_set(ticket=ticket, status=status, actor=user)
        ticket.reply_draft = ""
        _submit(ticket)
        followup_seen(ticket)
        ticket.save()
    return reply


def ticket_change_status(
    *, ticket: Ticket | int, user: Any, status: str, seen_version: int | None = None, reason: str = "", link: str = ""
) -> Ticket:
    """Set the status (recorded, with `reason` if given). `user` None: the desk itself (a worker, e.g. the
    expert loop solving a ticket whose expert answered on the platform): no permission to check, and the
    ticket's follow-up mark stays for its advocate to see."""
    if status not in Ticket.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version)
        if user is not None:
            ensure_can_act(ticket=ticket, user=user)
            followup_seen(ticket)
        status_set(ticket=ticket, status=status, actor=user, reason=reason, link=link)
        if status in (Ticket.Status.PENDING, Ticket.Status.SOLVED):
            _submit(ticket)
        ticket.save()
    return ticket


@dataclass(frozen=True)
class MacroApplied:
    ticket: Ticket
    notices: list[str]  # what the registered macro hooks want the person told (e.g. Slack is busy)


def macro_apply(
    *,
    ticket: Ticket,
    user: Any,
    macro: Macro,
    link: str = "",
    base_url: str = "",
    expert_id: int | None = None,
    seen_version: int | None = None,
    typed: str | None = None,
) -> MacroApplied:
    """Run the macro's actions in order. Applying a macro submits the ticket, except a macro
    that prefills the reply: the advocate still has to send that reply. `expert_id`: the expert the
    advocate asked, for a macro that records an outreach (experts' hook). `typed`: the reply box's text
    as the advocate left it, unsaved (the composer posts it with the macro): it becomes the draft and a
    prefill goes after it, so nothing typed is lost (None: the saved draft)."""
    link = (link or "").strip()
    # What the picker shows it disabled for is refused here in the same words (e.g. Slack not connected).
    missing = macro_summary(macro).missing
    if missing:
        raise ValidationError(f"“{macro.name}” cannot run, so nothing was applied: {missing}")
    actions = list(macro.actions.all())
    kinds = {a.kind for a in actions}
    if MacroAction.Kind.ASK_LINK in kinds and not link:
        raise ValidationError(f"“{macro.name}” needs a link.")
    if link and not safe_url(link):
        raise ValidationError("The link must start with http:// or https://.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version)
        ensure_can_act(ticket=ticket, user=user)
        if typed is not None:
            ticket.reply_draft = typed
        answer = link if MacroAction.Kind.ANSWER_LINK in kinds else ""
        if answer:
            answer_on_platform_check(ticket, answer)
        # Hooks of other apps first (the community macro shares the mention in Slack): a refusal
        # leaves the ticket untouched, so it is never solved as if the post had gone.
        notices = macro_hooks_run(ticket=ticket, macro=macro, user=user, link=link, expert_id=expert_id)
        context = _context(ticket, user, link, base_url)
        prefilled = False
        for action in actions:
            prefilled = _run_action(ticket, user, action, context) or prefilled
        if answer:
            answer_recorded(ticket=ticket, user=user, link=answer, via=macro.name)
        event_record(ticket=ticket, kind=TicketEvent.Kind.MACRO, actor=user, macro=macro.name, link=link)
        if not prefilled:
            _submit(ticket)
        followup_seen(ticket)
        ticket.save()
    return MacroApplied(ticket=ticket, notices=notices)


def _platform_host(ticket: Ticket) -> str:
    first = ticket.messages.filter(kind=Message.Kind.INBOUND).exclude(permalink="").order_by("platform_created_at")
    permalink = first.values_list("permalink", flat=True).first() or ""
    return (urlsplit(permalink).hostname or "").removeprefix("www.")


def answer_on_platform_check(ticket: Ticket, link: str) -> None:
    """The answer is public on the mention's platform: its link is on the same site ("Expert responded", and
    an expert's "Answered" in Slack)."""
    host = _platform_host(ticket)
    linked = (urlsplit(link).hostname or "").removeprefix("www.")
    if host and linked != host and not linked.endswith("." + host):
        raise ValidationError(
            f"The answer's link must be on {host}, where this mention is: paste the link of the expert's answer there."
        )


def answer_recorded(*, ticket: Ticket, user: Any, link: str, via: str) -> None:
    """The expert's public answer is the mention's reply: the first one if none came before (KPIs). The caller
    holds the ticket's row lock and saves it."""
    now = timezone.now()
    first = first_reply_set(ticket=ticket, at=now)
    if first:
        ticket_breach_on_reply(ticket=ticket)
    ticket_next_reply_answered(ticket=ticket, at=now)
    event_record(ticket=ticket, kind=TicketEvent.Kind.REPLIED, actor=user, url=link, first_reply=first, via=via)


def _run_action(ticket: Ticket, user: Any, action: MacroAction, context: dict[str, str]) -> bool:
    kind = action.kind
    if kind == MacroAction.Kind.SET_STATUS:
        status_set(ticket=ticket, status=action.value, actor=user)
    elif kind == MacroAction.Kind.ADD_TAGS:
        tags_add(ticket=ticket, names=action.value.split(), actor=user)
    elif kind == MacroAction.Kind.REMOVE_TAGS:
        tags_remove(ticket=ticket, names=action.value.split(), actor=user)
    elif kind == MacroAction.Kind.ADD_NOTE:
        note_add(ticket=ticket, body=template_render(action.value, context), author=user)
    elif kind == MacroAction.Kind.PREFILL_REPLY:
        ticket.reply_draft = draft_append(ticket.reply_draft, template_render(action.value, context))
        event_record(ticket=ticket, kind=TicketEvent.Kind.REPLY_PREFILLED, actor=user)
        return True
    elif kind == MacroAction.Kind.SAVED_REPLY:
        text = saved_reply_text(ticket=ticket, title=action.value.strip(), link=context.get("link", ""))
        if text is None:
            # Inside the macro's transaction: nothing it did before this action stays.
            raise ValidationError(f"The saved reply “{action.value.strip()}” is gone or inactive: nothing was applied.")
        ticket.reply_draft = draft_append(ticket.reply_draft, text)
        event_record(ticket=ticket, kind=TicketEvent.Kind.REPLY_PREFILLED, actor=user, via=action.value.strip())
        return True
    elif kind == MacroAction.Kind.ASSIGN_TO_ME and ticket.assignee_id != user.pk:
        previous = ticket.assignee.get_username() if ticket.assignee else None
        ticket.assignee = user
        event_record(
            ticket=ticket, kind=TicketEvent.Kind.ASSIGNED, actor=user, to=user.get_username(), previous=previous
        )
    return False
