""" "Reached out to expert" records an outreach, not only a tag.

An advocate who asked an expert outside the desk's own send (Slack not connected, a DM, a thread) applies the
macro with the link to their message and says whom they asked: that is an Outreach, sent now, which the KPIs
and the experts directory count like one the desk posted. The desk's own send applies the same macro with the
permalink of the outreach it has just recorded: that one is not counted twice.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from experts.models import Expert, Outreach
from experts.services import (
    OPEN_STATUSES,
    REACHED_OUT_MACRO,
    outreach_channel_for,
    outreach_note,
    outreach_thread_watch,
)
from experts.suggest import experts_active
from mentions.models import Macro, Ticket
from mentions.services.macro_needs import MacroNeed

NO_EXPERT = (
    "The experts directory has no active expert to record the outreach to. "
    "Ask an admin to add the expert you asked, or add a note instead."
)
PERMALINK_MAX = Outreach._meta.get_field("slack_permalink").max_length or 500


def records_outreach(macro: Macro) -> bool:
    return macro.name.casefold() == REACHED_OUT_MACRO.casefold()


def outreach_macro_need(*, macro: Macro) -> MacroNeed | None:
    """Macro-need hook (experts.apps): the macro records whom the advocate asked, picked from the directory."""
    if not records_outreach(macro):
        return None
    # Every ticket page asks: the directory's in-memory copy, not a query.
    experts = tuple((e.pk, e.name) for e in experts_active())
    return MacroNeed(
        does="records an outreach to the expert you pick", missing="" if experts else NO_EXPERT, experts=experts
    )


def outreach_recorded_on_macro(
    *, ticket: Ticket, macro: Macro, user: Any, link: str = "", expert_id: int | None = None, **_: Any
) -> str | None:
    """Macro hook (experts.apps): record the outreach the macro's link points at, to the expert picked."""
    if not records_outreach(macro) or not link:
        return None
    if Outreach.objects.filter(ticket=ticket, slack_permalink=link).exists():
        return None  # the desk posted it (notifications.outreach) and recorded it already
    if expert_id is None:
        raise ValidationError(
            f"“{macro.name}” needs the expert you asked: pick them beside the link, so the outreach is counted."
        )
    expert = Expert.objects.filter(pk=expert_id, active=True).first()
    if expert is None:
        raise ValidationError("That expert is not an active expert in the directory: pick another.")
    if len(link) > PERMALINK_MAX:
        raise ValidationError(f"The link to your message is over {PERMALINK_MAX} characters: shorten it.")
    now = timezone.now()
    # The ticket's row is locked (macro_apply): no other outreach to this expert can open meanwhile.
    outreach = Outreach.objects.filter(ticket=ticket, expert=expert, status__in=OPEN_STATUSES).first()
    if outreach is not None:
        outreach.slack_permalink = outreach.slack_permalink or link
        outreach.sent_at = outreach.sent_at or now
        outreach.status = Outreach.Status.SENT
        outreach.save(update_fields=["slack_permalink", "sent_at", "status", "updated_at"])
    else:
        outreach = Outreach.objects.create(
            ticket=ticket,
            expert=expert,
            advocate=user,
            status=Outreach.Status.SENT,
            sent_at=now,
            message=f"Asked outside the desk: {link}",
            slack_channel=outreach_channel_for(expert=expert),
            slack_permalink=link,
        )
        outreach_thread_watch(outreach)
    outreach_note(outreach, user, link=link)
    return None
