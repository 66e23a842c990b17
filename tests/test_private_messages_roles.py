"""Who reads private messages (the DMs between the desk and a person: ours, `direct`, and their answers, `private`),
on every surface, for every role (mentions.permissions.private_messages, docs/desk.md "Who reads private messages"):
those who work the queue (admin, manager, advocate, an "Advocate for a day") read them on the ticket page, its
history, its live refresh, its panels, an action's answer in place, the ticket list's search and the API; an expert
opens the ticket page (to write a reply for approval) and sees that private messages exist, never their text, nor an
edit's earlier text in the history; search and the API refuse them; someone with no role is refused everywhere.

Here because it crosses the ticket page, search and the API. Shapes: the person's answer is an IncomingMention as the
X DM reader makes it (channels/adapters/twitter/dm_read.py; its HTTP shapes are tested in
intake/tests/test_direct_replies.py), edited as the platform re-delivers it; our DM is the row
mentions.services.direct_messages stores. No platform is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.tokens import token_create
from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.models import Account
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions import services
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, UserFactory, seen
from mentions.tests.test_reply_approval import _expert, _helper

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ASKED = "How do I reset my 2FA?"
OUR_DM = "Which e-mail address is on the account? DMSECRET51"
EARLIER = "my old code was OLDSECRET77"
PRIVATE = "My recovery code is PRIVSECRET44"
SECRETS = ("DMSECRET51", "OLDSECRET77", "PRIVSECRET44")
READERS = ("admin", "manager", "advocate", "advocate for a day")


def _ticket() -> Ticket:
    """A question on X, our public reply, our DM, and the person's private answer, edited on the platform since."""
    channel = ChannelFactory(kind="twitter", config=platform_of("twitter").example_config())
    # Our account on X, connected: an expert's reply for approval is checked against what it could post.
    account = Account(channel=channel, username="GitLab", reply_mode=Account.ReplyMode.DESK, position=0)
    account.tokens = {"access_token": "tok-main", "refresh_token": "refresh-tok-main"}
    account.token_expires_at, account.status = timezone.now() + timedelta(hours=2), Account.Status.CONNECTED
    account.save()
    asked = IncomingMention(external_id="1860000000000000001", created_at=T0, text=ASKED, author_handle="dana_dev")
    mentions_ingest(channel=channel, mentions=[asked])
    ticket = Ticket.objects.get(channel=channel)
    manager = ManagerFactory(username="mo")
    services.ticket_mark_replied(ticket=ticket, user=manager, body="Sent you a DM.", status="pending")
    MessageFactory(
        ticket=ticket,
        kind=Message.Kind.DIRECT,
        external_id="dm-event-1",
        author_user=manager,
        author_handle="gitlab",
        body=OUR_DM,
        platform_created_at=T0 + timedelta(minutes=30),
    )

    def answer(text: str, **edit: Any) -> IncomingMention:
        return IncomingMention(
            external_id="1860000000000000900",
            created_at=T0 + timedelta(hours=1),
            text=text,
            author_handle="dana_dev",
            private=True,
            ticket_hint=ticket.pk,
            **edit,
        )

    mentions_ingest(channel=channel, mentions=[answer(EARLIER)])
    mentions_ingest(channel=channel, mentions=[answer(PRIVATE, edited_at=T0 + timedelta(hours=2))])
    assert Message.objects.get(external_id="1860000000000000900").body == PRIVATE
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.MESSAGE_EDITED).exists()
    return ticket


def _users() -> dict[str, Any]:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=admin, type="totp", data={"secret": "unused"})  # staff have two-factor
    return {
        "admin": admin,
        "manager": ManagerFactory(username="mona"),
        "advocate": AdvocateFactory(username="ada"),
        "advocate for a day": _helper("pat"),
        "expert": _expert("erin"),
        "no role": UserFactory(username="nora"),
    }


def _surfaces(client: Client, ticket: Ticket) -> dict[str, Any]:
    """Each surface's answer: the page (its panels inline, its history inline), the history fold, the live refresh
    from before the private messages, a folded panel, the deferred panels, and the ticket list's search."""
    pk = ticket.pk
    first = Message.objects.filter(ticket=ticket).order_by("pk").first()
    assert first is not None
    return {
        "page": client.get(f"/tickets/{pk}/?panels=inline&history=1"),
        "history": client.get(reverse("mentions:ticket-history", args=[pk])),
        "live": client.get(reverse("mentions:ticket-live", args=[pk]), {"after": first.pk, "seen": 0}),
        "panel": client.get(reverse("mentions:ticket-panel", args=[pk, "ticket_handover"])),
        "later": client.get(reverse("mentions:ticket-panels-later", args=[pk])),
        "search": client.get("/tickets/", {"q": "PRIVSECRET44"}),
    }


def _api(user, ticket: Ticket) -> Any:
    """The API's ticket as the user's read token reads it; someone who may make none, from their signed-in session."""
    try:
        secret = token_create(user=user, name="tools", scope="read", days=1)[1]
        client = Client(headers={"Authorization": f"Bearer {secret}"})
    except PermissionDenied:  # refused a token: the session has the same rights
        client = Client()
        client.force_login(user)
    return client.get(f"/api/tickets/{ticket.pk}/")


@pytest.mark.parametrize("role", [*READERS, "expert", "no role"])
def test_who_reads_private_messages_on_every_surface(role):
    ticket = _ticket()
    user = _users()[role]
    client = Client()
    client.force_login(user)

    answers = _surfaces(client, ticket)
    api = _api(user, ticket)
    texts = {name: r.content.decode() for name, r in answers.items()}

    if role == "no role":
        assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 403)
        assert api.status_code == 403
        return
    opened = {name: r.status_code for name, r in answers.items() if name != "search"}
    assert opened == {**dict.fromkeys(opened, 200), "live": opened["live"]} and opened["live"] in (200, 304)
    if role in READERS:
        for secret in SECRETS:
            assert secret in texts["page"], (role, secret)
        assert "PRIVSECRET44" in texts["live"] and "OLDSECRET77" in texts["history"]
        assert 'data-testid="private-hidden"' not in texts["page"]
        assert answers["search"].status_code == 200 and f"/tickets/{ticket.pk}/" in texts["search"]
        assert api.status_code == 200
        kinds = {m["external_id"]: m["kind"] for m in api.json()["messages"]}
        assert kinds["1860000000000000900"] == "private" and kinds["dm-event-1"] == "direct"
        return
    # An expert: the ticket page opens, its private side does not.
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert ASKED in texts["page"] and "Sent you a DM." in texts["page"]
    assert "2 private messages between the desk and the person are not shown here" in texts["page"]
    assert "a private message: advocates and managers read them" in texts["history"]
    assert answers["search"].status_code == 403 and api.status_code == 403


def test_an_experts_reply_submitted_in_place_answers_without_the_private_messages():
    """The answer to an action in place (mentions/_ticket_acted.html) swaps the conversation and the history in: for
    an expert's reply submitted for approval, without the private side; for a manager's note, with it."""
    ticket = _ticket()
    users = _users()
    htmx = {"HX-Request": "true"}

    expert = Client(headers=htmx)
    expert.force_login(users["expert"])
    submitted = expert.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {
            "seen": seen(ticket),
            "body": "Reset it from the recovery page",
            "handle": "",
            "token": "t1",
            "status": "solved",
        },
    )
    assert submitted.status_code == 200, submitted.content.decode()[:600]
    assert 'id="conversation"' in submitted.content.decode()
    assert not any(secret in submitted.content.decode() for secret in SECRETS)

    manager = Client(headers=htmx)
    manager.force_login(users["manager"])
    noted = manager.post(reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": seen(ticket), "body": "Asked."})
    assert noted.status_code == 200 and all(secret in noted.content.decode() for secret in SECRETS)
