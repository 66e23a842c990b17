"""Like a mention and delete our post through the API (api/platform_actions.py), against X faked with `responses`
in its documented shapes (mentions/tests/test_platform_actions.py says which). Requests as a client sends them,
with a read-write token."""

import pytest
import responses
from django.test import Client

from api.tokens import token_create
from channels.adapters.twitter.client import API_ROOT
from mentions.models import Message
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.test_platform_actions import LIKES, _our_reply, _x_ticket

pytestmark = pytest.mark.django_db


@responses.activate
def test_the_api_likes_and_deletes_and_refuses_in_words():
    ticket, mention = _x_ticket()
    advocate = AdvocateFactory()
    ours = _our_reply(ticket, author=advocate)  # their own post: theirs to delete
    secret = token_create(user=advocate, name="t", scope="write", days=1)[1]
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    responses.post(LIKES, json={"data": {"liked": True}})
    responses.delete(f"{API_ROOT}/tweets/1860000000000000050", json={"data": {"deleted": True}})

    liked = client.post(f"/api/tickets/{ticket.pk}/like/", {"message": mention.pk}, "application/json")
    unconfirmed = client.post(
        f"/api/tickets/{ticket.pk}/delete-post/", {"message": ours.pk, "confirm": False}, "application/json"
    )
    deleted = client.post(
        f"/api/tickets/{ticket.pk}/delete-post/", {"message": ours.pk, "confirm": True}, "application/json"
    )
    hn = TicketFactory(channel__kind="hackernews")
    hn_mention = MessageFactory(ticket=hn, channel=hn.channel, external_id="4101")
    unsupported = client.post(f"/api/tickets/{hn.pk}/like/", {"message": hn_mention.pk}, "application/json")

    assert liked.status_code == 200 and Message.objects.get(pk=mention.pk).liked_at
    assert unconfirmed.status_code == 409 and "Confirm" in unconfirmed.json()["detail"]
    assert deleted.status_code == 200 and Message.objects.get(pk=ours.pk).deleted_at
    assert unsupported.status_code == 409 and "cannot like a post on Hacker News" in unsupported.json()["detail"]
