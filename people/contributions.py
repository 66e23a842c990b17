"""Contributions logged on a person and gifts sent to them, each recorded in the person's history.

A gift's postal address is kept only until the gift leaves: the UPDATE that marks it shipped (or delivered,
or cancelled) empties the address in the same statement, so no state "shipped with an address" is ever
stored. The history (PersonEvent) never holds the address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from people.journey.record import contributions_record
from people.models import Contribution, Gift, Person, PersonEvent

# States after which the address is no longer needed.
ADDRESS_DROPPED = frozenset({Gift.State.SHIPPED, Gift.State.DELIVERED, Gift.State.CANCELLED})
# States a gift does not leave: delivered is done, cancelled was never sent.
FINAL = frozenset({Gift.State.DELIVERED, Gift.State.CANCELLED})


def _not_erased(person: Person) -> None:
    if person.erased_at is not None:
        raise ValidationError("This person was erased: nothing more is recorded on them.")


def contribution_add(
    *, person: Person, kind: str, on: date, title: str = "", link: str = "", user: Any
) -> Contribution:
    _not_erased(person)
    if kind not in Contribution.Kind.values:
        raise ValidationError(f"{kind!r} is not a kind of contribution.")
    with transaction.atomic():
        contribution = Contribution.objects.create(
            person=person, kind=kind, date=on, title=title.strip(), link=link.strip(), recorded_by=user
        )
        PersonEvent.objects.create(
            person=person,
            kind=PersonEvent.Kind.CONTRIBUTION,
            actor=user,
            data={"contribution": contribution.pk, "kind": kind, "date": on.isoformat(), "title": contribution.title},
        )
        contributions_record([contribution])  # the contributor journey's activity, with its points
    return contribution


def gift_add(*, person: Person, item: str, postal_address: str = "", user: Any) -> Gift:
    """A gift to send (requested); the address is what the shipper needs, until it ships."""
    _not_erased(person)
    item = item.strip()
    if not item:
        raise ValidationError("Say what is sent.")
    with transaction.atomic():
        gift = Gift.objects.create(person=person, item=item, postal_address=postal_address.strip(), sent_by=user)
        PersonEvent.objects.create(
            person=person,
            kind=PersonEvent.Kind.GIFT,
            actor=user,
            data={"gift": gift.pk, "item": gift.item, "to": gift.state},
        )
    return gift


def gift_state_set(*, gift: Gift, state: str, user: Any) -> Gift:
    """Move a gift on; shipped, delivered and cancelled empty its address in the same UPDATE, and shipped
    notes when (the first time only)."""
    if state not in Gift.State.values:
        raise ValidationError(f"{state!r} is not a gift state.")
    with transaction.atomic():
        # Locked, so two managers moving the same gift record the states in the order they happened.
        before = Gift.objects.select_for_update().values_list("state", flat=True).get(pk=gift.pk)
        if state == before:
            raise ValidationError(f"This gift is already {Gift.State(state).label.lower()}.")
        if before in FINAL:
            raise ValidationError(f"This gift is {Gift.State(before).label.lower()}: its state no longer changes.")
        now = timezone.now()
        fields: dict[str, Any] = {"state": state, "updated_at": now}
        if state in ADDRESS_DROPPED:
            fields["postal_address"] = ""
        if state in (Gift.State.SHIPPED, Gift.State.DELIVERED):
            fields["shipped_at"] = Coalesce("shipped_at", now)
        Gift.objects.filter(pk=gift.pk).update(**fields)
        PersonEvent.objects.create(
            person_id=gift.person_id,
            kind=PersonEvent.Kind.GIFT,
            actor=user,
            data={"gift": gift.pk, "item": gift.item, "from": before, "to": state},
        )
    gift.refresh_from_db()
    return gift
