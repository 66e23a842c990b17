"""Change lists cut long values (whole text in a title) and cost the same number of queries for 2 rows or 8; rows
the desk records are never added by hand, and the read-only ones never changed (advocacy.admin_display)."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.models import DeadLetter
from channels.tests.factories import ChannelFactory
from mentions.models import TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory
from notifications.models import SlackNotice

pytestmark = pytest.mark.django_db

LISTS = [
    "mentions_ticket",
    "mentions_ticketevent",
    "channels_channel",
    "channels_deadletter",
    "notifications_slacknotice",
]
LONG = "Pipeline cache <b>never</b> restored on self-hosted runners after upgrading to 17.5 with S3 behind a proxy"


def _rows(n: int, start: int = 0) -> None:
    advocate = AdvocateFactory()
    for i in range(start, start + n):
        channel = ChannelFactory(name=f"{LONG[:60]} {i}")
        ticket = TicketFactory(channel=channel, subject=LONG, assignee=advocate)
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=advocate)
        SlackNotice.objects.create(
            destination="#advocates", ticket=ticket, kind="new_ticket", text="x", last_error=LONG
        )
        DeadLetter.objects.create(
            channel=channel,
            stage="parse",
            fingerprint=hashlib.sha256(str(i).encode()).hexdigest(),
            error=LONG,
            payload="{}",
        )


@pytest.mark.parametrize("name", LISTS)
def test_a_change_list_costs_the_same_for_more_rows(client, django_assert_num_queries, name):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{name}_changelist")
    client.get(url)  # the signed-in user's row is read once per process, then kept (mentions/permissions/user_cache.py)
    _rows(2)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    _rows(6, start=2)
    with django_assert_num_queries(len(two)):
        html = client.get(url).content.decode()
    # Cut, escaped, and whole in the title.
    assert "<b>never</b>" not in html
    if name in ("mentions_ticket", "channels_deadletter", "notifications_slacknotice"):
        assert 'title="Pipeline cache &lt;b&gt;never&lt;/b&gt; restored on self-hosted runners' in html
        assert "…</span>" in html


@pytest.mark.parametrize(
    "name", [*LISTS[:2], *LISTS[3:], "access_signin", "api_webhookdelivery", "people_activity", "slackapp_slackevent"]
)
def test_rows_the_desk_records_have_no_add_page(admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_a_read_only_row_is_shown_but_a_change_is_refused(admin_client):
    _rows(1)
    event = TicketEvent.objects.get()
    url = reverse("admin:mentions_ticketevent_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"kind": TicketEvent.Kind.NOTE}).status_code == 403
    assert TicketEvent.objects.get().kind == TicketEvent.Kind.CREATED
