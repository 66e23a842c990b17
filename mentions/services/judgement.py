"""The desk's judgement on the desk: an advocate's correction (`judgement_correct`), the one-click undo of a
ticket a rule solved as noise (`noise_undo`), and the hand-over from the worker that judged tickets
(the rules that wait for a judgement run then: mentions.services.judgement_rules.judged_rules_run).

A correction is the advocate's word: `judged_by="advocate"`, which the classifier never overwrites, and the
`judgement-corrections` version is bumped so the classifier's cache of corrected examples reloads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advocacy.versioned import version_bump
from mentions.models import Intent, JudgedBy, Judgement, Ticket, TicketEvent
from mentions.services.events import ensure_can_act, event_record, status_set
from mentions.services.versions import ticket_lock

CORRECTIONS_VERSION_KEY = "judgement-corrections"
NOT_NOISE = "not noise: reopened by an advocate"


def judgement_check(judgement: str, intent: str | None = None) -> None:
    """A judgement (and intent) the desk knows, or ValidationError saying which are."""
    if judgement not in Judgement.values:
        raise ValidationError(f"Unknown judgement {judgement!r}: one of {', '.join(Judgement.values)}.")
    if intent is not None and intent not in Intent.values:
        raise ValidationError(f"Unknown intent {intent!r}: one of {', '.join(Intent.values)}.")


def judgement_correct(
    ticket: Ticket, judgement: str, actor: Any, intent: str | None = None, *, seen_version: int | None = None
) -> bool:
    """An advocate's correction of the desk's judgement (and intent): the columns set with judged_by="advocate",
    a `judgement` event {"from", "to", "by"} and the corrections' version bumped. False when it was that already."""
    judgement_check(judgement, intent)
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=())
        if actor is not None:
            ensure_can_act(ticket=ticket, user=actor)
        return _correct(ticket, judgement, actor, intent)


def _correct(ticket: Ticket, judgement: str, actor: Any, intent: str | None) -> bool:
    """In a transaction holding the ticket's lock: the correction, saved."""
    same_intent = intent is None or intent == ticket.intent
    # An unsure judgement is stored as needs_response: the advocate confirming that word is still their word (it
    # stops being "Unsure"), not a no-op.
    if judgement == ticket.judgement and same_intent and not ticket.judgement_unsure:
        return False
    data: dict[str, Any] = {
        "from": ticket.judgement,
        "to": judgement,
        "by": actor.get_username() if actor is not None else "",
    }
    if ticket.judged_by == JudgedBy.DESK and ticket.judgement_confidence is not None:
        data["confidence"] = ticket.judgement_confidence  # how sure the desk was of the word overruled
    if not same_intent:
        data.update(intent_from=ticket.intent, intent_to=intent)
    # The desk's reason argued for the judgement the advocate just overruled: shown beside the new word it would
    # read as the reason for it. The reason line says the correction instead, read from the row as before.
    ticket.judgement_reason = correction_reason(actor, ticket.judgement, judgement, ticket.intent, intent)
    if not same_intent:
        ticket.intent = intent or ""
    ticket.judgement = judgement
    ticket.judged_by = JudgedBy.ADVOCATE
    ticket.judged_at = timezone.now()
    ticket.judgement_confidence = 1.0  # the advocate's word: never "Unsure" again
    ticket.save(
        update_fields=[
            *("judgement", "intent", "judged_by", "judged_at", "judgement_reason", "judgement_confidence"),
            "updated_at",
        ]
    )
    event_record(ticket=ticket, kind=TicketEvent.Kind.JUDGEMENT, actor=actor, **data)
    # The classifier learns from corrections: its cached examples are read again (advocacy/versioned.py).
    version_bump(CORRECTIONS_VERSION_KEY)
    return True


def correction_reason(actor: Any, was: str, now: str, intent_was: str, intent_now: str | None) -> str:
    """The reason line of a corrected ticket: "Corrected by Anna: Noise → Needs a response (intent Other →
    Question)", in the history's words, at most the column's length (the name is what gives way)."""
    labels = dict(Judgement.choices) | {"": "not judged"}
    change = labels.get(now, now) if was == now else f"{labels.get(was, was)} → {labels.get(now, now)}"
    verb = "Corrected"
    if intent_now is not None and intent_now != intent_was:
        intents = dict(Intent.choices)
        change += f" (intent {intents.get(intent_was, 'none')} → {intents.get(intent_now, intent_now)})"
    elif was == now:
        verb = "Confirmed"  # an unsure judgement, confirmed as it stood
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "an advocate"
    limit = Ticket._meta.get_field("judgement_reason").max_length or 200
    room = limit - len(f"{verb} by : {change}")
    if len(who) > room:
        who = who[: max(room - 1, 1)] + "…"
    return f"{verb} by {who}: {change}"[:limit]


def solved_as_noise(ticket: Ticket) -> bool:
    """Whether the ticket page offers "Not noise?": solved without a reply while the desk judges it noise (a rule
    such as "Solve noise" did it). Read from the ticket's own columns: the page asks no query for it."""
    return (
        ticket.status == Ticket.Status.SOLVED
        and ticket.judgement == Judgement.NOISE
        and ticket.judged_by == JudgedBy.DESK
        and ticket.first_reply_at is None
    )


def noise_undo(
    ticket: Ticket, actor: Any, judgement: str = Judgement.NEEDS_RESPONSE, *, seen_version: int | None = None
) -> None:
    """ "Not noise?": reopen a ticket solved as noise and correct its judgement (needs a response unless the
    advocate chose another), both recorded, in one transaction."""
    judgement_check(judgement)
    if judgement == Judgement.NOISE:
        raise ValidationError("Choose what the mention is, if not noise.")
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=())
        ensure_can_act(ticket=ticket, user=actor)
        if not solved_as_noise(ticket):
            raise ValidationError(f"#{ticket.pk} is not solved as noise any more.")
        status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=actor, reason=NOT_NOISE)
        ticket.save(update_fields=["status", "solved_at", "updated_at"])
        _correct(ticket, judgement, actor, None)
