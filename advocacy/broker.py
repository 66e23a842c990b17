"""The embedded default's Celery broker: kombu's SQLAlchemy transport on one SQLite file, `DESK_VAR_DIR/broker.sqlite3`.

Before issue 55 the embedded default used kombu's filesystem transport. It creates a message's file and then writes
it, in place: a worker listing the folder in between takes an empty or half-written file, fails on its JSON and
stops consuming for good (kombu issue #1551); `make run`'s worker died so after 6.5 minutes with 1,453 messages
behind it. SQLite hands a message to one reader inside one transaction, so a row is either wholly there or not.

kombu's transport as it ships is written for a server database; six things here make it hold with the several
processes `make run` starts (web, beat and both workers' pool processes publish; two workers consume):

- a busy timeout: a writer waits for another's lock instead of failing at once ("database is locked");
- WAL: readers (the workers' polls) never wait for a writer, nor a writer for them;
- a message taken is deleted in the same transaction: kombu marks it invisible and keeps it forever, and nothing
  ever reads it again (a task the worker did not acknowledge is put back as a new row), so the file only grew;
- no pooled connections (NullPool): a worker forks its pool processes, and SQLite forbids using a connection
  opened before a fork (its locks belong to the parent);
- the tables made under a write lock: four processes starting at once on a fresh `var/` each saw none and the
  second CREATE failed; likewise a queue's row is inserted if missing, not looked for and then inserted.

`file_messages_import` moves what the old file broker left queued into this one, once, when a worker starts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import sqlalchemy as kombu_sqlalchemy
from kombu.transport.sqlalchemy.models import metadata as kombu_tables
from kombu.utils.encoding import bytes_to_str
from sqlalchemy import create_engine, delete, event, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

# Longer than any write holds the lock (a few milliseconds), short enough that a wedged file shows: past it the
# publisher retries (Celery's publish retry policy) and a consumer reconnects, both logged.
BUSY_TIMEOUT_SECONDS = 30
# Transport options kombu or Celery read themselves; the rest of the options are create_engine's.
_KOMBU_OPTIONS = frozenset(
    (
        "queue_tablename",
        "message_tablename",
        "callback",
        "errback",
        "max_retries",
        "interval_start",
        "interval_step",
        "interval_max",
        "retry_errors",
        "polling_interval",
        "confirm_publish",
    )
)


def _connection_setup(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # In WAL mode NORMAL still commits every transaction whole and survives a process killed at any point (what a
    # worker dying is); only the last commits before a power cut may be lost, where FULL would fsync each one.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A message taken is deleted; its bytes (a task's arguments) are overwritten, not left in free pages, as the
    # desk's own SQLite file does for erasure (advocacy.sqlite).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@contextlib.contextmanager
def _made_alone(database: str | None) -> Iterator[None]:
    """Processes starting at once on a fresh file make its schema one at a time: switching a new file to WAL takes
    a lock SQLite does not wait for (its busy timeout does not cover it), so a second process's PRAGMA failed with
    "database is locked" (seen in tests/test_embedded_broker_queues.py). A lock file beside the broker's file."""
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _schema_make(engine: Engine) -> None:
    with _made_alone(engine.url.database), engine.connect() as connection:
        # The journal mode is kept in the file: once set, every later connection of every process uses WAL.
        mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
        if mode != "wal":
            logger.warning("The broker's SQLite file stays in journal mode %s, not WAL", mode)
        # Checked and made under one write lock: a second process waits, then finds the tables there.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        kombu_tables.create_all(connection)
        connection.commit()


class Channel(kombu_sqlalchemy.Channel):
    # This transport's engines, not kombu's class-wide cache (another sqla:// broker in the process keeps its own).
    _engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}
    _engines_lock = threading.Lock()

    def _open(self) -> tuple[Engine, sessionmaker[Session]]:
        client = self.connection.client
        if client is None or not client.hostname:
            raise ValueError("the broker's channel has no connection URL")
        url = client.hostname
        if url not in self._engines:
            with self._engines_lock:
                if url not in self._engines:
                    options = dict(client.transport_options or {})
                    for key in _KOMBU_OPTIONS:
                        options.pop(key, None)
                    engine = create_engine(
                        url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, **options
                    )
                    event.listen(engine, "connect", _connection_setup)
                    _schema_make(engine)
                    self._engines[url] = engine, sessionmaker(bind=engine)
        return self._engines[url]

    def _get_or_create(self, queue: str) -> Any:
        """The queue's row, made if missing. kombu's own looks, then inserts under a lock of its process only: two
        workers starting on a fresh var/ both look, both insert, and the second dies on the name's UNIQUE
        constraint (seen in CI). Inserted here with ON CONFLICT DO NOTHING, so whoever comes second finds the row."""
        found = self.session.query(self.queue_cls).filter(self.queue_cls.name == queue).first()
        if found is None:
            made = sqlite_insert(self.queue_cls.__table__).values(name=queue).on_conflict_do_nothing()
            self.session.execute(made)
            self.session.commit()
            found = self.session.query(self.queue_cls).filter(self.queue_cls.name == queue).one()
        return found

    def _queue_id(self, queue: str) -> int:
        queues = self.queue_cls.__table__
        named = select(queues.c.id).where(queues.c.name == queue)
        found = self.session.execute(named).scalar()
        if found is None:
            self._new_queue(queue)  # the get-or-create of the queue's row, above
            found = self.session.execute(named).scalar_one()
        return int(found)

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        messages = self.message_cls.__table__
        waiting = (messages.c.queue_id == self._queue_id(queue)) & messages.c.visible.is_(True)
        first = select(messages.c.id).where(waiting).order_by(messages.c.id).limit(1)
        session = self.session
        try:
            # Most polls find the queue empty: a plain read answers them without taking the write lock.
            if session.execute(first).first() is None:
                raise Empty()
            # The write lock before the read, so the row read is the row deleted: two consumers never take the
            # same message, and SQLite never has to upgrade a read to a write (which fails at once, unretried).
            session.execute(text("BEGIN IMMEDIATE"))
            row = session.execute(
                delete(messages).where(messages.c.id == first.scalar_subquery()).returning(messages.c.payload)
            ).first()
        finally:
            session.commit()
        if row is None:  # another consumer took it between the look and the lock
            raise Empty()
        return json.loads(bytes_to_str(row[0]))


class Transport(kombu_sqlalchemy.Transport):
    Channel = Channel


def file_messages_import(var_dir: Path, channel: Any) -> tuple[int, int]:
    """Messages left queued by the file broker of an earlier version (`var_dir/celery/broker/*.msg`) put on their
    queues here, oldest first, and their files removed: (moved, unreadable). A file that is not whole JSON (the
    file broker's own defect) is set aside in `var_dir/celery/unreadable/` and logged, not retried forever.

    Workers starting together take turns (a lock file): each file is imported once. A process killed between
    putting a message and removing its file puts it again at the next start: tasks are idempotent."""
    folder = var_dir / "celery" / "broker"
    if not folder.is_dir():
        return 0, 0
    moved = unreadable = 0
    with (var_dir / "celery" / "import.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.is_dir():  # a worker that started beside this one has moved them all
            return 0, 0
        # The file broker named each file `<milliseconds>_<uuid>.<queue>.msg`: sorted, the oldest comes first.
        for name in sorted(entry for entry in os.listdir(folder) if entry.endswith(".msg")):
            path = folder / name
            queue = name.partition(".")[2].removesuffix(".msg")
            try:
                payload = json.loads(path.read_bytes())
            except FileNotFoundError:
                continue
            except ValueError:
                aside = var_dir / "celery" / "unreadable"
                aside.mkdir(exist_ok=True)
                os.replace(path, aside / name)
                unreadable += 1
                continue
            channel._put(queue, payload)
            path.unlink()
            moved += 1
        for leftover in (folder, var_dir / "celery" / "control"):
            _folder_remove(leftover)
    if moved or unreadable:
        logger.warning(
            "Moved %d queued messages from the old file broker (%s) to the embedded broker; %d unreadable set aside "
            "in %s",
            moved,
            folder,
            unreadable,
            var_dir / "celery" / "unreadable",
        )
    return moved, unreadable


def _folder_remove(folder: Path) -> None:
    """The old broker's folder once emptied, and its exchange tables (kombu's own bindings, remade by nothing now)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.suffix == ".exchange":
            entry.unlink()
    with contextlib.suppress(OSError):  # something else is in it (files nobody expected): left for the operator
        folder.rmdir()
