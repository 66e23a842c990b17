"""What an advocate does with the team model's draft (mentions.models.TeamModelOutput; docs/team-model.md): put
it in the reply box (after what the box holds, through the one door of the draft, mentions.services.drafts) or
dismiss it. Neither sends anything: a draft is posted only by an advocate's Send, as any reply."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mentions.models import TeamModelEndpoint, TeamModelOutput, Ticket
from mentions.models.team_model import DEMO_BASE_URL, DEMO_MODEL
from mentions.services.drafts import ticket_draft_append


def team_output_of(ticket: Ticket) -> TeamModelOutput | None:
    """The ticket's draft and summary as the ticket page's query read them (selectors.ticket_detail joins them: no
    query of its own), or None."""
    try:
        return ticket.team_output
    except TeamModelOutput.DoesNotExist:
        return None


def team_draft_text(*, ticket_id: int) -> str | None:
    """The draft shown on the ticket (not dismissed), or None."""
    row = TeamModelOutput.objects.filter(ticket_id=ticket_id, draft_dismissed_at__isnull=True).exclude(draft="")
    return row.values_list("draft", flat=True).first()


def team_draft_insert(*, ticket: Ticket, user: Any, typed: str | None, seen_version: int | None) -> str:
    """The draft after the reply box's text, as the ticket's reply draft (without JavaScript; with it the page puts
    it in the box itself). TeamModelOutput.DoesNotExist when there is none to insert."""
    text = team_draft_text(ticket_id=ticket.pk)
    if text is None:
        raise TeamModelOutput.DoesNotExist
    return ticket_draft_append(ticket=ticket, text=text, user=user, seen_version=seen_version, typed=typed)


def team_draft_dismiss(*, ticket_id: int, user: Any) -> bool:
    """Hide the draft from the composer for everyone; the next question on the ticket may get a new one."""
    return bool(
        TeamModelOutput.objects.filter(ticket_id=ticket_id, draft_dismissed_at__isnull=True).update(
            draft_dismissed_at=timezone.now(), draft_dismissed_by=user, updated_at=timezone.now()
        )
    )


def team_model_demo_ensure(*, replay: bool) -> str:
    """The demo's endpoint (seed_demo): the replay on this machine (mentions.assistant.demo), made enabled only when
    the demo's network answers it (`replay`: DESK_DEMO_REPLAY), as the demo's channels are made paused without it.
    An endpoint made before, the demo's or the team's own, is left as it was. Returns what became of it, in words."""
    row = TeamModelEndpoint.objects.order_by("pk").first()
    if row is None:
        row = TeamModelEndpoint.objects.create(enabled=replay, base_url=DEMO_BASE_URL, model=DEMO_MODEL)
        said = "made"
    else:
        said = "left as it was"
    if not row.is_demo:
        return f"Team model: {row.model} at {row.base_url}, left as it was (not the demo's)."
    state = "on" if row.enabled else "off (DESK_DEMO_REPLAY is off: nothing would answer it)"
    return f"Team model: the demo's replay, {said}, {state}: drafts, summaries and second opinions (Admin, Team model)."
