"""The container test's set-up and readings, run inside the web container by run.sh through
`python manage.py shell -c "$(cat tests/container/inside.py)"`; DESK_TEST_STEP says which, and the answer is one
line of JSON, printed last.

- `setup` (after `seed_demo`, with DESK_DEMO_REPLAY on as `make run` has it): the demo's `advocate` gets the run's
  password (DESK_TEST_PASSWORD: never printed); a webhook channel with the run's secret (DESK_TEST_SECRET); a
  Mastodon channel with the demo channel's config, never polled yet, so the first poll the worker makes stores the
  demo week's posts (channels.demo.replay answers mastodon.social inside the container); a docs source whose
  sitemap the worker container serves on its own 127.0.0.1 (tests/container/docs_server.py, DESK_TEST_DOCS_PORT);
  and the id of the demo's release story, whose drafts the advocate sends.
- `status`: what the processes have done: the poll's tickets and how many are judged (the meaning process), the
  docs pages indexed (the knowledge queue), the release story's replies by status and the messages our account
  posted (the sends queue).
- `queues`: the length of every list in the broker's Redis (each Celery queue is a list named after it, priority
  lists too) and of every queue a task can be routed to, present or not, and the messages taken but not
  acknowledged.
"""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count

from advocacy.processes import routed_queues
from answers.knowledge_models import DocPage, KnowledgeSource
from channels.demo.channels import DEMO_CHANNELS
from channels.models import Channel
from mentions.models import Message, Ticket
from stories.detection.text import link_normalise
from stories.management.commands.seed_demo_stories import RELEASE
from stories.models import Story, StoryReply

POLLED = "container-mastodon"
RELAY = "container-relay"
DOCS = "Container docs"


def _release_story() -> Story:
    # The demo dates the release post's address on its release day (the day it was seeded): matched by the post's
    # own part of the address, whatever the day.
    post = "/" + link_normalise(RELEASE).rsplit("/", 1)[-1]  # "/gitlab-18-6-released"
    return next(s for s in Story.objects.filter(merged_into__isnull=True) if any(post in link for link in s.links))


def setup() -> dict[str, Any]:
    advocate = get_user_model().objects.get(username="advocate")
    advocate.set_password(os.environ["DESK_TEST_PASSWORD"])
    advocate.save(update_fields=["password"])
    relay = Channel(kind="webhook", name="Container relay", slug=RELAY, config={}, our_accounts=[])
    relay.credentials = {"secret": os.environ["DESK_TEST_SECRET"]}
    relay.save()
    spec = DEMO_CHANNELS["mastodon"]
    polled = Channel(
        kind="mastodon",
        name="Mastodon (container test)",
        slug=POLLED,
        config=spec["config"],
        our_accounts=spec["our_accounts"],
        poll_interval_seconds=30,
    )
    polled.credentials = spec["credentials"]
    polled.save()
    KnowledgeSource.objects.create(
        name=DOCS, kind=KnowledgeSource.Kind.DOCS, base_url=f"http://127.0.0.1:{os.environ['DESK_TEST_DOCS_PORT']}/"
    )
    story = _release_story()
    return {"story": story.pk, "drafts": StoryReply.objects.filter(story=story).count(), "polled": POLLED}


def status() -> dict[str, Any]:
    polled = Ticket.objects.filter(channel__slug=POLLED)
    story = _release_story()
    replies = dict(
        StoryReply.objects.filter(story=story).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    # A reply the worker posted: our message on the ticket with the draft's words and the id the platform gave it.
    posted = [
        message
        for row in StoryReply.objects.filter(story=story, status=StoryReply.Status.SENT)
        for message in Message.objects.filter(
            ticket_id=row.ticket_id, kind=Message.Kind.OUR_REPLY, body=row.body, external_id__isnull=False
        ).select_related("channel")[:1]
    ]
    sample = (
        {"ticket": posted[0].ticket_id, "kind": posted[0].channel.kind, "id": posted[0].external_id} if posted else None
    )
    return {
        "polled_channel_polled": Channel.objects.filter(slug=POLLED, last_polled_at__isnull=False).exists(),
        "polled_tickets": polled.count(),
        "polled_judged": polled.filter(judged_at__isnull=False).count(),
        "tickets": Ticket.objects.count(),
        "unjudged": Ticket.objects.filter(judged_at__isnull=True).count(),
        "docs_pages": DocPage.objects.filter(source__name=DOCS).count(),
        "docs_indexed": DocPage.objects.filter(source__name=DOCS).exclude(title="").count(),
        "docs_error": KnowledgeSource.objects.get(name=DOCS).last_error,
        "replies": replies,
        "sent_messages": len(posted),
        "sent_sample": sample,
    }


def queues() -> dict[str, Any]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    lengths = dict.fromkeys(sorted(routed_queues()), 0)
    for key in broker.scan_iter(count=1000):
        if broker.type(key) == b"list":
            lengths[key.decode(errors="replace")] = int(broker.llen(key))
    return {"lists": lengths, "unacked": int(broker.hlen("unacked"))}


STEPS = {"setup": setup, "status": status, "queues": queues}
print(json.dumps(STEPS[os.environ["DESK_TEST_STEP"]](), default=str))
