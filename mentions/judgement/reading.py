"""Each ticket's first inbound mention as the judgement reads it, with the kind of channel it came from."""

from __future__ import annotations

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
        if ticket_id is None or ticket_id in found:
            continue
        found[ticket_id] = MentionText(
            title=title or subjects.get(ticket_id, ""), text=body, author=author, platform=kind
        )
    return found


ANSWERED_READ = 500  # the newest answered mentions whose technical words join the product's vocabulary


def answered_texts(limit: int = ANSWERED_READ) -> list[str]:
    """The first mentions of the newest tickets the team answered (fingerprint.py reads their technical words)."""
    ids = Ticket.objects.filter(first_reply_at__isnull=False, merged_into__isnull=True).order_by("-id")
    return [m.whole for m in first_mentions(list(ids.values_list("pk", flat=True)[:limit])).values()]
