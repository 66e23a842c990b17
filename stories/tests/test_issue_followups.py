"""An issue filed from a story of 12 tickets on three platforms, followed on a local fake of GitLab's API until it
closes with a milestone, then one follow-up per ticket sent through the desk's reply path: pressed twice, a
platform refusing once then retried, a worker lost mid-send; each requester hears it once.

Shapes: GitLab's "New issue" and "Single project issue" answers are the documented issue object of
channels/adapters/gitlab/tests/fixtures/issue_new_docs.json (SOURCES.md: doc/api/issues.md's example response),
with only `iid`, `web_url`, `state`, `milestone` and `closed_at` replaced; X's and Reddit's reply endpoints and
the wave's mentions as stories/tests/wave.py says (the X v2 docs sample, Reddit's recorded listings and comment
envelope, hn.algolia.com's recorded hits)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from advocacy.celery import app as celery_app
from channels.adapters.gitlab.tests.shapes import BASE, CONFIG, ISSUES_URL, PROJECT, load
from channels.adapters.reddit.reply import COMMENT_URL
from channels.models import Account
from channels.tests.factories import ChannelFactory
from mentions.models import IssueLink, IssueTicket, Message, ReplySend, TicketEvent
from mentions.services.replies import replies_sweep
from mentions.ticket_page.history import history_lines
from stories.issues.follow import issues_follow
from stories.models import IssueFollowUp
from stories.tests.wave import release_wave, reply_endpoints_fake

pytestmark = pytest.mark.django_db

ISSUE_URL = f"{BASE}/{PROJECT}/-/issues/14"


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def gitlab_tracker():
    channel = ChannelFactory(kind="gitlab", name="GitLab issues", slug="gitlab-issues", config=dict(CONFIG))
    account = Account(channel=channel, username="gitlab-desk", reply_mode=Account.ReplyMode.DESK, position=0)
    account.tokens = {"access_token": "glpat-desk", "token_type": "private"}
    account.token_expires_at = timezone.now() + timedelta(days=30)
    account.status = Account.Status.CONNECTED
    account.save()
    return channel


def issue_object(**fields):
    found = copy.deepcopy(load("issue_new_docs.json"))
    found.update(iid=14, web_url=ISSUE_URL, **fields)
    return found


def _post_id(ticket) -> str:
    return ticket.messages.get(kind=Message.Kind.INBOUND).external_id or ""


@responses.activate
def test_an_issue_filed_from_a_story_is_followed_to_its_end_and_each_ticket_hears_once(
    advocate_client, eager, django_capture_on_commit_callbacks
):
    wave = release_wave(x=5, reddit=4, hn=3)
    tickets = wave.all
    assert len(tickets) == 12
    tracker = gitlab_tracker()
    filed: list[dict] = []

    def create(request):
        filed.append(json.loads(request.body))
        return 201, {}, json.dumps(issue_object())

    responses.add_callback(responses.POST, ISSUES_URL, callback=create, content_type="application/json")
    state = {"issue": issue_object()}
    reads: list[str] = []

    def read(request):
        reads.append(request.headers.get("PRIVATE-TOKEN", ""))
        return 200, {}, json.dumps(state["issue"])

    responses.add_callback(responses.GET, f"{ISSUES_URL}/14", callback=read, content_type="application/json")

    # Filed from the story: the mentions quoted and inert, the platforms linked, the expert named.
    response = advocate_client.post(
        reverse("stories:story-issue", args=[wave.story.pk]),
        {"where": f"{tracker.pk}:{PROJECT}", "expert": "Ana <b>@runner-lead</b>", "title": ""},
    )
    assert response.status_code == 302
    (body,) = filed
    description = body["description"]
    assert description.count("\n> ") >= 3 and "Reported by 12 people" in description
    assert "@\u200dGitLab is the runner change" in description  # the quoted @-mention pings nobody
    assert "<b>" not in description and "Expert: Ana &lt;b&gt;@\u200drunner-lead&lt;/b&gt;" in description
    link = IssueLink.objects.get()
    assert (link.project, link.number, link.url, link.filed) == (PROJECT, 14, ISSUE_URL, True)
    assert IssueTicket.objects.filter(issue=link).count() == 12
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ISSUE, data__action="filed").count() == 12
    page = advocate_client.get(wave.story.get_absolute_url()).content.decode()
    assert 'data-testid="story-issues"' in page and f"{PROJECT}#14" in page

    # Followed: read once, then not again within 15 minutes; still open: nothing drafted.
    now = timezone.now()
    assert issues_follow(now=now) == {"read": 1, "failed": 0, "drafted": 0}
    assert issues_follow(now=now + timedelta(minutes=5)) == {"read": 0, "failed": 0, "drafted": 0}
    assert reads == [""]  # the channel's own (public) read, not the account's write token

    # Closed in 18.7: twelve drafted follow-ups, however often it is read again.
    state["issue"] = issue_object(
        state="closed", milestone={"id": 1, "iid": 7, "title": "18.7"}, closed_at="2026-12-01T10:00:00.000Z"
    )
    assert issues_follow(now=now + timedelta(minutes=16))["drafted"] == 12
    assert issues_follow(now=now + timedelta(minutes=40)) == {"read": 0, "failed": 0, "drafted": 0}  # closed: done
    rows = {r.ticket_id: r for r in IssueFollowUp.objects.filter(issue=link)}
    assert len(rows) == 12 and {r.event for r in rows.values()} == {"closed"}
    for ticket in wave.tickets["twitter"]:
        assert (
            rows[ticket.pk].body == f"@{ticket.requester_handle} Fixed in 18.7: {ISSUE_URL}. Thanks for reporting it!"
        )
        assert rows[ticket.pk].handle == "GitLab"
    for ticket in wave.tickets["reddit"]:
        assert rows[ticket.pk].body == f"Fixed in 18.7: {ISSUE_URL}. Thanks for reporting it!"
    assert all(rows[t.pk].handle == "" for t in wave.tickets["hackernews"])  # reply there yourself
    link.refresh_from_db()
    assert (link.state, link.milestone) == ("closed", "18.7")

    # The platforms: Reddit refuses one thread once (locked), X and Reddit otherwise answer each call.
    locked_post = _post_id(wave.tickets["reddit"][0])
    locked = [True]
    responses.post(
        COMMENT_URL,
        json={"json": {"errors": [["THREAD_LOCKED", "Comments are locked.", "parent"]]}},
        match=[lambda request: (locked[0] and f"thing_id={locked_post}" in request.body, "not locked")],
    )
    fakes = reply_endpoints_fake()

    # A worker lost mid-send before anyone pressed again: its ReplySend left "sending", swept to "unknown".
    lost = rows[wave.tickets["twitter"][0].pk]
    IssueFollowUp.objects.filter(pk=lost.pk).update(status=IssueFollowUp.Status.SENDING)
    ReplySend.objects.create(
        key=lost.send_key, ticket_id=lost.ticket_id, sender="GitLab", body=lost.body, status=ReplySend.Status.SENDING
    )
    assert replies_sweep(now=timezone.now() + timedelta(minutes=11)) == 1

    # Send all, pressed twice before the worker ran; each queued run goes.
    send = reverse("stories:issue-send", args=[link.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert advocate_client.post(send).status_code == 302
        assert advocate_client.post(send).status_code == 302
    assert len(queued) == 2
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()

    # Retried after the moderators unlocked the thread; pressed once more after that: nothing more goes.
    locked[0] = False
    with django_capture_on_commit_callbacks(execute=True):
        advocate_client.post(send)
    with django_capture_on_commit_callbacks(execute=True):
        again = advocate_client.post(send, follow=True).content.decode()
    assert "Nothing to send" in again and "1 may already be posted: check the platform" in again

    x_posts = [_post_id(t) for t in wave.tickets["twitter"][1:]]
    reddit_posts = [_post_id(t) for t in wave.tickets["reddit"]]
    assert sorted(fakes.x_replies) == sorted(x_posts)  # once each; never the lost worker's
    assert sorted(fakes.reddit_replies) == sorted(reddit_posts)  # the locked one once, after the retry
    statuses = {t.pk: IssueFollowUp.objects.get(issue=link, ticket=t).status for t in tickets}
    assert [statuses[t.pk] for t in wave.tickets["twitter"][1:] + wave.tickets["reddit"]] == ["sent"] * 8
    assert statuses[lost.ticket_id] == "failed" and statuses[wave.tickets["hackernews"][0].pk] == "draft"
    assert ReplySend.objects.filter(key__startswith=f"issue-{link.pk}-").count() == 10  # 8 sent, 1 refused, 1 lost
    sent_lines = TicketEvent.objects.filter(kind=TicketEvent.Kind.ISSUE, data__action="followup_sent")
    assert sent_lines.count() == 8

    page = advocate_client.get(reverse("stories:issue", args=[link.pk])).content.decode()
    assert page.count('data-testid="followup"') == 12
    told = wave.tickets["reddit"][1]
    lines = [line.text for line in history_lines(told, TicketEvent.objects.filter(ticket=told).select_related("actor"))]
    assert f"Issue {PROJECT}#14 closed (18.7)" in lines
    assert (
        f"Issue {PROJECT}#14 closed (18.7): follow-up sent by {advocate_client.user.username} as gitlab_team" in lines
    )
