"""One conversation of the demo week (`Thread`), as the platforms' modules beside this one write them.

A post is only ever added after every post of its kind: Mastodon's, Discord's and Discourse's replays number the
posts in time order, so a post added in the past would give a demo desk seeded before new ids for the later ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.adapters.base import Media

OURS = "@ours"  # stands for the channel's own account in the samples


@dataclass(frozen=True)
class Thread:
    """An opening post and its follow-ups: when (days before the week's end, hour of the day in UTC, minutes after
    the opening post), who and what. `media` is what the opening post carries (a screenshot): each platform's
    replay shows it in the platform's own shape, and the adapter's parser reads it back into the message's
    attachments, as a polled post's would be."""

    kind: str
    days_ago: int
    hour: int
    title: str
    author: str
    text: str
    followups: tuple[tuple[int, str, str], ...] = ()
    outcome: str = "waiting"
    priority: str = "normal"
    tags: tuple[str, ...] = field(default=())
    media: tuple[Media, ...] = field(default=())
