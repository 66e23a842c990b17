"""The desk as a Slack app: one slack_bolt App whose listeners only store what Slack sent (slackapp.models)
and hand it to a worker. The same App answers Slack's HTTP requests (`/slack/events/`, `/slack/interactions/`,
through Bolt's Django adapter) and, for a desk Slack cannot reach, its Socket Mode connection
(`manage.py slack_socket_mode`).

Why Bolt rather than our own parsing: it verifies the signature (HMAC-SHA256 of `v0:timestamp:body` with the
signing secret, compared in constant time, timestamps more than five minutes off refused), answers
`url_verification` and `ssl_check`, reads both the JSON events and the form-encoded `payload` of
interactions, and acks within Slack's deadline, the way Slack's own SDK does, tested against Slack's changes.
What Bolt does not guard against (it parses the body before verifying it, reads the timestamp with `int()`,
and indexes `actions[0]`, `view["type"]`… unchecked) is refused or stored before it gets there:
slackapp.receive over HTTP, slackapp.socket_mode over the socket (both through slackapp.deliveries).

No call to Slack is made to authorise a request (`authorize` below answers from settings): a desk that is
offline, or a test, never reaches slack.com for an incoming event.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from channels import clean
from slackapp.deliveries import delivery_key, delivery_kind
from slackapp.models import SlackEvent

logger = logging.getLogger("slackapp")
ANY = re.compile(r".*")
_RETRY = re.compile(r"[0-9]{1,4}")


def _authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
    return AuthorizeResult(
        enterprise_id=enterprise_id,
        team_id=team_id,
        bot_token=settings.SLACK_BOT_TOKEN or None,
        bot_user_id=settings.SLACK_BOT_USER_ID or None,
    )


@lru_cache(maxsize=1)
def bolt_app() -> App:
    app = App(
        signing_secret=settings.SLACK_SIGNING_SECRET,
        authorize=_authorize,
        process_before_response=True,  # the listener only stores a row: done well within Slack's 3 s
        ignoring_self_events_enabled=bool(settings.SLACK_BOT_USER_ID),
        request_verification_enabled=True,
        url_verification_enabled=True,
        logger=logger,
    )
    from slackapp.outreach_modals import outreach_listeners

    outreach_listeners(app)  # before the catch-all listeners: Bolt runs the first that matches
    app.event(ANY)(_store_event)
    app.shortcut(ANY)(_store_interaction)
    app.action(ANY)(_store_interaction)
    app.view(ANY)(_store_interaction)
    return app


def retries_read(value: Any) -> int:
    """Slack's X-Slack-Retry-Num (as a header, or Bolt's list of them): 0 when absent or not a small number."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    value = str(value or "")
    return int(value) if _RETRY.fullmatch(value) else 0


def _store_event(body: dict, request: Any) -> None:
    event_store(
        key=delivery_key(body),
        kind=delivery_kind(body),
        body=body,
        retries=retries_read(request.headers.get("x-slack-retry-num")),
    )


def _store_interaction(ack: Any, body: dict, request: Any) -> None:
    ack()
    interaction_store(body, request)


def interaction_store(body: dict, request: Any) -> SlackEvent | None:
    """Store an interaction (already acknowledged) for the worker."""
    return event_store(
        key=delivery_key(body),
        kind=delivery_kind(body),
        body=body,
        retries=retries_read(request.headers.get("x-slack-retry-num")),
    )


def event_store(*, key: str, kind: str, body: dict, retries: int = 0) -> SlackEvent | None:
    """Store one delivery once; a retry (same key) moves only its retry count. The worker is asked after the
    row is committed; if it is not there, events_sweep finds the row. What PostgreSQL cannot hold (NUL
    characters, lone surrogates, NaN) is taken out of the stored copy (channels.clean.raw); Slack's
    payloads never nest deep enough to be cut there (slackapp.deliveries.MAX_DEPTH)."""
    from slackapp.tasks import event_work

    key, kind = clean.text_exact(key)[:200], clean.text_exact(kind)[:80]
    team = clean.ident(body.get("team_id")) or clean.ident(clean.mapping(body.get("team")).get("id"))
    try:
        with transaction.atomic():
            row = SlackEvent.objects.create(
                key=key, kind=kind, team_id=team[:40], payload=clean.raw(body), retries=retries
            )
    except IntegrityError:
        SlackEvent.objects.filter(key=key, retries__lt=retries).update(retries=retries)
        logger.info("slack: %s %s again (retry %s): stored once", kind, key, retries)
        return None
    transaction.on_commit(lambda: _enqueue(event_work, row.pk))
    return row


def _enqueue(task: Any, pk: int) -> None:
    try:
        task.delay(pk)
    except Exception:  # the broker is down: the row waits for events_sweep
        logger.warning("slack: event %s stored, the worker could not be asked now", pk, exc_info=True)
