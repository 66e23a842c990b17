"""Issue 45: behind PgBouncer in transaction mode, the tickets' CSV export works with DB_DISABLE_SERVER_SIDE_CURSORS.

A real PgBouncer (Debian's /usr/sbin/pgbouncer) is started on a free port in `pool_mode = transaction` in front of
this run's test database, and the export (metrics.csv_export.export_lines, what /kpi/export/tickets.csv streams;
its rows come from `.iterator()`) runs in a separate process whose DATABASE_URL is PgBouncer's.

Without the setting, Django reads `.iterator()` through a server-side cursor: outside a transaction it is
`DECLARE ... WITH HOLD`, then each `FETCH` is a transaction of its own, which PgBouncer may hand to another server
connection, where the cursor does not exist. Which connection it gets depends on the other clients at that
moment; the test makes it certain by giving PgBouncer two idle server connections and `server_round_robin = 1`
(each transaction takes the connection idle longest, as under load it would be whichever one is free).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.utils import timezone

from mentions.tests.factories import TicketFactory
from tests.local_processes import free_port, manage_shell

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
PGBOUNCER = "/usr/sbin/pgbouncer"
SERVER_CONNECTIONS = 2

# The tickets export of the last week, read to the end, as the view streams it to a manager.
EXPORT = """
from datetime import timedelta
from django.utils import timezone
from metrics.csv_export import export_lines
today = timezone.localdate()
lines = list(export_lines(table="tickets", start=today - timedelta(days=6), end=today, channel_id=None,
                          now=timezone.now()))
print("rows", len(lines) - 1)
"""


@pytest.fixture
def pgbouncer() -> Iterator[int]:
    """PgBouncer in transaction mode in front of the test database; its port. Stopped after the test."""
    db = settings.DATABASES["default"]
    assert Path(PGBOUNCER).exists(), "Install Debian's pgbouncer (.ci/run does)."
    port = free_port()
    # PgBouncer refuses to run as root and drops to another user with -u: its files must be readable by that user.
    folder = Path(tempfile.mkdtemp(prefix="desk-pgbouncer-"))
    folder.chmod(0o755)
    (folder / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{db["NAME"]} = host={db["HOST"]} port={db["PORT"]} dbname={db["NAME"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
server_round_robin = 1
default_pool_size = {SERVER_CONNECTIONS}
"""
    )
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    log = (folder / "pgbouncer.log").open("wb")
    process = subprocess.Popen([PGBOUNCER, *user, str(folder / "pgbouncer.ini")], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "pgbouncer.log").read_text()
                time.sleep(0.05)
        _open_server_connections(port, db)
        yield port
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _open_server_connections(port: int, db: dict) -> None:
    """Two clients in a transaction at once make PgBouncer open two server connections, which stay in its pool."""
    clients = [
        psycopg2.connect(host="127.0.0.1", port=port, dbname=db["NAME"], user=db["USER"])
        for _ in range(SERVER_CONNECTIONS)
    ]
    for client in clients:
        client.cursor().execute("SELECT 1")  # psycopg2 opens a transaction: each client holds its server connection
    for client in clients:
        client.commit()
        client.close()


def _export(port: int, *, disable_server_side_cursors: bool) -> subprocess.CompletedProcess:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "DB_DISABLE_SERVER_SIDE_CURSORS"}
    env.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings_test",
        DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}",
        DB_CONN_MAX_AGE="0",  # as behind PgBouncer in transaction mode
        DB_DISABLE_SERVER_SIDE_CURSORS=str(disable_server_side_cursors).lower(),
    )
    return manage_shell(EXPORT, env)


@pytest.fixture
def tickets() -> int:
    for hours in (1, 5, 30):
        TicketFactory(requested_at=timezone.now() - timedelta(hours=hours))
    return 3


def test_the_export_streams_through_pgbouncer_with_server_side_cursors_off(pgbouncer, tickets):
    result = _export(pgbouncer, disable_server_side_cursors=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"rows {tickets}"


def test_without_the_setting_the_export_fails_through_pgbouncer(pgbouncer, tickets):
    result = _export(pgbouncer, disable_server_side_cursors=False)

    assert result.returncode != 0
    assert 'cursor "_django_curs_' in result.stderr and "does not exist" in result.stderr
