"""Changing people: editing what the team knows of someone, tagging, and merging and splitting people.

Merging and splitting only move identities (and what hangs on the person: contributions, gifts, codes,
events, the contributor journey's activities, recounted on both sides): the messages and tickets tied to those
identities follow without a write per row. Each change leaves a PersonEvent; an edit names the fields it
changed, never their values (an erasure must not find
them in the history).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from mentions.live import change_stamp_move
from people.journey.recompute import journey_recompute
from people.journey.record import ticket_source
from people.models import (
    Activity,
    Contribution,
    DiscountCode,
    Gift,
    Identity,
    LikenessDismissed,
    Person,
    PersonEvent,
    PersonTag,
    Recognition,
    Requester,
)

EDITABLE_FIELDS = ("name", "notes", "region", "time_zone", "links")
# What a merge writes on the person kept: never points or level, which the recount sets (a save of the whole
# row would write back the points read when it was locked).
MERGE_FIELDS = ("name", "notes", "region", "time_zone", "links", "updated_at")


class PersonGone(ValidationError):
    """A person named in a merge is no longer there (merged or deleted meanwhile): `merged_into` is the
    person they were merged into, when that is known, for the page to go on to."""

    def __init__(self, person_id: int, merged_into: int | None) -> None:
        self.person_id, self.merged_into = person_id, merged_into
        where = f" into person {merged_into}" if merged_into else ""
        super().__init__(f"Person {person_id} is no longer here: they were merged{where} or removed meanwhile.")


def merged_into(person_id: int) -> int | None:
    """Who a person merged away was merged into (the latest such merge), if the history says."""
    event = PersonEvent.objects.filter(kind=PersonEvent.Kind.MERGED, data__from=person_id).order_by("-id").first()
    return event.person_id if event is not None else None


def _locked(*ids: int) -> dict[int, Person]:
    """The people `ids`, their rows locked in id order: two merges of the same pair, each way round, wait
    for each other instead of deadlocking, and the second finds the first's result."""
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def person_edit(*, person: Person, actor: Any, changes: dict[str, Any]) -> list[str]:
    """Save the editable fields in `changes` (already validated by the form) that differ; return their names."""
    with transaction.atomic():
        locked = _locked(person.pk).get(person.pk)
        if locked is None:
            raise PersonGone(person.pk, merged_into(person.pk))
        changed = [f for f in EDITABLE_FIELDS if f in changes and getattr(locked, f) != changes[f]]
        if not changed:
            return []
        for field in changed:
            setattr(locked, field, changes[field])
            setattr(person, field, changes[field])
        locked.save(update_fields=[*changed, "updated_at"])
        PersonEvent.objects.create(person=locked, kind=PersonEvent.Kind.EDITED, actor=actor, data={"fields": changed})
    return changed


def person_tag_add(*, person: Person, tag: PersonTag, actor: Any) -> bool:
    """Tag `person`; False when they had the tag already (nothing recorded)."""
    with transaction.atomic():
        if person.tags.filter(pk=tag.pk).exists():
            return False
        person.tags.add(tag)
        PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.TAGGED, actor=actor, data={"tag": tag.name})
    return True


def person_tag_remove(*, person: Person, tag: PersonTag, actor: Any) -> bool:
    """Untag `person`; False when they did not have the tag."""
    with transaction.atomic():
        if not person.tags.filter(pk=tag.pk).exists():
            return False
        person.tags.remove(tag)
        PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.UNTAGGED, actor=actor, data={"tag": tag.name})
    return True


def _lines_joined(first: str, second: str) -> str:
    lines = [line.strip() for line in (first + "\n" + second).splitlines()]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def person_merge(*, source: Person, into: Person, actor: Any) -> Person:
    """Make `source` part of `into`: its identities (and so its messages and tickets), contributions, gifts,
    discount codes and events move; tags are joined, notes appended, links joined; its "not the same"
    answers go (they were about someone who no longer exists); `source` is deleted. Returns `into`, fresh.

    Raises PersonGone when either person is gone (a merge of the same pair ran first), ValidationError when
    the two are one, or one was erased."""
    if source.pk == into.pk:
        raise ValidationError("A person cannot be merged into themselves.")
    with transaction.atomic():
        locked = _locked(source.pk, into.pk)
        for wanted in (source.pk, into.pk):
            if wanted not in locked:
                raise PersonGone(wanted, merged_into(wanted))
        src, dst = locked[source.pk], locked[into.pk]
        if src.erased_at or dst.erased_at:
            raise ValidationError("An erased person cannot be merged.")

        Identity.objects.filter(person=src).update(person=dst)
        change_stamp_move()  # their tickets' marks in the queue follow the person they now belong to
        Contribution.objects.filter(person=src).update(person=dst)
        Gift.objects.filter(person=src).update(person=dst)
        DiscountCode.objects.filter(person=src).update(person=dst)
        PersonEvent.objects.filter(person=src).update(person=dst)
        # The contributor journey: their activities add up on `dst` (recounted below); a level `dst` was already
        # recognised for is not recognised twice (the other goes with `src`).
        Activity.objects.filter(person=src).update(person=dst)
        Recognition.objects.filter(person=src).exclude(
            to_level_id__in=Recognition.objects.filter(person=dst).values("to_level_id")
        ).update(person=dst)
        dst.tags.add(*src.tags.all())
        LikenessDismissed.objects.filter(Q(person=src) | Q(other=src)).delete()

        dst.name = dst.name or src.name
        dst.region = dst.region or src.region
        dst.time_zone = dst.time_zone or src.time_zone
        if src.notes.strip():
            dst.notes = f"{dst.notes.rstrip()}\n\n{src.notes.strip()}".strip()
        dst.links = _lines_joined(dst.links, src.links)
        dst.save(update_fields=list(MERGE_FIELDS))
        journey_recompute([dst.pk])
        dst.refresh_from_db(fields=["points", "level"])
        PersonEvent.objects.create(
            person=dst, kind=PersonEvent.Kind.MERGED, actor=actor, data={"from": src.pk, "name": src.name}
        )
        src.delete()
    return dst


def person_split(*, person: Person, identity_ids: list[int], actor: Any) -> Person:
    """Move the identities `identity_ids` of `person` (some, not all) to a new person and return them. The
    two are marked "not the same", so the likeness that may remain (the same name) is not suggested again."""
    with transaction.atomic():
        locked = _locked(person.pk).get(person.pk)
        if locked is None:
            raise PersonGone(person.pk, merged_into(person.pk))
        identities = list(Identity.objects.select_for_update().filter(person=locked).order_by("pk"))
        moving = [i for i in identities if i.pk in set(identity_ids)]
        if not moving:
            raise ValidationError("Choose the identities that belong to someone else.")
        if len(moving) == len(identities):
            raise ValidationError("Leave at least one identity with this person: a split moves some, not all.")
        moved_ids = [i.pk for i in moving]
        new = Person.objects.create(name=next((i.name for i in moving if i.name), ""))
        Identity.objects.filter(pk__in=moved_ids).update(person=new)
        change_stamp_move()
        # The tickets the moved identities opened were their "asked": those activities go with them.
        tickets = Requester.objects.filter(identity_id__in=moved_ids).values_list("ticket_id", flat=True)
        Activity.objects.filter(person=locked, source__in=[ticket_source(t) for t in tickets]).update(person=new)
        journey_recompute([locked.pk, new.pk])
        PersonEvent.objects.create(
            person=locked, kind=PersonEvent.Kind.SPLIT, actor=actor, data={"to": new.pk, "identities": moved_ids}
        )
        PersonEvent.objects.create(
            person=new, kind=PersonEvent.Kind.SPLIT, actor=actor, data={"from": locked.pk, "identities": moved_ids}
        )
        LikenessDismissed.objects.create(person=locked, other=new, by=actor)
    return new


def likeness_dismiss(*, person: Person, other: Person, actor: Any) -> None:
    """ "Not the same": `other` is no longer suggested on `person`'s page, nor `person` on theirs."""
    if person.pk == other.pk:
        return
    LikenessDismissed.objects.get_or_create(person=person, other=other, defaults={"by": actor})
