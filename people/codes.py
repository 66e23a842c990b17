"""Discount codes: an admin uploads a batch, an advocate hands one out from a ticket or a person page.

Each code is given once: the next free code is taken under SELECT ... FOR UPDATE SKIP LOCKED, so two
advocates asking at the same moment each lock (and get) a different row instead of waiting for, or both
reading, the same one. Who got which is in the person's history (PersonEvent CODE_GIVEN).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advocacy.desk_settings import desk_settings_changed
from people.models import DiscountBatch, DiscountCode, Person, PersonEvent

CODE_MAX = DiscountCode._meta.get_field("code").max_length or 120
NO_CODES_LEFT = "No discount codes left: ask an admin to upload a new batch."


@dataclass
class ParsedCodes:
    codes: list[str] = field(default_factory=list)  # stripped, each once, in the file's order
    duplicates: int = 0  # lines repeating an earlier line of the same upload
    blank: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Upload:
    batch: DiscountBatch
    added: int
    duplicates: int  # repeated in the upload or already stored (in any batch)
    blank: int
    errors: list[str]


def codes_parse(text: str) -> ParsedCodes:
    """One code per line, or the first column of a CSV file; surrounding spaces are not part of a code."""
    parsed, seen = ParsedCodes(), set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        code = row[0].strip() if row else ""
        if not code:
            parsed.blank += 1
        elif len(code) > CODE_MAX:
            parsed.errors.append(f"Line {number}: the code is longer than {CODE_MAX} characters.")
        elif code in seen:
            parsed.duplicates += 1
        else:
            seen.add(code)
            parsed.codes.append(code)
    return parsed


def batch_upload(*, name: str, note: str = "", text: str, user: Any) -> Upload:
    """Store a batch and its codes; a code already stored (in this or an earlier batch) is skipped and
    counted as a duplicate, a code too long is reported and skipped."""
    parsed = codes_parse(text)
    with transaction.atomic():
        batch = DiscountBatch.objects.create(name=name.strip(), note=note.strip(), uploaded_by=user)
        return codes_add(batch=batch, parsed=parsed)


def codes_add(*, batch: DiscountBatch, parsed: ParsedCodes) -> Upload:
    """Add the parsed codes to a stored batch (admin's add view saves the batch itself)."""
    DiscountCode.objects.bulk_create(
        [DiscountCode(batch=batch, code=code) for code in parsed.codes], ignore_conflicts=True, batch_size=1000
    )
    desk_settings_changed()  # bulk_create sends no signal: the ticket page's "codes left" (people.views.codes)
    added = DiscountCode.objects.filter(batch=batch).count()
    return Upload(
        batch=batch,
        added=added,
        duplicates=parsed.duplicates + len(parsed.codes) - added,
        blank=parsed.blank,
        errors=parsed.errors,
    )


def code_give(*, person: Person, user: Any, ticket: Any = None, batch: DiscountBatch | None = None) -> DiscountCode:
    """Give `person` the next free code of `batch`, or of the newest batch that has one left."""
    if person.erased_at is not None:
        raise ValidationError("This person was erased: nothing more is given to them.")
    with transaction.atomic():
        free = DiscountCode.objects.filter(given_at__isnull=True)
        if batch is not None:
            free = free.filter(batch=batch)
        # Newest batch first (ids grow with uploads), then the codes in the order they were uploaded.
        code = free.order_by("-batch_id", "id").select_for_update(skip_locked=True).first()
        if code is None:
            raise ValidationError(NO_CODES_LEFT, code="no_codes_left")
        code.person, code.ticket, code.given_by, code.given_at = person, ticket, user, timezone.now()
        code.save(update_fields=["person", "ticket", "given_by", "given_at"])
        batch_name = DiscountBatch.objects.values_list("name", flat=True).get(pk=code.batch_id)
        PersonEvent.objects.create(
            person=person,
            kind=PersonEvent.Kind.CODE_GIVEN,
            actor=user,
            data={"code": code.code, "batch": batch_name, "ticket": ticket.pk if ticket is not None else None},
        )
    return code
