"""The edges of one answer to many: a reply made on the platform marked from its draft, a post whose outcome is
unknown never posted again by the desk, the outcomes polled only while replies are on their way, the story's answer
inserted from the ticket page's panel, and the demo's stories command.

The platform shapes come from stories/tests/wave.py, which says where each is recorded; X's read timeout is
what `requests` raises when X takes the post and never answers (channels/adapters/twitter/reply.py turns it into
"may have been posted")."""

from __future__ import annotations

import pytest
import requests
import responses
from django.core.management import call_command
from django.urls import reverse

from advocacy.celery import app as celery_app
from channels.adapters.twitter import TWEETS_URL
from mentions.models import Message, ReplySend, Ticket
from mentions.tests.factories import seen
from stories.models import Story, StoryReply
from stories.tests.wave import release_wave

pytestmark = pytest.mark.django_db

ANSWER = "Fixed in 18.6.1, out today: upgrade and the pinned helper images work again."


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _prepare(client, story) -> None:
    assert client.post(reverse("stories:answer", args=[story.pk]), {"answer": ANSWER}).status_code == 302


def test_a_reply_made_on_hacker_news_is_marked_from_its_draft(advocate_client):
    wave = release_wave(x=1, reddit=0, hn=2)
    _prepare(advocate_client, wave.story)
    hn = wave.tickets["hackernews"][0]
    link = "https://news.ycombinator.com/item?id=42424242"

    no_link = advocate_client.post(reverse("stories:mark", args=[wave.story.pk, hn.pk]), {}, follow=True)
    assert f"#{hn.pk}: give the link of your reply on the platform." in no_link.content.decode()
    response = advocate_client.post(
        reverse("stories:mark", args=[wave.story.pk, hn.pk]),
        {f"body-{hn.pk}": "Fixed in 18.6.1 (as said on HN).", f"link-{hn.pk}": link},
        follow=True,
    )
    assert f"#{hn.pk} marked replied." in response.content.decode()
    row = StoryReply.objects.get(ticket=hn)
    assert (row.status, row.link, row.body) == (StoryReply.Status.MARKED, link, "Fixed in 18.6.1 (as said on HN).")
    ticket = Ticket.objects.get(pk=hn.pk)
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.SOLVED
    assert ticket.messages.get(kind=Message.Kind.OUR_REPLY).permalink == link
    assert Story.objects.get(pk=wave.story.pk).state == Story.State.ANSWERED
    again = advocate_client.post(
        reverse("stories:mark", args=[wave.story.pk, hn.pk]), {f"link-{hn.pk}": link}, follow=True
    )
    assert "has no draft to mark replied" in again.content.decode()
    assert Message.objects.filter(ticket=hn, kind=Message.Kind.OUR_REPLY).count() == 1


@responses.activate
def test_a_post_whose_outcome_is_unknown_is_never_posted_again_only_marked(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=2, reddit=0, hn=0)
    responses.post(TWEETS_URL, body=requests.ReadTimeout("read timed out"))
    _prepare(advocate_client, wave.story)
    ticket = wave.tickets["twitter"][0]  # sent alone
    form = {"include": [str(ticket.pk)], f"body-{ticket.pk}": StoryReply.objects.get(ticket=ticket).body}
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form)
    row = StoryReply.objects.get(ticket=ticket)
    assert row.status == StoryReply.Status.FAILED and "may have been posted" in row.error
    assert ReplySend.objects.get(key=row.send_key).status == ReplySend.Status.UNKNOWN
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert "The desk could not tell whether its post went out" in page and 'data-testid="draft-link"' in page

    # Sent again without a link: nothing is posted; with the link of the post found on X: marked replied.
    with django_capture_on_commit_callbacks(execute=True):
        waiting = advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form, follow=True)
    assert "Nothing was sent: 1 ticket waits for the link of your reply on the platform." in waiting.content.decode()
    found = "https://x.com/GitLab/status/1860000000000000777"
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), {**form, f"link-{ticket.pk}": found})
    row.refresh_from_db()
    assert (row.status, row.link) == (StoryReply.Status.MARKED, found)
    assert len(responses.calls) == 1  # X was asked once
    assert Ticket.objects.get(pk=ticket.pk).first_reply_at is not None


def test_the_outcomes_are_polled_only_while_replies_are_on_their_way(
    advocate_client, django_capture_on_commit_callbacks
):
    wave = release_wave(x=1, reddit=1, hn=0)
    _prepare(advocate_client, wave.story)
    form = {"include": [str(t.pk) for t in wave.all]}
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not started yet
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form)
    url = reverse("stories:outcomes", args=[wave.story.pk])
    partial = advocate_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith("<section") or 'id="outcomes"' in partial
    assert f'hx-get="{url}" hx-trigger="every 2s"' in partial and "2 on the way" in partial
    StoryReply.objects.filter(story=wave.story).update(status=StoryReply.Status.SENT)
    done = advocate_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "2 sent" in done


def test_the_panel_inserts_the_tickets_draft_into_the_reply_box_or_its_saved_draft(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=2, reddit=0, hn=0)
    _prepare(advocate_client, wave.story)
    Story.objects.filter(pk=wave.story.pk).update(state=Story.State.ANSWERED)
    ticket = wave.tickets["twitter"][1]
    draft = StoryReply.objects.get(ticket=ticket).body
    url = reverse("stories:insert", args=[wave.story.pk, ticket.pk])

    as_json = advocate_client.post(url, HTTP_ACCEPT="application/json")  # answers.js put it in the box already
    assert as_json.json() == {"text": draft} and Ticket.objects.get(pk=ticket.pk).reply_draft == ""
    without_js = advocate_client.post(url, {"seen": seen(ticket)})  # the composer's form, its box left empty
    assert without_js.status_code == 302 and without_js["Location"].endswith("#composer")
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == draft
    assert draft.startswith(f"@{ticket.requester_handle} Fixed in 18.6.1")


def test_the_demo_stories_command_makes_a_release_day_and_an_outage_once(django_user_model):
    from django.contrib.auth.models import Group

    from mentions.permissions.roles import ADVOCATES, roles_ensure

    roles_ensure()
    django_user_model.objects.create_user(username="advocate").groups.add(Group.objects.get(name=ADVOCATES))
    call_command("seed_demo_stories")
    release, outage = Story.objects.filter(merged_into__isnull=True).order_by("-size")
    assert (release.size, outage.size) == (20, 6)
    assert release.title == "GitLab 18.6: pinned runner helper images fail after the upgrade"
    assert StoryReply.objects.filter(story=release, status=StoryReply.Status.DRAFT).count() == 20
    # Run alone (no seed_demo before it), no account is connected: each draft waits for the link of a reply made on
    # the platform (stories/tests/test_demo_release_day.py sends them all on the seeded demo).
    assert StoryReply.objects.filter(story=release).exclude(handle="").count() == 0
    assert outage.state == Story.State.ANSWERED
    assert StoryReply.objects.filter(story=outage, status=StoryReply.Status.MARKED).count() == 2
    call_command("seed_demo_stories")
    assert Story.objects.count() == 2
