"""`migrate` on a database part-way through a chain a squashed migration replaced stops with an error that says
what to do (access.checks.squashed_migrations_check), instead of Django's errors about apps "not installed"."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from access.checks import squashed_migrations_check

pytestmark = pytest.mark.django_db

SQUASHED = ("mentions", "0001_squashed_0052_needs_response_view")


def test_only_a_database_with_part_of_a_squashed_chain_is_stopped():
    recorder = MigrationRecorder(connection)
    replaced = MigrationLoader(None).disk_migrations[SQUASHED].replaces
    assert ("mentions", "0052_needs_response_view") in replaced
    assert squashed_migrations_check(databases=["default"]) == []  # fresh: the squashed migrations applied

    # A desk at the previous release's head: the whole old chain, the squashed one not recorded yet.
    recorder.migration_qs.filter(app=SQUASHED[0], name=SQUASHED[1]).delete()
    for app, name in replaced:
        recorder.record_applied(app, name)
    assert squashed_migrations_check(databases=["default"]) == []

    # One release further back: the chain's last migration not applied.
    recorder.record_unapplied("mentions", "0052_needs_response_view")
    [error] = squashed_migrations_check(databases=["default"])
    assert error.id == "access.E001"
    assert "mentions.0001_squashed_0052_needs_response_view" in error.msg and "0052_needs_response_view" in error.msg
    assert "previous release" in str(error.hint)

    assert squashed_migrations_check(databases=None) == []  # `check` without --database reads no database
