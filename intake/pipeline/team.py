"""Stage 3, team: items by the channel's own accounts, by a registered team member
(experts register theirs: intake.hooks) or flagged ours by the platform are
our replies, never new tickets; an item that is a reply already recorded in the desk ("mark
replied" with its link) is found here so that it is linked, not stored twice."""

from __future__ import annotations

import re

from intake.hooks import team_member, team_members
from intake.pipeline.page import Item, Page, Ref
from mentions.models import Message
from mentions.rules import handle_key


def thread_ref(item: Item, refs: dict[str, Ref]) -> Ref:
    mention = item.mention
    for key in (mention.parent_id, mention.thread_id, *mention.related_ids):
        if key and refs.get(key) is not None:
            return refs[key]
    return refs.get(f"#ticket:{mention.ticket_hint}") if mention.ticket_hint else None


def team_recognise(page: Page) -> dict[int, list[Message]]:
    """Set `ours` and `member` on the page's items. Returns the desk-recorded replies without a
    platform id, by stored ticket, for the tickets our items thread into."""
    accounts = {handle_key(a) for a in page.channel.our_accounts}
    members = team_members(kind=page.channel.kind, handles={i.mention.author_handle for i in page.items})
    tickets = set()
    for item in page.items:
        handle = item.mention.author_handle
        item.member = team_member(handle, members) if members else None
        by_account = bool(handle) and handle_key(handle) in accounts
        item.ours = item.mention.by_us or by_account or item.member is not None
        if item.ours:
            ref = thread_ref(item, page.refs)
            if isinstance(ref, int):
                tickets.add(ref)
    if not tickets:
        return {}
    found: dict[int, list[Message]] = {}
    for message in Message.objects.filter(
        ticket_id__in=tickets, kind=Message.Kind.OUR_REPLY, external_id__isnull=True
    ).exclude(permalink=""):
        if message.ticket_id is not None:  # the query asks for these tickets' messages: always
            found.setdefault(message.ticket_id, []).append(message)
    return found


def marked_match(candidates: list[Message], item: Item) -> Message | None:
    """The desk-recorded reply whose link is this item: the same permalink, or a link naming
    the item's id (advocates paste links in other forms: x.com vs twitter.com, ?s=20...)."""
    mention = item.mention
    for message in candidates:
        if mention.permalink and message.permalink == mention.permalink:
            return message
    if len(mention.external_id) >= 5:
        named = re.compile(rf"(?<![0-9A-Za-z]){re.escape(mention.external_id)}(?![0-9A-Za-z])")
        for message in candidates:
            if named.search(message.permalink):
                return message
    return None
