"""Slack's requests to the desk: verified by the signing secret before anything is stored, stored once per
delivery (a retry carries the same event_id; an interaction its trigger_id), answered at once, worked by a
worker. Payload shapes: slackapp/tests/fixtures/SOURCES.md (Slack's documented examples and one recorded
button press). The signature is computed here as Slack documents it (api.slack.com/authentication/
verifying-requests-from-slack: HMAC-SHA256 of "v0:timestamp:body", hex, prefixed "v0="), not with the desk's
code."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client

from slackapp.handlers import HANDLERS
from slackapp.models import SlackEvent
from slackapp.tasks import event_work, events_sweep

pytestmark = pytest.mark.django_db
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from slackapp.bolt import bolt_app

    bolt_app.cache_clear()
    yield
    bolt_app.cache_clear()


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def signed(body: str, *, at: int | None = None, secret: str = SECRET, **headers: str) -> dict:
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"v0:{at}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(at), "HTTP_X_SLACK_SIGNATURE": f"v0={digest}", **headers}


def post_event(body: dict, **kwargs):
    raw = json.dumps(body)
    return Client().post("/slack/events/", raw, content_type="application/json", **signed(raw, **kwargs))


def post_interaction(payload: dict, **kwargs):
    raw = urlencode({"payload": json.dumps(payload)})
    return Client().post(
        "/slack/interactions/", raw, content_type="application/x-www-form-urlencoded", **signed(raw, **kwargs)
    )


def test_a_signed_event_is_stored_and_answered_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_event(fixture("event_callback_thread_reply.json"))
    assert response.status_code == 200
    row = SlackEvent.objects.get()
    assert (row.key, row.kind, row.team_id, row.status) == ("Ev123ABC456", "event:message", "T123ABC456", "stored")
    assert row.payload["event"]["thread_ts"] == "1355517500.000001"
    assert len(callbacks) == 1  # the worker is asked once the row is committed


def test_a_retried_delivery_is_stored_once():
    body = fixture("event_callback_thread_reply.json")
    assert post_event(body).status_code == 200
    assert post_event(body, HTTP_X_SLACK_RETRY_NUM="1", HTTP_X_SLACK_RETRY_REASON="http_timeout").status_code == 200
    assert post_event(body, HTTP_X_SLACK_RETRY_NUM="2").status_code == 200
    row = SlackEvent.objects.get()
    assert row.retries == 2


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "stale timestamp", "future timestamp", "no signature", "body changed"],
)
def test_a_request_not_signed_by_slack_is_refused_and_nothing_is_stored(how):
    body = json.dumps(fixture("event_callback_thread_reply.json"))
    headers = {
        "wrong secret": signed(body, secret="not-the-secret"),
        "stale timestamp": signed(body, at=int(time.time()) - 6 * 60),
        "future timestamp": signed(body, at=int(time.time()) + 6 * 60),
        "no signature": {},
        "body changed": signed(body.replace("thanks", "thank you")),
    }[how]
    response = Client().post("/slack/events/", body, content_type="application/json", **headers)
    assert response.status_code == 401
    assert not SlackEvent.objects.exists()


def test_a_replayed_request_within_five_minutes_stores_nothing_more():
    body = fixture("event_callback_thread_reply.json")
    at = int(time.time()) - 60
    assert post_event(body, at=at).status_code == 200
    assert post_event(body, at=at).status_code == 200  # the same signed bytes again
    assert SlackEvent.objects.count() == 1


def test_url_verification_answers_the_challenge_and_stores_nothing():
    body = {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }  # fmt: skip  (Slack's documented example, api.slack.com/events/url_verification)
    response = post_event(body)
    assert response.status_code == 200
    assert body["challenge"] in response.content.decode()
    assert not SlackEvent.objects.exists()


def test_shortcuts_and_button_presses_are_stored_by_their_trigger_once():
    shortcut = fixture("message_action.json")
    assert post_interaction(shortcut).status_code == 200
    assert post_interaction(shortcut, HTTP_X_SLACK_RETRY_NUM="1").status_code == 200
    assert post_interaction(fixture("block_actions_button.json")).status_code == 200
    kinds = dict(SlackEvent.objects.values_list("key", "kind"))
    assert kinds == {
        "619637374322.628390620151.5f9b5f8a1d0a52cf3db8df68c0a7c7d3": "shortcut:create_ticket",
        "1388105719492.1379717998065.9bc163894734c1f415a2c504e81dec91": "action:time_off_balance",
    }


def test_without_a_signing_secret_the_endpoints_are_off(settings):
    settings.SLACK_SIGNING_SECRET = ""
    assert post_event(fixture("event_callback_thread_reply.json")).status_code == 404
    assert not SlackEvent.objects.exists()


def test_work_runs_the_kinds_handler_once_and_records_failures(monkeypatch):
    post_event(fixture("event_callback_thread_reply.json"))
    post_interaction(fixture("block_actions_button.json"))
    seen = []
    monkeypatch.setitem(HANDLERS, "event:message", [lambda row: seen.append(row.key)])
    message, button = SlackEvent.objects.order_by("pk")
    assert event_work(message.pk) == "done" and event_work(message.pk) == "taken"
    assert seen == ["Ev123ABC456"]
    assert event_work(button.pk) == "ignored"  # no handler for that button

    def broken(row):
        raise RuntimeError("Slack said no")

    SlackEvent.objects.filter(pk=message.pk).update(status="stored", received_at="2026-01-01T00:00:00Z")
    monkeypatch.setitem(HANDLERS, "event:message", [broken])
    assert events_sweep() == 1  # stored and not worked (the broker was down): worked by the sweep
    message.refresh_from_db()
    assert message.status == "stored" and message.attempts == 2 and "Slack said no" in message.error
