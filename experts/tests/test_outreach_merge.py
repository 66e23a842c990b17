"""Merging two tickets that each ask the same expert: the two open outreaches become one (the table allows one
open outreach per ticket and expert; the merge was a 500 on `outreach_one_open_per_expert`)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from experts.models import Outreach
from experts.tests.factories import ExpertFactory, OutreachFactory
from mentions.models import ThreadWatch, Ticket, TicketEvent
from mentions.services import ticket_merge
from mentions.tests.concurrency import at_once
from mentions.tests.factories import BASE_TIME, AdvocateFactory, TicketFactory, seen

SENT = Outreach.Status.SENT
PENDING = Outreach.Status.PENDING


def _pair():
    channel = ChannelFactory()
    return TicketFactory(channel=channel), TicketFactory(channel=channel)


@pytest.mark.django_db
def test_sent_beats_pending_and_the_pending_one_is_closed_as_merged_with_a_pointer():
    source, target = _pair()
    expert = ExpertFactory(name="Rita Runner")
    sent = OutreachFactory(
        ticket=source,
        expert=expert,
        status=SENT,
        slack_ts="1700000000.000100",
        slack_permalink="https://example.slack.com/archives/C1/p1700000000000100",
    )
    pending = OutreachFactory(ticket=target, expert=expert, status=PENDING, sent_at=None, slack_channel="#s_verify")
    user = AdvocateFactory()

    ticket_merge(source=source, target_id=target.pk, user=user, reason="same question")

    sent.refresh_from_db()
    pending.refresh_from_db()
    assert (sent.ticket_id, sent.status, sent.slack_ts) == (target.pk, SENT, "1700000000.000100")
    assert (pending.ticket_id, pending.status, pending.merged_into_id) == (target.pk, Outreach.Status.MERGED, sent.pk)
    assert list(Outreach.objects.filter(ticket=target, status__in=[SENT, PENDING])) == [sent]
    note = target.events.get(kind=TicketEvent.Kind.NOTE, data__outreach=pending.pk)
    assert note.data == {
        "outreach": pending.pk,
        "status": "merged",
        "was": "pending",
        "expert": "Rita Runner",
        "into": sent.pk,
        "from_ticket": target.pk,
        "slack_channel": "#s_verify",
        "slack_ts": "",
        "slack_permalink": "",
    }
    merged = target.events.get(kind=TicketEvent.Kind.MERGED)
    assert merged.data["outreaches"] == 1
    assert merged.data["outreaches_combined"] == [
        {
            "kept": sent.pk,
            "closed": pending.pk,
            "expert": "Rita Runner",
            **{k: note.data[k] for k in note.data if k.startswith("slack_")},
        }
    ]


@pytest.mark.django_db
def test_of_two_sent_outreaches_the_earlier_is_kept_and_the_later_threads_link_stays_in_the_history():
    source, target = _pair()
    expert = ExpertFactory()
    later = OutreachFactory(
        ticket=source,
        expert=expert,
        sent_at=BASE_TIME + timedelta(hours=2),
        slack_ts="1700000200.000200",
        slack_permalink="https://example.slack.com/archives/C1/p1700000200000200",
    )
    earlier = OutreachFactory(ticket=target, expert=expert, sent_at=BASE_TIME, slack_ts="1700000000.000100")
    other_expert = OutreachFactory(ticket=source, status=PENDING, sent_at=None)  # a different expert: just moves

    ticket_merge(source=source, target_id=target.pk, user=AdvocateFactory())

    later.refresh_from_db()
    assert (later.status, later.merged_into_id, later.slack_ts) == ("merged", earlier.pk, "1700000200.000200")
    assert Outreach.objects.get(pk=earlier.pk).status == SENT
    assert Outreach.objects.get(pk=other_expert.pk).ticket_id == target.pk
    assert set(Outreach.objects.filter(ticket=target).values_list("pk", flat=True)) == {
        later.pk,
        earlier.pk,
        other_expert.pk,
    }
    note = target.events.get(kind=TicketEvent.Kind.NOTE, data__outreach=later.pk)
    assert note.data["slack_permalink"] == "https://example.slack.com/archives/C1/p1700000200000200"
    assert note.data["from_ticket"] == source.pk


@pytest.mark.django_db
def test_a_merged_outreach_is_never_posted_and_not_counted_in_the_experts_figures():
    from experts.selectors import outreach_figures
    from notifications.outreach import outreach_deliver

    source, target = _pair()
    expert = ExpertFactory()
    OutreachFactory(ticket=source, expert=expert, sent_at=BASE_TIME)
    pending = OutreachFactory(ticket=target, expert=expert, status=PENDING, sent_at=None)
    later = OutreachFactory(ticket=TicketFactory(), expert=expert, sent_at=BASE_TIME + timedelta(minutes=5))
    other = TicketFactory(channel=later.ticket.channel)
    OutreachFactory(ticket=other, expert=expert, sent_at=BASE_TIME + timedelta(minutes=9))
    user = AdvocateFactory()
    ticket_merge(source=source, target_id=target.pk, user=user)
    ticket_merge(source=other, target_id=later.ticket_id, user=user)

    # The retry task for the pending one finds it merged: nothing is posted (no HTTP mock: a post would fail).
    delivered = outreach_deliver(outreach_id=pending.pk)
    assert delivered is not None and delivered.status == Outreach.Status.MERGED
    [row] = outreach_figures(start=BASE_TIME, end=BASE_TIME + timedelta(days=1), group_by="expert")
    assert row.asked == 2  # one per conversation: the later of the two sent ones is merged


@pytest.mark.django_db
def test_the_merge_page_combines_them_instead_of_a_500(advocate_client):
    source, target = _pair()
    expert = ExpertFactory(name="Petra Pipelines")
    kept = OutreachFactory(ticket=source, expert=expert)
    closed = OutreachFactory(ticket=target, expert=expert, status=PENDING, sent_at=None)
    source.refresh_from_db()

    response = advocate_client.post(
        reverse("mentions:ticket-merge", args=[source.pk]), {"seen": seen(source), "target": target.pk, "reason": ""}
    )

    assert response.status_code == 302
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk
    page = advocate_client.get(reverse("mentions:ticket-panel", args=[target.pk, "outreach"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Merged into another outreach" in text and "Petra Pipelines" in text
    assert Outreach.objects.get(pk=closed.pk).merged_into_id == kept.pk


@pytest.mark.django_db
def test_the_sources_watched_threads_move_to_the_target():
    source, target = _pair()
    now = timezone.now()
    for ticket, thread, author, days in [(source, 1, "rita", 3), (source, 2, "petra", 3), (target, 1, "sam", 1)]:
        ThreadWatch.objects.create(
            ticket=ticket,
            thread_ref=f"story:{thread}",
            reason="outreach",
            authors=[author],
            watch_until=now + timedelta(days=days),
            channel=source.channel,
            next_check_at=now,
        )

    ticket_merge(source=source, target_id=target.pk, user=AdvocateFactory())

    assert not ThreadWatch.objects.filter(ticket=source).exists()
    watches = {w.thread_ref: w for w in ThreadWatch.objects.filter(ticket=target)}
    assert sorted(watches) == ["story:1", "story:2"]
    assert watches["story:1"].authors == ["rita", "sam"]
    assert watches["story:1"].watch_until == now + timedelta(days=3)  # the later end of the two
    assert watches["story:2"].authors == ["petra"]


@pytest.mark.django_db(transaction=True)
def test_an_answer_committed_while_the_merge_waits_for_the_outreach_lock_is_seen():
    """A real second connection holds the target's outreach row (as the expert-answer path does with
    select_for_update) and marks it answered; the merge, on its own connection, waits for that row, then sees
    it answered: nothing to combine, both rows move, no constraint error."""
    source, target = _pair()
    expert = ExpertFactory()
    mine = OutreachFactory(ticket=source, expert=expert, status=PENDING, sent_at=None)
    theirs = OutreachFactory(ticket=target, expert=expert)
    user = AdvocateFactory()
    locked, errors, order = threading.Event(), [], []

    def answer():
        try:
            with transaction.atomic():
                row = Outreach.objects.select_for_update().get(pk=theirs.pk)
                locked.set()
                time.sleep(0.5)
                row.status, row.answered_at = Outreach.Status.ANSWERED, timezone.now()
                row.save(update_fields=["status", "answered_at"])
                order.append("answered")
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    def merge():
        try:
            locked.wait(5)
            ticket_merge(source=source, target_id=target.pk, user=user)
            order.append("merged")
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer), threading.Thread(target=merge)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    assert order == ["answered", "merged"]
    assert Outreach.objects.get(pk=theirs.pk).status == Outreach.Status.ANSWERED
    assert (Outreach.objects.get(pk=mine.pk).status, Outreach.objects.get(pk=mine.pk).ticket_id) == (PENDING, target.pk)


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_pair_at_once_leave_one_open_outreach():
    source, target = _pair()
    expert = ExpertFactory()
    OutreachFactory(ticket=source, expert=expert)
    OutreachFactory(ticket=target, expert=expert, status=PENDING, sent_at=None)
    user = AdvocateFactory()
    pairs = [(source.pk, target.pk), (target.pk, source.pk)]

    def run(i: int) -> str:
        src, dst = pairs[i]
        try:
            ticket_merge(source=Ticket.objects.get(pk=src), target_id=dst, user=user)
        except Exception as exc:  # the loser is refused in words, never a database error
            return type(exc).__name__
        return "merged"

    assert sorted(at_once(2, run)) == ["ValidationError", "merged"]
    assert Outreach.objects.filter(status__in=[SENT, PENDING]).count() == 1
    assert Outreach.objects.get(status=SENT).ticket.merged_into_id is None
