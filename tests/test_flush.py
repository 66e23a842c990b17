"""The test run's flush (tests/flush.py): a transactional test's teardown leaves every table empty (Django's TRUNCATE
left one row, the ranking stamp its TRUNCATE trigger writes), and the next test's triggers and foreign keys work as
before."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from mentions.live import change_stamp
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory


def _counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        quoted = [(t, connection.ops.quote_name(t)) for t in tables]  # the models' own table names
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM {q}" for t, q in quoted))  # noqa: S608
        return {table: n for table, n in cursor.fetchall() if n}


@pytest.mark.django_db(transaction=True)
def test_the_flush_empties_every_table_and_leaves_triggers_and_foreign_keys_on():
    MessageFactory(ticket=TicketFactory(assignee=AdvocateFactory()))
    assert {"mentions_ticket", "mentions_message", "auth_user"} <= set(_counts())

    # As TransactionTestCase._fixture_teardown calls it (the command's own default resets the sequences: TRUNCATE).
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)

    assert _counts() == {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("origin",)  # for the flush's own transaction only
    # The change triggers fire again (the live pages' stamp moves on a ticket's write)...
    before = change_stamp()
    TicketFactory()
    assert change_stamp() > before
    # ...and a row pointing at a deleted one is refused at commit, as before.
    message = MessageFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE mentions_message SET ticket_id = %s WHERE id = %s", [10**9, message.pk])
