"""A Slack timestamp that is not one (issue 55: a Create ticket shortcut on a message whose ts was
`999999999999.999999` failed in the worker, five times, with "year 33658 is out of range") is refused at the door
with a 400 saying which field, nothing stored; a delivery already stored with one (Socket Mode, or stored before)
fails at once with the same words, never retried; and every place a ts becomes a time answers None or a
PayloadError, never an exception of its own.

Payload shapes: slackapp/tests/fixtures/SOURCES.md (Slack's documented message shortcut `message_action.json`,
`event_reaction_added.json` and the `event_callback` thread reply), each with one timestamp changed. Requests are
signed as Slack signs them (test_requests' helpers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from channels.adapters import PayloadError
from channels.adapters.slack import message_time, slack_ts_time
from experts.slack_outreach import slack_time
from mentions.models import Ticket
from slackapp.bolt import event_store
from slackapp.deliveries import delivery_key, delivery_kind
from slackapp.models import SlackEvent
from slackapp.tasks import event_work
from slackapp.tests.test_bad_requests import post_payload, post_raw
from slackapp.tests.test_requests import fixture, signing_secret  # noqa: F401

pytestmark = pytest.mark.django_db
HUGE = "999999999999.999999"  # twelve digits of seconds: the year 33658


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("message.ts", lambda body: body["message"].update(ts=HUGE)),
        ("message_ts", lambda body: body.update(message_ts=HUGE)),
        ("message.thread_ts", lambda body: body["message"].update(thread_ts="1e9")),
        ("message.ts", lambda body: body["message"].update(ts="١٥٥٧٧٩٦١٠٧.000500")),  # Arabic-Indic digits
    ],
    ids=["the-issues-ts", "message_ts", "exponent", "other-scripts-digits"],
)
def test_a_shortcut_on_a_message_whose_timestamp_is_not_one_is_a_400_naming_it(where, change):
    body = fixture("message_action.json")
    change(body)

    answer = post_payload(json.dumps(body))

    assert answer.status_code == 400
    assert answer.content.decode().startswith(f"{where} is not a Slack timestamp (")
    assert not SlackEvent.objects.exists() and not Ticket.objects.exists()


def test_a_reaction_on_an_item_whose_timestamp_is_not_one_is_a_400():
    body = fixture("event_reaction_added.json")
    body["event"]["item"]["ts"] = HUGE

    answer = post_raw("/slack/events/", json.dumps(body))

    assert (
        answer.status_code == 400 and answer.content.decode() == f"event.item.ts is not a Slack timestamp ('{HUGE}')."
    )
    assert not SlackEvent.objects.exists()


def test_the_documented_timestamps_are_taken():
    assert post_payload(json.dumps(fixture("message_action.json"))).status_code == 200
    assert post_raw("/slack/events/", json.dumps(fixture("event_reaction_added.json"))).status_code == 200
    assert SlackEvent.objects.count() == 2


def test_a_stored_shortcut_with_the_issues_timestamp_fails_at_once_in_words():
    body = fixture("message_action.json")
    body["message"]["ts"] = body["message_ts"] = HUGE
    row = event_store(key=delivery_key(body), kind=delivery_kind(body), body=body)  # as Socket Mode stored it before
    assert row is not None

    with responses.RequestsMock() as slack:  # nothing answers: Slack is never asked
        assert event_work(row.pk) == "failed"
        assert len(slack.calls) == 0

    row.refresh_from_db()
    assert row.attempts == 1 and row.error == f"PayloadError: message.ts: not a Slack timestamp ('{HUGE}')"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("ts", [HUGE, "1e9", "nan", "", "1355517523", "١٣٥٥٥١٧٥٢٣.000005", " 1355517523.000005"])
def test_every_place_a_timestamp_becomes_a_time_refuses_what_is_not_one(ts):
    assert slack_ts_time(ts) is None and slack_time(ts) is None
    with pytest.raises(PayloadError, match=r"message\.ts: not a Slack timestamp"):
        message_time(ts)


def test_a_slack_timestamp_is_its_time():
    assert slack_ts_time("1355517523.000005") == datetime(2012, 12, 14, 20, 38, 43, 5, tzinfo=UTC)
    latest = slack_ts_time("9999999999.999999")  # the largest: ten digits of seconds
    assert latest is not None and latest.year == 2286
