"""One conversation of the demo week (`Thread`), as the platforms' modules beside this one write them.

A post is only ever added after every post of its kind: Mastodon's, Discord's and Discourse's replays number the
posts in time order, so a post added in the past would give a demo desk seeded before new ids for the later ones.

`truth` is what the opening post is, read as a person would by docs/judgement.md's table ("What is judged"): the
demo's truth, which bench/judgement_demo.py measures the desk's judgement against. It has no default, so a thread
written without one fails at import."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.adapters.base import Media

OURS = "@ours"  # stands for the channel's own account in the samples
# The judgements a person may give an opening post (mentions.models.Judgement's values, which channels may not import).
TRUTHS = ("needs_response", "worth_knowing", "noise")


@dataclass(frozen=True)
class Thread:
    """An opening post and its follow-ups: when (days before the week's end, hour of the day in UTC, minutes after
    the opening post), who and what. `media` is what the opening post carries (a screenshot): each platform's
    replay shows it in the platform's own shape, and the adapter's parser reads it back into the message's
    attachments, as a polled post's would be. `truth`: the opening post's judgement by a reader (keyword only)."""

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
    truth: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.truth not in TRUTHS:
            opening = self.title or self.text[:40]
            raise ValueError(f"{self.kind} thread {opening!r}: truth {self.truth!r} is none of {TRUTHS}")
