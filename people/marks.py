"""The marks beside tickets in the queue and the lists: the tags of the person who opened each ticket that
mark their tickets (`PersonTag.marked`: "core contributor", "spam"), each linking to the person's page.
Registered as mentions' row-marks hook (people.apps, mentions/queue/row_marks.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import slugify

from mentions.queue.row_marks import RowMark
from people.models import Requester


def requester_marks(*, ticket_ids: list[int]) -> dict[int, list[RowMark]]:
    """{ticket id: marks} for the tickets among `ticket_ids` whose requester's person has marked tags, by tag
    name. One query (requester → identity → person → tags) for the page; erased people are not marked."""
    rows = (
        Requester.objects.filter(
            ticket_id__in=ticket_ids,
            identity__person__erased_at__isnull=True,
            identity__person__tags__marked=True,
        )
        .order_by("ticket_id", "identity__person__tags__name")
        .values_list("ticket_id", "identity__person_id", "identity__person__tags__name")
    )
    urls: dict[int, str] = {}
    marks: dict[int, list[RowMark]] = {}
    for ticket_id, person_id, tag in rows:
        if person_id not in urls:
            urls[person_id] = reverse("people:person", args=[person_id])
        marks.setdefault(ticket_id, []).append(RowMark(tag, f"mark-{slugify(tag)}", urls[person_id]))
    return marks
