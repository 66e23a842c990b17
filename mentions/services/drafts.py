"""The ticket's reply draft, written from outside the composer's own actions: a text inserted from the Answers
or story panel, a macro's prefill, a story's answer suggested to a ticket that joined it. The draft is only ever
changed here and by mentions' reply and macro services (tests/test_ticket_writes.py checks it), each with the
ticket's row locked and, for an advocate's write, the version of the ticket they saw checked (versions.py).

What the advocate typed in the reply box and did not save comes with the write (`typed`): the inserted text goes
after it, so a prefill never throws a sentence away, with or without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mentions.models import Ticket
from mentions.services.events import ensure_can_act
from mentions.services.versions import ticket_lock

# Refused as stale, an insert says where the advocate's text is: in the reply box, not below the side panel.
KEPT_IN_BOX = "Nothing was done; your text is kept in the reply box. Check the ticket and insert again."


def draft_append(draft: str, text: str) -> str:
    """A prefill after what is already drafted, a blank line between (never "…abuse.Thanks!")."""
    draft, text = draft.rstrip(), text.strip()
    return f"{draft}\n\n{text}" if draft and text else draft or text


def ticket_draft_append(
    *, ticket: Ticket | int, text: str, user: Any, seen_version: int | None, typed: str | None = None
) -> str:
    """Put `text` after the reply box's text (`typed`, as the advocate left it; None: the saved draft) and keep
    both as the ticket's draft. `seen_version`: the ticket's version the advocate's page showed (TicketStale when
    it changed since; nothing is written then). `user` None: a worker's write. Returns the new draft."""
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, related=(), kept=KEPT_IN_BOX)
        if user is not None:
            ensure_can_act(ticket=locked, user=user)
        locked.reply_draft = draft_append(locked.reply_draft if typed is None else typed, text)
        locked.save(update_fields=["reply_draft", "updated_at"])
    return locked.reply_draft


def ticket_draft_set(
    *, ticket: Ticket | int, body: str, user: Any = None, seen_version: int | None = None, only_if_empty: bool = False
) -> bool:
    """Make `body` the ticket's draft; with `only_if_empty`, only when nobody has started one (a suggestion never
    replaces an advocate's words). `user`/`seen_version` as for ticket_draft_append. True if it was written."""
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, related=())
        if user is not None:
            ensure_can_act(ticket=locked, user=user)
        if only_if_empty and locked.reply_draft.strip():
            return False
        locked.reply_draft = body
        locked.save(update_fields=["reply_draft", "updated_at"])
    return True
