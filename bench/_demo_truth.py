"""The demo's truth (issue 68): every mention the demo seeds that opens a ticket, with what a reader makes of it
(`needs_response`, `worth_knowing` or `noise`, by docs/judgement.md's table), gathered from where each is written:

- the week's threads (channels/demo/threads/*.py and the platforms' own demo.py): `Thread.truth`;
- the Hacker News replay's stories (channels/demo/hn_samples.json): a story's `truth` (its comments join its ticket);
- the answers' earlier questions (answers/management/commands/seed_demo_answers.py): the last of each `EARLIER` row;
- the Slack shortcut's question (slackapp/management/commands/seed_demo_slack.py): `TRUTH`;
- the stories' release day and outage (stories/management/commands/seed_demo_stories.py): the last of each row.

`tickets_truth()` finds each seeded ticket's truth by its first inbound message: the ticket's channel kind and the
words the mention opens with (its title when it has no text), as intake/management/commands/_demo_week.py finds a
thread's ticket. The month before the week (channels.demo.month: posts made from a topic's sentences, for the
community figures) is not labelled and is left out: its tickets are `month_ticket_ids()`. Used by
bench/judgement_demo.py and by tests/test_demo_truth.py, so the test counts what the bench measures. Needs Django set
up (the seeders' modules import models)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

OPENING = 40  # characters: enough to tell the demo's mentions of one channel kind apart (the test checks it)


@dataclass(frozen=True)
class Truth:
    source: str  # the file the label is written in
    kind: str  # the kind of the channel whose ticket it opens
    author: str
    opening: str  # the first OPENING characters of its text in plain words, or its title when it has no text
    truth: str


@dataclass
class Matched:
    """Each ticket's truth; the tickets with none or with several, and the truths no ticket took."""

    truth_of: dict[int, Truth] = field(default_factory=dict)
    without: list[int] = field(default_factory=list)
    ambiguous: list[int] = field(default_factory=list)
    unseen: list[Truth] = field(default_factory=list)


def plain(text: str) -> str:
    """Text as the ingest keeps it, for comparing: tags dropped (Hacker News sends HTML), entities read, spaces
    collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def _truth(source: str, kind: str, author: str, title: str, text: str, truth: str) -> Truth:
    return Truth(source, kind, author, plain(text)[:OPENING] or plain(title), truth)


def demo_truths() -> list[Truth]:
    """Every labelled mention that opens a ticket of the demo, in the order seed_demo stores them."""
    from answers.management.commands.seed_demo_answers import EARLIER
    from channels.adapters.hackernews.platform import PLATFORM as HACKER_NEWS
    from channels.adapters.hackernews.replay import SAMPLES
    from channels.adapters.slack.platform import PLATFORM as SLACK
    from channels.demo.threads import THREADS
    from slackapp.management.commands.seed_demo_slack import QUESTION, TRUTH
    from stories.management.commands.seed_demo_stories import OUTAGE, RELEASE_DAY

    found = [_truth("threads", t.kind, t.author, t.title, t.text, t.truth) for t in THREADS]
    found += [
        _truth("hn_samples.json", HACKER_NEWS.kind, s["author"], s["title"], s.get("text", ""), s["truth"])
        for s in SAMPLES
        if s["type"] == "story"
    ]
    found += [_truth("seed_demo_answers", k, a, title, q, truth) for k, _, title, a, q, _, truth in EARLIER]
    found.append(_truth("seed_demo_slack", SLACK.kind, "", "", QUESTION, TRUTH))
    found += [
        _truth("seed_demo_stories", k, a, title, text, truth) for k, _, a, title, text, truth in RELEASE_DAY + OUTAGE
    ]
    return found


def month_ticket_ids() -> set[int]:
    """The tickets of the demo's month (their posts' ids begin channels.demo.month.MONTH_PREFIX)."""
    from channels.demo.month import MONTH_PREFIX
    from mentions.models import Message

    rows = Message.objects.filter(external_id__startswith=MONTH_PREFIX, ticket__isnull=False)
    return set(rows.values_list("ticket_id", flat=True))


def tickets_truth(truths: list[Truth] | None = None) -> Matched:
    """The truth of each ticket in the database but the month's, read from its first inbound message."""
    from mentions.judgement.reading import first_mentions
    from mentions.models import Ticket

    truths = demo_truths() if truths is None else truths
    month = month_ticket_ids()
    ids = [i for i in Ticket.objects.order_by("id").values_list("id", flat=True) if i not in month]
    first = first_mentions(ids)
    matched = Matched()
    taken: set[int] = set()
    for ticket_id in ids:
        mention = first.get(ticket_id)
        if mention is None:
            matched.without.append(ticket_id)
            continue
        said = (plain(mention.text), plain(mention.title))
        hits = [
            n
            for n, t in enumerate(truths)
            if t.kind == mention.platform and any(words.startswith(t.opening) for words in said)
        ]
        if not hits:
            matched.without.append(ticket_id)
        elif len(hits) > 1 or hits[0] in taken:
            matched.ambiguous.append(ticket_id)
        else:
            taken.add(hits[0])
            matched.truth_of[ticket_id] = truths[hits[0]]
    matched.unseen = [t for n, t in enumerate(truths) if n not in taken]
    return matched
