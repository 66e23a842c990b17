"""Bursts (stories.detection.bursts): an outage told in short problem reports, with no link and no pair of words in
common, becomes one story while the hour's traffic is well above the usual; praise and questions of the same hour stay
out of it; the same reports on a desk whose every hour is that busy are no burst. Real embedding model, tickets
stored through the real ingest, as stories/tests/test_meaning.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from stories.detection import bursts
from stories.detection.detector import stories_detect
from stories.models import Membership, Story
from stories.tests.helpers import RELEASE_DAY, background, mention

pytestmark = pytest.mark.django_db

# Problem reports in different words: "down", "502", "can't push", "won't load", no link.
REPORTS = [
    ("twitter", "gitlab.com down again?? getting 502 on every page"),
    ("reddit", "Can't push to gitlab.com, git just hangs and then times out"),
    ("twitter", "gitlab is broken for me right now, the site won't load at all"),
    ("hackernews", "GitLab.com returning errors for everyone? Our deploys are failing"),
    ("twitter", "@gitlab your site keeps timing out, nothing works"),
]
PRAISE = "Really love the new gitlab merge request page, so much faster and cleaner"
QUESTION = "How do I set a default branch for new projects in a gitlab group?"


def _story_of(ticket) -> Story | None:
    m = Membership.objects.filter(ticket=ticket).select_related("story").first()
    return m.story if m else None


def _burst(at):
    return [mention(k, t, at=at + timedelta(minutes=2 * i)) for i, (k, t) in enumerate(REPORTS)]


def test_problem_reports_in_a_burst_are_one_story_and_praise_and_questions_stay_out():
    background()
    at = RELEASE_DAY + timedelta(hours=3)
    reports = _burst(at)
    praise = mention("twitter", PRAISE, at=at + timedelta(minutes=3))
    question = mention("reddit", QUESTION, at=at + timedelta(minutes=4))
    stories_detect()

    story = _story_of(reports[0])
    assert story is not None and story.origin == Story.Origin.BURST
    assert {_story_of(t) for t in reports} == {story}
    assert _story_of(praise) is None and _story_of(question) is None
    vias = list(Membership.objects.filter(story=story).values_list("via", flat=True))
    # The burst's first reports make it; one that came before the others may join it on its meaning after.
    assert vias.count(Membership.Via.BURST) >= 3 and set(vias) <= {Membership.Via.BURST, Membership.Via.MEANING}
    reasons = set(Membership.objects.filter(story=story, via=Membership.Via.BURST).values_list("reason", flat=True))
    (reason,) = reasons  # the reports that made it, with how many and how fast
    assert re.fullmatch(r"one of [3-7] problem reports in \d+ min, alike in meaning", reason), reason

    # A later report in other words joins the burst going on; praise of that minute does not.
    later = mention("twitter", "is gitlab having an outage? my pipelines error out", at=at + timedelta(minutes=20))
    thanks = mention("twitter", "thanks gitlab team, the new runner dashboard is great", at=at + timedelta(minutes=21))
    stories_detect()
    assert _story_of(later) == story
    assert _story_of(thanks) is None


def test_the_same_reports_in_an_hour_as_busy_as_any_other_are_no_burst(monkeypatch):
    """The rate is measured against the usual one: a desk whose every hour brings this many tickets sees no burst
    in them (here the factor stands for a busier desk: the background of 12 a day makes the usual hour 0.5)."""
    background()
    monkeypatch.setattr(bursts, "RATE_FACTOR", 40.0)  # 40 x 0.5 = 20 tickets an hour needed
    reports = _burst(RELEASE_DAY + timedelta(hours=3))
    stories_detect()
    assert not Story.objects.filter(origin=Story.Origin.BURST).exists()
    assert not Membership.objects.filter(ticket__in=reports, via=Membership.Via.BURST).exists()
