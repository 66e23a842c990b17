"""Helpers for the stories tests: mentions as an adapter returns them (channels.adapters.base.IncomingMention),
stored through the real ingest, weeks of ordinary background, and what the Slack mock (conftest.py) was asked."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import responses

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POST_URL = "https://slack.com/api/chat.postMessage"
RELEASE_DAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def said(text: str, *, at: datetime, title: str = "", author: str = "") -> IncomingMention:
    n = next(_ids)
    return IncomingMention(
        external_id=f"s{n}",
        created_at=at,
        text=text,
        title=title,
        author_handle=author or f"member{n}",
        permalink=f"https://example.org/post/{n}",
    )


def channel_of(kind: str) -> Channel:
    """A channel of `kind` with its platform's example config (the one admin offers)."""
    return ChannelFactory(kind=kind, config=platform_of(kind).example_config())


def ingest(channel: Channel, *mentions: IncomingMention) -> None:
    result = mentions_ingest(channel=channel, mentions=list(mentions))
    assert result.tickets_created == len(mentions), result


def posts(mock: responses.RequestsMock) -> list[dict]:
    return [json.loads(call.request.body or b"") for call in mock.calls if call.request.url == POST_URL]


def channel(kind: str) -> Channel:
    """A channel of `kind` (bulk_create: a channel's save validates platform settings these tests never use)."""
    found = Channel.objects.filter(kind=kind, slug=f"stories-{kind}").first()
    return found or Channel.objects.bulk_create([Channel(kind=kind, name=f"Stories {kind}", slug=f"stories-{kind}")])[0]


def mention(kind: str, text: str, *, at: datetime, title: str = "", author: str = "") -> Ticket:
    """One new mention on `kind`, stored by the ingest; its ticket."""
    n = next(_ids)
    external_id = f"story-test-{n}"
    mentions_ingest(
        channel=channel(kind),
        mentions=[
            IncomingMention(
                external_id=external_id, created_at=at, text=text, title=title, author_handle=author or f"user{n}"
            )
        ],
    )
    ticket = Message.objects.get(external_id=external_id).ticket
    assert ticket is not None  # an inbound mention opens or joins a ticket
    return ticket


BACKGROUND = [
    "How do I cache node_modules between pipeline jobs in gitlab?",
    "gitlab runner keeps failing with docker executor permission denied",
    "Is there a way to require two approvals on a merge request in gitlab premium?",
    "gitlab pages custom domain certificate stuck on pending verification",
    "self-managed gitlab backup restore takes forever, any tips",
    "gitlab api rate limit for listing projects in a group?",
    "moving our monorepo from github to gitlab, what about submodules",
    "gitlab container registry cleanup policy not deleting old tags",
    "love the gitlab web ide, much faster than before",
    "merge request pipelines vs branch pipelines in gitlab, which one",
]


def background(days: int = 21, per_day: int = 12) -> None:
    """Weeks of ordinary mentions before the release day: the vocabulary every day has."""
    kinds = ["twitter", "reddit", "hackernews"]
    for day in range(days, 0, -1):
        for i in range(per_day):
            at = RELEASE_DAY - timedelta(days=day, minutes=7 * i)
            mention(kinds[i % 3], BACKGROUND[(day + i) % len(BACKGROUND)] + f" (case {day}-{i})", at=at)
