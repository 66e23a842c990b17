"""The demo's release day answered once: on the seeded demo (`seed_demo`, DESK_DEMO_REPLAY on), the advocate sends the
release story's answer to its 20 tickets from the story page, and every one is posted from the desk by our connected
account on X, Reddit, Mastodon or Bluesky, through the real adapters.

No platform is reached: the demo network answers each post in its platform's shape, as each replay's docstring says
where that shape comes from (channels/adapters/twitter/replay_writes.py: X's recorded 201 to POST /2/tweets;
channels/adapters/reddit/replay_writes.py: Reddit's recorded comment envelope; channels/adapters/mastodon/replay.py
and channels/adapters/bluesky/replay.py: Mastodon's and Bluesky's documented answers to a new post). The ids the
tickets end with are the forms those replays give a post the desk made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from advocacy.celery import app as celery_app
from channels.adapters import get_adapter
from channels.adapters.bluesky.replay import did_of
from channels.adapters.mastodon.replay import MADE
from channels.adapters.reddit.replay_writes import MADE_BASE
from channels.adapters.twitter.replay_writes import WORKER
from channels.demo.channels import DEMO_CHANNELS
from channels.models import Channel
from intake.tasks import poll
from mentions.models import Message
from mentions.selectors import duty_today
from mentions.services.direct_messages import ticket_direct_message
from stories.detection.text import link_normalise
from stories.management.commands.seed_demo_stories import release_day, release_url
from stories.models import ReleasePlan, Story, StoryReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _made_by_the_desk(kind: str, external_id: str) -> bool:
    """Whether `external_id` is the id the demo's replay of `kind` gives a post the desk made (module docstring)."""
    if kind == "twitter":
        return external_id.isdigit() and int(external_id) & (1023 << 12) == WORKER
    if kind == "reddit":
        return external_id.startswith("t1_") and int(external_id[3:], 36) >= MADE_BASE
    if kind == "mastodon":
        return external_id.isdigit() and int(external_id) & 0xFFFF == MADE
    ours = did_of(DEMO_CHANNELS["bluesky"]["our_accounts"][0])
    return external_id.startswith(f"at://{ours}/app.bsky.feed.post/")


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_the_release_story_is_answered_once_on_every_one_of_its_20_tickets_from_the_desk(
    eager, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=StringIO())
    day = release_day()
    release = next(
        s for s in Story.objects.filter(merged_into__isnull=True) if link_normalise(release_url(day)) in s.links
    )
    # One release day everywhere: the queue's, the story's, the release plan's and the post's own date.
    plan = ReleasePlan.objects.get(story=release)
    assert duty_today(today=day).release_day == day == timezone.localdate(release.first_at) == plan.release_date
    assert plan.published_at is not None and plan.published_at.date() == day and f"/{day:%Y/%m/%d}/" in plan.url
    rows = list(StoryReply.objects.filter(story=release).select_related("ticket__channel"))
    kinds = [row.ticket.channel.kind for row in rows]
    assert sorted(kinds.count(k) for k in set(kinds)) == [2, 3, 6, 9] and set(kinds) <= set(DEMO_CHANNELS)
    assert all(row.handle for row in rows), [row.plan_note for row in rows if not row.handle]  # each one posts

    client = Client()
    client.force_login(get_user_model().objects.get(username="advocate"))
    form: dict[str, object] = {"include": [str(row.ticket_id) for row in rows]}
    form.update({f"body-{row.ticket_id}": row.body for row in rows})  # the drafts as proposed
    with django_capture_on_commit_callbacks(execute=True):
        pressed = client.post(reverse("stories:send", args=[release.pk]), form, follow=True)
    assert "20 replies on the way." in pressed.content.decode()

    outcomes = {row.ticket_id: row for row in StoryReply.objects.filter(story=release)}
    assert {row.status for row in outcomes.values()} == {StoryReply.Status.SENT}, [r.error for r in outcomes.values()]
    for row in rows:
        last = row.ticket.messages.order_by("-id").first()
        assert last is not None and last.kind == Message.Kind.OUR_REPLY and last.external_id, row.ticket_id
        assert _made_by_the_desk(row.ticket.channel.kind, last.external_id), (row.ticket.channel.kind, last.external_id)
        assert last.body == row.body and outcomes[row.ticket_id].link == last.permalink
    assert Story.objects.get(pk=release.pk).state == Story.State.ANSWERED
    assert not Channel.objects.filter(slug__endswith="-stories-demo").exists()  # the demo's own channels took them


@override_settings(DESK_DEMO_REPLAY=True)
def test_a_dm_from_a_release_day_ticket_is_answered_at_the_next_poll_on_each_platform():
    """Issue 69: the release day's tickets are seeded, not polled; a DM to each one's author goes out and its answer
    comes back as a private message, as for a polled one (X's needs the author's id in the stored post: the demo's
    api.x.com gives it, and `seed_demo_stories` stores it). The reads' shapes: each replay_dm.py's docstring."""
    start = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        call_command("seed_demo", stdout=StringIO())
        advocate = get_user_model().objects.get(username="advocate")
        release = next(
            s
            for s in Story.objects.filter(merged_into__isnull=True)
            if link_normalise(release_url(release_day())) in s.links
        )
        sent = {}
        for row in StoryReply.objects.filter(story=release).select_related("ticket__channel").order_by("ticket_id"):
            kind = row.ticket.channel.kind
            if kind in sent or not get_adapter(kind).offers("direct_replies"):
                continue
            mention = row.ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("id").first()
            assert mention is not None
            ticket_direct_message(
                ticket=row.ticket, message_id=mention.pk, user=advocate, text="Could you DM us the log?"
            )
            sent[kind] = row.ticket
    assert set(sent) == {"twitter", "reddit", "mastodon", "bluesky"}
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        for ticket in sent.values():
            assert poll(ticket.channel_id) == "ok"
    answered = {kind: list(t.messages.filter(kind=Message.Kind.PRIVATE).values_list("author_handle", flat=True))
                for kind, t in sent.items()}  # fmt: skip
    assert answered == {kind: [t.requester_handle] for kind, t in sent.items()}
