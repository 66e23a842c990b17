"""The demo's week (`seed_demo`, intake/management/commands/_demo_week.py): every channel kind read through its
real adapter against the demo network (channels.demo.replay), the webhook pushed through its receiving service,
each thread given its outcome; and nothing tried without DESK_DEMO_REPLAY. The platforms' shapes come from each
kind's replay module (channels/adapters/<kind>/replay.py), which names the recorded fixture it follows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import responses
import time_machine
from django.test import override_settings
from django.utils.html import escape

from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import THREADS
from channels.models import Channel
from intake.management.commands._demo_week import opening_words, week_seed
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_seeded_channel():
    # The Slack channel a migration seeds (mentions 0032, with its view) would be one more channel here.
    Channel.objects.filter(kind="slack").delete()


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)  # every thread has opened by then
def test_the_week_is_read_through_every_kinds_adapter_with_its_outcomes_and_only_once():
    advocate = AdvocateFactory()
    made = week_seed(advocate=advocate)

    assert made == len(THREADS)
    by_kind = Counter(Ticket.objects.values_list("channel__kind", flat=True))
    assert by_kind == Counter(t.kind for t in THREADS)
    assert set(Channel.objects.filter(enabled=True).values_list("kind", flat=True)) == set(DEMO_CHANNELS)
    assert set(Channel.objects.values_list("poll_interval_seconds", flat=True)) == {300}  # a readable log
    polled = Channel.objects.exclude(kind="webhook").filter(last_success_at__isnull=False)
    assert polled.count() == len(DEMO_CHANNELS) - 1  # each read by its own poll; the webhook is pushed
    # Each thread's outcome: solved ones by the advocate; the answered ones wait on the requester.
    solved = Ticket.objects.filter(status=Ticket.Status.SOLVED)
    assert solved.count() == sum(t.outcome == "solved" for t in THREADS)
    assert set(solved.values_list("assignee", flat=True)) == {advocate.pk}
    assert Message.objects.filter(kind=Message.Kind.OUR_REPLY).count() >= sum(
        t.outcome in ("solved", "answered") for t in THREADS if t.kind != "webhook"
    )
    stored = Message.objects.count()

    assert week_seed(advocate=advocate) == 0  # a channel made before is left alone
    assert Message.objects.count() == stored


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_each_pictured_threads_ticket_lists_its_image_as_a_link(client):
    advocate = AdvocateFactory()
    week_seed(advocate=advocate)
    client.force_login(advocate)

    pictured = [t for t in THREADS if t.media]
    assert {t.kind for t in pictured} == {"github", "mastodon", "bluesky", "discord"}
    for thread in pictured:
        [image] = thread.media
        opening = Message.objects.get(channel__kind=thread.kind, body__startswith=opening_words(thread))
        assert opening.media and opening.media[0]["url"] == image.url, thread.kind  # the parser read it back
        assert opening.ticket is not None
        page = client.get(opening.ticket.get_absolute_url()).content.decode()
        assert f'href="{escape(image.url)}"' in page and escape(image.alt) in page, thread.kind


@override_settings(DESK_DEMO_REPLAY=False)
@responses.activate  # no URL registered: any request would raise
def test_without_the_demo_network_the_channels_are_saved_paused_and_nothing_is_tried():
    assert week_seed(advocate=AdvocateFactory()) == 0

    assert Channel.objects.count() == len(DEMO_CHANNELS)
    assert not Channel.objects.filter(enabled=True).exists()
    assert not Ticket.objects.exists() and len(responses.calls) == 0
