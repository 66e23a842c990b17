"""Erasing a person reaches what the story detector kept of their tickets (stories.privacy.stories_erase, through
people.person_erase): the day's term counts lose exactly their tickets' words, their story's word counts and
title forget them, a ticket addressing them keeps its own words but not their handle, and their ticket's index
keys go, and their text's meaning leaves the story's centroid and the day's sum; the detector, run again, builds
none of it back. Mentions are IncomingMentions as the Hacker News and Reddit parsers make them, stored through
the real ingest."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from advocacy.embeddings import from_bytes
from channels.adapters.base import IncomingMention
from intake.pipeline import mentions_ingest
from mentions.models import Message, TicketMeaning
from mentions.tests.factories import ManagerFactory
from people.models import Identity
from people.privacy import person_erase
from stories.detection.detector import stories_detect
from stories.models import Key, MeaningDay, Membership, Signature, Story, TermDay
from stories.tests.helpers import RELEASE_DAY, channel

pytestmark = pytest.mark.django_db
NAME, HANDLE = "Zyxwvut Qoppa", "zyx_qoppa_42"
POST = "https://gitlab.com/gitlab-org/gitlab-runner/-/issues/4242"


def said(n: int, kind: str, text: str, *, author: str, name: str = "", title: str = "", mentioned=()) -> int:
    external_id = f"erasure-story-{n}"
    mentions_ingest(
        channel=channel(kind),
        mentions=[
            IncomingMention(
                external_id=external_id,
                created_at=RELEASE_DAY + timedelta(minutes=n),
                text=text,
                title=title,
                author_handle=author,
                author_name=name,
                mentioned=tuple(mentioned),
            )
        ],
    )
    ticket_id = Message.objects.get(external_id=external_id).ticket_id
    assert ticket_id is not None  # an ingested message always has its ticket
    return ticket_id


def counts(*terms: str) -> dict[str, int]:
    return dict(TermDay.objects.filter(term__in=terms, day=RELEASE_DAY.date()).values_list("term", "tickets"))


def test_their_words_leave_the_counts_their_story_and_the_index_and_the_detector_does_not_bring_them_back():
    theirs = said(
        1, "hackernews", f"I am {NAME}: runner cache broken {POST}", author=HANDLE, name=NAME,
        title=f"{NAME}: runner cache broken after upgrade",
    )  # fmt: skip
    said(2, "reddit", f"runner cache broken here too {POST}", author="vera_k", title="Runner cache broken for us too")
    said(3, "hackernews", f"same runner cache bug {POST}", author="ola_b")
    addressing = said(4, "reddit", f"@{HANDLE} did the qoppa trick fix your runner?", author="dana_m",
                      mentioned=[HANDLE])  # fmt: skip
    stories_detect()
    story = Membership.objects.get(ticket_id=theirs).story
    assert story.title == f"{NAME}: runner cache broken after upgrade"
    assert {"zyxwvut", "qoppa"} <= set(story.term_counts)
    assert counts("runner", "cach", "zyxwvut", f"@{HANDLE}") == {"runner": 4, "cach": 3, "zyxwvut": 1, f"@{HANDLE}": 1}
    assert Key.objects.filter(ticket_id=theirs).exists()
    story_meaning = np.frombuffer(bytes(story.meaning), dtype=np.float32)
    their_meaning = from_bytes(TicketMeaning.objects.get(ticket_id=theirs).vector)
    assert story.meaning_n == story.size
    day_n = MeaningDay.objects.get(day=RELEASE_DAY.date()).tickets

    erasure = person_erase(person=Identity.objects.get(key=HANDLE).person, actor=ManagerFactory(), via="api")

    # Exactly their words off the day's counts: all of their mention's, the addressing one's handle only (its own
    # words stay with its text, "qoppa" among them: a word, not one of their strings).
    assert counts("runner", "cach", "zyxwvut", "qoppa", f"@{HANDLE}", "trick") == {
        "runner": 3,
        "cach": 2,
        "qoppa": 1,
        "trick": 1,
    }
    story.refresh_from_db()
    assert story.title == "Runner cache broken for us too"  # their subject was its title: another member's now
    assert not {"zyxwvut", "qoppa"} & set(story.term_counts) and story.term_counts["runner"][1] == 2
    assert not Key.objects.filter(ticket_id=theirs).exists() and Key.objects.filter(ticket_id=addressing).exists()
    assert not Key.objects.filter(key__icontains=HANDLE).exists()
    signature = Signature.objects.filter(ticket_id=addressing).first()
    assert signature is None or not any(HANDLE in t or t == "qoppa" for t in signature.terms)
    assert erasure.counts["stories"] == 1
    # Their text's meaning leaves the story's centroid and the day's sum too.
    assert story.meaning_n == story.size - 1
    assert np.allclose(np.frombuffer(bytes(story.meaning), dtype=np.float32), story_meaning - their_meaning, atol=1e-4)
    assert MeaningDay.objects.get(day=RELEASE_DAY.date()).tickets == day_n - 1

    stories_detect(sweep=True)
    assert Story.objects.get(pk=story.pk).title == "Runner cache broken for us too"
    assert counts("zyxwvut", f"@{HANDLE}") == {}
