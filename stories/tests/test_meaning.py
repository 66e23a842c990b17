"""Meaning where words fail (stories.detection.meaning), with the real embedding model (all-MiniLM-L6-v2 on the CPU, as
the worker runs it) and tickets stored through the real ingest: an outage told in different words forms one story,
a later mention in other words joins it while the burst goes on, and not once the story has gone quiet. The
embeddings endpoint's failure is faked with `responses` in the OpenAI embeddings API's shape."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import responses

from mentions.models import TicketMeaning
from stories.detection.detector import stories_detect
from stories.models import MeaningDay, Membership, Story
from stories.tests.helpers import RELEASE_DAY, background, mention

pytestmark = pytest.mark.django_db

# One outage in different words: no link, and no pair of words all of them share.
OUTAGE = [
    "ci jobs on gitlab.com never start, everything sits in pending",
    "my pipelines are stuck waiting for a runner on gitlab.com for 20 minutes now",
    "gitlab.com jobs not being picked up by the shared runners, anyone else?",
    "shared runners on gitlab.com stopped picking up jobs",
]
OTHER_WORDS = "is it down for everyone or just me? pipelines won't start"


def _story(ticket) -> Story | None:
    m = Membership.objects.filter(ticket=ticket).select_related("story").first()
    return m.story if m else None


def _outage(at):
    return [mention(k, t, at=at + timedelta(minutes=3 * i)) for i, (k, t) in
            enumerate(zip(["twitter", "reddit", "hackernews", "twitter"], OUTAGE, strict=True))]  # fmt: skip


def test_an_outage_told_in_different_words_is_one_story_and_everyday_talk_stays_out():
    background()
    at = RELEASE_DAY + timedelta(hours=2)
    tickets = _outage(at)
    everyday = mention("reddit", "How do I cache node_modules between pipeline jobs in gitlab?", at=at)
    stories_detect()

    story = _story(tickets[0])
    assert story is not None and {_story(t) for t in tickets} == {story}
    assert _story(everyday) is None
    vias = set(Membership.objects.filter(story=story).values_list("via", flat=True))
    assert Membership.Via.MEANING in vias
    # The centroid is kept in the story's row: the sum of its tickets' stored vectors.
    assert story.meaning_n == story.size == 4
    stored = [np.frombuffer(bytes(v), dtype=np.float16).astype(np.float32)
              for v in TicketMeaning.objects.filter(ticket__in=tickets).values_list("vector", flat=True)]  # fmt: skip
    total = np.frombuffer(bytes(story.meaning), dtype=np.float32)
    assert np.allclose(total, np.sum(stored, axis=0), atol=1e-3)
    # The day's meaning is counted, as its words are: the usual meaning the next days are compared with.
    assert MeaningDay.objects.get(day=at.date()).tickets == 5


def test_a_mention_in_other_words_joins_while_the_burst_goes_on_not_once_the_story_is_quiet():
    background()
    at = RELEASE_DAY + timedelta(hours=2)
    tickets = _outage(at)
    stories_detect()
    story = _story(tickets[0])
    assert story is not None

    during = mention("twitter", OTHER_WORDS, at=at + timedelta(minutes=25))
    stories_detect()
    assert _story(during) == story
    assert Membership.objects.get(ticket=during).reason.startswith("reads like the story's mentions (meaning 0.")

    later = mention("reddit", OTHER_WORDS + " again", at=at + timedelta(hours=3))
    stories_detect()
    assert _story(later) is None  # the same meaning, but the story has had no ticket for hours: not its burst


@responses.activate
def test_without_meaning_vectors_stories_still_form_on_links(settings):
    """The team's embeddings endpoint down (an OpenAI-compatible server answering 503, as tests/test_embeddings.py
    fakes it): the detector goes on with links and words."""
    from advocacy import embeddings

    settings.DESK_EMBEDDINGS_URL = "http://models.internal:11434/v1"
    responses.add(responses.POST, "http://models.internal:11434/v1/embeddings", status=503, json={"error": "busy"})
    embeddings.embedder_reset()
    try:
        post = "https://about.gitlab.com/releases/2026/11/20/gitlab-18-6-released/"
        a = mention("twitter", f"18.6 is out {post}", at=RELEASE_DAY)
        b = mention("reddit", f"release notes: {post}", at=RELEASE_DAY + timedelta(minutes=4))
        stories_detect()
    finally:
        embeddings.embedder_reset()
    assert _story(a) == _story(b) is not None
    assert not TicketMeaning.objects.exists()


def test_a_story_told_all_afternoon_at_a_slow_pace_takes_a_ticket_in_other_words_for_two_hours():
    """Not bursting (none of its tickets in the hour before), but with many tickets' meaning behind its centroid
    and one in the last two hours: a release talked about all afternoon takes a post near it in meaning."""
    from stories.tests.wave import release_wave

    background()
    wave = release_wave(x=4, reddit=3, hn=2, start=RELEASE_DAY + timedelta(hours=1))  # 9 tickets, 27 minutes
    story = _story(wave.tickets["twitter"][0])
    assert story is not None and story.size == 9
    last = max(t.requested_at for t in wave.all)
    words = "since the newest gitlab version our ci acts strange, did something about runners get altered?"
    near = mention("twitter", words, at=last + timedelta(minutes=80))
    stories_detect()
    assert _story(near) == story
    assert Membership.objects.get(ticket=near).reason.startswith("reads like the story's mentions (meaning 0.")

    late = mention("reddit", words + " (still)", at=near.requested_at + timedelta(hours=2, minutes=10))
    stories_detect()
    assert _story(late) is None  # its latest ticket over two hours before: the story is over
