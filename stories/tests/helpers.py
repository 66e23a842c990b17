"""Mentions as an adapter returns them (channels.adapters.base.IncomingMention), stored through the real ingest, and
what the Slack mock (conftest.py) was asked, for the stories tests."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path

import responses

from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POST_URL = "https://slack.com/api/chat.postMessage"
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
