"""Asking experts for an answer in Slack, and sharing mentions for community involvement.

An outreach is a row first (status pending), then a Slack message. The row's unique
constraint (one open outreach per ticket and expert) turns a double submit into the same row;
the row lock taken before posting, and the re-check of status/slack_ts under it, make sure one
outreach is never posted twice, whoever (the advocate's request or the retry task) gets there."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.slack import (
    SlackError,
    SlackRateLimited,
    SlackTransient,
    slack_configured,
    slack_escape,
    slack_link,
    slack_permalink,
    slack_post_message,
)
from experts.models import Expert, Outreach, OutreachSettings
from mentions.models import Macro, MacroAction, Message, ThreadWatch, Ticket, TicketEvent
from mentions.services.events import ensure_can_act, event_record

logger = logging.getLogger(__name__)

REACHED_OUT_MACRO = "Reached out to expert"
COMMUNITY_MACRO = "Involving experts::Community involvement"
OUTREACH_MAX_ATTEMPTS = 6
OUTREACH_MAX_BACKOFF = 600
OPEN_STATUSES = (Outreach.Status.PENDING, Outreach.Status.SENT)
# What Expert.slack_mention builds from a Slack user or user-group id: the only raw Slack
# syntax the desk puts in a message.
SLACK_ID_MENTION = re.compile(r"<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>")


def _first_inbound(ticket: Ticket) -> Message | None:
    # Uses the page's prefetched messages when there are some.
    return next((m for m in ticket.messages.all() if m.kind == Message.Kind.INBOUND), None)


def _who(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def outreach_message_prefill(*, ticket: Ticket, expert: Expert, advocate: Any, base_url: str = "") -> str:
    """The handbook's expert-involvement template, filled in for this ticket and expert."""
    from mentions.services.actions import template_render

    first = _first_inbound(ticket)
    # Every value goes into Slack mrkdwn: escaped, so none can mention anyone or form a link. The
    # one mention we mean is the expert's own Slack id, which Expert.slack_mention builds.
    mention = expert.slack_mention
    context = {
        "expert": mention if SLACK_ID_MENTION.fullmatch(mention) else slack_escape(mention or expert.name),
        "platform": slack_escape(ticket.channel.get_kind_display()),
        "link": slack_escape(first.permalink) if first else "",
        "ticket_url": slack_escape(f"{base_url}{ticket.get_absolute_url()}"),
        "advocate": slack_escape(_who(advocate)),
    }
    return template_render(OutreachSettings.current().template, context).strip()


def outreach_channel_for(*, expert: Expert, outreach_settings: OutreachSettings | None = None) -> str:
    """The Slack channel of the expert's first product area that has one, else the default (#questions)."""
    for area in expert.areas.all():
        if area.slack_channel.strip():
            return area.slack_channel.strip()
    return (outreach_settings or OutreachSettings.current()).default_channel


def _note(outreach: Outreach, actor: Any, **data: Any) -> None:
    event_record(
        ticket=outreach.ticket,
        kind=TicketEvent.Kind.NOTE,
        actor=actor,
        outreach=outreach.pk,
        status=outreach.status,
        expert=outreach.expert.name,
        **data,
    )


def _outreach_open(*, ticket: Ticket, expert: Expert, advocate: Any, message: str, channel: str) -> Outreach:
    """Create the pending row, or return the ticket's open outreach to this expert."""
    for _ in range(2):
        try:
            with transaction.atomic():
                outreach = Outreach.objects.create(
                    ticket=ticket, expert=expert, advocate=advocate, message=message, slack_channel=channel
                )
                _note(outreach, advocate, channel=channel)
                outreach_thread_watch(outreach)
                return outreach
        except IntegrityError:
            # A concurrent or double submit got there first (the insert waited for it to commit).
            existing = Outreach.objects.filter(ticket=ticket, expert=expert, status__in=OPEN_STATUSES).first()
            if existing is not None:
                return existing
    raise ValidationError("Could not record the outreach: please try again.")


def outreach_thread_watch(outreach: Outreach) -> None:
    """While the expert is asked, their answer is looked for in the thread itself (mentions' watching),
    whatever words it uses."""
    from mentions.services.watching import thread_watch_start

    ticket = outreach.ticket
    handles = outreach.expert.identities.filter(kind=ticket.channel.kind).values_list("handle", flat=True)
    until = timezone.now() + timedelta(days=settings.DESK_WATCH_OUTREACH_DAYS)
    thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.OUTREACH, until=until, authors=list(handles))


def outreach_watch_end(ticket_ids: set[int]) -> None:
    """The outreach watch of tickets with no open outreach left ends (answered, declined)."""
    from mentions.services.watching import thread_watch_stop

    still_open = set(
        Outreach.objects.filter(ticket_id__in=ticket_ids, status__in=OPEN_STATUSES).values_list("ticket_id", flat=True)
    )
    thread_watch_stop(ticket_ids=ticket_ids - still_open, reason=ThreadWatch.Reason.OUTREACH)


def outreach_send(
    *, ticket: Ticket, expert: Expert, advocate: Any, message: str, channel: str = "", base_url: str = ""
) -> Outreach:
    """Ask `expert` in Slack. Returns the outreach: sent, or still pending when Slack is busy
    (a retry is queued; `last_error` says when). A permanent refusal marks it failed and is
    raised as a ValidationError carrying Slack's readable message."""
    message = (message or "").strip()
    if not message:
        raise ValidationError("Write the message to the expert first.")
    if not expert.active:
        raise ValidationError(f"{expert.name} is no longer an active expert.")
    ensure_can_act(ticket=ticket, user=advocate)
    channel = (channel or "").strip() or outreach_channel_for(expert=expert)
    outreach = _outreach_open(ticket=ticket, expert=expert, advocate=advocate, message=message, channel=channel)
    outreach = outreach_deliver(outreach_id=outreach.pk, actor=advocate) or outreach
    if outreach.status == Outreach.Status.FAILED:
        raise ValidationError(outreach.last_error)
    return outreach


def _backoff(attempts: int) -> int:
    return min(30 * 2 ** max(0, attempts - 1), OUTREACH_MAX_BACKOFF)


def _retry_later(outreach_id: int, countdown: int) -> None:
    from experts.tasks import outreach_retry

    def enqueue() -> None:
        outreach_retry.apply_async(args=[outreach_id], countdown=countdown)

    transaction.on_commit(enqueue, robust=True)


def outreach_deliver(*, outreach_id: int, actor: Any = None) -> Outreach | None:
    """Post a pending outreach to Slack (at most once). Used by the send and by the retry task.
    Returns None when the outreach is gone."""
    posted: tuple[str, str] | None = None
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .select_related("ticket", "expert", "advocate")
            .filter(pk=outreach_id)
            .first()
        )
        if outreach is None:
            return None
        if outreach.status != Outreach.Status.PENDING or outreach.slack_ts:
            return outreach  # sent, declined or failed meanwhile: never post twice
        actor = actor or outreach.advocate
        outreach.attempts += 1
        try:
            posted = slack_post_message(channel=outreach.slack_channel, text=outreach.message)
        except SlackTransient as exc:
            _on_transient(outreach, actor, exc)
        except SlackError as exc:
            outreach.status = Outreach.Status.FAILED
            outreach.last_error = exc.message
            outreach.save(update_fields=["status", "last_error", "attempts", "updated_at"])
            _note(outreach, actor, error=exc.message)
        else:
            outreach.slack_ts = posted[0]
            outreach.status = Outreach.Status.SENT
            outreach.sent_at = timezone.now()
            outreach.last_error = ""
            outreach.save(update_fields=["slack_ts", "status", "sent_at", "last_error", "attempts", "updated_at"])
    if posted is not None:
        _after_sent(outreach, actor, channel_id=posted[1])
    return outreach


def _on_transient(outreach: Outreach, actor: Any, exc: SlackTransient) -> None:
    if outreach.attempts >= OUTREACH_MAX_ATTEMPTS:
        outreach.status = Outreach.Status.FAILED
        outreach.last_error = f"Slack stayed busy after {outreach.attempts} attempts ({exc}): send it again later"
        outreach.save(update_fields=["status", "last_error", "attempts", "updated_at"])
        _note(outreach, actor, error=outreach.last_error)
        return
    delay = exc.retry_after if isinstance(exc, SlackRateLimited) else _backoff(outreach.attempts)
    outreach.last_error = f"Slack is busy: it will be sent in {delay} s"
    outreach.save(update_fields=["last_error", "attempts", "updated_at"])
    _note(outreach, actor, error=str(exc), retry_in=delay)
    logger.info("outreach %s: %s, retry in %ss (attempt %s)", outreach.pk, exc, delay, outreach.attempts)
    _retry_later(outreach.pk, delay)


def _after_sent(outreach: Outreach, actor: Any, *, channel_id: str) -> None:
    """The message is out: link it, and apply the "Reached out to expert" macro with that link."""
    from mentions.services import macro_apply

    try:
        permalink = slack_permalink(channel_id=channel_id, ts=outreach.slack_ts)
    except (SlackError, SlackTransient) as exc:
        # The message is posted either way; Slack's redirect opens its channel.
        logger.warning("outreach %s: no permalink (%s)", outreach.pk, exc)
        permalink = f"https://slack.com/app_redirect?channel={channel_id}"
    outreach.slack_permalink = permalink
    outreach.save(update_fields=["slack_permalink", "updated_at"])
    _note(outreach, actor, channel=outreach.slack_channel, link=permalink)
    macro = Macro.objects.filter(name=REACHED_OUT_MACRO, is_active=True).first()
    if macro is None:
        logger.warning("outreach %s: macro %r is missing or inactive", outreach.pk, REACHED_OUT_MACRO)
        return
    try:
        macro_apply(ticket=outreach.ticket, user=actor, macro=macro, link=permalink)
    except (ValidationError, PermissionDenied) as exc:
        # E.g. the ticket was reassigned while a retry waited: the outreach stays sent and linked.
        logger.warning("outreach %s: macro not applied: %s", outreach.pk, exc)
        _note(outreach, None, macro_error=str(exc))


def outreach_decline(*, outreach: Outreach, advocate: Any, reason: str) -> Outreach:
    """The expert cannot help (or the advocate withdraws the ask). A pending one is not sent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the outreach is declined.")
    ensure_can_act(ticket=outreach.ticket, user=advocate)
    with transaction.atomic():
        locked = Outreach.objects.select_for_update(of=("self",)).select_related("ticket", "expert").get(pk=outreach.pk)
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(f"This outreach is already {locked.get_status_display().lower()}.")
        locked.status = Outreach.Status.DECLINED
        locked.declined_at = timezone.now()
        locked.decline_reason = reason
        locked.save(update_fields=["status", "declined_at", "decline_reason", "updated_at"])
        _note(locked, advocate, reason=reason)
        outreach_watch_end({locked.ticket_id})
    return locked


# --- Community involvement -----------------------------------------------------------------


def community_share_on_macro(*, ticket: Ticket, macro: Macro, user: Any, **_: Any) -> str | None:
    """Macro hook (experts.apps): the community-involvement macro shares the mention in Slack
    before its actions run, so a post Slack refuses (not connected, no such channel, bot not
    invited) refuses the macro in words and the ticket is not solved as if it had gone. Slack
    being busy does not hold the advocate up: the post is retried in the background and each
    retry is in the ticket's history."""
    if macro.name.casefold() != COMMUNITY_MACRO.casefold():
        return None
    if not slack_configured():
        raise ValidationError(
            f"“{macro.name}” shares the mention in Slack, but Slack is not connected to the desk: "
            "nothing was applied. Ask an admin to connect Slack, or share the link yourself and add a note."
        )
    try:
        result = community_post_send(ticket_id=ticket.pk, raise_refusal=True)
    except SlackError as exc:
        raise ValidationError(f"“{macro.name}” was not applied: {exc.message}.") from exc
    except SlackTransient as exc:
        delay = exc.retry_after if isinstance(exc, SlackRateLimited) else _backoff(1)
        community_post_retry_later(ticket=ticket, error=str(exc), delay=delay)
        return f"Slack is busy: the mention will be shared in {delay} s (the ticket's history shows each try)."
    if result == "no-link":
        return "This mention has no link to share in Slack; nothing was posted."
    return None


def outreach_answered_on_macro(*, ticket: Ticket, macro: Macro, user: Any, link: str = "", **_: Any) -> str | None:
    """Macro hook (experts.apps): "Expert responded" applied with the link of the expert's public
    answer closes the ticket's open outreaches as answered, with that link, now."""
    if not link or not any(a.kind == MacroAction.Kind.ANSWER_LINK for a in macro.actions.all()):
        return None
    now = timezone.now()
    open_ones = list(
        Outreach.objects.select_for_update()
        .select_related("expert")
        .filter(ticket=ticket, status__in=[Outreach.Status.SENT, Outreach.Status.PENDING])
    )
    for outreach in open_ones:
        outreach.status = Outreach.Status.ANSWERED
        outreach.answered_at = now
        outreach.answer_seconds = max(0, int((now - (outreach.sent_at or outreach.created_at)).total_seconds()))
        outreach.save(update_fields=["status", "answered_at", "answer_seconds", "updated_at"])
        _note(outreach, user, url=link)
    if not open_ones:
        return None
    outreach_watch_end({ticket.pk})
    names = ", ".join(o.expert.name for o in open_ones)
    return f"Outreach to {names} marked answered."


def community_post_retry_later(*, ticket: Ticket, error: str, delay: int, attempt: int = 1) -> None:
    """Record that the share waits for Slack, and queue the retry after commit."""
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_retry=error, retry_in=delay)
    ticket_id = ticket.pk

    def enqueue() -> None:
        from experts.tasks import community_post

        community_post.apply_async(args=[ticket_id], countdown=delay)

    # robust: a broker that is down is logged; the history already says the share is waiting.
    transaction.on_commit(enqueue, robust=True)


def community_post_note(*, ticket_id: int, **data: Any) -> None:
    """A line in the ticket's history about the share (retrying, or given up)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, **data)


def community_post_text(*, ticket: Ticket, link: str) -> str:
    """The community-involvement line. The requester's handle and name are anyone's public text:
    escaped, so "<!channel>" or "<https://evil|bank>" arrive as text; the permalink is a link we
    build, labelled with its own address so it cannot pose as another."""
    who = " ".join((ticket.requester_handle or ticket.requester_name).split())
    head = f"Worth engaging on {slack_escape(ticket.channel.get_kind_display())}"
    return head + (f" ({slack_escape(who)})" if who else "") + f": {slack_link(link, link)}"


def community_post_send(*, ticket_id: int, raise_refusal: bool = False) -> str:
    """Post the mention's permalink to the community-involvement channel, once per ticket.
    Raises SlackTransient for the caller to retry; a permanent refusal is logged and noted, or
    raised (`raise_refusal`) for the macro hook to refuse the macro with it."""
    ticket = Ticket.objects.select_related("channel").filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    if ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__community_post__isnull=False).exists():
        return "already"
    first = _first_inbound(ticket)
    link = first.permalink if first and first.permalink else ""
    if not link:
        return "no-link"
    channel = OutreachSettings.current().community_channel
    text = community_post_text(ticket=ticket, link=link)
    try:
        ts, _ = slack_post_message(channel=channel, text=text)
    except SlackError as exc:
        logger.warning("community post for ticket %s refused: %s", ticket_id, exc.message)
        if raise_refusal:
            raise
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_error=exc.message)
        return "failed"
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_post=ts, channel=channel, link=link)
    return "posted"
