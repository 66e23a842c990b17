"""Praise alone is never a story (issue 69: a praise post with no problem in it became a story of three tickets).
A praise post, its author's repeat on another platform and a reply that says little more, stored through the real
ingest (IncomingMentions as the parsers make them) over weeks of ordinary background, each way a story forms: the
same link, the same pair of bursting words, or meaning alone. The texts are written here; the detector and the
judgement are the worker's own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentions.judgement.run import tickets_judge
from mentions.models import Ticket
from stories.detection.detector import stories_detect
from stories.models import Membership, Story
from stories.tests.helpers import RELEASE_DAY, background, mention

pytestmark = pytest.mark.django_db

POST = "https://dev.example.blog/posts/merge-trains-made-release-day-calm"
THANKS = "Huge thanks to the GitLab team, the new merge trains made our release day so calm"
# Each: the praise post, its author's repeat elsewhere, and a reply or a like-minded post.
PRAISE = {
    "the same link": [
        ("twitter", f"{THANKS} {POST}", "ana"),
        ("mastodon", f"{THANKS} {POST}", "ana@hachyderm.io"),
        ("reddit", f"This! {POST}", "bob"),
    ],
    "the same words": [
        ("twitter", THANKS, "ana"),
        ("mastodon", THANKS, "ana@hachyderm.io"),
        ("reddit", "Agreed, merge trains made our release calm too, thanks GitLab", "bob"),
    ],
    "the same meaning": [
        ("twitter", "Just want to say the GitLab team is amazing, thank you for everything you do", "ana"),
        ("mastodon", "Shoutout to GitLab folks, you are awesome, thanks for all the hard work", "carl"),
        ("reddit", "GitLab team you rock, really grateful for your great work", "bob"),
    ],
}


def _posted(texts: list[tuple[str, str, str]]) -> list[Ticket]:
    at = RELEASE_DAY + timedelta(hours=2)
    return [
        mention(kind, text, at=at + timedelta(minutes=3 * n), author=who) for n, (kind, text, who) in enumerate(texts)
    ]


def _stories(tickets: list[Ticket]) -> set[int]:
    return set(Membership.objects.filter(ticket__in=tickets).values_list("story_id", flat=True))


@pytest.mark.parametrize("shared", sorted(PRAISE))
def test_a_praise_post_with_its_repeat_and_a_reply_is_no_story(shared):
    background()
    tickets = _posted(PRAISE[shared])

    stories_detect()

    assert _stories(tickets) == set()


def test_praise_judged_before_the_detector_read_it_is_no_story_either():
    # The worker was behind (beat's runs judge and detect in either order): the judgement's intent is read.
    background()
    tickets = _posted(PRAISE["the same meaning"])
    tickets_ids = [t.pk for t in tickets]
    tickets_judge(tickets_ids)

    stories_detect()

    assert set(Ticket.objects.filter(pk__in=tickets_ids).values_list("intent", flat=True)) == {"praise"}
    assert _stories(tickets) == set()


def test_a_problem_report_on_the_praised_post_makes_the_story_and_the_praise_is_in_it():
    background()
    praise = _posted(PRAISE["the same link"][:2])
    stories_detect()
    problem = mention(
        "hackernews",
        f"After the merge trains change our pipelines are stuck in pending, is this a bug? {POST}",
        at=RELEASE_DAY + timedelta(hours=2, minutes=10),
    )

    stories_detect()

    story = Story.objects.get()
    assert _stories([*praise, problem]) == {story.pk} and story.origin == Story.Origin.LINK and story.size == 3
