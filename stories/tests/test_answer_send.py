"""One answer sent to a story of 20 tickets on three platforms, through the story page, the worker's task and the
desk's own reply paths: X and Reddit posted through their reply endpoints (faked with `responses`), Hacker News
marked replied with the links of replies made there. Pressing Send twice, the task running twice and a worker
lost between the platform's answer and the outcome never post twice.

The platform shapes come from stories/tests/wave.py, which says where each is recorded (the X v2 docs sample,
Reddit's recorded listings and comment envelope, hn.algolia.com's recorded hits); an e-mail requester is tied to
their person as the ingest ties one (people/tests/factories.py)."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from advocacy.celery import app as celery_app
from channels.adapters.reddit.reply import COMMENT_URL
from channels.adapters.registry import platform_of
from channels.adapters.reply_rule import ReplyRule
from mentions.models import Message, ReplySend, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from stories.answering.drafts import ticket_draft
from stories.models import Story, StoryReply
from stories.tasks import answer_send
from stories.tests.wave import RELEASE_URL, release_wave, reply_endpoints_fake, x_ingest

pytestmark = pytest.mark.django_db

LINK = "https://docs.gitlab.com/runner/upgrade/18-6/"
ANSWER = (
    "Thanks for the report! 18.6 moves the runner's default executor image to the new helper, so jobs that pinned "
    "the old helper image fail until the pin is removed or updated. The upgrade notes list the exact setting to "
    "change, and a fix that keeps old pins working ships in 18.6.1 on Thursday."
)
X_RULE = platform_of("twitter").reply_rule
x_length = X_RULE.length


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _post_id(ticket: Ticket) -> str:
    """The platform's id of the mention a ticket's reply answers."""
    return ticket.messages.get(kind=Message.Kind.INBOUND).external_id or ""


def _prepare(client, story):
    response = client.post(reverse("stories:answer", args=[story.pk]), {"answer": ANSWER, "link": LINK})
    assert response.status_code == 302, response.content.decode()[:2000]


def _send_form(story, *, hn_links=True):
    """What the drafts form posts when the advocate sends every draft as proposed (HN: the links of their replies)."""
    include: list[str] = []
    data: dict[str, object] = {"include": include}
    for row in StoryReply.objects.filter(story=story).select_related("ticket__channel"):
        include.append(str(row.ticket_id))
        data[f"body-{row.ticket_id}"] = row.body
        if row.ticket.channel.kind == "hackernews" and hn_links:
            data[f"link-{row.ticket_id}"] = f"https://news.ycombinator.com/item?id={90000 + row.ticket_id}"
    return data


def test_the_answer_is_drafted_for_each_ticket_as_its_platform_replies(advocate_client):
    wave = release_wave()
    _prepare(advocate_client, wave.story)

    rows = {r.ticket_id: r for r in StoryReply.objects.filter(story=wave.story)}
    assert len(rows) == 20
    for ticket in wave.tickets["twitter"]:
        draft = rows[ticket.pk]
        assert draft.body.startswith(f"@{ticket.requester_handle} Thanks for the report!")
        assert x_length(draft.body) <= 280 and draft.body.endswith(f"… {LINK}")  # cut at a word, the link kept
        assert draft.shortened and draft.handle == "GitLab"
        assert draft.plan_note == "Sent from @GitLab: the post mentions @GitLab."
    for ticket in wave.tickets["reddit"]:
        draft = rows[ticket.pk]
        assert draft.body == f"{ANSWER}\n\n{LINK}" and not draft.shortened and draft.handle == "gitlab_team"
    for ticket in wave.tickets["hackernews"]:
        draft = rows[ticket.pk]
        assert draft.body == f"{ANSWER}\n\n{LINK}" and draft.handle == ""
        assert draft.plan_note.startswith("No posting from the desk on Hacker News: reply there and give the link")

    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert page.count('data-testid="draft"') == 20
    assert page.count('data-testid="draft-shortened"') == 8
    assert page.count('data-testid="draft-no-post"') == 5 and page.count('data-testid="draft-link"') == 5
    assert 'data-testid="draft-from">Sent from @GitLab: the post mentions @GitLab.<' in page
    assert page.count('data-testid="draft-length"') == 8  # where replies are short (X); not Reddit's 10000
    assert Story.objects.get(pk=wave.story.pk).state == Story.State.OPEN  # drafted, not answered yet


@responses.activate
def test_one_answer_reaches_twenty_tickets_on_three_platforms_once_whatever_is_pressed_or_retried(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave()
    advocate = advocate_client.user
    fakes = reply_endpoints_fake()
    _prepare(advocate_client, wave.story)
    form = _send_form(wave.story)

    # Send pressed twice (a double click) before the worker got to it: two tasks queued, each run once.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form)
        second = advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form)
    assert first.status_code == second.status_code == 302
    assert StoryReply.objects.filter(story=wave.story, status=StoryReply.Status.QUEUED).count() == 20
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "20 on the way" in page  # the page polls its outcomes
    assert len(queued) == 2
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()

    # The task again (a retry), and a worker lost after the platform answered but before the outcome was written.
    assert answer_send.apply(args=(wave.story.pk, advocate.pk)).get() == {}
    lost = StoryReply.objects.get(ticket=wave.tickets["twitter"][0])
    StoryReply.objects.filter(pk=lost.pk).update(status=StoryReply.Status.SENDING)
    assert answer_send.apply(args=(wave.story.pk, advocate.pk)).get() == {"sent": 1}
    # And Send pressed once more after everything went: nothing is left to send.
    again = advocate_client.post(reverse("stories:send", args=[wave.story.pk]), form, follow=True)
    assert "Nothing to send" in again.content.decode()

    # Each platform's endpoint was asked exactly once per ticket.
    x_posts = {_post_id(t) for t in wave.tickets["twitter"]}
    reddit_posts = {_post_id(t) for t in wave.tickets["reddit"]}
    assert sorted(fakes.x_replies) == sorted(x_posts) and len(fakes.x_replies) == 8
    assert sorted(fakes.reddit_replies) == sorted(reddit_posts) and len(fakes.reddit_replies) == 7
    assert len([c for c in responses.calls if c.request.url == COMMENT_URL]) == 7
    for ticket in wave.tickets["twitter"]:
        text = fakes.texts[_post_id(ticket)]
        assert text.startswith(f"@{ticket.requester_handle} ") and x_length(text) <= 280 and LINK in text

    # 20 outcomes: 15 posted with their links, 5 marked replied with the links given; 20 first replies.
    rows = list(StoryReply.objects.filter(story=wave.story).select_related("ticket"))
    assert len(rows) == 20
    assert {r.status for r in rows if r.ticket.channel_id != wave.hn.pk} == {StoryReply.Status.SENT}
    assert {r.status for r in rows if r.ticket.channel_id == wave.hn.pk} == {StoryReply.Status.MARKED}
    assert all(
        r.link.startswith(("https://x.com/GitLab/status/", "https://www.reddit.com/r/gitlab/"))
        for r in rows
        if r.status == "sent"
    )
    assert all(r.link.startswith("https://news.ycombinator.com/item?id=") for r in rows if r.status == "marked")
    tickets = Ticket.objects.filter(pk__in=[t.pk for t in wave.all])
    assert tickets.filter(first_reply_at__isnull=False).count() == 20
    assert set(tickets.values_list("status", flat=True)) == {Ticket.Status.SOLVED}
    assert set(tickets.values_list("assignee", flat=True)) == {advocate.pk}
    assert Message.objects.filter(ticket__in=tickets, kind=Message.Kind.OUR_REPLY).count() == 20
    assert ReplySend.objects.filter(ticket__in=tickets).count() == 15  # one key each, never a second
    assert TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEvent.Kind.REPLY_SENT).count() == 15
    assert TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEvent.Kind.REPLIED).count() == 5
    story = Story.objects.get(pk=wave.story.pk)
    assert story.state == Story.State.ANSWERED and story.answered_by == advocate and story.answered_at
    assert story.answer == ANSWER and story.answer_link == LINK

    page = advocate_client.get(story.get_absolute_url()).content.decode()
    assert page.count('data-testid="outcome"') == 20 and 'hx-trigger="every 2s"' not in page
    assert "15 sent" in page and "5 marked replied" in page
    assert 'data-testid="drafts"' not in page  # nothing left to send


@responses.activate
def test_a_refused_reply_is_shown_in_words_and_sent_again_under_a_new_key(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=1, reddit=2, hn=0)
    locked_post = _post_id(wave.tickets["reddit"][0])
    thread_locked = [True]
    responses.post(  # registered first: it answers the locked thread's post while it is locked
        COMMENT_URL,
        json={"json": {"errors": [["THREAD_LOCKED", "Comments are locked.", "parent"]]}},
        match=[lambda request: (thread_locked[0] and f"thing_id={locked_post}" in request.body, "not locked")],
    )
    fakes = reply_endpoints_fake()
    _prepare(advocate_client, wave.story)
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), _send_form(wave.story))

    failed = StoryReply.objects.get(ticket=wave.tickets["reddit"][0])
    assert failed.status == StoryReply.Status.FAILED
    assert failed.error == "Reddit refused the reply: the thread is locked: nobody can comment."
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert "failed:</strong> Reddit refused the reply: the thread is locked" in page
    assert page.count('data-testid="draft"') == 1  # to send again
    assert 'data-testid="retry"' in page and "1 to send again or mark replied" in page

    # The moderators unlocked it: sent again, a new post under a new key.
    thread_locked[0] = False
    first_key = failed.send_key
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), _send_form(wave.story))
    failed.refresh_from_db()
    assert failed.status == StoryReply.Status.SENT and failed.send_key != first_key
    assert fakes.reddit_replies.count(locked_post) == 1 and len(fakes.reddit_replies) == 2
    assert len(fakes.x_replies) == 1


@responses.activate
def test_a_ticket_assigned_to_another_advocate_is_skipped_unless_a_manager_sends(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=2, reddit=0, hn=0)
    fakes = reply_endpoints_fake()
    theirs = wave.tickets["twitter"][1]
    Ticket.objects.filter(pk=theirs.pk).update(assignee=AdvocateFactory(username="bob"), status=Ticket.Status.OPEN)
    _prepare(advocate_client, wave.story)
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert "Assigned to bob: skipped unless they or a manager send it." in page

    with django_capture_on_commit_callbacks(execute=True):
        response = advocate_client.post(
            reverse("stories:send", args=[wave.story.pk]), _send_form(wave.story), follow=True
        )
    said = f"1 skipped (#{theirs.pk} assigned to bob: only they or a manager answer it)"
    assert said in response.content.decode()
    skipped = StoryReply.objects.get(ticket=theirs)
    assert skipped.status == StoryReply.Status.SKIPPED and len(fakes.x_replies) == 1

    manager = ManagerFactory()
    advocate_client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), _send_form(wave.story))
    skipped.refresh_from_db()
    assert skipped.status == StoryReply.Status.SENT and len(fakes.x_replies) == 2
    assert Ticket.objects.filter(pk=theirs.pk, assignee__username="bob").exists()  # answered for them, still theirs


@responses.activate
def test_a_ticket_joining_an_answered_story_gets_its_draft_as_the_suggested_reply(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=2, reddit=1, hn=0)
    reply_endpoints_fake()
    _prepare(advocate_client, wave.story)
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(reverse("stories:send", args=[wave.story.pk]), _send_form(wave.story))

    from django.utils import timezone

    from stories.detection.detector import stories_detect

    x_ingest(wave.x, [("late_larry", f"@GitLab still confused by 18.6 {RELEASE_URL}", timezone.now())])
    stories_detect()

    late = Ticket.objects.get(requester_handle="late_larry")
    draft = StoryReply.objects.get(story=wave.story, ticket=late)
    assert draft.status == StoryReply.Status.DRAFT and draft.body.startswith("@late_larry Thanks for the report!")
    assert late.reply_draft == draft.body and x_length(late.reply_draft) <= 280
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert page.count('data-testid="draft"') == 1 and f'data-ticket="{late.pk}"' in page
    # The ticket page's story panel offers the same text to insert.
    panel = advocate_client.get(reverse("mentions:ticket-panel", args=[late.pk, "story_panel"])).content.decode()
    assert 'data-testid="story-insert"' in panel and "@late_larry Thanks for the report!" in panel


def test_a_draft_is_cut_at_a_word_and_keeps_its_link_as_x_counts_it():
    long = "word " * 80
    body, shortened = X_RULE.fit(address="@dana ", text=long.strip(), link=LINK)
    assert shortened and body.startswith("@dana word word") and body.endswith(f"word… {LINK}")
    assert x_length(body) <= 280 < x_length(f"@dana {long.strip()} {LINK}")
    assert len(body) > 280  # X counts the link as 23, not its length
    fits, shortened = ReplyRule(limit=280).fit(address="", text="Short.", link=LINK)
    assert (fits, shortened) == (f"Short.\n\n{LINK}", False)
    placed, _ = ReplyRule(limit=None, link_separator=" ").fit(address="", text=f"See {LINK} for more.", link=LINK)
    assert placed == f"See {LINK} for more."  # the answer placed it ({link}): not added twice


def test_an_e_mail_requester_s_draft_greets_them_by_the_name_their_person_has():
    # Tied as the ingest ties an e-mail whose From had no display name: the platform's name is the address.
    address = "maintainer@example.net"
    priya = IdentityFactory(person=PersonFactory(name="Priya Raman"), platform="email", handle=address, key=address,
                            name=address)  # fmt: skip
    draft = ticket_draft(ticket=ticket_from(priya), answer="Your application is approved.")
    assert draft.body == "Hi Priya Raman,\n\nYour application is approved."
