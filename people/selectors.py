"""Reading people: finding them by handle, name or address (the people list, the global search, the API)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from people.models import Identity, Person, account_key


def people_find(q: str) -> QuerySet[Person]:
    """People whose name holds `q`, or one of whose accounts (handle, account id or e-mail address) starts
    with it, ignoring case and a leading "@"; erased people are left out. Ordered by name."""
    people = Person.objects.filter(erased_at__isnull=True)
    q = (q or "").strip()
    if not q:
        return people
    key = account_key(q)
    account = Identity.objects.filter(person=OuterRef("pk")).filter(
        Q(key__startswith=key) | Q(handle__istartswith=q.lstrip("@"))
    )
    return people.filter(Q(name__icontains=q) | Exists(account))
