"""Placeholder replaced at merge: the real person_merge (people.services, written on the merge/split
branch) takes its place when the branches are reconciled. This one only does what the API's merge endpoint
needs to run: the source's identities move to `into` (their messages and tickets follow) and the source
person is deleted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from people.models import Identity, Person, PersonEvent


@transaction.atomic
def person_merge(source: Person, into: Person, actor: Any) -> Person:
    if source.pk == into.pk:
        raise ValidationError("A person cannot be merged into themselves.")
    moved = Identity.objects.filter(person=source).update(person=into)
    PersonEvent.objects.create(
        person=into, kind=PersonEvent.Kind.MERGED, actor=actor, data={"from": source.pk, "identities": moved}
    )
    source.delete()
    return into
