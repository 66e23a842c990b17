"""Repost a mention and send its author a direct message through the API (api/platform_actions.py), against X faked
with `responses` in its documented shapes (mentions/tests/test_direct_messages.py and test_reposts_and_dms_desk.py say
which). Requests as a client sends them, with a read-write token."""

import pytest
import responses
from django.test import Client

from api.tokens import token_create
from mentions.models import Message
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.test_direct_messages import X_DM, _x
from mentions.tests.test_reposts_and_dms_desk import RETWEETS

pytestmark = pytest.mark.django_db


@responses.activate
def test_the_api_reposts_and_sends_a_direct_message_once_per_key():
    case = _x()
    secret = token_create(user=AdvocateFactory(), name="t", scope="write", days=1)[1]
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    responses.post(RETWEETS, json={"data": {"retweeted": True}})
    responses.post(X_DM, status=201, json={"data": {"dm_conversation_id": "1-2", "dm_event_id": "8"}})
    body = {"message_id": case.mention.pk, "text": "Please send the account's e-mail here.", "key": "api-1"}

    reposted = api.post(f"/api/tickets/{case.ticket.pk}/repost/", {"message": case.mention.pk}, "application/json")
    sent = api.post(f"/api/tickets/{case.ticket.pk}/direct-message/", body, "application/json")
    again = api.post(f"/api/tickets/{case.ticket.pk}/direct-message/", body, "application/json")
    hn = TicketFactory(channel__kind="hackernews")
    hn_mention = MessageFactory(ticket=hn, channel=hn.channel, external_id="4101")
    unsupported = api.post(
        f"/api/tickets/{hn.pk}/direct-message/", {"message_id": hn_mention.pk, "text": "Hi"}, "application/json"
    )

    assert reposted.status_code == 200 and Message.objects.get(pk=case.mention.pk).reposted_at
    assert sent.status_code == 200 and again.status_code == 200
    assert Message.objects.filter(ticket=case.ticket, kind=Message.Kind.DIRECT).count() == 1
    assert len([c for c in responses.calls if c.request.url == X_DM]) == 1
    assert unsupported.status_code == 409
    assert "cannot send a direct message on Hacker News" in unsupported.json()["detail"]
