"""Notifications took its models over from channels and mentions without moving a row: an install
upgraded across the move keeps its outbox, pings and digests, and admins keep their permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mentions.tests.factories import TicketFactory
from notifications.models import CoverageDigest, SlackNotice, UrgentPing

BEFORE = [("channels", "0009_poll_interval_automatic"), ("mentions", "0027_change_stamp_per_statement")]


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_migrating_across_the_move_keeps_rows_content_types_and_permissions():
    ticket = TicketFactory()
    SlackNotice.objects.create(destination="#community", ticket=ticket, kind="new_ticket", text="• a line")
    UrgentPing.objects.create(ticket=ticket, reasons=["priority urgent"])
    CoverageDigest.objects.create(day="2026-11-20", text="digest")
    kind = ContentType.objects.get_for_model(SlackNotice)
    permissions = set(Permission.objects.filter(content_type=kind).values_list("pk", flat=True))
    assert len(permissions) == 4

    # Back to before the move: the models are channels' and mentions' again, on the same tables.
    MigrationExecutor(connection).migrate(BEFORE)
    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=kind.pk).app_label == "channels"
    assert ContentType.objects.get(model="urgentping").app_label == "mentions"
    assert (_count("channels_slacknotice"), _count("mentions_urgentping"), _count("mentions_coveragedigest")) == (
        1,
        1,
        1,
    )

    # ...and forward again, as an upgrade runs it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=kind.pk).app_label == "notifications"
    assert set(Permission.objects.filter(content_type_id=kind.pk).values_list("pk", flat=True)) == permissions
    assert SlackNotice.objects.get().text == "• a line"
    assert UrgentPing.objects.get().reasons == ["priority urgent"]
    assert CoverageDigest.objects.get().text == "digest"
