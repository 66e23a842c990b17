from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mentions.models import Tag, Ticket, TicketEvent
from mentions.services import macro_apply, ticket_change_status, ticket_claim_next, ticket_mark_replied, ticket_skip
from mentions.tests.concurrency import at_once
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db


def test_play_serves_the_oldest_waiting_ticket_and_assigns_it():
    view = ViewFactory()
    advocate = AdvocateFactory()
    newer = TicketFactory(requested_at=BASE_TIME + timedelta(hours=2))
    older = TicketFactory(requested_at=BASE_TIME, channel=newer.channel)
    TicketFactory(requested_at=BASE_TIME - timedelta(hours=1), status=Ticket.Status.SOLVED)
    TicketFactory(requested_at=BASE_TIME - timedelta(hours=1), assignee=UserFactory())

    served = ticket_claim_next(view=view, user=advocate)

    assert served == older
    assert served.assignee == advocate and served.status == Ticket.Status.OPEN
    kinds = list(TicketEvent.objects.filter(ticket=older).values_list("kind", "actor"))
    assert kinds == [(TicketEvent.Kind.ASSIGNED, advocate.pk), (TicketEvent.Kind.STATUS, advocate.pk)]


def test_play_keeps_serving_the_same_ticket_until_it_is_submitted():
    view = ViewFactory()
    advocate = AdvocateFactory()
    first, second = TicketFactory.create_batch(2)
    assert ticket_claim_next(view=view, user=advocate) == first
    assert ticket_claim_next(view=view, user=advocate) == first  # not submitted yet

    ticket_mark_replied(ticket=first, user=advocate, body="Thanks!", link="https://news.ycombinator.com/item?id=1")

    assert ticket_claim_next(view=view, user=advocate) == second
    first.refresh_from_db()
    assert first.status == Ticket.Status.SOLVED and first.first_reply_at is not None


@pytest.mark.parametrize("status", [Ticket.Status.PENDING, Ticket.Status.SOLVED])
def test_setting_pending_or_solved_submits(status):
    view = ViewFactory()
    advocate = AdvocateFactory()
    first, second = TicketFactory.create_batch(2)
    ticket_claim_next(view=view, user=advocate)
    ticket_change_status(ticket=first, user=advocate, status=status)
    assert ticket_claim_next(view=view, user=advocate) == second


def test_applying_a_macro_submits_but_a_reply_prefill_does_not(handbook_macros):
    from mentions.models import Macro

    view = ViewFactory()
    advocate = AdvocateFactory()
    first, second = TicketFactory.create_batch(2)
    ticket_claim_next(view=view, user=advocate)
    macro_apply(ticket=first, user=advocate, macro=Macro.objects.get(name="Downtime: check status page"))
    assert ticket_claim_next(view=view, user=advocate) == first
    first.refresh_from_db()
    assert "status" in first.reply_draft and first.requester_handle in first.reply_draft

    macro_apply(ticket=first, user=advocate, macro=Macro.objects.get(name="Expert responded"))
    assert ticket_claim_next(view=view, user=advocate) == second
    first.refresh_from_db()
    assert first.status == Ticket.Status.SOLVED
    assert sorted(first.tags.values_list("name", flat=True)) == ["downtime", "expert-responded"]


def test_view_filters_channels_tags_and_priority():
    t_other = TicketFactory()
    t_channel = TicketFactory()
    t_tagged = TicketFactory(channel=t_channel.channel)
    t_tagged.tags.add(Tag.objects.create(name="ci"))
    t_high = TicketFactory(high_priority=True)
    by_channel = ViewFactory()
    by_channel.channels.add(t_channel.channel)
    by_tag = ViewFactory()
    by_tag.tags.add(Tag.objects.get(name="ci"))
    high = ViewFactory(high_priority_only=True)
    assert ticket_claim_next(view=by_tag, user=AdvocateFactory()) == t_tagged
    assert ticket_claim_next(view=by_channel, user=AdvocateFactory()) == t_channel
    assert ticket_claim_next(view=high, user=AdvocateFactory()) == t_high
    assert ticket_claim_next(view=by_channel, user=AdvocateFactory()) is None
    assert t_other.assignee is None


def test_skipping_needs_a_view_that_allows_it_and_a_reason():
    strict = ViewFactory()
    advocate = AdvocateFactory()
    first, second = TicketFactory.create_batch(2)
    ticket_claim_next(view=strict, user=advocate)
    with pytest.raises(ValidationError, match="does not allow skipping"):
        ticket_skip(ticket=first, user=advocate, reason="not my area")

    lenient = ViewFactory(allow_skip=True)
    other = AdvocateFactory()
    served = ticket_claim_next(view=lenient, user=other)
    assert served == second
    with pytest.raises(ValidationError, match="why"):
        ticket_skip(ticket=served, user=other, reason="  ")
    TicketFactory(channel=first.channel)  # third ticket
    ticket_skip(ticket=served, user=other, reason="needs a German speaker")
    served.refresh_from_db()
    assert served.assignee is None
    event = TicketEvent.objects.get(ticket=served, kind=TicketEvent.Kind.SKIPPED)
    assert event.actor == other and event.data["reason"] == "needs a German speaker"
    # The skipped ticket is not served to the same advocate again.
    assert ticket_claim_next(view=lenient, user=other) not in (first, served)


def test_users_without_the_advocate_role_cannot_play():
    with pytest.raises(PermissionDenied):
        ticket_claim_next(view=ViewFactory(), user=UserFactory())


def test_an_advocate_cannot_act_on_a_colleagues_ticket():
    ticket = TicketFactory(assignee=AdvocateFactory())
    with pytest.raises(PermissionDenied):
        ticket_change_status(ticket=ticket, user=AdvocateFactory(), status=Ticket.Status.SOLVED)


@pytest.mark.django_db(transaction=True)
def test_twenty_advocates_pressing_play_at_once_never_get_the_same_ticket():
    """20 threads, each with its own PostgreSQL connection, press Play on a view of 200
    tickets at the same instant; 50 rounds."""
    view = ViewFactory()
    advocates = [AdvocateFactory() for _ in range(20)]
    channel = TicketFactory().channel
    Ticket.objects.all().delete()
    served_ever: list[int] = []
    for round_no in range(50):
        # One INSERT of the round's 200 (a Ticket has no save() of its own; one by one they were 30 of 35 s).
        Ticket.objects.bulk_create(TicketFactory.build_batch(200, channel=channel))
        claimed = at_once(len(advocates), lambda i: (advocates[i].pk, ticket_claim_next(view=view, user=advocates[i])))
        served = {user: ticket.pk for user, ticket in claimed if ticket is not None}
        ids = list(served.values())
        assert len(ids) == len(advocates), f"round {round_no}: someone got nothing with 200 waiting"
        assert len(set(ids)) == 20, f"round {round_no}: a ticket was served twice"
        owners = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))
        assert owners == {tid: uid for uid, tid in served.items()}
        assert Ticket.objects.filter(assignee__isnull=False).count() == 20 * (round_no + 1)
        served_ever.extend(ids)
        # Submit, so the next round serves new tickets.
        Ticket.objects.filter(pk__in=ids).update(served_to=None, served_view=None, status=Ticket.Status.PENDING)
    assert len(served_ever) == len(set(served_ever)) == 1000
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1000


@pytest.mark.django_db(transaction=True)
def test_one_advocate_pressing_play_twice_at_once_gets_one_ticket():
    """A double click or two tabs: both presses are served the same single ticket."""
    view = ViewFactory()
    advocate = AdvocateFactory()
    TicketFactory.create_batch(5)
    for _ in range(20):
        served = [
            ticket.pk if ticket else None
            for ticket in at_once(2, lambda _: ticket_claim_next(view=view, user=advocate))
        ]
        assert None not in served, "nothing served with five waiting"
        assert served[0] == served[1]
        assert Ticket.objects.filter(assignee=advocate).count() == 1
        Ticket.objects.filter(assignee=advocate).update(assignee=None, served_to=None, served_view=None)


def test_a_view_serving_pending_tickets_and_a_high_priority_view_claim_in_order():
    pending_view = ViewFactory(statuses=["pending"])
    old_pending = TicketFactory(status=Ticket.Status.PENDING, requested_at=BASE_TIME - timedelta(days=2))
    TicketFactory(status=Ticket.Status.PENDING, requested_at=BASE_TIME)
    TicketFactory(status=Ticket.Status.NEW, requested_at=BASE_TIME - timedelta(days=3))
    served = ticket_claim_next(view=pending_view, user=AdvocateFactory())
    assert served == old_pending and served.status == Ticket.Status.PENDING


def test_view_filter_copies_follow_the_selections_from_either_side():
    view = ViewFactory()
    ticket = TicketFactory()
    tag = Tag.objects.create(name="registry")
    view.channels.add(ticket.channel)
    view.tags.add(tag)
    view.refresh_from_db()
    assert view.channel_ids == [ticket.channel.pk] and view.tag_ids == [tag.pk]
    ticket.channel.view_set.remove(view)  # from the channel's side
    tag.view_set.clear()
    view.refresh_from_db()
    assert view.channel_ids == [] and view.tag_ids == []
