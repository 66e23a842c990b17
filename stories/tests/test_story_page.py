"""The story pages as an advocate works them: the list, a story's timeline with why each ticket joined, moving
tickets out and in, merging stories, renaming, closing; who may (403 otherwise); what reaches the page from the
internet stays text; the page's queries do not grow with the story; the ticket page's Story panel and the queue's
line per story.

The tickets come through the real ingest and detector from the platforms' own shapes (stories/tests/wave.py
says where each is recorded)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.tests.clients import SignedInClient
from mentions.models import Ticket
from mentions.tests.factories import UserFactory, ViewFactory
from stories.detection.detector import stories_detect
from stories.models import Exclusion, Membership, Story
from stories.tests.wave import reddit_connected, reddit_ingest, release_wave, x_channel, x_ingest

pytestmark = pytest.mark.django_db

STATUS_URL = "https://status.gitlab.com/incidents/k8x2"


def _outage(*, n: int = 3) -> Story:
    """An outage told on X and Reddit, all linking to the status page's incident."""
    at = timezone.now() - timedelta(hours=1)
    x_ingest(x_channel(), [(f"down_dev{i}", f"@GitLab 502 on every push, down? {STATUS_URL}", at) for i in range(n)])
    reddit_ingest(reddit_connected(), [("sre_sam", "gitlab.com 502", f"Pipelines fail with 502 {STATUS_URL}", at)])
    from stories.detection.detector import stories_detect

    stories_detect()
    return Story.objects.get(links__contains=["status.gitlab.com/incidents/k8x2"])


def test_the_story_page_shows_its_size_per_platform_and_a_timeline_with_why_each_joined(advocate_client):
    wave = release_wave()
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert 'data-testid="story-facts"><strong>20 tickets</strong>' in page
    assert '<span class="platform-count p-twitter">X 8</span>' in page
    assert '<span class="platform-count p-reddit">Reddit 7</span>' in page
    assert '<span class="platform-count p-hackernews">HN 5</span>' in page
    assert page.count('data-testid="timeline-row"') == 20
    assert page.count("Why: links to the same URL: about.gitlab.com/releases/2026/11/20/gitlab-18-6-released") == 20
    first = wave.all[0]
    assert f'data-ticket="{first.pk}"' in page and "@GitLab is the runner change in 18.6" in page
    assert '<strong class="tl-who">X User0</strong> <span class="muted tl-handle">@x_user0</span>' in page
    listing = advocate_client.get(reverse("stories:list")).content.decode()
    assert 'data-testid="story-row"' in listing and "X 8" in listing and ">20<" in listing
    assert f'href="{reverse("stories:list")}">Stories</a>' in listing  # in the main navigation


def test_the_story_page_runs_as_many_queries_for_twenty_tickets_as_for_three(
    advocate_client, django_assert_max_num_queries
):
    def queries(story: Story) -> int:
        url = story.get_absolute_url()
        advocate_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert advocate_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = release_wave(x=1, reddit=1, hn=1)
    advocate_client.post(reverse("stories:answer", args=[small.story.pk]), {"answer": "Fixed in 18.6.1."})
    few = queries(small.story)
    big = release_wave(x=8, reddit=7, hn=5, start=timezone.now() - timedelta(days=3))
    advocate_client.post(reverse("stories:answer", args=[big.story.pk]), {"answer": "Fixed in 18.6.1."})
    advocate_client.get(big.story.get_absolute_url())  # the wave made channels: the trackers are read again once
    with django_assert_max_num_queries(few):
        response = advocate_client.get(big.story.get_absolute_url())
    assert response.content.decode().count('data-testid="draft"') == 20
    assert few <= 14


def test_what_comes_from_the_internet_stays_text(advocate_client):
    hostile = '<img src=x onerror="alert(1)">'
    at = timezone.now() - timedelta(hours=1)
    link = "https://example.com/evil"
    x_ingest(x_channel(), [(f"h{i}", f"@GitLab {hostile} look {link}", at + timedelta(minutes=i)) for i in range(3)])
    from stories.detection.detector import stories_detect

    stories_detect()
    story = Story.objects.get()
    advocate_client.post(reverse("stories:rename", args=[story.pk]), {"title": "<script>alert('t')</script> Release"})
    advocate_client.post(reverse("stories:answer", args=[story.pk]), {"answer": "<b>bold</b> {requester}"})
    page = advocate_client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; Release" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    queue = advocate_client.get("/").content.decode()
    assert "<script>alert" not in queue and 'data-testid="queue-story"' in queue


def test_move_out_keeps_the_size_right_and_the_detector_away_and_move_in_says_who(advocate_client):
    wave = release_wave(x=3, reddit=2, hn=1)
    out = wave.tickets["reddit"][0]
    response = advocate_client.post(reverse("stories:move-out", args=[wave.story.pk, out.pk]), follow=True)
    assert f"#{out.pk} moved out of the story" in response.content.decode()
    story = Story.objects.get(pk=wave.story.pk)
    assert story.size == 5 == Membership.objects.filter(story=story).count()
    assert Exclusion.objects.filter(story=story, ticket=out, by=advocate_client.user).exists()
    assert f'data-ticket="{out.pk}"' not in response.content.decode()
    assert stories_detect().read == 0  # out of the story, still read: the detector leaves it alone
    assert not Membership.objects.filter(ticket=out).exists()

    response = advocate_client.post(reverse("stories:move-in", args=[story.pk]), {"ticket": f"#{out.pk}"}, follow=True)
    assert f"#{out.pk} moved into the story." in response.content.decode()
    membership = Membership.objects.get(ticket=out)
    assert membership.story_id == story.pk and membership.reason == f"moved in by {advocate_client.user.username}"
    assert membership.via == Membership.Via.ADVOCATE and membership.added_by == advocate_client.user
    assert not Exclusion.objects.filter(story=story, ticket=out).exists()
    assert Story.objects.get(pk=story.pk).size == 6
    page = response.content.decode()
    assert f"Why: moved in by {advocate_client.user.username}" in page

    again = advocate_client.post(reverse("stories:move-in", args=[story.pk]), {"ticket": str(out.pk)}, follow=True)
    assert f"#{out.pk} is already in this story." in again.content.decode()
    nothing = advocate_client.post(reverse("stories:move-in", args=[story.pk]), {"ticket": "99999999"}, follow=True)
    assert "There is no ticket #99999999." in nothing.content.decode()


def test_a_ticket_moved_in_from_another_story_leaves_it_with_the_right_size(advocate_client):
    release = release_wave(x=2, reddit=1, hn=0)
    outage = _outage(n=3)
    moved = Membership.objects.filter(story=outage).values_list("ticket_id", flat=True)[0]
    advocate_client.post(reverse("stories:move-in", args=[release.story.pk]), {"ticket": str(moved)})
    assert Story.objects.get(pk=outage.pk).size == 3 == Membership.objects.filter(story=outage).count()
    assert Story.objects.get(pk=release.story.pk).size == 4
    assert Exclusion.objects.filter(story=outage, ticket_id=moved).exists()


def test_merging_moves_the_tickets_and_leaves_the_merged_story_pointing_at_the_other(advocate_client):
    release = release_wave(x=2, reddit=1, hn=1)
    outage = _outage(n=3)
    page = advocate_client.get(outage.get_absolute_url()).content.decode()
    assert f'<option value="{release.story.pk}">' in page  # a live story to merge into

    response = advocate_client.post(
        reverse("stories:merge", args=[outage.pk]), {"into": str(release.story.pk)}, follow=True
    )
    assert response.redirect_chain[-1][0] == release.story.get_absolute_url()
    merged, target = Story.objects.get(pk=outage.pk), Story.objects.get(pk=release.story.pk)
    assert merged.merged_into_id == target.pk and merged.size == 0
    assert target.size == 8 == Membership.objects.filter(story=target).count()
    assert Membership.objects.filter(story=target, via=Membership.Via.MERGE).count() == 4
    assert "status.gitlab.com/incidents/k8x2" in target.links
    assert response.content.decode().count('data-testid="timeline-row"') == 8
    # The merged story's address leads to the story its tickets are in now.
    followed = advocate_client.get(outage.get_absolute_url(), follow=True)
    assert followed.redirect_chain[-1][0] == target.get_absolute_url()
    assert f"Story {outage.pk} was merged into this one." in followed.content.decode()
    itself = advocate_client.post(reverse("stories:merge", args=[target.pk]), {"into": str(target.pk)}, follow=True)
    assert "Choose another story to merge this one into." in itself.content.decode()


def test_rename_close_and_reopen(advocate_client):
    wave = release_wave(x=2, reddit=1, hn=0)
    url = wave.story.get_absolute_url()
    advocate_client.post(reverse("stories:rename", args=[wave.story.pk]), {"title": "  GitLab 18.6:\nrunner  change "})
    assert Story.objects.get(pk=wave.story.pk).title == "GitLab 18.6: runner change"
    empty = advocate_client.post(reverse("stories:rename", args=[wave.story.pk]), {"title": "  "}, follow=True)
    assert "Give the story a title." in empty.content.decode()

    advocate_client.post(reverse("stories:state", args=[wave.story.pk]), {"state": "closed"})
    assert Story.objects.get(pk=wave.story.pk).state == Story.State.CLOSED
    page = advocate_client.get(url).content.decode()
    assert "Reopen the story to answer it." in page and 'value="open">Reopen<' in page
    advocate_client.post(reverse("stories:state", args=[wave.story.pk]), {"state": "open"})
    assert Story.objects.get(pk=wave.story.pk).state == Story.State.OPEN


def test_only_people_who_work_the_queue_see_or_change_stories(client):
    wave = release_wave(x=2, reddit=1, hn=0)
    outsider = SignedInClient()
    outsider.user = UserFactory()
    outsider.force_login(outsider.user)
    ticket = wave.all[0]
    for url in (
        reverse("stories:list"),
        wave.story.get_absolute_url(),
        reverse("stories:outcomes", args=[wave.story.pk]),
    ):
        assert outsider.get(url).status_code == 403
    posts = [
        (reverse("stories:rename", args=[wave.story.pk]), {"title": "Mine"}),
        (reverse("stories:state", args=[wave.story.pk]), {"state": "closed"}),
        (reverse("stories:move-out", args=[wave.story.pk, ticket.pk]), {}),
        (reverse("stories:move-in", args=[wave.story.pk]), {"ticket": str(ticket.pk)}),
        (reverse("stories:answer", args=[wave.story.pk]), {"answer": "Hi"}),
        (reverse("stories:send", args=[wave.story.pk]), {"include": [str(ticket.pk)]}),
        (reverse("stories:insert", args=[wave.story.pk, ticket.pk]), {}),
    ]
    for url, data in posts:
        assert outsider.post(url, data).status_code == 403, url
    story = Story.objects.get(pk=wave.story.pk)
    assert (story.title, story.state, story.size, story.answer) == (wave.story.title, "open", 3, "")
    assert "stories:list" not in outsider.get("/", follow=True).content.decode()


def test_the_ticket_page_shows_the_story_and_the_queue_shows_it_as_one_line(advocate_client):
    wave = release_wave(x=8, reddit=7, hn=5)
    ViewFactory(name="Everything", slug="everything")
    ticket = wave.tickets["reddit"][2]
    panel = advocate_client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "story_panel"])).content.decode()
    assert 'data-testid="story-panel-counts">20 tickets (X 8, Reddit 7, HN 5)</p>' in panel
    assert "Why this ticket: links to the same URL: about.gitlab.com/releases" in panel
    assert f'href="{wave.story.get_absolute_url()}"' in panel
    assert 'data-testid="story-insert"' not in panel  # nothing to insert before the story is answered
    loner = Ticket.objects.exclude(pk__in=[t.pk for t in wave.all]).first()
    if loner is not None:
        assert (
            'data-testid="story-panel"'
            not in advocate_client.get(
                reverse("mentions:ticket-panel", args=[loner.pk, "story_panel"])
            ).content.decode()
        )

    Ticket.objects.filter(pk__in=[t.pk for t in wave.tickets["hackernews"]]).update(status=Ticket.Status.SOLVED)
    queue = advocate_client.get(reverse("mentions:queue")).content.decode()
    assert queue.count('data-testid="queue-story"') == 1
    assert "20 tickets · <strong>15 waiting</strong>" in queue and "X 8, Reddit 7, HN 5" in queue
    assert f'<a class="btn secondary small" href="{wave.story.get_absolute_url()}">Open</a>' in queue


def test_a_story_answered_by_a_user_since_deleted_still_opens(advocate_client):
    """The answer's author is SET_NULL when their user goes: the page says so instead of failing (it answered
    500 when bench/_pages_people.py first loaded stories without an author)."""
    story = _outage()
    who = UserFactory()
    story.answered_at, story.answered_by = timezone.now(), who
    story.save(update_fields=["answered_at", "answered_by"])
    who.delete()
    response = advocate_client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Answered by a former team member" in response.content.decode()
