"""The story detector on real PostgreSQL, with tickets stored through the real ingest (IncomingMentions as the
platforms' parsers make them: plain text, X's t.co links already expanded)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from stories.detection.detector import stories_detect
from stories.models import Exclusion, Key, Membership, Signature, Story
from stories.tests.helpers import RELEASE_DAY, background, mention

pytestmark = pytest.mark.django_db

POST = "https://about.gitlab.com/releases/2026/11/20/gitlab-18-6-released/"


def _story(ticket) -> Story | None:
    m = Membership.objects.filter(ticket=ticket).select_related("story").first()
    return m.story if m else None


def test_the_same_page_shared_in_different_ways_is_one_story_across_platforms():
    a = mention("twitter", f"18.6 is out! {POST}?utm_source=twitter&utm_medium=social", at=RELEASE_DAY)
    b = mention("reddit", "Upgraded this morning, smooth so far", at=RELEASE_DAY + timedelta(minutes=5))
    c = mention("hackernews", "http://www.about.gitlab.com/releases/2026/11/20/gitlab-18-6-released#whats-new",
                at=RELEASE_DAY + timedelta(minutes=9), title="GitLab 18.6 released")  # fmt: skip
    stories_detect()

    story = _story(a)
    assert story is not None and _story(c) == story
    assert _story(b) is None  # no link and nothing else shared: not joined on a hunch
    assert story.size == 2 and story.origin == Story.Origin.LINK
    assert story.title == "GitLab 18.6 released"  # the post that links to it names it
    reasons = set(story.memberships.values_list("reason", flat=True))
    assert reasons == {"links to the same URL: about.gitlab.com/releases/2026/11/20/gitlab-18-6-released"}


def test_bursting_terms_make_a_story_and_later_tickets_join_it_while_everyday_ones_stay_out():
    background()
    at = RELEASE_DAY + timedelta(hours=2)
    first = [
        mention("twitter", "is gitlab.com down? 502 bad gateway on every git push", at=at),
        mention("reddit", "GitLab.com returning 502 Bad Gateway for anyone else?", at=at + timedelta(minutes=3)),
        mention("hackernews", "Getting 502 bad gateway from gitlab.com, status green", at=at + timedelta(minutes=4)),
    ]  # fmt: skip
    everyday = mention("twitter", "How do I cache node_modules between pipeline jobs in gitlab?", at=at)
    stories_detect()
    later = mention("twitter", "502 gateway errors on gitlab again, CI stuck", at=at + timedelta(minutes=20))
    stories_detect()

    story = _story(first[0])
    assert story is not None and {_story(t) for t in first} == {story}
    assert _story(later) == story
    assert _story(everyday) is None
    assert story.size == 4 and story.origin == Story.Origin.TERMS
    assert {"502", "gateway"} <= set(story.terms.values())
    why = Membership.objects.get(ticket=later).reason
    assert why.startswith("shares: ") and "502" in why and "gateway" in why


def test_two_tickets_sharing_words_are_not_yet_a_story_and_old_ones_are_out_of_the_window():
    background()
    at = RELEASE_DAY + timedelta(hours=2)
    mention("twitter", "the new security dashboard graphs in 18.6 look broken", at=at - timedelta(days=2))
    a = mention("reddit", "security dashboard graphs broken after 18.6?", at=at)
    b = mention("twitter", "18.6 security dashboard graphs are empty for me", at=at + timedelta(minutes=2))
    stories_detect()
    assert _story(a) is None and _story(b) is None  # the third is two days older: out of the window

    c = mention("hackernews", "Security dashboard graphs gone in 18.6", at=at + timedelta(minutes=5))
    stories_detect()
    assert _story(a) == _story(b) == _story(c) is not None


def test_a_ticket_read_late_joins_the_stories_of_its_own_time_never_one_that_began_weeks_after_it():
    # An import, a backfilled poll or the demo's month stored after this week's tickets: the detector reads them
    # after this week's stories exist. A month-old ticket sharing the story's words and its link stays out of it
    # (it once pulled the demo's month into the week's stories, and merged the release story into another).
    background()
    at = RELEASE_DAY + timedelta(hours=2)
    week = [
        mention("twitter", f"runner helper image pin ignored after 18.6 {POST}", at=at),
        mention("reddit", "18.6 runner helper image pin broken, jobs fail", at=at + timedelta(minutes=4)),
        mention("mastodon", "after 18.6 the runner helper image pin is ignored", at=at + timedelta(minutes=9)),
    ]
    stories_detect()
    story = _story(week[0])
    assert story is not None and {_story(t) for t in week} == {story}

    month_ago = at - timedelta(days=30)
    late = [
        mention("reddit", "runner helper image pin ignored, jobs fail", at=month_ago),
        mention("twitter", f"helper image pin question {POST}", at=month_ago + timedelta(minutes=5)),
    ]
    near = mention("twitter", "runner helper image pin ignored here too", at=at - timedelta(hours=3))
    stories_detect()

    assert all(_story(t) != story for t in late)
    assert _story(near) == story  # within the window before the story began: still its own
    story.refresh_from_db()
    assert story.first_at == near.requested_at and story.size == 4


def test_each_ticket_is_read_once_and_a_second_run_changes_nothing():
    a = mention("twitter", f"release notes {POST}", at=RELEASE_DAY)
    b = mention("reddit", f"see {POST}", at=RELEASE_DAY + timedelta(minutes=1))
    first = stories_detect()
    assert (first.read, first.joined, first.made) == (2, 2, 1)
    again = stories_detect()
    assert (again.read, again.joined, again.made) == (0, 0, 0)
    assert Membership.objects.filter(ticket__in=[a, b]).count() == 2  # read: in a story (else a signature)
    link = "l:about.gitlab.com/releases/2026/11/20/gitlab-18-6-released"
    assert Key.objects.filter(key=link).count() == 2  # the index holds each once


def _release_story():
    """The release post shared on X and Reddit a minute apart, detected: one story of both tickets."""
    a = mention("twitter", f"release notes {POST}", at=RELEASE_DAY)
    b = mention("reddit", f"see {POST}", at=RELEASE_DAY + timedelta(minutes=1))
    stories_detect()
    story = _story(a)
    assert story is not None
    return story, b


def test_a_moved_out_ticket_is_never_pulled_into_a_story_again():
    story, b = _release_story()
    Membership.objects.filter(ticket=b).delete()
    Exclusion.objects.create(story=story, ticket=b)
    c = mention("hackernews", f"discussion: {POST}", at=RELEASE_DAY + timedelta(minutes=2))
    stories_detect()
    assert _story(c) == story and _story(b) is None


def test_a_ticket_joins_the_story_a_merged_one_went_into():
    old, _ = _release_story()
    target = Story.objects.create(title="Release day", origin=Story.Origin.ADVOCATE, first_at=RELEASE_DAY,
                                  last_at=RELEASE_DAY)  # fmt: skip
    Story.objects.filter(pk=old.pk).update(merged_into=target)
    c = mention("hackernews", f"discussion: {POST}", at=RELEASE_DAY + timedelta(minutes=2))
    stories_detect()
    assert _story(c) == target


def test_a_ticket_joining_an_answered_story_gets_its_answer_as_the_suggested_reply():
    story, _ = _release_story()
    Story.objects.filter(pk=story.pk).update(
        state=Story.State.ANSWERED, answer="Thanks! The highlights are in the release post."
    )
    c = mention("reddit", f"what's new: {POST}", at=RELEASE_DAY + timedelta(minutes=3))
    stories_detect()
    c.refresh_from_db()
    assert "The highlights are in the release post." in c.reply_draft


def test_a_ticket_committed_after_a_run_went_past_it_is_read_by_the_next_sweep():
    from django.utils import timezone

    from stories.models import DetectorState

    late = mention("twitter", f"release notes {POST}", at=RELEASE_DAY)
    stories_detect()
    # As if `late`'s ingest committed after a run had read past it: unread, below the newest ticket read.
    for read_mark in (Signature, Membership, Key):
        read_mark.objects.filter(ticket=late).delete()
    Story.objects.all().delete()
    newer = mention("reddit", f"see {POST}", at=RELEASE_DAY + timedelta(minutes=1))
    DetectorState.objects.filter(pk=1).update(swept_at=timezone.now())
    after_ingest = stories_detect()
    assert after_ingest.read == 1  # only what is new: the range below waits for the sweep
    assert _story(late) is None
    swept = stories_detect(sweep=True)  # beat's run, or the after-ingest one a minute later
    assert swept.read == 1 and _story(late) == _story(newer) is not None
    state = DetectorState.objects.get()
    assert state.read_through == newer.pk and stories_detect(sweep=True).read == 0


@pytest.mark.django_db(transaction=True)
def test_two_detectors_at_once_read_each_ticket_once():
    tickets = [
        mention("twitter", f"release notes {n} {POST}", at=RELEASE_DAY + timedelta(minutes=n)) for n in range(30)
    ]
    results = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(stories_detect(batch=7))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.read for r in results) == 30
    assert Membership.objects.count() == 30 and Membership.objects.values("ticket").distinct().count() == 30
    assert Membership.objects.filter(ticket__in=tickets).values("story").distinct().count() == 1
    assert Story.objects.get().size == 30


def test_prune_keeps_the_window_and_forgets_what_no_run_reads_again():
    from django.utils import timezone

    from stories.detection.prune import stories_prune
    from stories.models import DetectorState, TermDay

    now = timezone.now()
    old = mention("twitter", f"notes {POST}", at=now - timedelta(days=40))
    new = mention("reddit", f"see {POST}", at=now - timedelta(hours=1))
    stories_detect()
    DetectorState.objects.filter(pk=1).update(last_ticket_id=new.pk)
    old_keys = Key.objects.filter(ticket=old).count()
    assert old_keys >= 1
    assert stories_prune(now=now)["keys"] == old_keys
    assert set(Key.objects.values_list("ticket_id", flat=True)) == {new.pk}
    assert not Signature.objects.filter(ticket=old).exists() and Signature.objects.filter(ticket=new).exists()
    assert not TermDay.objects.filter(day__lt=(now - timedelta(days=35)).date()).exists()
    assert TermDay.objects.filter(day=(now - timedelta(hours=1)).date()).exists()
