"""Bad requests to the Slack endpoints never answer 500 and never lose a message Slack sent: a request not
signed by Slack (whatever its headers hold) is a 401 with a short plain reason and stores nothing; a signed body
that cannot be a Slack delivery at all (not JSON, nested thousands deep) is a 400; a signed delivery the desk can
store but not work (a NUL in its text is stripped; `actions: null`, `view: "x"`, attachments that are not
objects) is stored and answered 200, and the worker gives it a terminal status with its error, never a retry
loop.

Payload shapes: slackapp/tests/fixtures/SOURCES.md (Slack's documented `event_callback` message, message
shortcut, `block_actions` and `view_submission` examples), each broken in one place the way the issue reports;
requests are signed as Slack documents it (test_requests' helpers)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest
import responses
from django.test import Client

from channels.tests.fuzzing import deep, dumps_deep
from slackapp.models import SlackEvent
from slackapp.tasks import MAX_ATTEMPTS, event_work
from slackapp.tests.test_requests import SECRET, fixture, signed, signing_secret  # noqa: F401

pytestmark = pytest.mark.django_db
API = "https://slack.com/api"
PERMALINK = "https://example-workspace.slack.com/archives/CJDP9QK1U/p1557796107000500"


def client() -> Client:
    # A 500 is what these tests look for: the client answers it rather than raising the view's exception.
    return Client(raise_request_exception=False)


def post_raw(path: str, raw: str, content_type: str = "application/json", **headers: str):
    extra: dict = {**signed(raw), **headers}
    return client().post(path, raw, content_type=content_type, **extra)


def post_payload(payload: str, **headers: str):
    """An interaction as Slack posts it: a form whose `payload` field holds the JSON."""
    return post_raw(
        "/slack/interactions/", urlencode({"payload": payload}), "application/x-www-form-urlencoded", **headers
    )


@pytest.fixture
def slack_api(settings):
    """chat.getPermalink answered as Slack documents it (api.slack.com/methods/chat.getPermalink)."""
    settings.SLACK_API_URL = API
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/chat.getPermalink", json={"ok": True, "channel": "CJDP9QK1U", "permalink": PERMALINK})
        yield mock


# --- not signed by Slack ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", " 1700000000", "1700000000\n", "٣"])
def test_a_timestamp_that_is_not_a_unix_time_is_refused_plainly_and_logged_without_the_secret(timestamp, caplog):
    body = json.dumps(fixture("event_callback_thread_reply.json"))
    with caplog.at_level(logging.INFO, logger="slackapp"):
        response = client().post(
            "/slack/events/",
            body,
            content_type="application/json",
            HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
            HTTP_X_SLACK_SIGNATURE="v0=" + "0" * 64,
        )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/plain")
    assert "X-Slack-Request-Timestamp" in response.content.decode() and len(response.content) < 120
    assert not SlackEvent.objects.exists()
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert refused and "/slack/events/" in refused[0].getMessage()
    assert SECRET not in caplog.text


def test_a_timestamp_signed_with_the_secret_but_not_a_unix_time_is_still_refused():
    body = json.dumps(fixture("event_callback_thread_reply.json"))
    headers = signed(body)
    headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = "1e3"
    response = client().post("/slack/events/", body, content_type="application/json", **headers)
    assert response.status_code == 401
    assert not SlackEvent.objects.exists()


@pytest.mark.parametrize("raw", ["{", "payload=%7B", "\udcff", "[1, 2]"])
def test_an_unsigned_body_is_refused_before_it_is_read(raw):
    response = client().post(
        "/slack/events/",
        raw.encode("utf-8", "surrogateescape"),
        content_type="application/json",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=str(int(time.time())),
        HTTP_X_SLACK_SIGNATURE="v0=" + "0" * 64,
    )
    assert response.status_code == 401
    assert not SlackEvent.objects.exists()


# --- signed by Slack, but not a delivery at all ----------------------------------------------------------------


def test_a_signed_body_nested_thousands_deep_is_a_400_and_logged(caplog):
    body = fixture("event_callback_thread_reply.json")
    body["event"]["attachments"] = deep(5000)
    raw = dumps_deep(body)
    with caplog.at_level(logging.WARNING, logger="slackapp"):
        response = post_raw("/slack/events/", raw)
    assert response.status_code == 400
    assert "nested" in response.content.decode() and len(response.content) < 120
    assert not SlackEvent.objects.exists()
    assert any("refused" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("payload", ["{not json", "", "[1]", '"x"', "{" * 3000])
def test_a_signed_interaction_whose_payload_is_not_a_json_object_is_a_400(payload):
    response = post_payload(payload)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain") and len(response.content) < 120
    assert not SlackEvent.objects.exists()


@pytest.mark.parametrize("raw", ["[1, 2]", "null", "{", '{"type": 5}', "{}"])
def test_a_signed_event_body_that_cannot_be_a_delivery_is_a_400(raw):
    response = post_raw("/slack/events/", raw)
    assert response.status_code == 400
    assert not SlackEvent.objects.exists()


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [
        ("", "application/json", "The body is empty."),
        ("token=x&team_id=T1", "application/x-www-form-urlencoded", "neither JSON nor a form with a payload field"),
        ("payloads=1", "application/x-www-form-urlencoded", "The form has no payload field."),
    ],
)
def test_a_signed_body_that_is_empty_or_a_form_without_a_payload_is_a_400(raw, content_type, reason):
    response = post_raw("/slack/interactions/", raw, content_type)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not SlackEvent.objects.exists()


def test_a_signed_body_that_is_not_utf8_is_a_400():
    raw = b'{"type": "event_callback", "event": {"type": "message", "text": "\xff"}}'
    at = str(int(time.time()))  # signed() signs text; these bytes are no text, so they are signed here
    digest = hmac.new(SECRET.encode(), b"v0:" + at.encode() + b":" + raw, hashlib.sha256).hexdigest()
    response = client().post(
        "/slack/events/",
        raw,
        content_type="application/json",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=at,
        HTTP_X_SLACK_SIGNATURE=f"v0={digest}",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


# --- signed deliveries stored, then failed by the worker with their error -------------------------------------


def test_a_message_with_a_nul_character_is_stored_without_it_and_worked():
    body = fixture("event_callback_thread_reply.json")
    body["event"]["text"] = "Answered\x00 on the forum\x00"
    body["event"]["user_profile"] = {"\x00name": "a\x00b", "title": "x\ud800y"}
    body["event"]["score"] = float("nan")
    response = post_raw("/slack/events/", json.dumps(body))  # \u0000, \ud800 and NaN in the JSON text
    assert response.status_code == 200
    row = SlackEvent.objects.get()
    assert row.payload["event"]["text"] == "Answered on the forum"
    assert row.payload["event"]["user_profile"] == {"name": "ab", "title": "x\ufffdy"}
    assert row.payload["event"]["score"] is None
    assert event_work(row.pk) == "done"


def work_to_the_end(row: SlackEvent) -> SlackEvent:
    """Work a row as the worker and the sweep would, at most MAX_ATTEMPTS times."""
    for _ in range(MAX_ATTEMPTS):
        event_work(row.pk)
        row.refresh_from_db()
        if row.status != "stored":
            break
    return row


@pytest.mark.parametrize("attachments", [[1, "a", None], 5, "x"], ids=["non-objects", "a-number", "a-string"])
def test_a_shortcut_on_a_message_with_malformed_attachments_fails_at_once_with_its_error(attachments, slack_api):
    body = fixture("message_action.json")
    body["message"]["text"] = ""
    body["message"]["attachments"] = attachments
    response = post_payload(json.dumps(body))
    assert response.status_code == 200
    row = SlackEvent.objects.get()
    assert event_work(row.pk) == "failed"
    row.refresh_from_db()
    assert row.attempts == 1 and "message.attachments" in row.error


@pytest.mark.parametrize("field", ["attachments", "blocks", "files"])
def test_a_message_event_with_malformed_parts_is_stored_and_failed_with_its_error(field):
    body = fixture("event_callback_thread_reply.json")
    body["event"][field] = [1, "a"]
    assert post_raw("/slack/events/", json.dumps(body)).status_code == 200
    row = work_to_the_end(SlackEvent.objects.get())
    assert (row.status, row.attempts) == ("failed", 1)
    assert f"event.{field}" in row.error


def test_block_actions_with_actions_null_is_stored_and_failed_with_its_error():
    body = fixture("block_actions_button.json")
    body["actions"] = None
    response = post_payload(json.dumps(body))
    assert response.status_code == 200
    row = work_to_the_end(SlackEvent.objects.get())
    assert row.key == body["trigger_id"]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "actions" in row.error


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda body: body.update(view="x"), "view: an object (got a string)"),
        (lambda body: body["view"].pop("type"), "view.type: a string (got null)"),  # Bolt indexed it: a 500
        (lambda body: body["view"]["state"]["values"].update(link=[1]), "view.state.values.link: an object"),
    ],
    ids=["view-a-string", "view-without-type", "state-values-not-objects"],
)
def test_a_view_submission_not_in_the_documented_shape_is_stored_and_failed_with_its_error(change, named):
    body = fixture("view_submission_outreach_answer.json")
    change(body)
    response = post_payload(json.dumps(body))
    assert response.status_code == 200
    row = work_to_the_end(SlackEvent.objects.get())
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error.startswith(named)


@pytest.mark.parametrize(
    ("name", "change", "named"),
    [
        ("event_callback_thread_reply.json", lambda b: b.update(event="x"), "event: an object (got a string)"),
        ("event_callback_thread_reply.json", lambda b: b["event"].pop("type"), "event.type: a string (got null)"),
        ("event_callback_thread_reply.json", lambda b: b.update(authorizations=5), "authorizations: a list of"),
        ("block_actions_button.json", lambda b: b.update(actions=[]), "actions: a list of at least one action"),
        ("block_actions_button.json", lambda b: b.update(team="T01B5M3VC1X"), "team: an object (got a string)"),
        ("message_action.json", lambda b: b.update(callback_id=5), "callback_id: a string (got a number)"),
        ("message_action.json", lambda b: b.update(channel="CJDP9QK1U"), "channel: an object (got a string)"),
    ],
    ids=["event-a-string", "event-without-type", "authorizations-5", "actions-empty", "team-a-string",
         "callback_id-5", "channel-a-string"],
)  # fmt: skip
def test_a_delivery_whose_routing_fields_are_not_in_the_documented_shape_is_stored_and_failed(name, change, named):
    body = fixture(name)
    change(body)
    raw = json.dumps(body)
    response = post_raw("/slack/events/", raw) if "event" in name else post_payload(raw)
    assert response.status_code == 200
    row = work_to_the_end(SlackEvent.objects.get())
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error.startswith(named)


def test_a_retried_malformed_delivery_is_stored_once():
    body = fixture("block_actions_button.json")
    body["actions"] = None
    for retry in ("0", "1", "2"):
        assert post_payload(json.dumps(body), HTTP_X_SLACK_RETRY_NUM=retry).status_code == 200
    assert SlackEvent.objects.get().retries == 2


def test_a_worker_error_holding_a_nul_is_recorded_not_looped(monkeypatch):
    """An error whose text the database cannot hold (a NUL, a lone surrogate) is still recorded on the row."""
    from slackapp.handlers import HANDLERS

    assert post_raw("/slack/events/", json.dumps(fixture("event_callback_thread_reply.json"))).status_code == 200
    row = SlackEvent.objects.get()

    def broken(row):
        raise ValueError("Slack said \x00 no \ud800")

    monkeypatch.setitem(HANDLERS, "event:message", [broken])
    assert event_work(row.pk) == "stored"
    row.refresh_from_db()
    assert row.attempts == 1 and row.error == "ValueError: Slack said  no \ufffd"


@pytest.mark.parametrize("number", ["²", "9" * 5000, "\u0661"])  # superscript two; an Arabic-Indic one
def test_an_outreach_id_that_only_looks_like_a_number_is_no_outreach_not_a_500(number):
    """Python's str.isdigit() is true of "²" and of 5,000 nines, which int() refuses: the outreach buttons and
    modals are answered in the request itself (slackapp.outreach_modals), so that was a 500."""
    pressed = fixture("block_actions_outreach.json")
    pressed["actions"][0].update(action_id="outreach_answered", value=number)
    submitted = fixture("view_submission_outreach_reroute.json")
    submitted["view"]["private_metadata"] = number
    submitted["view"]["state"]["values"]["expert"]["expert"]["selected_option"]["value"] = number

    assert post_payload(json.dumps(pressed)).status_code == 200
    response = post_payload(json.dumps(submitted))
    assert response.status_code == 200 and json.loads(response.content)["response_action"] == "errors"
    row = work_to_the_end(SlackEvent.objects.get())  # the press; the refused modal is not stored
    assert row.status in ("done", "ignored")
