"""Socket Mode: for a desk Slack cannot reach (behind a firewall, no public address), the desk opens a websocket
to Slack instead of receiving HTTP requests, with an app-level token (xapp-…, connections:write). The same Bolt
App and listeners as the HTTP endpoints (slackapp.bolt): each envelope is stored once and acked, the worker does
the rest. slack_sdk's own client (`slack_sdk.socket_mode.builtin`, no extra dependency) keeps the connection:
it reconnects after a drop and answers Slack's pings.

Each envelope's payload is read as the HTTP endpoints read a body (slackapp.deliveries) before Bolt sees it: one
that is no delivery is acked and logged (Slack would only send it again), one Bolt cannot route is stored for
the worker to fail with the reason. Nothing is signed here: the socket itself is the app's."""

from __future__ import annotations

import logging

from django.conf import settings
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from slackapp.bolt import bolt_app, event_store, retries_read
from slackapp.deliveries import Refused, delivery_check, delivery_key, delivery_kind, delivery_problem

logger = logging.getLogger("slackapp")


class DeskSocketModeHandler(SocketModeHandler):
    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]  # as Bolt's own
        body = req.payload
        try:
            delivery_check(body)
        except Refused as exc:
            logger.warning("slack: socket envelope %s (%s) refused, acked: %s", req.envelope_id, req.type, exc)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        problem = delivery_problem(body)
        if not problem:
            super().handle(client, req)
            return
        row = event_store(
            key=delivery_key(body), kind=delivery_kind(body), body=body, retries=retries_read(req.retry_attempt)
        )
        logger.warning(
            "slack: socket envelope %s: %s %s stored as event %s, not routed: %s",
            req.envelope_id,
            delivery_kind(body),
            delivery_key(body),
            row.pk if row else "(a retry: stored before)",
            problem,
        )
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def socket_mode_handler() -> SocketModeHandler:
    """The Socket Mode connection of the desk's Slack app; apps.connections.open is asked at SLACK_API_URL (a
    local fake in tests)."""
    client = WebClient(token=settings.SLACK_APP_TOKEN, base_url=settings.SLACK_API_URL.rstrip("/") + "/")
    return DeskSocketModeHandler(bolt_app(), settings.SLACK_APP_TOKEN, web_client=client)
