"""What comes back from an outreach's Slack message: replies in its thread (internal notes on the ticket), a ✅
reaction and the message's buttons ("I'll answer", "Answered: link", "Not me: suggest someone").

slackapp parses Slack's payloads and calls these; Slack has already authenticated the request (its signature).
Who may act for an outreach: its expert, by their Slack member id (Expert.slack_handle "U…"). An expert the
directory knows only by @name, or a user group, has no member id to compare: then whoever acts in the thread is
taken to act for them (the desk cannot tell, and refusing would make the buttons useless for them). Every change
is recorded in the ticket's history with the Slack member id.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.adapters.slack import slack_ts_time
from channels.adapters.slack.client import slack_to_text
from channels.text import safe_url
from experts.loop import EXPERT_RESPONDED_TAG
from experts.models import Expert, Outreach
from experts.nudge import NOT_ME, advocate_tell
from experts.services import (
    OPEN_STATUSES,
    outreach_close_declined,
    outreach_deliver_new,
    outreach_mark_answered,
    outreach_message_prefill,
    outreach_note,
    outreach_watch_end,
)
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.actions import answer_on_platform_check, answer_recorded
from mentions.services.events import tags_add
from mentions.services.notes import note_add

logger = logging.getLogger(__name__)

CHECK_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark"})
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
# Where the desk's stored permalink (or its app_redirect fallback) names the channel's id.
_CHANNEL_IN_LINK = re.compile(r"/archives/([A-Z0-9]+)/|[?&]channel=([A-Z0-9]+)")
_ARCHIVES = re.compile(r"^(https://[^/]+/archives/)")
REROUTE_CHOICES_MAX = 100  # Slack's limit on a static_select's options


def slack_time(ts: str) -> datetime | None:
    """A Slack timestamp's time, None when it is not one (channels.adapters.slack.slack_ts_time: float() took
    "1e9", "nan" and other scripts' digits)."""
    return slack_ts_time(ts)


def outreach_channel_id(outreach: Outreach) -> str:
    """The Slack channel id the outreach was posted in, where the desk knows it: the outreach's channel when it
    is an id, else the one in its permalink. "" when unknown (then the message's ts alone identifies it)."""
    channel = outreach.slack_channel.strip()
    if CHANNEL_ID.fullmatch(channel):
        return channel
    found = _CHANNEL_IN_LINK.search(outreach.slack_permalink or "")
    return (found.group(1) or found.group(2)) if found else ""


def outreach_for_slack_message(*, channel_id: str, ts: str) -> Outreach | None:
    """The outreach whose Slack message is (channel_id, ts). A ts is unique within a channel only: where the
    outreach's channel id is known it must match."""
    if not ts:
        return None
    for outreach in Outreach.objects.select_related("ticket", "expert").filter(slack_ts=ts).order_by("pk"):
        known = outreach_channel_id(outreach)
        if not known or known == channel_id:
            return _kept(outreach)
    return None


def _kept(outreach: Outreach) -> Outreach:
    """A merged outreach's thread speaks for the one it was merged into (its ticket is the merge's target)."""
    for _ in range(5):  # a chain of merges, bounded
        if outreach.status != Outreach.Status.MERGED or outreach.merged_into_id is None:
            break
        outreach = Outreach.objects.select_related("ticket", "expert").get(pk=outreach.merged_into_id)
    return outreach


def expert_for_slack_user(user_id: str) -> Expert | None:
    if not user_id:
        return None
    return Expert.objects.filter(slack_handle__iexact=user_id).order_by("-active", "pk").first()


def slack_user_may_act(outreach: Outreach, user_id: str) -> bool:
    """The outreach's expert, or anyone when the expert has no Slack member id (module docstring)."""
    if not user_id or user_id == settings.SLACK_BOT_USER_ID:
        return False
    handle = outreach.expert.slack_handle.strip()
    return handle == user_id if MEMBER_ID.fullmatch(handle) else True  # ids are upper case; "ursula" is a name


def _who(user_id: str) -> tuple[str, Any]:
    """(name for the history, the desk user to record as actor) of a Slack member."""
    expert = expert_for_slack_user(user_id)
    return (expert.name, expert.user) if expert else (user_id, None)


def outreach_thread_note(
    *, outreach: Outreach, user_id: str, text: str, channel_id: str, ts: str, thread_ts: str
) -> Message | None:
    """A reply in the outreach's thread, as an internal note on its ticket. Once per Slack message: the note
    carries "slack:<channel>:<ts>" as its external id (unique per channel of the ticket)."""
    ticket = outreach.ticket
    external_id = f"slack:{channel_id}:{ts}"
    if Message.objects.filter(channel_id=ticket.channel_id, external_id=external_id).exists():
        return None
    name, actor = _who(user_id)
    archives = _ARCHIVES.match(outreach.slack_permalink or "")
    permalink = (
        f"{archives.group(1)}{channel_id}/p{ts.replace('.', '')}?thread_ts={thread_ts}&cid={channel_id}"
        if archives and channel_id
        else ""
    )
    try:
        with transaction.atomic():
            return note_add(
                ticket=ticket,
                body=f"Reply in Slack from {name}: {slack_to_text(text)}",
                author=actor,
                author_name=name,
                author_handle=user_id,
                at=slack_time(ts),
                external_id=external_id,
                thread_external_id=f"slack:{channel_id}:{thread_ts}",
                permalink=permalink,
                via="slack",
            )
    except IntegrityError:  # the same message worked concurrently
        return None


def _locked_open(outreach_id: int, user_id: str) -> tuple[Ticket, Outreach] | None:
    """The ticket's row lock first (the order macro_apply takes them in), then the outreach's; None when the
    outreach is gone or no longer open, or the Slack user `user_id` may not act on it."""
    ticket_id = Outreach.objects.filter(pk=outreach_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return None
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("channel").get(pk=ticket_id)
    outreach = Outreach.objects.select_for_update(of=("self",)).select_related("expert").get(pk=outreach_id)
    if outreach.status not in OPEN_STATUSES:
        return None
    outreach.ticket = ticket
    if not slack_user_may_act(outreach, user_id):
        logger.info("outreach %s: %s may not act on it", outreach_id, user_id)
        return None
    return ticket, outreach


def outreach_answer_link_problem(*, outreach_id: int, user_id: str, link: str) -> str:
    """Why "Answered: link" cannot be taken as it is ("" when it can): the rule of the "Expert responded"
    macro, the answer's link is on the mention's site."""
    outreach = Outreach.objects.select_related("ticket", "expert").filter(pk=outreach_id).first()
    if outreach is None:
        return "The desk no longer has this outreach."
    if outreach.status not in OPEN_STATUSES:
        return f"This outreach is already {outreach.get_status_display().lower()}."
    if not slack_user_may_act(outreach, user_id):
        return f"Only {outreach.expert.name} can answer this outreach."
    if not safe_url(link):
        return "Paste the link of your answer (http:// or https://)."
    try:
        answer_on_platform_check(outreach.ticket, link.strip())
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def outreach_answered_in_slack(*, outreach_id: int, user_id: str, at: datetime | None = None, link: str = "") -> bool:
    """The expert says they answered (✅, or "Answered" with the answer's link): the outreach is answered, the
    ticket tagged expert-responded for its advocate to close, and a link on the mention's site recorded as the
    ticket's reply (its first reply if none came before). False when there was nothing to do."""
    link = safe_url(link)
    with transaction.atomic():
        locked = _locked_open(outreach_id, user_id)
        if locked is None:
            return False
        ticket, outreach = locked
        name, actor = _who(user_id)
        now = timezone.now()
        data: dict[str, Any] = {"via": "slack", "slack_user": user_id, "by": name}
        if link:
            try:
                answer_on_platform_check(ticket, link)
            except ValidationError:  # checked in the modal; only a ticket changed since could get here
                logger.info("outreach %s: the answer's link is no longer on the mention's site", outreach_id)
                return False
            data["url"] = link
        outreach_mark_answered(outreach, at=min(at or now, now), actor=actor, **data)
        if link:
            answer_recorded(ticket=ticket, user=actor, link=link, via="Slack")
        tags_add(ticket=ticket, names=[EXPERT_RESPONDED_TAG], actor=actor)
        ticket.save()
        outreach_watch_end({ticket.pk})
    return True


def outreach_claimed_in_slack(*, outreach_id: int, user_id: str) -> bool:
    """ "I'll answer": recorded once in the ticket's history; the outreach stays sent until the answer."""
    with transaction.atomic():
        locked = _locked_open(outreach_id, user_id)
        if locked is None:
            return False
        ticket, outreach = locked
        claimed = ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__outreach=outreach.pk, data__has_key="claimed")
        if claimed.filter(data__slack_user=user_id).exists():
            return False
        name, actor = _who(user_id)
        outreach_note(outreach, actor, via="slack", slack_user=user_id, claimed=name)
    return True


def reroute_choices(outreach: Outreach) -> list[tuple[int, str]]:
    """Whom the expert may suggest: the other active experts, by name (Slack shows at most 100)."""
    experts = Expert.objects.filter(active=True).exclude(pk=outreach.expert_id).order_by("name")
    return list(experts.values_list("pk", "name")[:REROUTE_CHOICES_MAX])


def outreach_reroute_problems(*, outreach_id: int, user_id: str, expert_id: int | None, reason: str) -> dict[str, str]:
    """What is wrong with a "Not me: suggest someone" ({"expert"|"reason": message}; empty when nothing is)."""
    outreach = Outreach.objects.select_related("ticket", "expert", "advocate").filter(pk=outreach_id).first()
    if outreach is None or outreach.status not in OPEN_STATUSES:
        return {"reason": "This outreach is no longer open."}
    if not slack_user_may_act(outreach, user_id):
        return {"reason": f"Only {outreach.expert.name} can pass this outreach on."}
    problems: dict[str, str] = {}
    if not (reason or "").strip():
        problems["reason"] = "Say why, for the advocate."
    others = Expert.objects.filter(pk=expert_id or 0, active=True).exclude(pk=outreach.expert_id)
    if not others.exists():
        problems["expert"] = "Pick another active expert."
    if outreach.advocate is None and outreach.ticket.assignee_id is None:
        problems["expert"] = "The ticket has no advocate to ask for: tell the team in the channel instead."
    return problems


def outreach_rerouted_in_slack(*, outreach_id: int, user_id: str, expert_id: int, reason: str) -> Outreach | None:
    """ "Not me": this outreach declined with the expert's reason, and the expert they suggest asked for the same
    advocate, in the same words the desk uses (a new outreach, sent by the usual delivery). None when there was
    nothing to do (already closed: a delivery worked twice)."""
    if outreach_reroute_problems(outreach_id=outreach_id, user_id=user_id, expert_id=expert_id, reason=reason):
        return None
    outreach = Outreach.objects.select_related("ticket", "expert", "advocate").get(pk=outreach_id)
    suggested = Expert.objects.get(pk=expert_id)
    _, actor = _who(user_id)
    ticket = outreach.ticket
    advocate = outreach.advocate or ticket.assignee
    with transaction.atomic():
        closed = outreach_close_declined(
            outreach=outreach,
            actor=actor,
            reason=reason.strip(),
            via="slack",
            slack_user=user_id,
            suggested=suggested.name,
        )
        advocate_tell(closed, why=NOT_ME, actor=actor)
    message = outreach_message_prefill(ticket=ticket, expert=suggested, advocate=advocate, base_url=settings.SITE_URL)
    try:
        return outreach_deliver_new(ticket=ticket, expert=suggested, advocate=advocate, message=message)
    except ValidationError as exc:
        # Slack refused the new message: it is recorded failed in the history, where the advocate sends it again.
        logger.warning("outreach %s: the suggested expert could not be asked: %s", outreach_id, exc)
        return Outreach.objects.filter(ticket=ticket, expert=suggested).order_by("-pk").first()
