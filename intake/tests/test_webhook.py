import json
import time

import pytest
from django.urls import reverse

from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures
from intake.services.webhooks import signature_for
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0123456789"
MENTION = {
    "id": "fb-123",
    "url": "https://facebook.com/gitlab/posts/123",
    "author": {"name": "Dana Dev", "handle": "dana.dev", "url": "https://facebook.com/dana.dev"},
    "text": "Does GitLab support merge trains on the free tier?",
    "created_at": "2026-11-21T10:00:00Z",
}


@pytest.fixture
def channel():
    channel = ChannelFactory(kind="webhook", name="Facebook relay", slug="facebook", config={}, our_accounts=["gitlab"])
    channel.credentials = {"secret": SECRET}
    channel.save()
    return channel


def post(client, body, *, slug="facebook", timestamp=None, offset=0, secret=SECRET, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(time.time()) + offset if timestamp is None else timestamp)
    sig = signature if signature is not None else signature_for(secret, ts, raw)
    return client.post(
        reverse("webhook", args=[slug]),
        data=raw,
        content_type="application/json",
        HTTP_X_DESK_TIMESTAMP=ts,
        HTTP_X_DESK_SIGNATURE=sig,
    )


def test_a_signed_mention_becomes_a_ticket_and_resending_it_is_harmless(client, channel):
    first = post(client, MENTION)
    assert first.status_code == 201, first.content
    ticket = Ticket.objects.get()
    assert first.json() == {**figures(received=1, created=1, tickets_created=1), "ticket": ticket.pk}
    assert ticket.requester_name == "Dana Dev" and ticket.requested_at.isoformat() == "2026-11-21T10:00:00+00:00"
    message = ticket.messages.get()
    assert message.permalink == MENTION["url"] and message.body == MENTION["text"]

    again = post(client, MENTION)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert Message.objects.count() == 1


def test_a_follow_up_with_parent_id_joins_the_ticket_and_ours_is_our_reply(client, channel):
    post(client, MENTION)
    follow = {
        **MENTION,
        "id": "fb-124",
        "parent_id": "fb-123",
        "text": "Still wondering",
        "created_at": "2026-11-21T11:00:00Z",
    }
    ours = {
        **MENTION,
        "id": "fb-125",
        "parent_id": "fb-124",
        "author": {"name": "GitLab", "handle": "gitlab"},
        "created_at": "2026-11-21T12:00:00+00:00",
    }
    assert post(client, follow).json()["threaded"] == 1
    assert post(client, ours).json()["our_replies"] == 1
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 3 and ticket.first_reply_seconds == 7200


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"signature": "sha256=" + "0" * 64}, 401, "bad signature"),
        ({"secret": "someone-elses-secret"}, 401, "bad signature"),
        ({"signature": ""}, 401, "bad signature"),
        ({"offset": -310}, 401, "outside the 300-second window"),
        ({"offset": 310}, 401, "outside the 300-second window"),
        ({"timestamp": "yesterday"}, 401, "malformed X-Desk-Timestamp"),
    ],
)
def test_unsigned_stale_or_forged_requests_are_refused_and_store_nothing(client, channel, change, status, error):
    response = post(client, MENTION, **change)
    assert response.status_code == status
    assert error in response.json()["error"]
    assert not Message.objects.exists() and not Ticket.objects.exists()


def test_a_replayed_request_with_a_valid_old_signature_is_refused(client, channel):
    old = int(time.time()) - 600
    response = post(client, MENTION, timestamp=old)  # signed correctly, but ten minutes old
    assert response.status_code == 401 and not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"[]", "the body must be a JSON object"),
        ({**MENTION, "text": ""}, "missing field: text"),
        ({k: v for k, v in MENTION.items() if k != "id"}, "missing field: id"),
        ({k: v for k, v in MENTION.items() if k != "created_at"}, "missing field: created_at"),
        ({**MENTION, "url": "javascript:alert(1)"}, "field url: must be an http(s) URL"),
        ({**MENTION, "created_at": "last tuesday"}, "field created_at: not an ISO 8601 time"),
        ({**MENTION, "created_at": "2026-11-21T10:00:00"}, "field created_at: needs a time zone"),
        ({**MENTION, "author": {"url": "https://x"}}, "field author"),
    ],
)
def test_bad_bodies_get_a_400_naming_the_problem_and_store_nothing(client, channel, body, error):
    response = post(client, body)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert not Message.objects.exists()


def test_a_body_over_256_kb_is_refused_with_413(client, channel):
    big = {**MENTION, "text": "x" * (256 * 1024)}
    response = post(client, big)
    assert response.status_code == 413 and not Message.objects.exists()


def test_unknown_or_non_webhook_channels_are_404_and_get_is_405(client, channel):
    ChannelFactory(name="HN", slug="hn")
    assert post(client, MENTION, slug="nope").status_code == 404
    assert post(client, MENTION, slug="hn").status_code == 404
    assert client.get(reverse("webhook", args=["facebook"])).status_code == 405


def test_a_channel_without_a_secret_refuses_everything(client):
    ChannelFactory(kind="webhook", name="No secret", slug="nosecret", config={})
    response = post(client, MENTION, slug="nosecret", secret="")
    assert response.status_code == 401 and "no secret" in response.json()["error"]


def test_webhook_channels_are_never_polled(channel):
    from intake.services.polling import channels_due

    assert channel.pk not in channels_due()


# --- Issue 11, defect 5: hostile requests get a 4xx naming the problem, never a 500 --------


def _nothing_stored():
    return not Message.objects.exists() and not Ticket.objects.exists()


@pytest.mark.parametrize(
    "timestamp", ["9" * 5000, "²", "\u0661\u0667" + "\u0660" * 8, "-1700000000", " 1700000000", "1e9"]
)
def test_webhook_refuses_a_huge_or_non_ascii_timestamp_before_the_signature(client, channel, timestamp):
    # Signed correctly over the hostile timestamp: the header is refused on its own shape.
    response = post(client, MENTION, timestamp=timestamp)
    assert response.status_code == 401
    assert "malformed X-Desk-Timestamp" in response.json()["error"]
    assert _nothing_stored()


def _signed_raw(client, raw: bytes):
    return post(client, raw)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (json.dumps({**MENTION, "score": float("nan")}).encode(), "NaN is not a number JSON allows"),
        (json.dumps({**MENTION, "score": float("inf")}).encode(), "Infinity is not a number JSON allows"),
        (json.dumps({**MENTION, "score": float("-inf")}).encode(), "-Infinity is not a number JSON allows"),
        (json.dumps(MENTION).encode()[:-1] + b', "score": 1e400}', "number out of range"),
        (json.dumps(MENTION).encode()[:-1] + b', "n": ' + b"9" * 5000 + b"}", "more than 40 digits"),
        (b'{"id": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested deeper than 16 levels"),
        (b"[" * 100_000, "nested deeper than 16 levels"),
        (json.dumps({**MENTION, "text": "hello\x00world"}).encode(), "field text: holds a NUL character"),
        (json.dumps({**MENTION, "author": {"name": "Dana\x00"}}).encode(), "field author.name: holds a NUL"),
        (json.dumps({**MENTION, "url": "https://x.example/\x00"}).encode(), "field url: holds a NUL"),
        (json.dumps({**MENTION, "text\x00": "x"}).encode(), "holds a NUL character"),
        (json.dumps({**MENTION, "text": "lone \ud800 surrogate"}).encode(), "lone surrogate"),
        (b"\xff\xfe{}", "not UTF-8"),
        (json.dumps({**MENTION, "created_at": "0001-01-01T00:00:00+01:00"}).encode(), "field created_at: 0001"),
        (json.dumps({**MENTION, "created_at": "9999-12-31T23:59:59-01:00"}).encode(), "field created_at: 9999"),
        (json.dumps({**MENTION, "created_at": "9999-12-31T23:59:59Z"}).encode(), "outside the range"),
        (json.dumps({**MENTION, "created_at": "1969-07-20T20:17:00Z"}).encode(), "outside the range"),
        (json.dumps({**MENTION, "id": "x" * 5000}).encode(), "field id"),
        (json.dumps({**MENTION, "id": 1.5}).encode(), "field id"),
    ],
)
def test_webhook_signed_hostile_bodies_get_400_and_store_nothing(client, channel, raw, error):
    response = _signed_raw(client, raw)
    assert response.status_code == 400, response.content
    assert error in response.json()["error"]
    assert _nothing_stored()


def test_webhook_json_depth_is_measured_without_recursion():
    from intake.services.webhooks import json_depth

    assert json_depth('{"a": "[[[[{{{{", "b": [1, {"c": "\\"]"}]}') == 3
    assert json_depth("[" * 1_000_000) == 1_000_000


def _chunked(client, raw: bytes, *, terminated: bool):
    import io

    ts = str(int(time.time()))
    extra = {
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_X_DESK_TIMESTAMP": ts,
        "HTTP_X_DESK_SIGNATURE": signature_for(SECRET, ts, raw),
        "wsgi.input": io.BytesIO(raw),
    }
    if terminated:
        extra["wsgi.input_terminated"] = True
    return client.generic("POST", reverse("webhook", args=["facebook"]), b"", "application/json", **extra)


def test_webhook_chunked_body_is_read_when_the_server_dechunks_it(client, channel):
    # gunicorn de-chunks Transfer-Encoding: chunked and sets wsgi.input_terminated.
    response = _chunked(client, json.dumps(MENTION).encode(), terminated=True)
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().messages.get().external_id == "fb-123"


def test_webhook_chunked_body_without_a_dechunking_server_is_411_not_401(client, channel):
    response = _chunked(client, json.dumps(MENTION).encode(), terminated=False)
    assert response.status_code == 411
    assert "Content-Length" in response.json()["error"]
    assert _nothing_stored()


def test_webhook_chunked_body_over_256_kb_is_413(client, channel):
    big = json.dumps({**MENTION, "text": "x" * (256 * 1024)}).encode()
    response = _chunked(client, big, terminated=True)
    assert response.status_code == 413
    assert _nothing_stored()


@pytest.mark.parametrize("length", ["abc", "²", "9" * 5000, "-5"])
def test_webhook_malformed_content_length_is_411(client, channel, length):
    ts = str(int(time.time()))
    raw = json.dumps(MENTION).encode()
    response = client.post(
        reverse("webhook", args=["facebook"]),
        data=raw,
        content_type="application/json",
        CONTENT_LENGTH=length,
        HTTP_X_DESK_TIMESTAMP=ts,
        HTTP_X_DESK_SIGNATURE=signature_for(SECRET, ts, raw),
    )
    assert response.status_code == 411
    assert _nothing_stored()
