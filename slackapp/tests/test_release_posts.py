"""A message in a release source's Slack channel carrying the post's link records a release plan (issue 46), through
the real path: the signed request (/slack/events/), the stored delivery, the worker's handlers. The event is Slack's
documented `message` event (https://api.slack.com/events/message), from slackapp/tests/fixtures/
event_callback_thread_reply.json (SOURCES.md) with a channel message's text and no thread."""

from __future__ import annotations

import copy

import pytest

from slackapp.models import SlackEvent
from slackapp.tasks import event_work
from slackapp.tests.test_requests import fixture, post_event, signing_secret  # noqa: F401
from stories.models import ReleasePlan, ReleaseSource

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_secret")]

POST = "https://about.gitlab.com/releases/2026/12/18/gitlab-18-7-released/"


def _message(text: str, *, event_id: str, channel: str = "C0RELEASES", **event) -> dict:
    body = copy.deepcopy(fixture("event_callback_thread_reply.json"))
    body["event_id"] = event_id
    body["event"].update({"channel": channel, "text": text, **event})
    del body["event"]["thread_ts"]
    return body


def _deliver(body: dict) -> None:
    assert post_event(body).status_code == 200
    event_work(SlackEvent.objects.get(key=body["event_id"]).pk)


def test_a_message_with_the_release_post_link_makes_one_plan_however_the_link_is_written():
    ReleaseSource.objects.create(name="Releases channel", slack_channel="C0RELEASES")
    _deliver(_message(f"The 18.7 release post is live: <{POST}|GitLab 18.7>", event_id="Ev01"))
    plan = ReleasePlan.objects.get()
    assert (plan.url, plan.via, plan.version) == (POST, ReleasePlan.Via.SLACK, "18.7")
    assert plan.title == "Gitlab 18.7 released"  # from the address: the message is a person's words
    assert plan.published_at is None and plan.release_date.day == 22

    # The same post again, another scheme, no trailing slash, utm_ parameters: the same plan.
    again = "http://about.gitlab.com/releases/2026/12/18/gitlab-18-7-released?utm_source=slack release"
    _deliver(_message(again, event_id="Ev02"))
    assert ReleasePlan.objects.count() == 1


def test_other_channels_bots_and_messages_without_a_release_make_nothing():
    ReleaseSource.objects.create(name="Releases channel", slack_channel="C0RELEASES")
    _deliver(_message(f"release post: {POST}", event_id="Ev03", channel="C0ELSEWHERE"))
    _deliver(_message(f"release post: {POST}", event_id="Ev04", bot_id="B0BOT", subtype="bot_message"))
    _deliver(_message("lunch at https://example.org/menu", event_id="Ev05"))
    assert not ReleasePlan.objects.exists()
