"""What the desk does with each kind of stored Slack delivery. Each handler takes the stored row and either
does its work (idempotently: a row may be worked again after a crash) or raises; `slackapp.tasks.event_work`
records the outcome. A kind may have several handlers (a ✅ on an outreach answers it; a chosen emoji in a
chosen channel makes a ticket): each looks at the delivery and leaves alone what is not its own; they run in
registration order. Kinds without a handler are marked "ignored".

Kinds: "event:<type>" (Events API: message, reaction_added…), "shortcut:<callback_id>", "action:<action_id>"
(block_actions), "view:<callback_id>" (view_submission)."""

from __future__ import annotations

from collections.abc import Callable

from slackapp.models import SlackEvent

Handler = Callable[[SlackEvent], None]
HANDLERS: dict[str, list[Handler]] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if fn not in HANDLERS.setdefault(kind, []):
            HANDLERS[kind].append(fn)
        return fn

    return register
