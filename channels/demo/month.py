"""The demo's month before its week (issue 70): about 30 days of a community talking on the demo's public platforms,
so the community figures (mentions per platform and day, sentiment, topics, returning members) have a past to show.
intake's `_demo_month` stores it through the ingest, as a poll would have, and solves each thread as planned here.

Deterministic (one seeded `random.Random`), offline, and relative to the day it is seeded: days 7 to 36 before it, as
the week is days 0 to 6. Each post is made of a topic's sentences (channels.demo.month_texts); weekdays are busier
than weekends, and a run of compute-minutes complaints falls in the month's second half, as a quota change would
bring. Our account answers most posts, most within the first-reply target and some after it; some members post again
within 30 days, and more of those answered within target than of the others (a member's chance of posting again
is 55 % after an answer within target, 30 % after a late one, 20 % after none; a return after the month's last day is
not made, so fewer are seen), as the desk's claim goes, not every one of them.

Every post's id begins `demo-month-` (`MONTH_PREFIX`): the demo's labelled truth (bench/_demo_truth.py) leaves the
month out, its sentences repeating by design."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.adapters.base import IncomingMention
from channels.adapters.guard import item_mentions
from channels.demo.month_texts import ASIDES, CLOSINGS, FIRST, RUNNER_KINDS, RUNNER_TOPICS, SECOND, TOPICS, Topic

MONTH_PREFIX = "demo-month-"
FIRST_DAY, DAYS = 7, 30  # days before the seeding day: the week is days 0 to 6
SEED = 70
# Posts a day by platform, against each other; the platforms whose posts have a title.
KINDS = {"twitter": 24, "reddit": 18, "discourse": 14, "stackexchange": 10, "github": 9, "mastodon": 9, "bluesky": 8,
         "discord": 8}  # fmt: skip
TITLED = {"reddit", "discourse", "stackexchange", "github"}
TAGGED = {"twitter", "mastodon", "bluesky"}  # posts that name our account to reach us
WEEKDAY_POSTS, WEEKEND_POSTS = (9, 14), (3, 7)
BURST_DAYS, BURST_POSTS = range(17, 22), (2, 4)  # days ago: the compute-minutes complaints
TARGET = timedelta(hours=7)  # the first-reply target over all channels (mentions.Target's default)
COMES_BACK = {"within": 0.55, "over": 0.3, "none": 0.2}  # by how the member's post was answered


@dataclass(frozen=True)
class MonthPost:
    """One post opening a thread, and what the desk did with it: our first reply after `reply_after` (None: solved
    without a reply), then solved `solved_after` the post."""

    kind: str
    number: int
    at: datetime
    author: str
    title: str
    text: str
    topic: str
    tags: tuple[str, ...]
    reply: str
    reply_after: timedelta | None
    solved_after: timedelta
    returning: bool  # the member posted before in the month

    @property
    def root(self) -> str:
        return f"{MONTH_PREFIX}{self.kind}-{self.number}"

    @property
    def answered_within_target(self) -> bool:
        return self.reply_after is not None and self.reply_after <= TARGET


def _handle(rng: random.Random, kind: str, taken: set[tuple[str, str]]) -> str:
    while True:
        first, second, number = rng.choice(FIRST), rng.choice(SECOND), rng.choice(("", "", str(rng.randint(2, 99))))
        handle = {
            "twitter": f"{first}_{second}{number}",
            "mastodon": f"{first}{second}@{rng.choice(('toot.example', 'floss.example', 'social.example'))}",
            "bluesky": f"{first}-{second}.bsky.social",
            "discord": f"{first}{second}{number}",
        }.get(kind, f"{first}-{second}{number}")
        if (kind, handle) not in taken:
            taken.add((kind, handle))
            return handle


def _fate(rng: random.Random, topic: Topic) -> tuple[timedelta | None, timedelta]:
    """(our first reply after, solved after): most answered within the target, some after it, a few never."""
    if rng.random() >= topic.answered:
        return None, timedelta(minutes=rng.randint(60, 26 * 60))
    if rng.random() < 0.78:
        reply = timedelta(minutes=rng.choice((rng.randint(8, 90), rng.randint(90, 400))))
    else:
        reply = timedelta(minutes=rng.randint(8 * 60, 40 * 60))
    return reply, reply + timedelta(minutes=rng.randint(15, 8 * 60))


def _opening(rng: random.Random, topic: Topic, last: dict[str, str]) -> str:
    """One of the topic's openings, never the one its previous post began with (two alike in a row read as a bot)."""
    opening = rng.choice([o for o in topic.openings if o != last.get(topic.name)] or topic.openings)
    last[topic.name] = opening
    return opening


def _unused(rng: random.Random, used: set[tuple[str, str]], kind: str, make: Callable[[], str]) -> str:
    """A text `make` gives that no earlier post or reply on the platform has: two people do not write the same words,
    and an answer greets whom it answers (a thread served again shows as the same text in two tickets, which the demo's
    poll test looks for). Another draw first, then an aside added."""
    text, tries = make(), 0
    while (kind, text) in used:
        tries += 1
        text = make() if tries < 12 else f"{make()} {rng.choice(ASIDES)}" if tries < 40 else f"{make()} ({tries})"
    used.add((kind, text))
    return text


def _greeted(kind: str, author: str, answer: str) -> str:
    return f"@{author} {answer}" if kind in TAGGED or kind == "discord" else f"Hi {author}! {answer}"


def _post(
    rng: random.Random,
    kind: str,
    number: int,
    at: datetime,
    author: str,
    topic: Topic,
    returning: bool,
    opening: str,
    used: set[tuple[str, str]],
) -> MonthPost:
    def said() -> str:
        closing = rng.choice(CLOSINGS) if topic.asks else ""
        text = " ".join(part for part in (opening, rng.choice(topic.details), closing) if part)
        return f"@gitlab {text}" if kind in TAGGED else text

    text = _unused(rng, used, kind, said)
    reply_after, solved_after = _fate(rng, topic)
    reply = (
        ""
        if reply_after is None
        else _unused(rng, used, kind, lambda: _greeted(kind, author, rng.choice(topic.answers)))
    )
    return MonthPost(
        kind=kind,
        number=number,
        at=at,
        author=author,
        title=rng.choice(topic.titles) if kind in TITLED else "",
        text=text,
        topic=topic.name,
        tags=topic.tags,
        reply=reply,
        reply_after=reply_after,
        solved_after=solved_after,
        returning=returning,
    )


def month_posts(today: datetime) -> list[MonthPost]:
    """The month's opening posts, oldest first, `today` being the day the demo is seeded (its week's last day)."""
    rng = random.Random(SEED)
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    kinds, kind_weights = list(KINDS), list(KINDS.values())
    weights = [t.weight for t in TOPICS]
    runner_weights = [t.weight for t in RUNNER_TOPICS]
    minutes_topic = next(t for t in TOPICS if t.name == "ci-minutes")
    taken: set[tuple[str, str]] = set()
    numbers = dict.fromkeys(KINDS, 0)
    last: dict[str, str] = {}
    used: set[tuple[str, str]] = set()
    posts: list[MonthPost] = []
    pending: list[tuple[datetime, str, str, float]] = []  # members coming back: when, kind, handle, their chance after

    def add(at: datetime, kind: str, author: str, topic: Topic, returning: bool, chance: float | None) -> None:
        if kind in RUNNER_KINDS and topic is not minutes_topic:  # the runner's community talks of the runner
            topic = rng.choices(RUNNER_TOPICS, runner_weights)[0]
        numbers[kind] += 1
        post = _post(rng, kind, numbers[kind], at, author, topic, returning, _opening(rng, topic, last), used)
        posts.append(post)
        answered = "none" if post.reply_after is None else "within" if post.answered_within_target else "over"
        odds = COMES_BACK[answered] * (chance if chance is not None else 1.0)
        if rng.random() < odds:
            pending.append((at + timedelta(days=rng.randint(2, 27), hours=rng.randint(-6, 6)), kind, author, 0.5))

    for days_ago in range(FIRST_DAY + DAYS - 1, FIRST_DAY - 1, -1):
        day = midnight - timedelta(days=days_ago)
        low, high = WEEKEND_POSTS if day.weekday() >= 5 else WEEKDAY_POSTS
        todays = [rng.choices(TOPICS, weights)[0] for _ in range(rng.randint(low, high))]
        if days_ago in BURST_DAYS:
            todays += [minutes_topic] * rng.randint(*BURST_POSTS)
        for topic in todays:
            kind = rng.choices(kinds, kind_weights)[0]
            at = day + timedelta(hours=rng.randint(6, 21), minutes=rng.randint(0, 59))
            add(at, kind, _handle(rng, kind, taken), topic, False, None)
        end = day + timedelta(days=1)
        back, pending[:] = [p for p in pending if p[0] < end], [p for p in pending if p[0] >= end]
        # A member comes back at least two days after their post: always on a day still to be made.
        for at, kind, author, chance in sorted(back):
            add(at, kind, author, rng.choices(TOPICS, weights)[0], True, chance)
    return sorted(posts, key=lambda p: (p.at, p.root))


def post_mentions(post: MonthPost, *, ours: str) -> list[IncomingMention]:
    """The post and our reply (when it had one), as the platform's adapter hands them to intake: cleaned."""
    found = [
        IncomingMention(
            external_id=post.root,
            created_at=post.at,
            text=post.text,
            author_handle=post.author,
            author_name=post.author,
            title=post.title,
            thread_id=post.root,
            raw={"demo": True, "month": post.root},
        )
    ]
    if post.reply_after is not None:
        found.append(
            IncomingMention(
                external_id=f"{post.root}-1",
                created_at=post.at + post.reply_after,
                text=post.reply,
                author_handle=ours,
                author_name=ours,
                parent_id=post.root,
                thread_id=post.root,
                by_us=True,
                raw={"demo": True, "month": post.root},
            )
        )
    return [cleaned for mention in found for cleaned in item_mentions(mention, lambda item: item)]
