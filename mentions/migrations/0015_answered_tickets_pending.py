"""Tickets stored before "our reply last means pending": a waiting ticket whose latest message is
ours (sent, marked replied, or seen on the platform) waits on the requester, not in the queue."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.utils import timezone

REASON = "our reply is the latest message: waiting on the requester"


def answered_to_pending(apps, schema_editor):
    Ticket = apps.get_model("mentions", "Ticket")
    Message = apps.get_model("mentions", "Message")
    TicketEvent = apps.get_model("mentions", "TicketEvent")
    latest = (
        Message.objects.filter(ticket=OuterRef("pk"))
        .exclude(kind="note")
        .order_by("-platform_created_at", "-id")
        .values("kind")[:1]
    )
    answered = Ticket.objects.filter(status__in=["new", "open"]).annotate(last=Subquery(latest)).filter(last="our_reply")
    rows = list(answered.values_list("pk", "status"))
    if not rows:
        return
    now = timezone.now()
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        Ticket.objects.filter(pk__in=[pk for pk, _ in batch]).update(status="pending", updated_at=now)
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket_id=pk, kind="status", data={"from": status, "to": "pending", "reason": REASON})
            for pk, status in batch
        )


class Migration(migrations.Migration):
    dependencies = [("mentions", "0014_ticket_followup")]

    operations = [migrations.RunPython(answered_to_pending, migrations.RunPython.noop)]
