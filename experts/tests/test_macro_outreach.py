""" "Reached out to expert" applied by hand with a link records an Outreach that the KPIs and the experts
directory count (issue 28: 13 applications had recorded only a tag). Through the desk's own pages and
services on PostgreSQL; no HTTP leaves the test (Slack is not configured, and nothing here posts)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from experts.models import Outreach
from experts.services import REACHED_OUT_MACRO
from experts.tests.factories import ExpertFactory, OutreachFactory
from mentions.models import Macro, Ticket
from mentions.services import macro_apply
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory, seen

pytestmark = pytest.mark.django_db


@pytest.fixture
def reached_out(handbook_macros):
    return Macro.objects.get(name=REACHED_OUT_MACRO)


def test_reached_out_three_times_with_links_counts_on_the_kpis_and_in_the_directory(client, reached_out):
    vera = ExpertFactory(name="Vera")
    advocate = AdvocateFactory()
    client.force_login(advocate)
    for n in range(3):
        ticket = TicketFactory()
        response = client.post(
            reverse("mentions:ticket-macro", args=[ticket.pk]),
            {
                "seen": seen(ticket),
                "macro": reached_out.pk,
                "macro_link": f"https://acme.slack.com/archives/C1/p170000000000{n}",
                "expert": vera.pk,
            },
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.OPEN and "reached-out-to-expert" in {t.name for t in ticket.tags.all()}

    recorded = Outreach.objects.filter(expert=vera)
    assert recorded.count() == 3
    assert all(o.status == Outreach.Status.SENT and o.sent_at and o.advocate == advocate for o in recorded)

    directory = client.get(reverse("experts:directory")).content.decode()
    row = re.search(rf'<tr data-testid="expert-{vera.pk}">(.*?)</tr>', directory, re.S)
    assert row and '<td data-testid="asked">3</td>' in row.group(1)

    client.force_login(ManagerFactory())
    kpis = client.get(reverse("metrics:dashboard")).content.decode()
    outreach = re.search(r'<section id="outreach">(.*?)</section>', kpis, re.S)
    assert outreach and "No experts were asked" not in outreach.group(1)
    assert re.search(r'<td class="num">3</td><td class="num">0</td><td class="num">0</td>', outreach.group(1))


def test_without_saying_whom_it_is_refused_and_nothing_is_applied(reached_out):
    ExpertFactory()
    ticket, advocate = TicketFactory(), AdvocateFactory()
    with pytest.raises(ValidationError) as refused:
        macro_apply(ticket=ticket, user=advocate, macro=reached_out, link="https://acme.slack.com/archives/C1/p1")
    assert "needs the expert you asked" in refused.value.messages[0]
    assert not Outreach.objects.exists() and not ticket.events.exists() and not ticket.tags.exists()


def test_the_desks_own_send_is_not_counted_twice(reached_out):
    """notifications.outreach applies the macro with the permalink of the outreach it has just posted."""
    link = "https://acme.slack.com/archives/C1/p1700000000000100"
    sent = OutreachFactory(status=Outreach.Status.SENT, slack_permalink=link)
    advocate = AdvocateFactory()
    macro_apply(ticket=sent.ticket, user=advocate, macro=reached_out, link=link)
    assert Outreach.objects.count() == 1


def test_an_open_outreach_to_the_same_expert_is_linked_not_duplicated(reached_out):
    pending = OutreachFactory(status=Outreach.Status.PENDING, slack_permalink="", sent_at=None)
    link = "https://acme.slack.com/archives/C1/p2"
    macro_apply(
        ticket=pending.ticket, user=AdvocateFactory(), macro=reached_out, link=link, expert_id=pending.expert_id
    )
    pending.refresh_from_db()
    assert Outreach.objects.count() == 1
    assert pending.status == Outreach.Status.SENT and pending.slack_permalink == link and pending.sent_at
