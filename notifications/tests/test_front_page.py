"""A stored Hacker News story reaching the front page on a later poll: marked urgent once, tagged, one
event, and one Slack message to the advocates' channel, inside coverage and outside it.

Algolia is the fake of channels/tests/hn.py over hits in the recorded shape: `search_by_date` for the
keyword, and `search?tags=front_page` answering the stories whose `_tags` carry `front_page` (the tag
Algolia puts on the front page's stories, as in the recorded algolia_search_by_date_story.json). Slack
is `responses` on chat.postMessage. Default coverage: Monday-Friday 08:00-22:00 UTC.
"""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import FakeAlgolia, story_hit
from intake.services.polling import channel_poll
from mentions.models import Message, Ticket, TicketEvent
from notifications.front_page import front_page_announce
from notifications.models import FrontPageStory, UrgentPing
from notifications.tests.slack_api import slack_api
from notifications.urgency import urgent_sweep

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"


def _coming(weekday: int, hour: int) -> datetime:
    """The first such hour after tomorrow: a poll stamps its rows with the real clock, so the moments the
    tests judge at must lie after it (a fixed date passes only until that day comes)."""
    day = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


WEDNESDAY_NOON = _coming(2, 12)  # covered
SATURDAY_NIGHT = _coming(5, 23)  # not covered
STORY = 46001234


def _posts(mock):
    return [json.loads(c.request.body) for c in mock.calls if c.request.url == POST_URL]


def _poll(channel):
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    outcome = channel_poll(channel_id=channel.pk)
    assert outcome.status == "ok", outcome.error
    return outcome


def _story(*, front_page):
    # A title no seeded triage rule matches: this is about the front page, not the rules.
    hit = story_hit(STORY, int(time.time()) - 600, title="Show HN: a GitLab runner for RISC-V")
    if front_page:
        hit["_tags"] = [*hit["_tags"], "front_page"]
    return hit


@pytest.mark.parametrize("now", [WEDNESDAY_NOON, SATURDAY_NIGHT], ids=["in coverage", "out of coverage"])
def test_a_story_reaching_the_front_page_on_a_later_poll_is_marked_and_announced_once(slack, now):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    algolia = FakeAlgolia([_story(front_page=False)], mock=slack)

    _poll(channel)
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.priority == Ticket.Priority.NORMAL and not FrontPageStory.objects.exists()
    assert algolia.front_page_requests == [{"tags": "front_page", "hitsPerPage": "100"}]

    algolia.hits = [_story(front_page=True)]  # the second poll finds it on the front page
    _poll(channel)
    _poll(channel)  # and the third still does

    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.URGENT
    assert list(ticket.tags.values_list("name", flat=True)) == ["front-page"]
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count(TicketEvent.Kind.FRONT_PAGE) == 1
    assert kinds.count(TicketEvent.Kind.PRIORITY) == 1 and kinds.count(TicketEvent.Kind.TAG_ADDED) == 1
    (row,) = FrontPageStory.objects.filter(channel=channel)
    assert (row.story_id, row.ticket_id, row.status) == (str(STORY), ticket.pk, FrontPageStory.Status.PENDING)
    assert UrgentPing.objects.get(ticket=ticket).status == UrgentPing.Status.FRONT_PAGE

    assert front_page_announce(now=now) == 1
    assert front_page_announce(now=now) == 0
    assert urgent_sweep(now=now)["pinged"] == 0  # the after-hours ping is this same message

    (posted,) = _posts(slack)
    assert posted["channel"] == "#community-advocates"
    assert posted["text"].startswith(":fire: Our Hacker News story is on the front page: <")
    assert f"|#{ticket.pk} Show HN: a GitLab runner for RISC-V>" in posted["text"]
    assert f"<https://news.ycombinator.com/item?id={STORY}|discussion>" in posted["text"]
    assert ("Outside coverage" in posted["text"]) is (now == SATURDAY_NIGHT)
    row.refresh_from_db()
    assert row.status == FrontPageStory.Status.SENT and row.slack_ts == "1700000000.000100"


def test_a_story_first_stored_while_already_on_the_front_page_counts_too(slack):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    FakeAlgolia([_story(front_page=True)], mock=slack)

    _poll(channel)

    ticket = Ticket.objects.get(channel=channel)
    assert ticket.priority == Ticket.Priority.URGENT
    assert FrontPageStory.objects.filter(channel=channel).count() == 1
    assert front_page_announce(now=WEDNESDAY_NOON) == 1


def test_a_comment_on_the_front_page_story_does_not_make_its_own_ticket_a_front_page_story(slack):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    FakeAlgolia([_story(front_page=True)], mock=slack)
    _poll(channel)
    # The front page lists story ids only; a stored comment with a matching id is not a story.
    Message.objects.filter(channel=channel).update(parent_external_id="1")
    FrontPageStory.objects.all().delete()
    _poll(channel)
    assert not FrontPageStory.objects.exists()


def test_the_front_page_failing_loses_no_mention_and_the_next_poll_marks_the_story(slack):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    algolia = FakeAlgolia([_story(front_page=True)], mock=None)
    slack.add_callback(
        responses.GET, "https://hn.algolia.com/api/v1/search_by_date", callback=algolia.answer
    )  # no front-page answer: the request fails

    outcome = _poll(channel)

    assert outcome.result.tickets_created == 1 and not FrontPageStory.objects.exists()
    assert Channel.objects.get(pk=channel.pk).health == Channel.Health.OK
    slack.add_callback(responses.GET, "https://hn.algolia.com/api/v1/search", callback=algolia.answer_front_page)
    _poll(channel)
    assert FrontPageStory.objects.filter(channel=channel).count() == 1


def test_slack_down_keeps_the_announcement_pending_and_the_sweep_posts_it_later(settings):
    with slack_api(settings) as mock:
        channel = ChannelFactory(config={"keywords": ["gitlab"]})
        FakeAlgolia([_story(front_page=True)], mock=mock)
        _poll(channel)
        mock.post(POST_URL, status=503)
        assert front_page_announce(now=WEDNESDAY_NOON) == 0
        row = FrontPageStory.objects.get()
        assert (
            row.status == FrontPageStory.Status.PENDING
            and row.attempts == 1
            and row.next_attempt_at is not None
            and row.next_attempt_at > WEDNESDAY_NOON
        )
        mock.replace(responses.POST, POST_URL, json={"ok": True, "channel": "C0ADVOCATES", "ts": "1.2"})
        assert front_page_announce(now=row.next_attempt_at) == 1
        assert len([c for c in mock.calls if c.request.url == POST_URL]) == 2
