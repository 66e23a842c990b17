"""The demo's feed channel polled through the real adapter with DESK_DEMO_REPLAY on: its two feeds (a WordPress
blog's RSS, a project's GitHub releases.atom) are answered by channels/adapters/feed/replay.py from the demo week
kept in demo.py, in the shapes of the recorded fixtures (SOURCES.md). The demo's tickets: one a week's entry that
names the product, nothing for the entries that do not, nothing twice (a 304 once the feed is unchanged)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.feed.demo import BLOG, CHANGELOG, DEMO_THREADS
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import THREADS
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from intake.management.commands._demo_week import week_seed
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "feed"
ANCHOR = datetime(2026, 1, 20, 18, 0, tzinfo=UTC)  # the demo channel was made then: its week ends that day


def test_the_demo_week_is_collected_from_the_feeds_own_package():
    ours = [t for t in THREADS if t.kind == KIND]
    assert [t.title for t in ours] == [t["title"] for t in DEMO_THREADS]
    # After every shared group, whose indices the older replays' ids carry; among the platforms that keep their own
    # week a thread's index may move as platforms are added, which is why this replay makes its ids from titles.
    own_weeks = {kind for kind, spec in DEMO_CHANNELS.items() if spec.get("threads")}
    assert {t.kind for t in THREADS[THREADS.index(ours[0]) :]} <= own_weeks


def test_the_demo_feeds_poll_into_one_ticket_per_entry_naming_the_product_and_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        result = ingested(poll(channel))

        week = demo.assert_week_stored(channel, ANCHOR)
        assert len(week) == 4 and result.created == 4  # the two entries without "gitlab" are left out
        subjects = sorted(Ticket.objects.filter(channel=channel).values_list("subject", flat=True))
        assert subjects == [
            "39.12.0",
            "40.0.0",
            "How we moved 400 repositories from Jenkins to GitLab CI",
            "Signing container images in GitLab pipelines with Sigstore",
        ]
        release = Message.objects.get(channel=channel, title="40.0.0")
        assert release.permalink == "https://github.com/renovatebot/renovate/releases/tag/40.0.0"
        assert release.external_id == "tag:github.com,2008:Repository/92187641/40.0.0"
        post = Message.objects.get(channel=channel, title__startswith="How we moved")
        assert post.permalink.startswith("https://www.cncf.io/blog/2026/01/15/how-we-moved-400-repositories")
        assert channel.platform_status["feeds"] == {BLOG: "OK", CHANGELOG: "OK"}

        demo.assert_second_poll_stores_nothing(channel)  # answered 304: the ETags came back

    later = ANCHOR + timedelta(hours=2)
    demo.assert_second_poll_stores_nothing(channel, at=later)


def test_seeding_the_demo_gives_the_feeds_tickets_their_outcomes(settings):
    settings.DESK_DEMO_REPLAY = True
    with time_machine.travel(ANCHOR, tick=False):
        week_seed()
    tickets = Ticket.objects.filter(channel__kind=KIND)
    assert {t.subject: (t.status, t.priority) for t in tickets} == {
        "How we moved 400 repositories from Jenkins to GitLab CI": (Ticket.Status.SOLVED, "normal"),
        "Signing container images in GitLab pipelines with Sigstore": (Ticket.Status.NEW, "normal"),
        "39.12.0": (Ticket.Status.NEW, "normal"),
        "40.0.0": (Ticket.Status.NEW, "high"),
    }
