"""Praise alone is not a story.

A story is one topic told by many that the team answers once: an outage, a release, a post everyone discusses. A
praise post and the replies and repeats it draws (the thanks cross-posted by its author, "This!" with its link
under it, "agreed, thanks!") share a link, bursting words and meaning as a story's first tickets do, and each of
the three ways a story forms made one of them (issue 69: a praise post with no problem in it became a story of
three tickets). Nothing in them asks for one answer. So a new story is not made when its first tickets are praise
alone (`praise_alone`); they stay outside any story, free to form one with a later ticket that is not praise, and a
praise ticket still joins a story that formed (a release's thanks belong to it).

Praise alone: no first ticket is something to answer (a question, a problem report, a feature request: the
judgement's intent, mentions.judgement, or for a ticket not judged yet, half or more of its K nearest shipped
examples in meaning, the vote bursts use for problem reports, stories.detection.bursts), and either every one was
judged praise, or together they read as praise: half or more of the K shipped examples nearest their mean meaning
are praise. On the five labelled afternoons of stories/eval the first three tickets of every true story read 3 of
7 praise at most (a release's: "18.6 is out, looks great"); praise posts with their repeats and replies read 4 or
5 of 7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from advocacy.embeddings import EmbeddingError
from mentions.meaning import ticket_vectors
from mentions.models import Intent, Ticket

if TYPE_CHECKING:
    from stories.detection.matching import Matcher
    from stories.detection.reading import Read

PRAISE = frozenset({Intent.PRAISE.value})
# What a team answers: a story of these is one whatever else its tickets say.
ANSWERED = frozenset({Intent.QUESTION, Intent.BUG, Intent.FEATURE_REQUEST, Intent.OUTAGE, Intent.COMPLAINT})
PRAISE_SHARE = 0.5  # of the K shipped examples nearest the tickets' mean meaning: they read as praise
ANSWERED_SHARE = 0.5  # of those nearest one ticket: it reads as something to answer (bursts' PROBLEM_SHARE)


def praise_alone(m: Matcher, members: list[Read]) -> bool:
    """Whether the tickets a new story would be made of are praise and nothing else (see the module's docstring).
    False when it cannot tell (no vector, no shipped example): the story forms as it did."""
    ids = [r.pk for r in members]
    judged = dict(
        Ticket.objects.filter(pk__in=ids, judged_at__isnull=False).exclude(intent="").values_list("pk", "intent")
    )
    if any(intent in ANSWERED for intent in judged.values()):
        return False
    if len(judged) == len(ids):
        return all(intent in PRAISE for intent in judged.values())
    vectors = {i: v for i in ids if (v := m.meanings.vectors.get(i)) is not None}
    if missing := [i for i in ids if i not in vectors]:
        try:  # a link's or words' first tickets may be older than the hour whose vectors the page read
            vectors.update(ticket_vectors(missing))
        except EmbeddingError:  # the team's endpoint is down: stories form as they did
            return False
    from stories.detection.bursts import intent_shares, seeds_load  # bursts reads meaning, which asks this module

    seeds = m.bursts.seeds if m.bursts.seeds is not None else seeds_load()
    dims = {len(v) for v in vectors.values()}
    if seeds is None or len(vectors) < len(ids) or len(dims) != 1:
        return False
    unjudged = [vectors[i] for i in ids if i not in judged]
    if max(intent_shares(seeds, unjudged, ANSWERED)) >= ANSWERED_SHARE:
        return False  # one of them reads as a question or a problem report
    mean = np.sum([v / max(float(np.linalg.norm(v)), 1e-9) for v in vectors.values()], axis=0)
    return intent_shares(seeds, [mean], PRAISE)[0] >= PRAISE_SHARE
