"""Spikes: a story or a term far above its usual hourly rate makes one SpikeAlert and one Slack message, however
often it is checked, with the story's hostile title escaped for Slack's mrkdwn.

Tickets are stored through the real ingest (intake.pipeline.mentions_ingest) and read by the real detector. Slack is
`responses` on chat.postMessage, answered in the shape Slack documents (ok, channel, ts), as notifications' tests
answer it (notifications/tests/test_front_page.py). The chain after an ingest (intake.tickets_ingested → the
after-ingest hook → detection → spike check → `stories.spike_alerts_send` on commit) runs with eager Celery, as
notifications/tests/test_urgency.py runs it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from advocacy.celery import app as celery_app
from channels.adapters.base import IncomingMention
from channels.models import Channel
from stories.detection.detector import stories_detect
from stories.detection.spikes import rate, spike_alerts_send, spikes_check
from stories.models import Membership, SpikeAlert, Story, TermDay
from stories.tests.helpers import channel_of, ingest, posts, said

pytestmark = pytest.mark.django_db

HOSTILE = 'Pipelines <down> & "502" <!channel> | everywhere'
LINK = "https://forum.example.com/t/pipelines-down/4242"
NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # checks at a given moment: an hour that stays inside its day


def _wave(now, per_platform: dict[str, int]) -> dict[str, tuple[Channel, list[IncomingMention]]]:
    """Tickets about one outage posted over the last 50 minutes, `n` per platform, all linking to one thread (the
    Reddit ones titled HOSTILE). Not stored yet."""
    wave, n = {}, 0
    for kind, count in per_platform.items():
        mentions = []
        for _ in range(count):
            n += 1
            title = HOSTILE if kind == "reddit" else ""
            mentions.append(said(f"Pipelines down again, see {LINK}", title=title, at=now - timedelta(minutes=50 - n)))
        wave[kind] = (channel_of(kind), mentions)
    return wave


def test_a_story_spike_is_alerted_once_and_posted_once_with_its_title_escaped(
    slack, django_capture_on_commit_callbacks
):
    now = timezone.now()
    wave = _wave(now, {"reddit": 4, "hackernews": 2, "twitter": 8})
    for kind in ("reddit", "hackernews"):
        ingest(wave[kind][0], *wave[kind][1])  # their after-commit work never runs: the test never commits
    # The last ingest's after-commit chain runs for real: detection, the spike check, the alert posted on commit.
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ingest(wave["twitter"][0], *wave["twitter"][1])
    finally:
        celery_app.conf.task_always_eager = False

    story = Story.objects.get()
    assert story.size == 14 and story.title == HOSTILE
    assert celery_app.tasks["stories.spikes"].apply().get() == {"story_spikes": 0, "term_spikes": 0, "sent": 0}
    assert spikes_check() == {"story_spikes": 0, "term_spikes": 0}
    assert spike_alerts_send() == 0

    (alert,) = SpikeAlert.objects.all()  # and no term alert: its words are the story's core terms
    assert (alert.kind, alert.key, alert.story, alert.day) == (
        "story",
        str(story.pk),
        story,
        now.astimezone(UTC).date(),
    )
    assert alert.counts == {"twitter": 8, "reddit": 4, "hackernews": 2} and alert.usual_per_hour == 0
    assert alert.status == SpikeAlert.Status.SENT and alert.slack_ts == "1700000000.000100"
    story.refresh_from_db()
    assert story.spike_alerted_at is not None

    (posted,) = posts(slack)
    assert posted["channel"] == "#community-advocates"
    url = f"{settings.SITE_URL}/stories/{story.pk}/"
    assert posted["text"] == (
        f':chart_with_upwards_trend: Spike: <{url}|Pipelines &lt;down&gt; &amp; "502" &lt;!channel&gt; ¦ everywhere>'
        " — 14 tickets in the last hour (X / Twitter 8, Reddit 4, Hacker News 2); usually 0 an hour."
    )
    assert "<!channel>" not in posted["text"]


def test_a_story_at_its_usual_pace_is_no_spike(slack):
    now = NOON
    # The same thread all day: six tickets an hour for the five hours before the last one.
    hn = channel_of("hackernews")
    ingest(hn, *[said(f"Pipelines down again, see {LINK}", at=now - timedelta(minutes=10 * n + 5)) for n in range(36)])
    stories_detect()
    assert Story.objects.get().size == 36
    assert spikes_check(now=now)["story_spikes"] == 0
    assert not SpikeAlert.objects.filter(kind=SpikeAlert.Kind.STORY).exists()


def test_a_term_spike_beats_its_usual_rate_from_the_weeks_before(slack):
    now = NOON
    today = now.astimezone(UTC).date()
    # "kubernetes" was in 12 tickets a day for four weeks (0.5 an hour): 6 in the last hour is 12 times that.
    # "runner" was in 96 a day (4 an hour): 6 is not 4 times that.
    TermDay.objects.bulk_create(
        [
            TermDay(term=term, day=today - timedelta(days=d), tickets=n)
            for d in range(1, 29)
            for term, n in (("kubernet", 12), ("runner", 96))
        ]
    )
    x, reddit = channel_of("twitter"), channel_of("reddit")
    unique = iter(
        [
            "quokka",
            "zeppelin",
            "marmalade",
            "trombone",
            "glacier",
            "saffron",
            "tundra",
            "walrus",
            "origami",
            "nebula",
            "cactus",
            "lantern",
            "harbor",
            "meadow",
            "falcon",
            "pebble",
            "orchid",
            "thimble",
            "violin",
            "canyon",
            "anchor",
            "biscuit",
            "dolphin",
            "ember",
        ]
    )
    # Six tickets with "Kubernetes", six with "runner", each with two words of its own: no two share a pair.
    kube = [said(f"Kubernetes {next(unique)} {next(unique)}", at=now - timedelta(minutes=30 - i)) for i in range(6)]
    runner = [said(f"Runner {next(unique)} {next(unique)}", at=now - timedelta(minutes=20 - i)) for i in range(6)]
    ingest(x, *kube[:4], *runner)
    ingest(reddit, *kube[4:])
    stories_detect()
    assert not Membership.objects.exists()  # each shares one word with the others: no story

    assert spikes_check(now=now) == {"story_spikes": 0, "term_spikes": 1}
    assert spikes_check(now=now) == {"story_spikes": 0, "term_spikes": 0}
    (alert,) = SpikeAlert.objects.all()
    assert (alert.kind, alert.key, alert.story, alert.usual_per_hour) == ("term", "kubernet", None, 0.5)
    assert alert.counts == {"twitter": 4, "reddit": 2}

    assert spike_alerts_send(now=now) == 1
    (posted,) = posts(slack)
    assert posted["text"] == (
        f":chart_with_upwards_trend: Spike: <{settings.SITE_URL}/tickets/?q=kubernetes|“kubernetes”>"
        " — 6 tickets in the last hour (X / Twitter 4, Reddit 2); usually 0.5 an hour."
    )


def test_the_minimum_comes_from_the_settings(slack, settings):
    settings.DESK_STORY_SPIKE_MIN = 20
    now = timezone.now()
    ((reddit, mentions),) = _wave(now, {"reddit": 6}).values()
    ingest(reddit, *mentions)
    stories_detect()
    assert Story.objects.get().size == 6
    assert spikes_check(now=now) == {"story_spikes": 0, "term_spikes": 0}


def test_rates_read_as_people_say_them():
    assert [rate(x) for x in (0, 0.001, 0.04, 0.3, 2.0, 2.25, 12.4)] == ["0", "0", "0.04", "0.3", "2", "2.2", "12"]
