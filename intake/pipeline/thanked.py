"""Answers the asker thanked for, on platforms where nobody accepts an answer (Reddit, Hacker News, GitHub,
Mastodon, ...): the page's items by a ticket's requester that read as thanks (intake.thanks), read from a watched
thread like any follow-up, point at the answer they thank:

- the item they reply to, when it is an answer by someone outside the team and other than the asker;
- else, where they reply to the thread itself (GitHub's comments are flat; a reply to one's own question), the
  outsider they @-name, or the last item before the thanks when that is an outsider's answer.

A thanks replying to our own reply, or following it, credits no one: the team answered. Tickets already marked
are left alone. Only the requesters' own new items are read for thanks, and what the page holds of them (their
ids, tickets, parents) is not read again: two queries for a page where one reads as thanks, none otherwise."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from intake.hooks import CommunityAnswered
from intake.pipeline.page import Item, Page
from intake.thanks import reads_as_thanks
from mentions.models import CommunityAnswer, Message
from mentions.rules import handle_key

_AT = re.compile(r"(?<![\w@])@([\w.-]{1,60})")


@dataclass(frozen=True)
class _Row:
    pk: int
    external_id: str
    parent: str
    handle: str
    link: str
    at: datetime
    ours: bool


def thanked_answers(page: Page) -> dict[int, CommunityAnswered]:
    said = [(item, ticket) for item, ticket in _by_requester(page) if reads_as_thanks(item.mention.text)]
    if not said:
        return {}
    marked_before = set(
        CommunityAnswer.objects.filter(ticket_id__in={t for _, t in said}).values_list("ticket_id", flat=True)
    )
    said = [(item, ticket) for item, ticket in said if ticket not in marked_before]
    if not said:
        return {}
    threads: dict[int, list[_Row]] = defaultdict(list)
    rows = (
        Message.objects.filter(
            ticket_id__in={ticket for _, ticket in said},
            kind__in=[Message.Kind.INBOUND, Message.Kind.OUR_REPLY],
            deleted_at__isnull=True,
        )
        .order_by("platform_created_at", "id")
        .only(
            "ticket_id",
            "external_id",
            "parent_external_id",
            "author_handle",
            "permalink",
            "platform_created_at",
            "kind",
        )
    )
    for m in rows:
        assert m.ticket_id is not None  # filtered on its ticket
        threads[m.ticket_id].append(
            _Row(
                pk=m.pk,
                external_id=m.external_id or "",
                parent=m.parent_external_id,
                handle=m.author_handle,
                link=m.permalink,
                at=m.platform_created_at,
                ours=m.kind == Message.Kind.OUR_REPLY,
            )
        )
    marked: dict[int, CommunityAnswered] = {}
    for item, ticket in sorted(said, key=lambda pair: pair[0].created_at):
        if ticket in marked:
            continue
        mention = item.mention
        answer = _thanked(
            threads[ticket], thanks_pk=item.pk, parent=mention.parent_id, asker=mention.author_handle, text=mention.text
        )
        if answer is not None:
            marked[ticket] = CommunityAnswered(
                message_id=answer.pk, ticket_id=ticket, link=answer.link, at=answer.at, thanks_id=item.pk
            )
    return marked


def _by_requester(page: Page) -> list[tuple[Item, int]]:
    """The page's new items that join a ticket (not the one opening it) written by its requester: the only ones
    that can thank for its answer. Read from what the page holds (no query), so the words are read on a handful of
    items a page, not on every comment of a busy thread (some 40 µs an item: bench/README.md, issue 46)."""
    found = []
    for item in page.items:
        handle, ticket = item.mention.author_handle, item.ticket
        if item.ours or item.mention.deleted or not handle or ticket is None:
            continue
        row = page.stored_tickets.get(ticket) if isinstance(ticket, int) else ticket
        # The item that opened the ticket asks; it thanks nobody.
        if row is None or row.first_external_id == item.external_id:
            continue
        if handle_key(row.requester_handle) == handle_key(handle):
            found.append((item, row.pk))
    return found


def _thanked(thread: list[_Row], *, thanks_pk: int, parent: str, asker: str, text: str) -> _Row | None:
    before = []
    for row in thread:
        if row.pk == thanks_pk:
            break
        before.append(row)
    asker = asker.casefold()

    def outsider(row: _Row) -> bool:
        return not row.ours and bool(row.handle) and row.handle.casefold() != asker

    replied_to = next((row for row in before if parent and row.external_id == parent), None)
    if replied_to is not None and (replied_to.ours or outsider(replied_to)):
        return replied_to if outsider(replied_to) else None
    named = {h.casefold() for h in _AT.findall(text)}
    for row in reversed(before):
        if outsider(row) and row.handle.casefold().lstrip("@") in named:
            return row
    last = next((row for row in reversed(before) if row.ours or row.handle.casefold() != asker), None)
    return last if last is not None and outsider(last) else None
