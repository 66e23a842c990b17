"""A platform's gateway process (``manage.py discord_gateway``): one connection per credential among the platform's
enabled channels, each in a thread of its own, kept in step with admin every `RECONCILE_SECONDS` (a channel added,
disabled or fixed is served, dropped or served again within a minute), each message it brings stored as a push
(intake.services.pushes) beside the channels' polls.

A connection the platform refuses for good (a token revoked, an intent not granted) marks its channels failing with
the reason and the fix, and is not opened again while they are: the process waits for an admin instead of
spinning. A connection that ends on a bug of ours is logged and opened again at the next round. With no channel to
serve the process waits, so that the process manager's other processes keep running."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db import close_old_connections, connection

from channels.adapters.base import AdapterError, PermanentError, Pushed
from channels.freshness import hashed
from channels.models import Channel
from intake.services.pushes import push_refused_record, pushed_store

logger = logging.getLogger(__name__)

RECONCILE_SECONDS = 60.0
JOIN_SECONDS = 10.0


class Connection(Protocol):
    """One credential's connection (the platform's package builds it: channels.adapters.discord.gateway)."""

    def serve(self, channels: list[Channel]) -> None: ...

    def channel_ids(self) -> list[int]: ...

    def run(self) -> None: ...


Deliver = Callable[[Channel, Pushed], None]
Opener = Callable[..., Connection]  # (credential, *, deliver, stop) -> Connection


@dataclass
class _Running:
    connection: Connection
    thread: threading.Thread
    stop: threading.Event


def gateways_run(
    *,
    kind: str,
    credential_of: Callable[[Channel], str],
    open_connection: Opener,
    stop: threading.Event,
    every: float = RECONCILE_SECONDS,
) -> None:
    """Serve `kind`'s enabled, healthy channels until `stop` is set, then close every connection and return."""
    running: dict[str, _Running] = {}
    logger.info("gateway: serving the %s channels", kind)
    try:
        while not stop.is_set():
            _reconcile(kind, credential_of, open_connection, running)
            stop.wait(every)
    finally:
        for each in running.values():
            each.stop.set()
        for each in running.values():
            each.thread.join(JOIN_SECONDS)
        logger.info("gateway: %s connections closed", kind)


def _reconcile(
    kind: str, credential_of: Callable[[Channel], str], open_connection: Opener, running: dict[str, _Running]
) -> None:
    close_old_connections()
    wanted = _by_credential(kind, credential_of)
    for key in list(running):
        if key not in wanted or not running[key].thread.is_alive():
            running.pop(key).stop.set()  # it closes its socket at its next look at the flag
    for key, (credential, channels) in wanted.items():
        if key in running:
            running[key].connection.serve(channels)
            continue
        stop = threading.Event()
        made = open_connection(credential, deliver=_store, stop=stop)
        made.serve(channels)
        thread = threading.Thread(target=_serve, args=(made, key), name=f"gateway-{key}", daemon=True)
        running[key] = _Running(connection=made, thread=thread, stop=stop)
        thread.start()
        logger.info("gateway: connecting for channels %s", ", ".join(c.slug for c in channels))


def _by_credential(kind: str, credential_of: Callable[[Channel], str]) -> dict[str, tuple[str, list[Channel]]]:
    """The channels to serve by credential (keyed by its hash: the credential itself is never a name or a log)."""
    grouped: dict[str, tuple[str, list[Channel]]] = {}
    channels = Channel.objects.filter(kind=kind, enabled=True).exclude(health=Channel.Health.FAILING)
    for channel in channels.order_by("pk"):
        try:
            credential = credential_of(channel)
        except AdapterError as exc:  # no token stored: its poll says so on the channel
            logger.warning("gateway: channel=%s not served: %s", channel.slug, exc)
            continue
        grouped.setdefault(hashed(credential), (credential, []))[1].append(channel)
    return grouped


def _serve(made: Connection, key: str) -> None:
    try:
        made.run()
    except PermanentError as exc:
        ids = made.channel_ids()
        logger.error("gateway: connection %s stopped, channels %s marked failing: %s", key, ids, exc)
        push_refused_record(channel_ids=ids, error=str(exc))
    except Exception:
        logger.exception("gateway: connection %s ended on an error; opened again at the next round", key)
    finally:
        connection.close()  # this thread's database connection


def _store(channel: Channel, pushed: Pushed) -> None:
    close_old_connections()  # a long-lived thread: a connection the database dropped is replaced, not used
    result = pushed_store(channel=channel, pushed=pushed)
    if result is not None:
        logger.info("gateway: channel=%s %s", channel.slug, result.as_dict())
