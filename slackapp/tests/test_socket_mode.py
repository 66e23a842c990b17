"""Socket Mode against a local fake of Slack: `apps.connections.open` answered over HTTP with a websocket URL on
this machine (Slack's documented answer, api.slack.com/methods/apps.connections.open), then the websocket
sends `hello` and an `events_api` envelope as Slack documents them (api.slack.com/apis/socket-mode: "hello",
and an envelope with `envelope_id`, `payload`, `type`, `accepts_response_payload`, `retry_attempt`). The
desk's process (the same Bolt App as the HTTP endpoints) must ack the envelope by its id and store the event
once; the same envelope sent again (Slack's retry) stores nothing more."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from slackapp.models import SlackEvent
from tests.local_processes import json_answer

pytestmark = pytest.mark.django_db(transaction=True)
FIXTURES = Path(__file__).parent / "fixtures"


class FakeSlack:
    """apps.connections.open over HTTP and one websocket that sends the envelopes it is given."""

    def __init__(self, envelopes: list[dict]) -> None:
        self.envelopes = envelopes
        self.acks: list[dict] = []
        self.opened = 0
        self.auth: str | None = None
        self.ws = serve(self._session, "127.0.0.1", 0)
        ws_port = self.ws.socket.getsockname()[1]
        fake = self

        class Api(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.opened += 1
                fake.auth = self.headers.get("Authorization")
                json_answer(self, 200, {"ok": True, "url": f"ws://127.0.0.1:{ws_port}/link/?ticket=abc"})

            def log_message(self, *args) -> None:
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Api)
        self.api_url = f"http://127.0.0.1:{self.http.server_address[1]}/api"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        threading.Thread(target=self.ws.serve_forever, daemon=True).start()

    def _session(self, websocket) -> None:
        websocket.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        for envelope in self.envelopes:
            websocket.send(json.dumps(envelope))
        with contextlib.suppress(ConnectionClosed):  # the client closed: the test is over
            for message in websocket:
                self.acks.append(json.loads(message))

    def stop(self) -> None:
        self.http.shutdown()
        self.ws.shutdown()


def test_an_event_over_socket_mode_is_acked_and_stored_once(settings):
    body = json.loads((FIXTURES / "event_callback_thread_reply.json").read_text())
    envelope = {"envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf", "payload": body, "type": "events_api",
                "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}  # fmt: skip
    retried = {**envelope, "envelope_id": "a5b2b0a0-retry", "retry_attempt": 1, "retry_reason": "timeout"}
    fake = FakeSlack([envelope, retried])
    settings.SLACK_API_URL = fake.api_url
    settings.SLACK_APP_TOKEN = "xapp-1-A1-test"
    settings.SLACK_SIGNING_SECRET = ""  # Socket Mode needs no signing secret: the socket is the app's own
    from slackapp.bolt import bolt_app
    from slackapp.socket_mode import socket_mode_handler

    bolt_app.cache_clear()
    handler = socket_mode_handler()
    try:
        handler.connect()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(fake.acks) < 2:
            time.sleep(0.05)
    finally:
        handler.close()
        fake.stop()
        bolt_app.cache_clear()
    assert fake.opened >= 1 and fake.auth == "Bearer xapp-1-A1-test"
    assert {a["envelope_id"] for a in fake.acks} == {envelope["envelope_id"], retried["envelope_id"]}
    row = SlackEvent.objects.get()
    assert (row.key, row.kind) == ("Ev123ABC456", "event:message")


def test_malformed_envelopes_over_socket_mode_are_acked_stored_or_refused_and_the_connection_goes_on(settings):
    """The bodies that were 500s over HTTP, sent over the socket: a NUL in a message's text is stored without
    it; `actions: null` and `view: "x"` are stored for the worker to fail with the reason; a payload that is no
    delivery (a string, nested 40 deep) is acked and logged, not stored. Each envelope is acked, so Slack does
    not send it again, and the good event sent last is still stored. A payload that is a list never reaches the
    desk: slack_sdk refuses it ("Unsupported payload data type") and logs it, unacked, and goes on."""
    good = json.loads((FIXTURES / "event_callback_thread_reply.json").read_text())
    nul = json.loads((FIXTURES / "event_callback_thread_reply.json").read_text())
    nul["event_id"], nul["event"]["text"] = "EvNUL", "Answered\x00 on the forum"
    actions = json.loads((FIXTURES / "block_actions_button.json").read_text())
    actions["actions"] = None
    view = json.loads((FIXTURES / "view_submission_outreach_answer.json").read_text())
    view["view"] = "x"
    nested: object = {"type": "event_callback", "event": {"type": "message"}}
    for _ in range(40):
        nested = {"type": "event_callback", "event": {"type": "message", "blocks": [nested]}}
    interactive = ("actions", "view")
    payloads = {"nul": nul, "actions": actions, "view": view, "string": "x", "list": [1], "deep": nested}
    envelopes = [
        {"envelope_id": name, "payload": payload, "type": "interactive" if name in interactive else "events_api",
         "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}
        for name, payload in [*payloads.items(), ("good", good)]
    ]  # fmt: skip
    fake = FakeSlack(envelopes)
    settings.SLACK_API_URL = fake.api_url
    settings.SLACK_APP_TOKEN = "xapp-1-A1-test"
    settings.SLACK_SIGNING_SECRET = ""
    from slackapp.bolt import bolt_app
    from slackapp.socket_mode import socket_mode_handler

    bolt_app.cache_clear()
    handler = socket_mode_handler()
    try:
        handler.connect()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(fake.acks) < len(envelopes) - 1:
            time.sleep(0.05)
    finally:
        handler.close()
        fake.stop()
        bolt_app.cache_clear()
    assert sorted(a["envelope_id"] for a in fake.acks) == sorted(
        e["envelope_id"] for e in envelopes if e["envelope_id"] != "list"
    )
    rows = {row.key: row for row in SlackEvent.objects.all()}
    assert set(rows) == {"EvNUL", actions["trigger_id"], view["trigger_id"], "Ev123ABC456"}
    assert rows["EvNUL"].payload["event"]["text"] == "Answered on the forum"
    assert (rows[actions["trigger_id"]].kind, rows[view["trigger_id"]].kind) == ("action:?", "view:?")
