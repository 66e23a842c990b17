"""Liking a mention and deleting our own post from the desk (mentions.services.platform_actions), against the
platforms faked with `responses` in their documented shapes.

Shapes: X API v2 (docs.x.com, "Likes: POST /2/users/:id/likes" with `{"tweet_id"}` answering `{"data": {"liked":
true}}`; "Delete Post: DELETE /2/tweets/:id" answering `{"data": {"deleted": true}}`; refusals as X's problem
objects `{"title", "detail", "type"}`, which the send tests use too). Discourse (docs.discourse.org: "Like a post",
`POST /post_actions.json` with `{"id", "post_action_type_id": 2}` answering the post; a second like refused 403 with
`{"errors": ["You already performed this action."], "error_type": "invalid_access"}`; "Delete a single post",
`DELETE /posts/{id}.json`).
"""

import json

import pytest
import responses
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.adapters.discourse.tests.test_discourse_adapter import BASE
from channels.adapters.twitter.client import API_ROOT
from mentions.models import Message, TicketEvent
from mentions.services.platform_actions import message_like, reply_delete
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, seen
from mentions.tests.test_send_reply import _ticket_from, _tweet
from mentions.tests.test_send_reply_discourse import _ticket as discourse_ticket
from metrics.activity import activity_daily

pytestmark = pytest.mark.django_db

LIKES = f"{API_ROOT}/users/2244994945/likes"


def _x_ticket():
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab you folks made CI so much faster, thank you!"))
    return ticket, ticket.messages.get(kind=Message.Kind.INBOUND)


def _our_reply(ticket, external_id="1860000000000000050", handle="GitLab", author=None):
    """Our post, sent from the desk by `author` (who may delete it: mentions.services.outward_policy)."""
    return MessageFactory(
        ticket=ticket, channel=ticket.channel, kind=Message.Kind.OUR_REPLY, external_id=external_id,
        author_handle=handle, body="Oops, wrong thread: this was meant for someone else.", author_user=author,
    )  # fmt: skip


@responses.activate
def test_a_mention_is_liked_once_as_the_replying_account_and_the_history_says_so():
    ticket, mention = _x_ticket()
    responses.post(LIKES, json={"data": {"liked": True}})
    advocate = AdvocateFactory()

    assert message_like(ticket=ticket, message_id=mention.pk, user=advocate) is True
    assert message_like(ticket=ticket, message_id=mention.pk, user=advocate) is False  # not asked again

    (call,) = responses.calls
    assert json.loads(call.request.body or b"") == {"tweet_id": "1860000000000000001"}
    assert call.request.headers["Authorization"] == "Bearer tok-main"
    mention.refresh_from_db()
    assert mention.liked_at is not None
    (event,) = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.LIKED)
    assert event.actor == advocate and event.data["account"] == "GitLab" and event.data["message"] == mention.pk
    assert activity_daily(start=timezone.now().date(), end=timezone.now().date())[0]["liked"] == 1


@responses.activate
def test_a_refusal_is_said_in_the_platforms_words_and_nothing_is_recorded():
    ticket, mention = _x_ticket()
    responses.post(LIKES, status=403, json={"title": "Forbidden", "detail": "You are not permitted to like this Post."})

    with pytest.raises(ValidationError, match=r"X refused to like the post \(403\).*not permitted"):
        message_like(ticket=ticket, message_id=mention.pk, user=AdvocateFactory())

    mention.refresh_from_db()
    assert mention.liked_at is None
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.LIKED).exists()


@responses.activate
def test_our_post_is_deleted_only_when_confirmed_and_the_ticket_keeps_its_text():
    ticket, _mention = _x_ticket()
    advocate = AdvocateFactory()
    ours = _our_reply(ticket, author=advocate)
    responses.delete(f"{API_ROOT}/tweets/1860000000000000050", json={"data": {"deleted": True}})

    with pytest.raises(ValidationError, match="Confirm"):
        reply_delete(ticket=ticket, message_id=ours.pk, user=advocate, confirmed=False)
    assert not responses.calls

    assert reply_delete(ticket=ticket, message_id=ours.pk, user=advocate, confirmed=True) is True
    assert reply_delete(ticket=ticket, message_id=ours.pk, user=advocate, confirmed=True) is False

    assert len(responses.calls) == 1
    ours.refresh_from_db()
    assert ours.deleted_at is not None and ours.body.startswith("Oops, wrong thread")
    (event,) = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY_DELETED)
    assert event.data["text"] == ours.body and event.data["account"] == "GitLab"


@responses.activate
def test_only_a_mention_is_liked_and_only_our_post_deleted():
    ticket, mention = _x_ticket()
    ours = _our_reply(ticket)
    advocate = AdvocateFactory()

    with pytest.raises(ValidationError, match="not a mention"):
        message_like(ticket=ticket, message_id=ours.pk, user=advocate)
    with pytest.raises(ValidationError, match="not one of our replies"):
        reply_delete(ticket=ticket, message_id=mention.pk, user=advocate, confirmed=True)
    other = TicketFactory(channel=ticket.channel)
    with pytest.raises(ValidationError, match="not a mention of ticket"):
        message_like(ticket=other, message_id=mention.pk, user=advocate)
    assert not responses.calls


def test_a_platform_without_the_action_says_so():
    ticket = TicketFactory(channel__kind="hackernews")
    mention = MessageFactory(ticket=ticket, channel=ticket.channel, external_id="4101")

    with pytest.raises(ValidationError, match="The desk cannot like a post on Hacker News"):
        message_like(ticket=ticket, message_id=mention.pk, user=AdvocateFactory())


@responses.activate
def test_on_a_forum_a_like_it_already_has_is_done_and_a_post_already_gone_is_deleted():
    ticket, account = discourse_ticket()
    mention = ticket.messages.get(kind=Message.Kind.INBOUND)
    responses.post(
        BASE + "/post_actions.json", status=403,
        json={"errors": ["You already performed this action."], "error_type": "invalid_access"},
    )  # fmt: skip
    advocate = AdvocateFactory()
    ours = _our_reply(ticket, external_id="150", handle=account.username, author=advocate)
    responses.delete(BASE + "/posts/150.json", status=404, json={"errors": ["not found"]})

    assert message_like(ticket=ticket, message_id=mention.pk, user=AdvocateFactory()) is True
    assert reply_delete(ticket=ticket, message_id=ours.pk, user=advocate, confirmed=True) is True

    like_call, delete_call = responses.calls
    assert json.loads(like_call.request.body or b"") == {"id": int(mention.external_id), "post_action_type_id": 2}
    assert like_call.request.headers["User-Api-Key"] == "user-api-key-1"
    assert delete_call.request.method == "DELETE"


@responses.activate
def test_the_ticket_page_offers_the_platforms_words_and_the_history_tells_what_was_deleted(client):
    ticket, mention = _x_ticket()
    advocate = AdvocateFactory()
    ours = _our_reply(ticket, author=advocate)
    client.force_login(advocate)
    responses.post(LIKES, json={"data": {"liked": True}})
    responses.delete(f"{API_ROOT}/tweets/1860000000000000050", json={"data": {"deleted": True}})

    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="like"' in page and 'data-testid="delete-post"' in page
    assert "Praise: the handbook asks to like positive feedback" not in page  # not judged yet

    like_url = reverse("mentions:ticket-like", args=[ticket.pk])
    liked = client.post(like_url, {"message": mention.pk, "seen": seen(ticket)})
    assert liked.status_code == 302
    delete_url = reverse("mentions:ticket-delete-post", args=[ticket.pk])
    refused = client.post(delete_url, {"message": ours.pk, "seen": seen(ticket)}, follow=True)
    assert "Confirm that the post is to be deleted from the platform." in refused.content.decode()  # beside it
    assert not Message.objects.get(pk=ours.pk).deleted_at
    deleted = client.post(delete_url, {"message": ours.pk, "confirm": "on", "seen": seen(ticket)})
    assert deleted.status_code == 302

    page = client.get(ticket.get_absolute_url() + "?history=1").content.decode()
    assert 'data-testid="liked"' in page and "Liked from the desk" in page
    assert "deleted our post by GitLab from the platform" in page
    assert "what it said: Oops, wrong thread" in page
    assert 'data-testid="deleted"' in page
