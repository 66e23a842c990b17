"""An advocate shapes a story: its title and state, the tickets in it (move one out, move one in), and merging it
into another story. Each call is one transaction with its rows locked (stories.locks); a story's size,
first and last mention are recounted from its memberships, never adjusted by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from mentions.models import Ticket
from stories.answering.drafts import answered_story_joined
from stories.detection.detector import story_core
from stories.detection.feedback import meaning_recount, merge_recorded, move_out_recorded
from stories.detection.words import counts_merged
from stories.locks import ensure_can_work, state_locked, stories_locked, story_live
from stories.models import Exclusion, Membership, Signature, StatusIncident, Story, StoryReply

TITLE_MAX = 300
LINKS_KEPT = 10


def story_rename(*, story: Story, user: Any, title: str) -> Story:
    ensure_can_work(user)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Give the story a title.")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"A title has {TITLE_MAX} characters at most.")
    return _story_set(story, "title", lambda locked: title)


def story_close(*, story: Story, user: Any) -> Story:
    """Closed: the detector puts no new ticket in it (they make a story of their own)."""
    ensure_can_work(user)
    return _story_set(story, "state", lambda locked: Story.State.CLOSED)


def story_reopen(*, story: Story, user: Any) -> Story:
    """Open again, or answered again if it was answered before it was closed."""
    ensure_can_work(user)
    return _story_set(story, "state", lambda locked: Story.State.ANSWERED if locked.answered_at else Story.State.OPEN)


def _story_set(story: Story, field: str, value: Callable[[Story], object]) -> Story:
    """One column of the story set from `value(the story locked)`, with its row locked and once it is known to be
    live (not merged away meanwhile)."""
    with transaction.atomic():
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        setattr(locked, field, value(locked))
        locked.save(update_fields=[field, "updated_at"])
    return locked


def _recount(story: Story) -> None:
    """Size, first and last mention from the memberships (the caller saves); an emptied story is closed."""
    agg = Membership.objects.filter(story=story).aggregate(
        n=Count("pk"), first=Min("ticket__requested_at"), last=Max("ticket__requested_at")
    )
    story.size = agg["n"]
    if agg["n"]:
        story.first_at, story.last_at = agg["first"], agg["last"]
    elif not story.merged_into_id:
        story.state = Story.State.CLOSED


_RECOUNTED = ["size", "first_at", "last_at", "state", "updated_at"]
_MEANING = ["meaning", "meaning_n"]


def _drafts_drop(story: Story, ticket_ids: list[int]) -> None:
    """Drafts not sent belong to the story's answer: a ticket leaving the story leaves them (outcomes stay)."""
    sendable = [StoryReply.Status.DRAFT, StoryReply.Status.SKIPPED]
    StoryReply.objects.filter(story=story, ticket_id__in=ticket_ids, status__in=sendable).delete()


def story_ticket_move_out(*, story: Story, ticket_id: int, user: Any) -> Story:
    """The ticket is not part of this story: out of it, and never put back by the detector (an Exclusion)."""
    ensure_can_work(user)
    with transaction.atomic():
        state_locked()
        (locked,) = stories_locked(story.pk)
        story_live(locked)
        if not Membership.objects.filter(story=locked, ticket_id=ticket_id).exists():
            raise ValidationError(f"#{ticket_id} is not in this story (any more): reload the page.")
        move_out_recorded(locked, ticket_id)  # before it leaves: how near the story it was
        Membership.objects.filter(story=locked, ticket_id=ticket_id).delete()
        Exclusion.objects.get_or_create(story=locked, ticket_id=ticket_id, defaults={"by": user})
        _read_mark(ticket_id)
        _drafts_drop(locked, [ticket_id])
        _recount(locked)
        meaning_recount(locked)
        locked.save(update_fields=[*_RECOUNTED, *_MEANING])
    return locked


def _read_mark(ticket_id: int) -> None:
    """A ticket in a story counts as read by the detector through its membership: out of the story, it keeps a
    signature so the detector never reads it again (it would put it in some other story on its own)."""
    ticket = Ticket.objects.select_related("channel").only("requested_at", "channel__kind").get(pk=ticket_id)
    Signature.objects.get_or_create(
        ticket_id=ticket_id, defaults={"at": ticket.requested_at, "platform": ticket.channel.kind}
    )


def story_ticket_move_in(*, story: Story, ticket_id: int, user: Any) -> Story:
    """Put a ticket in this story, out of any other it was in ("moved in by <user>"); in an answered story it gets
    the answer's draft."""
    ensure_can_work(user)
    ticket = Ticket.objects.filter(pk=ticket_id).only("pk", "merged_into_id").first()
    if ticket is None:
        raise ValidationError(f"There is no ticket #{ticket_id}.")
    if ticket.merged_into_id:
        raise ValidationError(
            f"#{ticket_id} was merged into #{ticket.merged_into_id}: move #{ticket.merged_into_id} in."
        )
    with transaction.atomic():
        state_locked()
        current = Membership.objects.filter(ticket_id=ticket_id).values_list("story_id", flat=True).first()
        if current == story.pk:
            raise ValidationError(f"#{ticket_id} is already in this story.")
        locked = {s.pk: s for s in stories_locked(*sorted({story.pk} if current is None else {story.pk, current}))}
        target = locked[story.pk]
        story_live(target)
        if current is not None:
            source = locked[current]
            Membership.objects.filter(ticket_id=ticket_id).delete()
            Exclusion.objects.get_or_create(story=source, ticket_id=ticket_id, defaults={"by": user})
            _drafts_drop(source, [ticket_id])
            _recount(source)
            meaning_recount(source)
            source.save(update_fields=[*_RECOUNTED, *_MEANING])
        Exclusion.objects.filter(story=target, ticket_id=ticket_id).delete()
        Membership.objects.create(
            story=target,
            ticket_id=ticket_id,
            via=Membership.Via.ADVOCATE,
            reason=f"moved in by {user.get_username()}"[:300],
            added_by=user,
        )
        _recount(target)
        meaning_recount(target)
        target.save(update_fields=[*_RECOUNTED, *_MEANING])
        if target.state == Story.State.ANSWERED:
            answered_story_joined(story=target, ticket_ids=[ticket_id])
    return target


def story_merge(*, story: Story, into_id: int, user: Any) -> Story:
    """The same story told twice: its tickets (with why each joined), links, terms and incidents move into the
    other one, which is returned; this one points there (merged_into) and is empty."""
    ensure_can_work(user)
    if into_id == story.pk:
        raise ValidationError("Choose another story to merge this one into.")
    with transaction.atomic():
        state_locked()
        locked = {s.pk: s for s in stories_locked(*sorted({story.pk, into_id}))}
        source, target = locked[story.pk], locked[into_id]
        story_live(source)
        if target.merged_into_id:
            raise ValidationError("That story was merged into another one: choose the one it was merged into.")
        moved = list(Membership.objects.filter(story=source).values_list("ticket_id", flat=True))
        merge_recorded(source, target)  # before the centroids are one: how near the two were
        Membership.objects.filter(story=source).update(
            story=target, via=Membership.Via.MERGE, updated_at=timezone.now()
        )
        StatusIncident.objects.filter(story=source).update(story=target, updated_at=timezone.now())
        Exclusion.objects.bulk_create(
            [Exclusion(story=target, ticket_id=e.ticket_id, by=e.by) for e in Exclusion.objects.filter(story=source)],
            ignore_conflicts=True,
        )
        _drafts_drop(source, moved)
        target.links = list(dict.fromkeys([*target.links, *source.links]))[:LINKS_KEPT]
        target.term_counts = counts_merged(target.term_counts, source.term_counts)
        source.merged_into = target
        source.size = 0
        source.meaning, source.meaning_n = b"", 0  # its tickets' meaning is kept once, in the story it went into
        source.save(update_fields=["merged_into", "size", *_MEANING, "updated_at"])
        _recount(target)
        meaning_recount(target)
        target.terms = {stem: target.term_counts[stem][0] for stem in story_core(target.term_counts, target.size)}
        target.save(update_fields=[*_RECOUNTED, *_MEANING, "links", "term_counts", "terms"])
        if target.state == Story.State.ANSWERED and moved:
            answered_story_joined(story=target, ticket_ids=moved)
    return target
