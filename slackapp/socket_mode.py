"""Socket Mode: for a desk Slack cannot reach (behind a firewall, no public address), the desk opens a websocket
to Slack instead of receiving HTTP requests, with an app-level token (xapp-…, connections:write). The same Bolt
App and listeners as the HTTP endpoints (slackapp.bolt): each envelope is stored once and acked, the worker does
the rest. slack_sdk's own client (`slack_sdk.socket_mode.builtin`, no extra dependency) keeps the connection:
it reconnects after a drop and answers Slack's pings."""

from __future__ import annotations

from django.conf import settings
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from slackapp.bolt import bolt_app


def socket_mode_handler() -> SocketModeHandler:
    """The Socket Mode connection of the desk's Slack app; apps.connections.open is asked at SLACK_API_URL (a
    local fake in tests)."""
    client = WebClient(token=settings.SLACK_APP_TOKEN, base_url=settings.SLACK_API_URL.rstrip("/") + "/")
    return SocketModeHandler(bolt_app(), settings.SLACK_APP_TOKEN, web_client=client)
