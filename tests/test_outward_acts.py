"""Every act the desk does as the company on a platform, from every surface, by every role (issue 55): a reply, a
reply with an image, a direct message, a like, a repost, deleting someone else's post and one's own, a story's
"Send the ticked replies" and an issue's "Send all"; from the ticket page (as its in-place forms post them, htmx)
and the REST API (a read-write token); as an admin (superuser), a manager, an advocate, an advocate on a ticket
assigned to someone else, an "Advocate for a day" (a grant: their replies wait for approval), an expert (replies
for approval, no queue) and someone signed in with no role. Each cell starts on a ticket of its own, asserts the
status code, and that the platform was asked when the act is allowed and never when it is refused or waits for
approval. The table (act x surface x role -> status) is printed (`-s`).

Shapes: X API v2 as the send, like, repost, delete and direct-message tests fake them with `responses`
(mentions/tests/test_send_reply.py, test_platform_actions.py, test_reposts_and_dms_desk.py,
test_direct_messages.py and test_send_reply_images.py say which docs.x.com pages): `POST /2/tweets` answering
`{"data": {"id", "text"}}`, `POST /2/users/:id/likes` `{"data": {"liked": true}}`, `.../retweets`
`{"data": {"retweeted": true}}`, `DELETE /2/tweets/:id` `{"data": {"deleted": true}}`,
`POST /2/dm_conversations/with/:id/messages` `{"data": {"dm_conversation_id", "dm_event_id"}}`, and the media
upload and metadata answers. The mention is the X v2 tweet shape those tests ingest; the image is made with Pillow.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from advocacy.celery import app as celery_app
from api.tokens import token_create
from channels.adapters.twitter import TWEETS_URL, TwitterAdapter
from channels.adapters.twitter.client import API_ROOT
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.images import png_bytes
from intake.pipeline import mentions_ingest
from mentions.models import IssueLink, Message, ReplyApproval, Ticket
from mentions.services.outward_policy import WAITING
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, UserFactory, seen
from mentions.tests.pages import folds_opened
from mentions.tests.test_reply_approval import _expert, _helper
from mentions.tests.test_send_reply import CONFIG, CREDENTIALS, _account
from stories.answering.services import story_answer_prepare
from stories.models import IssueFollowUp, Membership, Story, StoryReply

pytestmark = pytest.mark.django_db

AUTHOR = "1500000000000000001"
PLATFORM = re.compile(re.escape(API_ROOT) + r"/.*")
ROLES = ("admin", "manager", "advocate", "advocate, not their ticket", "advocate for a day", "expert", "no role")
ACTS = ("reply", "image", "dm", "like", "repost", "delete other's", "delete own", "story send", "follow-ups send")
HTMX = {"HX-Request": "true"}
_ids = itertools.count(1860000000000000100)
_issues = itertools.count(1)

# The policy (mentions.services.outward_policy, docs/desk.md "Approval of replies") as each role meets it: "ok" is
# done (the platform asked), "wait" kept for an advocate's approval, "no" refused (403), "image" the image refused
# on its field (400: the text alone may be submitted), "skip" a Send whose one ticket is someone else's (nothing
# queued, said on the page).
OK = dict.fromkeys(ACTS, "ok")
POLICY: dict[str, dict[str, str]] = {
    "admin": OK,
    "manager": OK,
    "advocate": {**OK, "delete other's": "no"},
    "advocate, not their ticket": {
        **dict.fromkeys(ACTS, "no"),
        "story send": "skip",
        "follow-ups send": "skip",
    },
    "advocate for a day": {**dict.fromkeys(ACTS, "no"), "reply": "wait", "image": "image"},
    "expert": {**dict.fromkeys(ACTS, "no"), "reply": "wait", "image": "image"},
    "no role": dict.fromkeys(ACTS, "no"),
}
STATUS = {
    # surface -> verdict -> status; the page answers in place (htmx), a story's and an issue's Send by redirect.
    "page": {"ok": 200, "wait": 200, "no": 403, "image": 400},
    "API": {"ok": 200, "wait": 202, "no": 403, "image": 400},
}
BATCH = ("story send", "follow-ups send")  # page only (the API has no endpoint for them), a form that redirects
BATCH_STATUS = {"ok": 302, "skip": 302, "no": 403}


def _platform_fake() -> None:
    """X answering every outward act (each post its own id: every cell's reply is a post of its own)."""

    def posted(request):
        return 201, {}, f'{{"data": {{"id": "{next(_ids)}", "text": "ok"}}}}'

    responses.add_callback(responses.POST, TWEETS_URL, callback=posted)
    responses.post(f"{API_ROOT}/users/2244994945/likes", json={"data": {"liked": True}})
    responses.post(f"{API_ROOT}/users/2244994945/retweets", json={"data": {"retweeted": True}})
    responses.delete(re.compile(re.escape(API_ROOT) + r"/tweets/\d+"), json={"data": {"deleted": True}})
    responses.post(
        f"{API_ROOT}/dm_conversations/with/{AUTHOR}/messages",
        status=201,
        json={"data": {"dm_conversation_id": "1-2", "dm_event_id": "77"}},
    )
    media = "1880028106020515840"
    responses.post(
        f"{API_ROOT}/media/upload",
        json={"data": {"id": media, "media_key": f"3_{media}", "size": 99, "expires_after_secs": 86400}},
    )
    responses.post(f"{API_ROOT}/media/metadata", json={"data": {"id": media}})


def _channel() -> Channel:
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=CONFIG, our_accounts=[])
    channel.credentials = CREDENTIALS
    channel.save()
    _account(channel, "GitLab", "tok-main")
    return channel


def _ticket(channel: Channel, *, assignee=None) -> Ticket:
    """A fresh mention of @GitLab on X, stored through the ingest: a ticket of its own for each cell."""
    tweet_id = str(next(_ids))
    tweet = {
        "id": tweet_id,
        "text": "@GitLab my pipeline is stuck, can you help?",
        "author_id": AUTHOR,
        "created_at": "2026-11-20T10:00:00.000Z",
        "conversation_id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "entities": {"mentions": [{"start": 0, "end": 7, "username": "GitLab"}]},
    }
    payload = {"data": [tweet], "includes": {"users": [{"id": AUTHOR, "username": "dana_dev", "name": "Dana"}]}}
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(payload))
    ticket = Ticket.objects.get(channel=channel, messages__external_id=tweet_id)
    if assignee is not None:
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee)
        ticket.refresh_from_db()
    return ticket


def _users() -> dict[str, Any]:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=admin, type="totp", data={"secret": "unused"})  # staff have two-factor
    return {
        "admin": admin,
        "manager": ManagerFactory(username="mona"),
        "advocate": AdvocateFactory(username="ada"),
        "advocate, not their ticket": AdvocateFactory(username="abe"),
        "advocate for a day": _helper("pat"),
        "expert": _expert("erin"),
        "no role": UserFactory(username="nora"),
    }


class Cell:
    """One act on its own ticket: what the page and the API post."""

    def __init__(self, channel: Channel, act: str, user, other, assignee) -> None:
        self.ticket = _ticket(channel, assignee=assignee)
        self.act = act
        self.mention = self.ticket.messages.get(kind=Message.Kind.INBOUND)
        author = user if act == "delete own" else other
        self.post = MessageFactory(
            ticket=self.ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id=str(next(_ids)),
            author_handle="GitLab", author_user=author, body="Sent to the wrong thread.",
        )  # fmt: skip
        self.key = f"k{next(_ids)}"

    def page(self, client: Client) -> Any:
        t, m = self.ticket, self.mention
        url: Callable[[str], str] = lambda name: reverse(name, args=[t.pk])  # noqa: E731
        send = {"seen": seen(t), "body": "Try clearing the runner cache.", "token": self.key, "status": "solved"}
        delete = {"seen": seen(t), "message": self.post.pk, "confirm": "on"}
        mention = {"seen": seen(t), "message": m.pk}
        posts = {
            "reply": ("mentions:ticket-send", send),
            "image": ("mentions:ticket-send", {**send, "image": _png(), "image_alt": "The runner's cache settings"}),
            "dm": ("mentions:ticket-direct-message", {**mention, "text": "Your e-mail?", "key": self.key}),
            "like": ("mentions:ticket-like", mention),
            "repost": ("mentions:ticket-repost", mention),
            "delete other's": ("mentions:ticket-delete-post", delete),
            "delete own": ("mentions:ticket-delete-post", delete),
        }  # fmt: skip
        if self.act in posts:
            name, data = posts[self.act]
            return client.post(url(name), data, headers=HTMX)
        return self._batch(client)

    def _batch(self, client: Client) -> Any:
        """A story's or an issue's Send, its ticket drafted by a manager; the worker runs what the press queued."""
        manager = ManagerFactory()
        if self.act == "story send":
            at = datetime(2026, 11, 20, 10, tzinfo=UTC)
            story = Story.objects.create(title="Stuck pipelines", origin=Story.Origin.ADVOCATE, first_at=at, last_at=at)
            Membership.objects.create(story=story, ticket=self.ticket, via=Membership.Via.ADVOCATE, reason="same")
            story_answer_prepare(story=story, user=manager, answer="Clearing the runner cache fixes it.")
            draft = StoryReply.objects.get(story=story)
            data = {"include": [str(self.ticket.pk)], f"body-{self.ticket.pk}": draft.body}
            return client.post(reverse("stories:send", args=[story.pk]), data)
        number = next(_issues)
        issue = IssueLink.objects.create(
            kind="gitlab", project="gitlab-org/gitlab", number=number, state=IssueLink.State.CLOSED,
            url=f"https://gitlab.com/gitlab-org/gitlab/-/issues/{number}",
        )  # fmt: skip
        IssueFollowUp.objects.create(
            issue=issue, ticket=self.ticket, event=IssueFollowUp.Event.CLOSED, body="@dana_dev it is fixed.",
            handle="GitLab",
        )  # fmt: skip
        return client.post(reverse("stories:issue-send", args=[issue.pk]))

    def api(self, client: Client) -> Any:
        base, m = f"/api/tickets/{self.ticket.pk}", self.mention
        if self.act == "image":
            data = {"body": "Try clearing the runner cache.", "key": self.key, "image": _png(), "image_alt": "Settings"}
            return client.post(f"{base}/send/", data)  # multipart
        bodies = {
            "reply": ("send", {"body": "Try clearing the runner cache.", "key": self.key}),
            "dm": ("direct-message", {"message_id": m.pk, "text": "Your e-mail?", "key": self.key}),
            "like": ("like", {"message": m.pk}),
            "repost": ("repost", {"message": m.pk}),
            "delete other's": ("delete-post", {"message": self.post.pk, "confirm": True}),
            "delete own": ("delete-post", {"message": self.post.pk, "confirm": True}),
        }
        path, body = bodies[self.act]
        return client.post(f"{base}/{path}/", body, "application/json")


def _api_client(user) -> Client:
    """A read-write token's client; someone who may not make one (an expert, no role) calls the API from their
    signed-in browser session, which has their rights."""
    try:
        secret = token_create(user=user, name="t", scope="write", days=1)[1]
    except PermissionDenied:
        client = Client()
        client.force_login(user)
        return client
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("settings.png", png_bytes(), content_type="image/png")


def _asked() -> int:
    return sum(1 for call in responses.calls if PLATFORM.match(call.request.url or ""))


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@responses.activate
def test_every_outward_act_from_the_page_and_the_api_goes_through_the_one_policy_for_every_role(
    eager, django_capture_on_commit_callbacks
):
    _platform_fake()
    channel = _channel()
    users = _users()
    other = AdvocateFactory(username="ana")  # who sent the post that is "someone else's", and holds the tickets
    table: dict[tuple[str, str], dict[str, str]] = {}
    wrong: list[str] = []
    for role, user in users.items():
        page = Client()
        page.force_login(user)
        api = _api_client(user)
        assignee = other if role == "advocate, not their ticket" else None
        for act in ACTS:
            verdict = POLICY[role][act]
            for surface, client in (("page", page), ("API", api)):
                if surface == "API" and act in BATCH:
                    table.setdefault((act, surface), {})[role] = "—"
                    continue
                cell = Cell(channel, act, user, other, assignee)
                before, waiting = _asked(), ReplyApproval.objects.count()
                with django_capture_on_commit_callbacks(execute=True):
                    response = getattr(cell, surface.lower())(client)
                status, asked, said = response.status_code, _asked() - before, html.unescape(response.content.decode())
                table.setdefault((act, surface), {})[role] = f"{status}{' (approval)' if verdict == 'wait' else ''}"
                expected = BATCH_STATUS[verdict] if act in BATCH else STATUS[surface][verdict]
                if status != expected or (asked > 0) != (verdict == "ok"):
                    wrong.append(f"{act} / {surface} / {role}: {status} (expected {expected}), platform asked {asked}")
                if verdict == "wait" and ReplyApproval.objects.count() != waiting + 1:
                    wrong.append(f"{act} / {surface} / {role}: not kept for approval")
                # Refused to someone whose replies wait: the reason is said (the API's detail, beside the control).
                reason = {"advocate for a day": WAITING, "advocate, not their ticket": "is assigned to ana"}.get(role)
                if reason and verdict == "no" and act not in BATCH and reason not in said:
                    wrong.append(f"{act} / {surface} / {role}: the reason is not said: {said[:300]}")
    print("\n| act | surface | " + " | ".join(ROLES) + " |\n|---|---|" + "---|" * len(ROLES))
    for (act, surface), by_role in table.items():
        print(f"| {act} | {surface} | " + " | ".join(by_role[r] for r in ROLES) + " |")
    assert not wrong, "\n".join(wrong)


def test_the_pages_offer_only_the_acts_each_role_may_do_and_say_why_not(client):
    channel = _channel()
    users = _users()
    other = AdvocateFactory(username="ana")
    ticket = _ticket(channel)
    mine = {}
    for role in ("manager", "advocate", "advocate for a day"):
        mine[role] = MessageFactory(
            ticket=ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id=str(next(_ids)),
            author_handle="GitLab", author_user=users[role], body=f"Sent by the {role}.",
        )  # fmt: skip
    theirs = MessageFactory(
        ticket=ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id=str(next(_ids)),
        author_handle="GitLab", author_user=other, body="Sent by ana.",
    )  # fmt: skip

    def page(role: str) -> str:  # as it reads with its folds opened (a delete's form comes when it is opened)
        client.force_login(users[role])
        return folds_opened(client, client.get(ticket.get_absolute_url()).content.decode())

    manager = page("manager")
    assert manager.count('data-testid="delete-post"') == 4 and 'data-testid="delete-refused"' not in manager
    assert all(f'data-testid="{c}"' in manager for c in ("like", "repost", "direct-message"))

    advocate = page("advocate")
    assert all(f'data-testid="{c}"' in advocate for c in ("like", "repost", "direct-message"))
    assert advocate.count('data-testid="delete-post"') == 1  # their own post only
    assert f'name="message" value="{mine["advocate"].pk}"' in advocate
    assert f'name="message" value="{theirs.pk}"' not in advocate
    assert advocate.count('data-testid="delete-refused"') == 3
    assert "Sent by ana: only they or a manager delete it from the platform." in advocate

    helper = html.unescape(page("advocate for a day"))
    assert not any(f'data-testid="{c}"' in helper for c in ("like", "repost", "direct-message", "delete-post"))
    assert 'data-testid="outward-refused"' in helper and WAITING in helper
    assert 'data-testid="submit-for-approval"' in helper and 'data-testid="send-image"' not in helper


def test_a_story_and_an_issue_page_do_not_offer_send_to_someone_whose_replies_wait(client):
    channel = _channel()
    ticket = _ticket(channel)
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    story = Story.objects.create(title="Stuck pipelines", origin=Story.Origin.ADVOCATE, first_at=at, last_at=at)
    Membership.objects.create(story=story, ticket=ticket, via=Membership.Via.ADVOCATE, reason="same")
    story_answer_prepare(story=story, user=ManagerFactory(), answer="Clearing the runner cache fixes it.")
    issue = IssueLink.objects.create(
        kind="gitlab", project="gitlab-org/gitlab", number=7, state=IssueLink.State.CLOSED,
        url="https://gitlab.com/gitlab-org/gitlab/-/issues/7",
    )  # fmt: skip
    IssueFollowUp.objects.create(
        issue=issue, ticket=ticket, event=IssueFollowUp.Event.CLOSED, body="Fixed.", handle="GitLab"
    )
    pages = (story.get_absolute_url(), reverse("stories:issue", args=[issue.pk]))

    client.force_login(AdvocateFactory())
    advocate = [client.get(url).content.decode() for url in pages]
    client.force_login(_helper("pat"))
    helper = [html.unescape(client.get(url).content.decode()) for url in pages]

    assert 'data-testid="send">' in advocate[0] and 'data-testid="send-refused"' not in advocate[0]
    assert 'data-testid="issue-send-all">' in advocate[1] and "issue-send-refused" not in advocate[1]
    assert 'data-testid="send" disabled aria-describedby="send-refused"' in helper[0]
    assert "Sending to many tickets at once is for advocates" in helper[0] and WAITING in helper[0]
    assert 'data-testid="issue-send-all" disabled aria-describedby="issue-send-refused"' in helper[1]
    assert "Sending follow-ups to many tickets at once is for advocates" in helper[1]
