"""Stage 7, authors: the page's inbound messages tied to the people who wrote them and each new ticket
to its requester, by the apps registered for it (intake.hooks.AuthorsHook: people), before the triage
rules run, which read what comes back (the authors' tags). A person tagged so that their tickets take
the tag (spam) gets it on each new ticket and follow-up here.

Best effort next to storing the mentions, like the notices: in a savepoint, logged if it fails (the
messages are stored; `manage.py people_backfill` ties them later)."""

from __future__ import annotations

import logging

from django.db import transaction

from intake.hooks import Author, authors_hooks, authors_tie
from intake.pipeline.page import Page, TicketRow, ticket_id
from intake.pipeline.triage import tag_ids_resolve
from mentions.models import Message

logger = logging.getLogger(__name__)

# The "rule" a tag taken from the author's person names in the history.
PERSON_TAG_SOURCE = "the author's person"


def authors_stage(page: Page) -> None:
    if not len(authors_hooks):
        return
    firsts = {t.first_external_id for t in page.new_tickets}
    authors = [
        Author(
            message_id=i.pk,
            ticket_id=ticket_id(i.ticket),
            opens_ticket=i.external_id in firsts,
            handle=i.mention.author_handle,
            name=i.mention.author_name,
            url=i.mention.author_url,
            at=i.mention.created_at,
            audience=i.mention.author_audience,
            audience_kind=i.mention.author_audience_kind,
        )
        for i in page.items
        # Their private answers too: erasing the person erases those whole (people.privacy, their own rows).
        if i.kind in (Message.Kind.INBOUND, Message.Kind.PRIVATE) and i.mention.author_handle
    ]
    if not authors:
        return
    try:
        with transaction.atomic():
            page.author_facts = authors_tie(channel=page.channel, authors=authors)
            _tickets_weigh(page)
            _tickets_tag(page)
    except Exception:  # people are best effort next to storing the mentions
        page.author_facts = {}
        logger.exception(
            "ingest: channel=%s %d message(s) stored without their authors' people", page.channel.slug, len(authors)
        )


def _tickets_weigh(page: Page) -> None:
    """Each new ticket's requester_audience and requester_level: its requester's person's weight and level, which
    Play's deadline order breaks ties on from the ticket's own row (its index), never a join to people."""
    facts = page.author_facts
    if not any(f.audience is not None or f.level is not None for f in facts.values()):
        return
    handles = {i.external_id: i.mention.author_handle for i in page.items}
    for ticket in page.new_tickets:
        found = facts.get(handles.get(ticket.first_external_id, ""))
        if found is not None:
            ticket.requester_audience = found.audience
            ticket.requester_level = found.level


def _tickets_tag(page: Page) -> None:
    """Tags the authors' people give their tickets: on a new ticket from its first message, on a stored one
    from a follow-up."""
    facts = page.author_facts
    if not any(f.ticket_tags for f in facts.values()):
        return
    firsts = {t.first_external_id: t for t in page.new_tickets}
    tagged: list[tuple[TicketRow, frozenset[str]]] = []
    for item in page.items:
        found = facts.get(item.mention.author_handle)
        if found is None or not found.ticket_tags:
            continue
        ticket = firsts.get(item.external_id)
        if ticket is None and isinstance(item.ticket, int) and item.ticket in page.stored_tickets:
            ticket = page.stored_tickets[item.ticket]
        if ticket is not None:
            tagged.append((ticket, found.ticket_tags))
    page.tag_ids.update(tag_ids_resolve({name for _t, names in tagged for name in names}))
    for ticket, names in tagged:
        for name in names:
            ticket.tags.setdefault(name, PERSON_TAG_SOURCE)
