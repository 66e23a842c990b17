"""The "Spam report" macro queues the ticket for the abuse channel with a link to the reporter's person page
and their tags, escaped for Slack (notifications.spam_report through mentions' macro hook)."""

from __future__ import annotations

import pytest

from mentions.models import Macro, Ticket
from mentions.services.actions import macro_apply
from mentions.tests.factories import AdvocateFactory, TicketFactory
from notifications.models import SlackNotice
from notifications.outbox import slack_notices_enqueue
from people.models import PersonTag
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def advocate():
    return AdvocateFactory()


def _apply(ticket: Ticket, advocate) -> list[str]:
    Ticket.objects.filter(pk=ticket.pk).update(assignee=advocate, status=Ticket.Status.OPEN)
    ticket.refresh_from_db()
    return macro_apply(ticket=ticket, user=advocate, macro=Macro.objects.get(name="Spam report")).notices


def test_the_abuse_line_links_the_reporters_person_page_and_says_their_tags(handbook_macros, advocate, settings):
    settings.SITE_URL = settings.DESK_BASE_URL = "https://desk.example.com"
    vera = PersonFactory(name="Vera Kowalska")
    person_tag(vera, PersonTag.CORE_CONTRIBUTOR)
    ticket = ticket_from(IdentityFactory(person=vera, handle="vera_k"), body="Spam all over the forum")

    _apply(ticket, advocate)

    notice = SlackNotice.objects.get(destination="#abuse", ticket=ticket)
    assert notice.status == SlackNotice.Status.PENDING
    assert notice.text.startswith(f"• [Spam report] <https://desk.example.com/tickets/{ticket.pk}/|#{ticket.pk}>")
    assert f"reported by <https://desk.example.com/people/{vera.pk}/|Vera Kowalska> (tags: core contributor)" in (
        notice.text
    )
    # The tags and the note of the macro still happen.
    assert ticket.tags.filter(name="spam-report").exists()


def test_a_name_that_would_ping_the_channel_or_pose_as_a_link_arrives_as_text(handbook_macros, advocate):
    evil = PersonFactory(name="<!channel> <https://evil.example|your bank> & co")
    ticket = ticket_from(IdentityFactory(person=evil))

    _apply(ticket, advocate)

    text = SlackNotice.objects.get(destination="#abuse", ticket=ticket).text
    assert "<!channel>" not in text and "<https://evil" not in text
    assert f"/people/{evil.pk}/|&lt;!channel&gt; &lt;https://evil.example|your bank&gt; &amp; co>" in text


def test_a_ticket_nobody_is_tied_to_is_still_posted_without_a_person(handbook_macros, advocate):
    ticket = TicketFactory()
    _apply(ticket, advocate)
    text = SlackNotice.objects.get(destination="#abuse", ticket=ticket).text
    assert text.startswith("• [Spam report] ") and "reported by" not in text


def test_the_rules_waiting_line_becomes_the_macros_and_a_sent_one_is_not_posted_twice(handbook_macros, advocate):
    vera = PersonFactory(name="Vera")
    ticket = ticket_from(IdentityFactory(person=vera))
    # The triage rule "Spam report" queued the ticket for #abuse at ingest.
    slack_notices_enqueue(channel=ticket.channel, new_tickets=[], rule_notices=[("#abuse", ticket, "Spam report", "")])

    _apply(ticket, advocate)
    notice = SlackNotice.objects.get(destination="#abuse", ticket=ticket)
    assert f"/people/{vera.pk}/|Vera>" in notice.text

    SlackNotice.objects.filter(pk=notice.pk).update(status=SlackNotice.Status.SENT, text="posted")
    notices = _apply(ticket, advocate)
    assert SlackNotice.objects.get(pk=notice.pk).text == "posted"
    assert notices == ["#abuse already has this ticket in Slack; it was not posted again."]


def test_without_an_abuse_channel_the_macro_posts_nothing(handbook_macros, advocate, settings):
    settings.DESK_ABUSE_SLACK_CHANNEL = ""
    ticket = ticket_from(IdentityFactory())
    _apply(ticket, advocate)
    assert not SlackNotice.objects.filter(ticket=ticket).exists()
