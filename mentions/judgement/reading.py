"""Each ticket's first inbound mention as the judgement reads it, with the kind of channel it came from, and its
author's newest follow-up on the ticket, which the intent reads too (issue 68: "I love it" and then "but the export
crashes" is a bug report). The same query reads both: every inbound message of the tickets, oldest first."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Q

from mentions.judgement.features import MentionText
from mentions.models import Message, Ticket


def first_mentions(ticket_ids: list[int]) -> dict[int, MentionText]:
    subjects = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "subject"))
    rows = (
        Message.objects.filter(ticket_id__in=ticket_ids, kind=Message.Kind.INBOUND)
        .order_by("ticket_id", "platform_created_at", "id")
        .values_list("ticket_id", "title", "body", "author_handle", "channel__kind")
    )
    found: dict[int, MentionText] = {}
    for ticket_id, title, body, author, kind in rows:
        if ticket_id is None:
            continue
        first = found.get(ticket_id)
        if first is None:
            found[ticket_id] = MentionText(
                title=title or _subject_unless_first_line(subjects.get(ticket_id, ""), body),
                text=body,
                author=author,
                platform=kind,
            )
        elif author and author == first.author and body.strip():
            found[ticket_id] = replace(first, follow_up=body)
    return found


def _subject_unless_first_line(subject: str, body: str) -> str:
    """The ticket's subject stands in for a missing title (an imported ticket's, an e-mail's) unless it is the text's
    own first line, as intake makes it for a post with no title: read twice, a tweet's words counted double and its
    question quoted twice in the reason ("Asks: “X X”")."""
    return "" if body.strip().startswith(subject.strip()) else subject


ANSWERED_READ = 500  # the newest answered mentions whose technical words join the product's vocabulary


def answered_texts(limit: int = ANSWERED_READ, *, where: Q | None = None) -> list[str]:
    """The first mentions of the newest tickets the team answered (fingerprint.py reads their technical words); `where`:
    of one product (judgement.product.JudgedProducts.scope)."""
    ids = Ticket.objects.filter(where or Q(), first_reply_at__isnull=False, merged_into__isnull=True).order_by("-id")
    return [m.whole for m in first_mentions(list(ids.values_list("pk", flat=True)[:limit])).values()]
