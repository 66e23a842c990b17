"""What the desk does with each kind of stored Slack delivery. Each handler takes the stored row and either
does its work (idempotently: a row may be worked again after a crash) or raises; `slackapp.tasks.event_work`
records the outcome. Kinds without a handler are marked "ignored".

Kinds: "event:<type>" (Events API: message, reaction_added…), "shortcut:<callback_id>", "action:<action_id>"
(block_actions), "view:<callback_id>" (view_submission)."""

from __future__ import annotations

from collections.abc import Callable

from slackapp.models import SlackEvent

Handler = Callable[[SlackEvent], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register
