"""Webhook items whose created_at cannot be a mention's time (year 1 east of UTC, year 9999 west of it,
before 1990, after tomorrow): refused by name on the HTTP hook (400), quarantined as a dead letter when a
saved body is fed through `ingest_payload`, never an OverflowError.

The body shape is the webhook channel's documented one (channels/adapters/webhook/__init__.py); the other adapters'
items are their recorded payloads (channels/adapters/*/tests/fixtures/SOURCES.md) with only the date replaced."""

import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels import clean
from channels.adapters import PayloadError, get_adapter
from channels.adapters.webhook import mention_from_json
from channels.models import Channel, DeadLetter
from channels.tests.factories import ChannelFactory
from intake.services.webhooks import signature_for
from mentions.models import Message

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0123456789"
MENTION = {
    "id": "fb-123",
    "url": "https://facebook.com/gitlab/posts/123",
    "author": {"name": "Dana Dev", "handle": "dana.dev"},
    "text": "Does GitLab support merge trains on the free tier?",
    "created_at": "2026-11-21T10:00:00Z",
}
OUT_OF_RANGE = [
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: converting it overflowed
    "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    "9999-12-31T23:59:59+00:00",
    "1989-12-31T23:59:59Z",  # before any platform the desk reads
]


def webhook_channel():
    channel = ChannelFactory(kind="webhook", name="Facebook relay", slug="facebook", config={})
    channel.credentials = {"secret": SECRET}
    channel.save()
    return channel


def signed_post(client, body: dict):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    return client.post(
        reverse("webhook", args=["facebook"]),
        data=raw,
        content_type="application/json",
        HTTP_X_DESK_TIMESTAMP=ts,
        HTTP_X_DESK_SIGNATURE=signature_for(SECRET, ts, raw),
    )


@pytest.mark.parametrize("created_at", [*OUT_OF_RANGE, "future"])
def test_out_of_range_created_at_is_a_400_naming_the_field_logged_and_nothing_stored(client, caplog, created_at):
    webhook_channel()
    if created_at == "future":
        created_at = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    with caplog.at_level(logging.WARNING, logger="intake.services.webhooks"):
        response = signed_post(client, {**MENTION, "created_at": created_at})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("field created_at: ") and "outside the range a mention can have" in error
    assert "channel=facebook rejected payload: field created_at" in caplog.text
    assert not Message.objects.exists() and not DeadLetter.objects.exists()


def test_a_saved_webhook_body_with_a_year_1_item_is_quarantined_by_ingest_payload(tmp_path):
    """The issue's case: `ingest_payload` raised OverflowError. Now the item is a dead letter naming the field,
    and the other items of the file are stored."""
    channel = webhook_channel()
    saved = tmp_path / "bodies.json"
    good = {**MENTION, "id": "fb-124"}
    saved.write_text(json.dumps([{**MENTION, "created_at": "0001-01-01T00:00:00+01:00"}, good]))

    out = StringIO()
    call_command("ingest_payload", "--channel", "facebook", str(saved), stdout=out)

    result = json.loads(out.getvalue())
    assert (result["received"], result["created"], result["quarantined"]) == (2, 1, 1)
    dead = DeadLetter.objects.get(channel=channel)
    assert dead.external_id == "fb-123" and dead.stage == "parse"
    assert "field created_at: 0001-01-01T00:00:00+01:00 is outside the range" in dead.error
    assert list(Message.objects.values_list("external_id", flat=True)) == ["fb-124"]


def test_a_single_saved_body_out_of_range_is_quarantined_not_a_crash(tmp_path):
    channel = webhook_channel()
    saved = tmp_path / "body.json"
    saved.write_text(json.dumps({**MENTION, "created_at": "9999-12-31T23:59:59-01:00"}))
    out = StringIO()
    call_command("ingest_payload", "--channel", "facebook", str(saved), stdout=out)
    assert json.loads(out.getvalue())["quarantined"] == 1
    assert DeadLetter.objects.filter(channel=channel).count() == 1 and not Message.objects.exists()


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=offsets)


@given(moment=moments)
def test_any_offset_datetime_is_a_mention_in_range_or_a_payload_error_naming_created_at(moment):
    body = {**MENTION, "created_at": moment.isoformat()}
    try:
        mention = mention_from_json(body)
    except PayloadError as exc:
        assert str(exc).startswith("field created_at: ")
        assert clean.in_range(moment) is None
    else:
        assert mention.created_at.tzinfo is UTC and clean.in_range(mention.created_at) == mention.created_at
        assert mention.created_at == moment


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=moments)
def test_any_offset_datetime_posted_to_the_hook_is_answered_201_or_400(moment):
    Channel.objects.filter(slug="facebook").exists() or webhook_channel()  # examples share the test's transaction
    # Hypothesis may try one moment twice (replaying, shrinking): a fresh id keeps each post a new mention.
    body = {**MENTION, "id": f"fb-{uuid.uuid4()}", "created_at": moment.isoformat()}
    response = signed_post(Client(), body)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"].startswith("field created_at: ")


def _original_post(page):
    return next(t for t in page["data"] if not t["text"].startswith("RT @"))  # a retweet is skipped anyway


# Every other adapter that reads an ISO 8601 time from a recorded payload, with that time replaced by one
# that cannot be converted to UTC: the item is rejected (a dead letter) or dated by another field, never raised.
RECORDED = [
    ("discourse", "posts_latest_real.json", lambda p: p["latest_posts"][0], "created_at"),
    ("disqus", "posts_list.json", lambda p: p["response"][0], "createdAt"),
    ("twitter", "search_recent_with_tweet_fields.json", _original_post, "created_at"),
    ("hackernews", "algolia_search_by_date_comment.json", lambda p: p["hits"][0], "created_at"),
]


@pytest.mark.parametrize(("kind", "fixture", "item_of", "field"), RECORDED)
@pytest.mark.parametrize("bad", OUT_OF_RANGE[:2])
def test_other_adapters_reject_or_redate_an_unconvertible_time(kind, fixture, item_of, field, bad):
    from pathlib import Path

    import channels.adapters

    fixtures = Path(channels.adapters.__file__).parent / kind / "tests" / "fixtures"
    payload = json.loads((fixtures / fixture).read_text())
    item = item_of(payload)
    item[field] = bad
    if kind == "hackernews":
        item.pop("created_at_i", None)
    adapter = get_adapter(kind)
    forum = Channel(kind=kind, config={"base_url": "https://forum.example.com"})
    parsed = (
        adapter.parse_page_for_channel(payload, channel=forum) if kind == "discourse" else adapter.parse_page(payload)
    )
    for mention in parsed.mentions:
        assert clean.in_range(mention.created_at) == mention.created_at
    rejected = [r for r in parsed.rejected if bad in json.dumps(r.raw)]
    redated = [m for m in parsed.mentions if m.raw.get(field) == bad]
    assert len(rejected) + len(redated) == 1
