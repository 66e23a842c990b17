"""What every platform's demo replay test shares: the demo network on, the demo channel of a kind, and the demo
week as its tickets should hold it. A test module imports it whole, and the fixture by name:

    from channels.tests import demo_replay as demo
    from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)

    pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

`demo_network` turns DESK_DEMO_REPLAY on: every session the desk builds is answered by the replay modules
(channels.demo.replay). `demo.channel(kind, anchor)` is the channel `seed_demo` makes
(channels.demo.channels.DEMO_CHANNELS: its config, our accounts and credentials), made at `anchor`: the demo week
ends that day. `demo.week(kind, anchor, now)` is what the week has posted by `now`, one thread a ticket;
`demo.conversations(channel)` is what the channel's tickets hold, in the same shape (`Post`), so a test compares
the two: `demo.assert_week_stored` does, one ticket a thread, and `demo.assert_second_poll_stores_nothing` polls
again and sees nothing stored twice. Polling itself is channels.tests.harness's `poll`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import pytest
import time_machine

from channels.adapters.base import IncomingMention
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.replay import DemoPosts
from channels.demo.week import THREADS, thread_mentions, thread_start
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from intake.pipeline import IngestResult
from mentions.models import Message, Ticket


@pytest.fixture
def demo_network(settings: Any) -> Iterator[None]:
    """DESK_DEMO_REPLAY on: the demo desk's network answers every platform from the demo week (every kind's
    replay module exists, so none is left out). A test may turn it off again with `settings`."""
    settings.DESK_DEMO_REPLAY = True
    yield


def channel(kind: str, anchor: datetime, *, slug: str | None = None, **config: Any) -> Channel:
    """The demo channel of `kind`, made at `anchor` (the day its week ends). `config` is laid over the demo's;
    another `slug` makes a second channel of the kind, one the demo week is not anchored on."""
    spec = DEMO_CHANNELS[kind]
    slug = slug or demo_slug(kind)
    channel = Channel(
        kind=kind,
        name=spec["name"] if slug == demo_slug(kind) else f"{spec['name']} ({slug})",
        slug=slug,
        enabled=True,
        config={**spec["config"], **config},
        our_accounts=spec["our_accounts"],
    )
    channel.credentials = spec.get("credentials", {})
    channel.save()
    Channel.objects.filter(pk=channel.pk).update(created_at=anchor)
    channel.refresh_from_db()
    return channel


class Post(NamedTuple):
    """One post of a thread as a ticket holds it: when, by whom, what, and whether it is our reply."""

    at: datetime
    author: str
    text: str
    kind: str


def thread_posts(index: int, anchor: datetime, now: datetime | None = None) -> list[Post]:
    """The posts of the week's thread `index` by `now` (default: `anchor`), opening post first."""
    thread = THREADS[index]
    ours = DEMO_CHANNELS[thread.kind]["our_accounts"][0]
    return posts(thread_mentions(thread, index=index, today=anchor, ours=ours, until=now or anchor), ours=ours)


def posts(mentions: Iterable[IncomingMention], *, ours: str) -> list[Post]:
    """Mentions as the posts their messages should be: ours (by `ours`) are our replies."""
    kind = {ours: Message.Kind.OUR_REPLY}
    return [
        Post(m.created_at, m.author_handle, m.text, kind.get(m.author_handle, Message.Kind.INBOUND)) for m in mentions
    ]


def week(kind: str, anchor: datetime, now: datetime | None = None) -> list[list[Post]]:
    """The week's threads of `kind` opened by `now` (default: `anchor`), each as its posts by then; sorted."""
    now = now or anchor
    return sorted(
        thread_posts(index, anchor, now)
        for index, thread in enumerate(THREADS)
        if thread.kind == kind and thread_start(thread, anchor) <= now
    )


def ticket_posts(ticket: Ticket) -> list[Post]:
    """The ticket's messages as posts, oldest first."""
    messages = ticket.messages.order_by("platform_created_at", "pk")
    return [Post(m.platform_created_at, m.author_handle, m.body, m.kind) for m in messages]


def conversations(channel: Channel) -> list[list[Post]]:
    """Each ticket of the channel as its posts; sorted like `week`."""
    return sorted(ticket_posts(ticket) for ticket in Ticket.objects.filter(channel=channel))


def authorless(threads: list[list[Post]]) -> list[list[Post]]:
    """The threads without their authors: for a platform that stores its authors under other handles (user ids)."""
    return sorted([post._replace(author="") for post in thread] for thread in threads)


def assert_week_stored(
    channel: Channel,
    anchor: datetime,
    now: datetime | None = None,
    *,
    authors: bool = True,
    shown: Callable[[str], str] | None = None,
) -> list[list[Post]]:
    """The channel holds the week of its kind by `now`: one ticket a thread, each with the thread's posts (their
    times, authors unless `authors` is off, texts, and our replies as ours). `shown`: how the adapter turns a post's
    text as the platform sends it into the message's (GitHub's Markdown images and links). Returns that week."""
    expected = week(channel.kind, anchor, now)
    if shown is not None:
        expected = [[post._replace(text=shown(post.text)) for post in thread] for thread in expected]
    found = conversations(channel)
    if not authors:
        expected, found = authorless(expected), authorless(found)
    assert Ticket.objects.filter(channel=channel).count() == len(expected)
    assert found == expected
    return expected


def ticket_of(channel: Channel, **opening: Any) -> Ticket:
    """The ticket of the channel's message found by `opening` (its external id, its title)."""
    message = Message.objects.get(channel=channel, **opening)
    assert message.ticket is not None
    return message.ticket


def poll_at(channel: Channel, anchor: datetime, when: datetime, *, authors: bool = True) -> IngestResult:
    """Poll with the clock at `when`: the channel then holds the week as it was by then (`assert_week_stored`).
    Returns the poll's counts."""
    with time_machine.travel(when, tick=False):
        result = ingested(poll(channel))
    assert_week_stored(channel, anchor, when, authors=authors)
    return result


def assert_second_poll_stores_nothing(channel: Channel, at: datetime | None = None) -> IngestResult:
    """Poll again (with the clock at `at`, if given): no message is stored twice and the tickets are as they
    were. Returns that poll's counts."""
    before, tickets = stored(channel), conversations(channel)
    if at is None:
        again = ingested(poll(channel))
    else:
        with time_machine.travel(at, tick=False):
            again = ingested(poll(channel))
    assert again.created == 0
    assert stored(channel) == before
    assert conversations(channel) == tickets
    return again


def one_post_threads(kind: str, anchor: datetime, count: int, *, text: str, title: str) -> DemoPosts:
    """`count` one-post threads of `kind` a minute apart from the day before `anchor`, for paging: thread n is
    titled "<title> n" and says "<text> n"."""
    start = anchor - timedelta(days=1)
    mentions = tuple(
        IncomingMention(
            external_id=f"demo-{kind}-{n}",
            created_at=start + timedelta(minutes=n),
            text=f"{text} {n}",
            author_handle="someone",
            title=f"{title} {n}",
            thread_id=f"demo-{kind}-{n}",
        )
        for n in range(count)
    )
    return DemoPosts(kind=kind, now=anchor, our_account=DEMO_CHANNELS[kind]["our_accounts"][0], mentions=mentions)
