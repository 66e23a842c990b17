"""A ticket's conversation as the team model reads it (summaries here, drafts in answers.team_draft).

Only the public thread: the mentions and our public replies, not deleted. Internal notes and direct messages
never leave the desk. Authors are not named: each member is "Member 1", "Member 2"… in the order they first
wrote, our replies are "Team"; a text is sent as it was written (it may name someone: docs/team-model.md)."""

from __future__ import annotations

from dataclasses import dataclass

from mentions.models import Message

PUBLIC = (Message.Kind.INBOUND, Message.Kind.OUR_REPLY)
MESSAGE_CHARS = 1500
THREAD_CHARS = 12_000


@dataclass(frozen=True)
class Thread:
    ticket_id: int
    subject: str
    lines: list[tuple[str, str]]  # (who, text), oldest first
    channel_ids: frozenset[int]
    count: int  # the public messages, all of them (lines may hold only the newest)
    latest_inbound_id: int | None


def public_messages(ticket_id: int) -> list[tuple[int, str, str, str, str, int]]:
    """(id, kind, author handle, title, body, channel id) of the public thread, oldest first."""
    rows = (
        Message.objects.filter(ticket_id=ticket_id, kind__in=PUBLIC, deleted_at__isnull=True)
        .order_by("platform_created_at", "id")
        .values_list("id", "kind", "author_handle", "title", "body", "channel_id")
    )
    return list(rows)


def thread_read(ticket_id: int, subject: str = "") -> Thread:
    rows = public_messages(ticket_id)
    members: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    latest_inbound: int | None = None
    for pk, kind, handle, title, body, _channel in rows:
        if kind == Message.Kind.INBOUND:
            who = members.setdefault(handle.lower() or f"#{pk}", f"Member {len(members) + 1}")
            latest_inbound = pk
        else:
            who = "Team"
        text = body.strip() or title.strip()
        if len(text) > MESSAGE_CHARS:
            text = text[: MESSAGE_CHARS - 1] + "…"
        lines.append((who, text))
    # The newest messages when the whole thread is too long: what is still open is at its end.
    kept: list[tuple[str, str]] = []
    total = 0
    for who, text in reversed(lines):
        total += len(text) + len(who) + 2
        if total > THREAD_CHARS and kept:
            break
        kept.append((who, text))
    return Thread(
        ticket_id=ticket_id,
        subject=subject,
        lines=list(reversed(kept)),
        channel_ids=frozenset(row[5] for row in rows),
        count=len(rows),
        latest_inbound_id=latest_inbound,
    )


def thread_text(thread: Thread) -> str:
    skipped = thread.count - len(thread.lines)
    head = [f"Subject: {thread.subject}"] if thread.subject else []
    if skipped > 0:
        head.append(f"({skipped} earlier messages left out)")
    return "\n\n".join([*head, *(f"{who}:\n{text}" for who, text in thread.lines)])
