"""Tickets imported before `Ticket.imported` existed are marked so (their ExternalRef says they were imported): the
judgement's runs take live tickets first and drain imported history behind them (mentions.judgement.run)."""

from django.db import migrations
from django.db.models import Subquery


def imported_mark(apps, schema_editor):
    Ticket = apps.get_model("mentions", "Ticket")
    ExternalRef = apps.get_model("imports", "ExternalRef")
    refs = ExternalRef.objects.filter(kind="ticket", local_id__isnull=False).values("local_id")
    Ticket.objects.filter(pk__in=Subquery(refs), imported=False).update(imported=True)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_quarantined_records"),
        ("mentions", "0057_ticket_imported"),
    ]

    operations = [migrations.RunPython(imported_mark, migrations.RunPython.noop)]
