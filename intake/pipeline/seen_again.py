"""Stage 12, edits: what items seen before bring: an edit or deletion of their text, a Hacker News story's new
points, and our desk-recorded replies ("mark replied" with a link) now seen with their id.
Only rows that changed are written; a page of pure duplicates reads once and writes nothing. An
older version of a stored item (where the platform numbers versions: `versions`) is no edit."""

from __future__ import annotations

from typing import Any

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_or_default
from channels.clean import media_stored
from intake.pipeline.page import Page
from intake.pipeline.versions import older
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.reply_hooks import replies_deleted

_STORY_SIGNALS = ("_tags", "points", "num_comments")


def _changed(kind: str, body: str, mention: IncomingMention, text: str) -> bool:
    """Whether an item seen again carries an edit of its stored text.

    With an edit time from the platform, any difference is the edit. Without one, the text is
    compared too, but not where a difference is no edit: an empty text (a listing that omits
    bodies), a shortened excerpt of the stored text (search results' blurbs), or our own reply,
    which the platform may show with its links rewritten."""
    if text == body:
        return False
    if mention.edited_at is not None:
        return True
    if not text or kind == Message.Kind.OUR_REPLY:
        return False
    excerpt = text.rstrip(".… \n")
    return not (excerpt and body.startswith(excerpt))


def edits_apply(page: Page) -> None:
    """A deleted item keeps its text and ticket and is marked; an edit replaces the text and
    keeps the old one in the history."""
    seen = {m.external_id: m for m in page.unique.values() if m.external_id in page.known}
    if not seen:
        return
    # A platform with a front page (Hacker News) keeps its stored stories' raw current: points and tags decide
    # whether a story is urgent (notifications.urgency).
    stories = platform_or_default(page.channel.kind).front_page
    changed: list[Message] = []
    ours_deleted: list[int] = []  # tickets whose reply of ours the platform no longer has
    edited: list[Message] = []
    story_changed: list[Message] = []
    columns = ["id", "ticket_id", "external_id", "kind", "body", "edited_at", "deleted_at", "permalink"]
    columns += ["raw"] if stories else []
    # Where the platform numbers an item's versions, the stored version's number (the last column).
    key = page.version_key
    columns += [f"raw__{key}"] if key else []
    for row in Message.objects.filter(channel=page.channel, external_id__in=list(seen)).values_list(*columns):
        pk, ticket, external_id, kind, body, edited_at, deleted_at, permalink = row[:8]
        mention = seen[external_id]
        if key and not mention.deleted and older(mention.raw.get(key), row[-1]):
            # An older version read after a newer one was stored (a search behind the timeline, a backlog
            # walked newest first over several polls): the stored text is already the newer one.
            continue
        if mention.deleted:
            if stories:
                _story_refresh(page, pk, ticket, row[8], mention, story_changed)
            if deleted_at is not None:
                continue
            changed.append(Message(pk=pk, body=body, edited_at=edited_at, deleted_at=page.now, updated_at=page.now))
            if kind == Message.Kind.OUR_REPLY and ticket:
                ours_deleted.append(ticket)
            kind_, data = TicketEvent.Kind.MESSAGE_DELETED, {"external_id": external_id}
        else:
            text = mention.text
            if not _changed(kind, body, mention, text):
                if stories:
                    _story_refresh(page, pk, ticket, row[8], mention, story_changed)
                continue
            # A platform that reports no edit time (Disqus posts/update, a saved file fed again)
            # still changed the text: the edit is dated when we saw it.
            edited_at = mention.edited_at or page.now
            # The edit's link and raw item replace the old ones too (an X edit is a post with its own id and
            # entities): the message shows the version its text is, and a reply to any version finds it.
            link = mention.permalink or permalink
            edited.append(
                Message(
                    pk=pk,
                    body=text,
                    edited_at=edited_at,
                    deleted_at=deleted_at,
                    permalink=link,
                    raw=mention.raw,
                    mentioned=list(mention.mentioned),
                    media=media_stored(mention.media),
                    updated_at=page.now,
                )
            )
            kind_, data = TicketEvent.Kind.MESSAGE_EDITED, {"external_id": external_id, "previous_text": body[:5000]}
            if link != permalink:
                data["previous_permalink"] = permalink
            page.result.edited += 1
        if ticket:
            page.event(ticket, kind_, data)
    if changed:
        Message.objects.bulk_update(changed, ["body", "edited_at", "deleted_at", "updated_at"], batch_size=500)
        replies_deleted(ticket_ids=sorted(set(ours_deleted)))  # answers: stored suggestions offering them
    if edited:
        fields = ["body", "edited_at", "deleted_at", "permalink", "raw", "mentioned", "media", "updated_at"]
        Message.objects.bulk_update(edited, fields, batch_size=500)
    if story_changed:
        Message.objects.bulk_update(story_changed, ["raw", "updated_at"], batch_size=500)
        tickets = {m.ticket_id for m in story_changed if m.ticket_id}
        # The urgency sweep looks at recently changed tickets.
        Ticket.objects.filter(pk__in=tickets).update(updated_at=page.now)
        page.touched.update(tickets)


def _story_refresh(
    page: Page, pk: int, ticket: int | None, stored: Any, mention: IncomingMention, changed: list[Message]
) -> None:
    """A Hacker News story seen again (in the poll overlap, or a backfill) may have reached the
    front page or gained points since we stored it: keep its raw item current, so urgency
    (notifications.urgency) sees it."""
    fresh = mention.raw
    if not isinstance(fresh, dict) or fresh.get("points") is None:
        return
    stored = stored or {}
    if any(fresh.get(k) != stored.get(k) for k in _STORY_SIGNALS):
        merged = {**stored, **{k: fresh.get(k) for k in _STORY_SIGNALS if k in fresh}}
        changed.append(Message(pk=pk, ticket_id=ticket, raw=merged, updated_at=page.now))


def marked_link(page: Page) -> None:
    """Our replies recorded in the desk, now seen on the platform: they take the item's id."""
    if not page.linked:
        return
    for message, mention in page.linked:
        message.external_id = mention.external_id
        message.parent_external_id = mention.parent_id
        message.thread_external_id = mention.thread_id
        message.author_handle = message.author_handle or mention.author_handle
        message.raw = mention.raw
        message.mentioned = list(mention.mentioned)
        message.updated_at = page.now
    Message.objects.bulk_update(
        [m for m, _ in page.linked],
        ["external_id", "parent_external_id", "thread_external_id", "author_handle", "raw", "mentioned", "updated_at"],
        batch_size=500,
    )
