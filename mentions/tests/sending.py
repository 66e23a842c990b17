"""A reply the platform refuses, as the platforms' send tests check it (each test file says where its answers'
shapes come from), and the X channel the desk's send tests post to."""

from __future__ import annotations

import pytest

from channels.models import Account, Channel
from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.services import ticket_send_reply
from mentions.services.replies import SendFailed
from mentions.tests.factories import AdvocateFactory


def x_channel() -> Channel:
    """An X channel whose @GitLab (its main handle) posts from the desk; the test gives it its credentials."""
    return ChannelFactory(
        kind="twitter",
        name="X",
        slug="x",
        config={"handles": [{"username": "GitLab", "user_id": "2244994945", "role": "main"}]},
        our_accounts=[],
    )


def send_refused(ticket: Ticket, body: str, key: str) -> str:
    """An advocate's send of `body`, refused: the reason the desk gives, once the ticket is seen to keep the draft."""
    with pytest.raises(SendFailed) as refused:
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body=body, key=key)
    ticket.refresh_from_db()
    assert ticket.reply_draft == body
    return str(refused.value.message)


def refused_for_reconnecting(ticket: Ticket, body: str, key: str, account: Account) -> None:
    """The send of `body` refused in words that ask for the account to be reconnected, and `account` marked so."""
    assert "needs reconnecting" in send_refused(ticket, body, key)
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT
