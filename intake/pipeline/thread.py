"""Stage 4, thread: each fresh item, oldest first, joins the ticket of what it replies to (stored
or earlier in this page), is our reply, or opens a ticket. In memory only: the rows are
written by `store` once triage and the clocks have filled them in (the desk's products, among which a
new ticket's product is chosen, are read once for the page, when its first ticket opens)."""

from __future__ import annotations

from advocacy.model_fields import max_length
from intake.pipeline.page import Item, Page, TicketRow
from intake.pipeline.team import marked_match, thread_ref
from mentions.models import Message, Ticket
from mentions.services.events import first_reply_set

_SUBJECT_MAX = max_length(Ticket, "subject")


def ticket_open(page: Page, item: Item) -> TicketRow:
    """A new ticket for the item. Its values are the cleaned mention's, which fit the ticket's columns too
    (requester = author); the subject is the title, else the text's first line, cut to fit. Its product is its
    channel's unless the mention names another of the desk's products (mentions.products)."""
    mention, channel = item.mention, page.channel
    subject = mention.title or mention.text.split("\n", 1)[0].strip()
    product_id = page.products.for_mention(channel.product_id, f"{mention.title}\n{mention.text}")
    return TicketRow(
        new=True,
        channel_id=channel.pk,
        subject=subject[:_SUBJECT_MAX] or f"Mention {mention.external_id}",
        status=Ticket.Status.NEW,
        priority=Ticket.Priority.HIGH if channel.high_priority else Ticket.Priority.NORMAL,
        high_priority=channel.high_priority,
        requester_handle=mention.author_handle,
        requester_name=mention.author_name or mention.author_handle,
        requester_url=mention.author_url,
        requested_at=mention.created_at,
        first_external_id=mention.external_id,
        product_id=product_id,
    )


def thread(page: Page, marked: dict[int, list[Message]]) -> None:
    """Set each item's kind and ticket; collect new tickets, follow-ups of stored tickets and our
    replies to them; drop items that are desk-recorded replies (linked instead)."""
    result, refs = page.result, page.refs
    stored: list[Item] = []
    for item in page.items:
        mention = item.mention
        ref = thread_ref(item, refs)
        if isinstance(ref, int) and ref in marked:
            same = marked_match(marked[ref], item)
            if same is not None:
                # Our reply, already recorded in the desk: the same message, now with its
                # platform id, not a second reply.
                marked[ref].remove(same)
                page.linked.append((same, mention))
                refs[mention.external_id] = ref
                result.duplicates += 1
                continue
        if item.ours:
            item.kind = Message.Kind.OUR_REPLY
            result.our_replies += 1
            if isinstance(ref, TicketRow):
                first_reply_set(ticket=ref, at=mention.created_at, coverage=page.coverage)
            elif isinstance(ref, int):
                earliest = page.replied.get(ref)
                if earliest is None or mention.created_at < earliest.created_at:
                    page.replied[ref] = item
        elif ref is not None:
            # A private item (a DM's answer) joins its ticket as a follow-up does, kept apart from the public thread.
            item.kind = Message.Kind.PRIVATE if mention.private else Message.Kind.INBOUND
            result.threaded += 1
            if isinstance(ref, int) and not mention.deleted:
                page.followed.setdefault(ref, []).append(item)
        else:
            item.kind = Message.Kind.INBOUND
            if not mention.deleted:
                # Already deleted when we first see it: nothing to answer, so no ticket; it is
                # stored so that replies to it still thread.
                ref = ticket_open(page, item)
                page.new_tickets.append(ref)
        item.ticket = ref
        refs[mention.external_id] = ref
        stored.append(item)
        if ref is not None:
            latest = page.ours_latest if item.ours else page.inbound_latest
            if mention.created_at >= latest.get(ref, mention.created_at):
                latest[ref] = mention.created_at
    page.items = stored
    result.tickets_created = len(page.new_tickets)
    result.created = len(stored)
