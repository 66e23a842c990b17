"""The community lines of the reports (issue 70): `metrics.community_summary` against counts taken from the raw rows,
and its words in the scheduled report's Slack and e-mail texts and on the monthly page, each escaped for where it
goes. No platform shapes: tickets and messages are the desk's own rows, built here; Slack's answer is the shape of
https://api.slack.com/methods/chat.postMessage as metrics/tests/test_reports.py records it."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import responses
from django.core import mail
from django.urls import reverse

from channels.tests.factories import ChannelFactory
from mentions.models import Message, Sentiment, Tag, Ticket
from mentions.tests.factories import MessageFactory, TicketFactory
from metrics.community.counted import counted_requested
from metrics.community_summary import community_summary, previous_range
from metrics.export import kpi_json
from metrics.models import ReportSchedule
from metrics.report_text import MONTHLY, community_line, period_parse, slack_name
from metrics.reports import report_texts, reports_run
from notifications.tests.slack_api import slack_configured
from stories.models import Membership, Story

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
OK = {"ok": True, "channel": "C024BE91L", "ts": "1700000000.000100"}
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
DECEMBER_1ST = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)
SENTIMENTS = ["", Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE]


def mention(*, channel, at: datetime, sentiment: str = "", tags: tuple[str, ...] = (), **extra) -> Ticket:
    ticket = TicketFactory(channel=channel, requested_at=at, sentiment=sentiment, **extra)
    MessageFactory(ticket=ticket, platform_created_at=at)
    ticket.tags.add(*(Tag.objects.get_or_create(name=name)[0] for name in tags))
    return ticket


def story_of(title: str, tickets: list[Ticket]) -> Story:
    at = tickets[0].requested_at
    story = Story.objects.create(title=title, origin=Story.Origin.TERMS, first_at=at, last_at=at)
    for ticket in tickets:
        Membership.objects.create(story=story, ticket=ticket, via=Membership.Via.TERMS, reason="shares: minutes")
    return story


@pytest.fixture
def community():
    """October and November 2026 across three channels: every sentiment and none, tags, a story, a ticket merged away,
    one begun as a private message, one on the boundary of each month."""
    rng = random.Random(7)
    channels = [ChannelFactory(name=name) for name in ("Reddit", "Mastodon", "Forum")]
    tickets = []
    for n in range(120):
        day = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(61 * 24))
        sentiment = rng.choice(SENTIMENTS)
        tags = tuple(rng.sample(["ci-minutes", "runners", "pricing"], k=rng.randint(0, 2)))
        tickets.append(mention(channel=channels[n % 3], at=day, sentiment=sentiment, tags=tags))
    for at in (datetime(2026, 10, 31, 23, 59, tzinfo=UTC), datetime(2026, 11, 1, 0, 0, tzinfo=UTC)):
        tickets.append(mention(channel=channels[0], at=at, sentiment=Sentiment.NEGATIVE, tags=("runners",)))
    target = tickets[-1]
    mention(channel=channels[1], at=datetime(2026, 11, 3, tzinfo=UTC), sentiment="negative", merged_into=target)
    private = mention(channel=channels[2], at=datetime(2026, 11, 4, tzinfo=UTC), sentiment="negative")
    MessageFactory(ticket=private, kind=Message.Kind.PRIVATE, platform_created_at=private.requested_at)
    negatives = [t for t in tickets if t.sentiment == Sentiment.NEGATIVE and t.requested_at.month == 11]
    story_of("CI minutes run out mid-month", negatives[:3])
    return channels


def counted(start: date, end: date, channel=None) -> list[Ticket]:
    """The rule of the selector's docstring, applied ticket by ticket in Python."""
    rows = []
    for ticket in Ticket.objects.all():
        day = ticket.requested_at.astimezone(UTC).date()
        private = ticket.messages.filter(kind=Message.Kind.PRIVATE, platform_created_at__lte=ticket.requested_at)
        mine = channel is None or ticket.channel_id == channel.pk
        if start <= day <= end and ticket.merged_into_id is None and not private.exists() and mine:
            rows.append(ticket)
    return rows


def topic_of(negatives: list[Ticket]) -> tuple[str, str, int]:
    shared: dict[tuple[int, str, str], int] = {}
    for ticket in negatives:
        for tag in ticket.tags.all():
            shared[(1, tag.name, "tag")] = shared.get((1, tag.name, "tag"), 0) + 1
        membership = Membership.objects.filter(ticket=ticket).select_related("story").first()
        if membership:
            key = (0, membership.story.title, "story")
            shared[key] = shared.get(key, 0) + 1
    best = sorted(((-n, order, name, kind) for (order, name, kind), n in shared.items() if n >= 2))
    return (best[0][2], best[0][3], -best[0][0]) if best else ("", "", 0)


@pytest.mark.parametrize("channel_index", [None, 0])
def test_the_summary_equals_the_counts_of_the_raw_rows(community, channel_index, django_assert_max_num_queries):
    channel = None if channel_index is None else community[channel_index]
    with django_assert_max_num_queries(3):
        summary = community_summary(start=NOVEMBER[0], end=NOVEMBER[1], channel_id=channel and channel.pk)
    now, before = counted(*NOVEMBER, channel), counted(date(2026, 10, 1), date(2026, 10, 31), channel)
    negatives = [t for t in now if t.sentiment == Sentiment.NEGATIVE]
    assert (summary.previous_start, summary.previous_end, summary.previous_label) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        "the month before",
    )
    assert summary.mentions == len(now) and summary.previous_mentions == len(before)
    assert summary.judged == sum(bool(t.sentiment) for t in now)
    assert summary.previous_judged == sum(bool(t.sentiment) for t in before)
    assert summary.negative == len(negatives)
    assert summary.previous_negative == sum(t.sentiment == Sentiment.NEGATIVE for t in before)
    assert (summary.topic, summary.topic_kind, summary.topic_mentions) == topic_of(negatives)
    assert summary.change_pct == pytest.approx(100 * (len(now) - len(before)) / len(before))
    assert summary.negative_pct == pytest.approx(100 * len(negatives) / summary.judged)
    # The merged-away ticket and the private one are left out; the boundary's tickets fall in their own month.
    assert counted_requested(start=NOVEMBER[0], end=NOVEMBER[1]).count() == len(counted(*NOVEMBER))
    assert summary.mentions > 10 and summary.negative > 2 and summary.topic


def test_the_period_before_is_the_calendar_month_or_as_many_days():
    assert previous_range(date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        "the month before",
    )
    assert previous_range(date(2026, 11, 2), date(2026, 11, 8)) == (
        date(2026, 10, 26),
        date(2026, 11, 1),
        "the week before",
    )
    assert previous_range(date(2026, 11, 3), date(2026, 11, 9))[2] == "the 7 days before"
    # The month so far (the monthly page in progress) is not a whole month.
    assert previous_range(date(2026, 11, 1), date(2026, 11, 29))[2] == "the 29 days before"


def test_the_report_says_the_community_in_words_as_kpi_json_counts_it(community):
    c = kpi_json(start=NOVEMBER[0], end=NOVEMBER[1], now=DECEMBER_1ST)["community"]
    slack_text, _, body = report_texts(period_parse(MONTHLY, "2026-11"), now=DECEMBER_1ST)
    direction = "up" if c["negative_pct"] > c["previous_negative_pct"] else "down"
    line = (
        f"Mentions: {c['mentions']:,}, {c['change_pct']:+.1f}% on the month before ({c['previous_mentions']:,}); "
        f"negative {c['negative_pct']:.1f}% of the {c['judged']} judged, {direction} from "
        f"{c['previous_negative_pct']:.1f}%, most often about {c['topic']} ({c['topic_kind']}, "
        f"{c['topic_mentions']} of {c['negative']})"
    )
    assert line in body.splitlines()
    assert "• " + line.replace(c["topic"], slack_name(c["topic"])) in slack_text.splitlines()


def line_of(**figures) -> str:
    base = {
        "previous_label": "the month before",
        "mentions": 0,
        "previous_mentions": 0,
        "change_pct": None,
        "judged": 0,
        "negative": 0,
        "negative_pct": None,
        "previous_negative_pct": None,
        "topic": "",
        "topic_kind": "",
        "topic_mentions": 0,
    }
    return community_line(base | figures, str)


def test_no_mentions_before_no_negative_and_no_topic_are_said_without_a_percentage_of_nothing():
    assert line_of() == "Mentions: 0 (none the month before)"
    first = line_of(mentions=1240, judged=1240, negative_pct=0.0)
    assert first == "Mentions: 1,240 (none the month before); negative 0.0% (none judged the month before)"
    assert "inf" not in first and "%" not in line_of(mentions=12)
    assert line_of(mentions=12) == "Mentions: 12 (none the month before); sentiment not judged yet"
    calmer = line_of(
        mentions=80, previous_mentions=100, change_pct=-20.0, judged=80, negative_pct=0.0, previous_negative_pct=9.0
    )
    assert calmer == "Mentions: 80, -20.0% on the month before (100); negative 0.0%, down from 9.0%"
    same = line_of(
        mentions=5, previous_mentions=5, change_pct=0.0, judged=4, negative_pct=25.0, previous_negative_pct=25.0
    )
    assert same == "Mentions: 5, as many as the month before; negative 25.0% of the 4 judged, as the month before"


@pytest.fixture
def hostile_topic():
    """November's negative mentions share a tag whose name would ping and bold in Slack and run in HTML."""
    reddit = ChannelFactory(name="Reddit")
    for day in (3, 4, 5):
        at = datetime(2026, 11, day, 9, tzinfo=UTC)
        mention(channel=reddit, at=at, sentiment=Sentiment.NEGATIVE, tags=("*<!channel>*",))
    mention(channel=reddit, at=datetime(2026, 10, 6, 9, tzinfo=UTC), sentiment=Sentiment.POSITIVE)
    return reddit


@responses.activate
def test_a_topic_named_to_ping_or_run_is_escaped_for_slack_and_the_page_and_as_written_in_the_mail(
    hostile_topic, manager_client, settings, django_assert_max_num_queries
):
    slack_configured(settings, SITE_URL="https://desk.example.com")
    responses.add(responses.POST, POST_URL, json=OK)
    manager_client.user.email = "skinner@example.com"
    manager_client.user.save()
    ReportSchedule.objects.update_or_create(
        kind=MONTHLY, defaults={"is_active": True, "slack_channel": "#community-managers", "email_managers": True}
    )
    ping = "*<!channel>*"
    reports_run(now=DECEMBER_1ST)

    text = json.loads(responses.calls[0].request.body or "")["text"]
    assert "<!channel>" not in text and "*<" not in text
    assert "most often about *\u2060&lt;!channel&gt;*\u2060 (tag, 3 of 3)" in text
    email = mail.outbox[0]
    assert f"negative 100.0%, up from 0.0%, most often about {ping} (tag, 3 of 3)" in email.body
    assert email.content_subtype == "plain"  # plain text: the name as written is only text there

    Tag.objects.filter(name=ping).update(name="<script>alert(1)</script>")
    with django_assert_max_num_queries(40):
        html = manager_client.get(reverse("metrics:monthly") + "?month=2026-11").content.decode()
    said = html[html.index('data-testid="monthly-community"') :]
    said = said[: said.index("</p>")]
    assert "<script>" not in said
    assert "most often about &lt;script&gt;alert(1)&lt;/script&gt; (tag, 3 of 3)" in said
    # November is the month so far until it ends (the page reports it to today, against as many days before).
    assert re.search(r"Mentions: 3, \+200\.0% on the (month|\d+ days) before \(1\)", said)
