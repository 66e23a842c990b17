"""`manage.py check --deploy` warns when the desk says it is behind a proxy but cannot tell its clients apart, and
when its public address (SITE_URL) is plain http://. Production start-up logs the SITE_URL warning too
(AccessConfig.ready): gunicorn and Celery run no system checks of their own. `migrate` stops before it starts when
the database is part-way through a chain of migrations that a squashed one replaced (CHANGELOG.md, "Migrations
squashed")."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

logger = logging.getLogger(__name__)


@checks.register(checks.Tags.security, deploy=True)
def proxy_addresses_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not (settings.DESK_TRUSTED_PROXIES or settings.DESK_PROXY_HOPS):
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but neither DESK_TRUSTED_PROXIES nor DESK_PROXY_HOPS is set: every client "
                "looks like the proxy, so the sign-in limits per address count the whole team as one place.",
                hint="Set DESK_TRUSTED_PROXIES to the proxy's address (e.g. 127.0.0.1) or range (docs/sign-in.md).",
                id="access.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Loopback is warned about too: a deployed desk at http://127.0.0.1 is one whose SITE_URL was never set
    (the development default), and platforms, the identity provider and Slack readers cannot reach it."""
    address = urlsplit(settings.SITE_URL)
    if address.scheme != "http":
        return []
    # Host and port only: a user:password@ in the address is not shown back.
    shown = f"http://{address.hostname or ''}" + (f":{address.port}" if address.port else "")
    return [
        checks.Warning(
            f"SITE_URL is {shown}: the OAuth callbacks registered with the platforms and the identity provider, "
            "and the links the desk puts in Slack messages and mail, go over plain HTTP.",
            hint="Set SITE_URL to the desk's public https:// address (docs/configuration.md).",
            id="access.W002",
        )
    ]


def production_start_log() -> None:
    """Log, once per process, what the SITE_URL check finds, where no one runs `check --deploy`."""
    for message in site_url_check():
        logger.warning("%s (%s) %s", message.msg, message.id, message.hint)


@checks.register(checks.Tags.database)
def squashed_migrations_check(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A squashed migration is applied only where all it replaces is; part of it applied, Django leaves the app with
    no migrations at all, and `migrate` fails on the models of the apps that point at it, naming none of this. Run by
    `migrate` (and `check --database`) before it reads the migrations."""
    errors: list[checks.CheckMessage] = []
    for alias in databases or []:
        recorder = MigrationRecorder(connections[alias])
        if not recorder.has_table():
            continue
        applied = set(recorder.applied_migrations())
        for key, migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items():
            replaced = set(migration.replaces)
            if key not in applied and applied & replaced and not replaced <= applied:
                app, name = key
                missing = ", ".join(n for a, n in sorted(replaced - applied))
                errors.append(
                    checks.Error(
                        f"The database {alias!r} has only part of what {app}.{name} replaces (missing: {missing}).",
                        hint="Upgrade to the previous release first and run its migrate, then to this one "
                        "(docs/operations.md, Upgrades).",
                        id="access.E001",
                    )
                )
    return errors
