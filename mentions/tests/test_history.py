"""The history reads as sentences, with UTC times; technical data only in the details."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory
from mentions.ticket_page.history import SENTENCES, history_lines

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def at(event, when):
    TicketEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_a_first_reply_reads_as_a_sentence_with_its_time_against_the_target(advocate_client):
    ada = AdvocateFactory(username="ada", first_name="Ada", last_name="Lovelace")
    ticket = TicketFactory(
        channel=ChannelFactory(kind="twitter", name="X", config=platform_of("twitter").example_config()),
        requested_at=T0,
        first_reply_at=T0 + timedelta(hours=2, minutes=10),
        first_reply_seconds=7800,
        sla_target=Ticket.SlaTarget.HIGH_PRIORITY,
        sla_due_at=T0 + timedelta(hours=5),
    )
    created = TicketEvent.objects.create(ticket=ticket, kind=K.CREATED, data={"external_id": "1861234567890"})
    played = TicketEvent.objects.create(
        ticket=ticket, kind=K.ASSIGNED, actor=ada, data={"to": "ada", "via": "play", "view": "high-priority"}
    )
    sent = TicketEvent.objects.create(
        ticket=ticket,
        kind=K.REPLY_SENT,
        actor=ada,
        data={
            "message_id": 4,
            "handle": "gitlab",
            "in_reply_to": "1861234567890",
            "url": "https://x.com/gitlab/status/1861234599999",
            "first_reply": True,
            "token": "4f1c0e",
        },
    )
    for event, minutes in ((created, 0), (played, 60), (sent, 130)):
        at(event, T0 + timedelta(minutes=minutes))

    html = advocate_client.get(reverse("mentions:ticket-history", args=[ticket.pk])).content.decode()
    lines = [(line.text, line.details) for line in history_lines(ticket, ticket.events.select_related("actor"))]

    assert lines == [
        ("Ticket opened from a mention on X", "external_id: 1861234567890"),
        ("Ada Lovelace took it with Play from the “high-priority” view", ""),
        (
            "Ada Lovelace sent a reply as @gitlab on X \u2013 "
            "first reply 2 h 10 m after the mention, within the 5 h target",
            "message_id: 4 · in_reply_to: 1861234567890",
        ),
    ]
    assert '<time datetime="2026-11-20T11:10:00+00:00">2026-11-20 11:10 UTC</time>' in html
    assert 'href="https://x.com/gitlab/status/1861234599999"' in html
    assert "4f1c0e" not in html  # the send key is not shown


def test_a_late_first_reply_says_so_and_security_names_its_target():
    ticket = TicketFactory(
        requested_at=T0,
        first_reply_at=T0 + timedelta(hours=8),
        first_reply_seconds=8 * 3600,
        sla_target=Ticket.SlaTarget.ALL,
        sla_due_at=T0 + timedelta(hours=7),
    )
    event = TicketEvent.objects.create(ticket=ticket, kind=K.REPLIED, data={"first_reply": True})
    [line] = history_lines(ticket, [event])
    assert line.text.endswith("first reply 8 h after the mention, after the 7 h target")
    ticket.sla_target = Ticket.SlaTarget.SECURITY
    assert history_lines(ticket, [event])[0].text.endswith("the one-business-day security target")


def test_every_kind_of_event_has_a_sentence_and_odd_data_never_breaks_the_page(advocate_client):
    assert set(SENTENCES) == set(K.values)
    ticket = TicketFactory()
    for kind in K.values:
        TicketEvent.objects.create(ticket=ticket, kind=kind, data={"to": ["x"], "answer_seconds": "soon", "tag": None})
    TicketEvent.objects.create(ticket=ticket, kind=K.NOTE, data=["not", "a", "dict"])
    response = advocate_client.get(reverse("mentions:ticket", args=[ticket.pk]), {"history": "1"})  # no JavaScript
    assert response.status_code == 200
    assert response.content.decode().count('data-kind="') == len(K.values) + 1


def test_hostile_event_data_is_shown_escaped(advocate_client):
    ticket = TicketFactory()
    TicketEvent.objects.create(
        ticket=ticket, kind=K.SKIPPED, actor=AdvocateFactory(), data={"reason": "<img src=x onerror=alert(1)>"}
    )
    TicketEvent.objects.create(ticket=ticket, kind=K.MACRO, data={"macro": "m", "link": "javascript:alert(1)"})
    html = advocate_client.get(reverse("mentions:ticket-history", args=[ticket.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html


def test_the_history_comes_when_its_fold_is_opened_or_inline_without_javascript(advocate_client, client):
    """The ticket page's first answer leaves the history out (it is folded): the fold asks for it when opened
    (htmx, mentions:ticket-history); the link in the fold asks the page for it inline (no JavaScript)."""
    ticket = TicketFactory()
    TicketEvent.objects.create(ticket=ticket, kind=K.SKIPPED, actor=AdvocateFactory(), data={"reason": "not mine"})
    history_url = reverse("mentions:ticket-history", args=[ticket.pk])

    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="history-pending"' in page and f'hx-get="{history_url}"' in page
    assert "not mine" not in page and 'data-testid="history"' not in page

    inline = advocate_client.get(ticket.get_absolute_url(), {"history": "1"}).content.decode()
    assert 'data-testid="history"' in inline and "not mine" in inline and "history-pending" not in inline

    fold = advocate_client.get(history_url)
    assert fold.status_code == 200 and "not mine" in fold.content.decode()

    client.force_login(get_user_model().objects.create_user("visitor"))  # no queue access
    assert client.get(history_url).status_code == 403
