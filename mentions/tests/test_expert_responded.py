""" "Expert responded" applied with the link of the expert's public answer: that answer is the mention's
first reply (first reply time, the KPI figures), the open outreach is answered with it; without a
link the macro does what it always did."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from experts.models import Outreach
from experts.tests.factories import OutreachFactory
from mentions.models import Macro, Ticket, TicketEvent
from mentions.services import macro_apply
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, seen
from metrics.first_reply import first_reply_stats

pytestmark = pytest.mark.django_db

ANSWER = "https://news.ycombinator.com/item?id=46009999"


@pytest.fixture
def case(handbook_macros):
    requested = timezone.now() - timedelta(hours=3)
    ticket = TicketFactory(requested_at=requested, status=Ticket.Status.OPEN)
    MessageFactory(ticket=ticket, external_id="46001111", platform_created_at=requested)
    return ticket, AdvocateFactory()


def _expert_responded():
    return Macro.objects.get(name="Expert responded")


def test_with_the_answers_link_the_answer_is_the_first_reply_and_counts_in_the_kpis(case):
    ticket, advocate = case
    outreach = OutreachFactory(ticket=ticket)

    macro_apply(ticket=ticket, user=advocate, macro=_expert_responded(), link=ANSWER)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.first_reply_at is not None and timezone.now() - ticket.first_reply_at < timedelta(minutes=1)
    assert 3 * 3600 - 60 <= ticket.first_reply_seconds <= 3 * 3600 + 60
    replied = ticket.events.get(kind=TicketEvent.Kind.REPLIED)
    assert replied.data["url"] == ANSWER and replied.data["first_reply"] is True
    assert replied.data["via"] == "Expert responded"
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED and outreach.answered_at is not None
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__url=ANSWER, data__status="answered").exists()

    day = timezone.now().date()
    everything = first_reply_stats(start=day - timedelta(days=1), end=day)["all"]
    assert everything.replied == 1 and everything.unreplied == 0
    assert 2.9 <= everything.median_hours <= 3.1


def test_without_a_link_it_solves_and_tags_as_before_and_records_no_reply(case):
    ticket, advocate = case

    macro_apply(ticket=ticket, user=advocate, macro=_expert_responded())

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.first_reply_at is None
    assert list(ticket.tags.values_list("name", flat=True)) == ["expert-responded"]
    assert not ticket.events.filter(kind=TicketEvent.Kind.REPLIED).exists()


def test_applied_again_later_the_first_reply_does_not_move(case):
    ticket, advocate = case
    macro_apply(ticket=ticket, user=advocate, macro=_expert_responded(), link=ANSWER)
    ticket.refresh_from_db()
    first = ticket.first_reply_at

    macro_apply(ticket=ticket, user=advocate, macro=_expert_responded(), link=ANSWER + "1")

    ticket.refresh_from_db()
    assert ticket.first_reply_at == first
    assert [e.data["first_reply"] for e in ticket.events.filter(kind=TicketEvent.Kind.REPLIED)] == [True, False]


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("https://example.com/answer", "The answer's link must be on news.ycombinator.com, where this mention is"),
        ("javascript:alert(1)", "The link must start with http:// or https://."),
    ],
)
def test_a_link_elsewhere_is_refused_in_words_and_nothing_changes(case, link, said):
    ticket, advocate = case
    with pytest.raises(ValidationError) as refused:
        macro_apply(ticket=ticket, user=advocate, macro=_expert_responded(), link=link)
    assert said in refused.value.messages[0]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.first_reply_at is None and not ticket.events.exists()


def test_the_ticket_page_offers_the_answers_link_and_the_form_records_it(client, case):
    ticket, advocate = case
    client.force_login(advocate)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "takes the answer&#x27;s link as the first reply" in page

    response = client.post(
        reverse("mentions:ticket-macro", args=[ticket.pk]),
        {"macro": _expert_responded().pk, "macro_link": ANSWER, "seen": seen(ticket)},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.SOLVED
