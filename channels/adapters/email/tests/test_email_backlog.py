"""A mailbox holding more mail than one poll's budget drains over successive polls through the real poll service
(`channel_poll`) against a real IMAP server (Dovecot), oldest first, in UID chunks each committed with the cursor
at its highest UID; a poll that dies part-way keeps the chunks it stored."""

from datetime import UTC, datetime, timedelta
from types import GeneratorType

import pytest
from django.utils import timezone

from channels.adapters.email import EmailAdapter
from channels.adapters.email.client import FETCH_CHUNK
from channels.adapters.email.tests.test_email_imap import email_channel, mail
from channels.http import build_session
from channels.tests.harness import poll, stored
from channels.tests.imap_server import _mailbox_arg, imap_server  # noqa: F401
from intake.services.quarantine import mentions_store

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _dovecot_reachable(settings):
    """Dovecot listens on 127.0.0.1: the fetch guard's escape hatch, said here for this module's mailboxes."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def message(number: int) -> bytes:
    when = START + timedelta(minutes=number)
    return mail(
        f"From: Reader {number} <reader{number}@example.org>\nTo: community@example.com\n"
        f"Subject: Question {number}\nMessage-ID: <backlog-{number:05d}@example.org>\n"
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"Hello, this is question number {number}.\n",
    )


def deliver_many(server, mailbox: str, numbers) -> None:
    """APPEND on one connection (one login for hundreds of messages)."""
    with server.client() as imap:
        for number in numbers:
            typ, data = imap.append(_mailbox_arg(mailbox), None, None, message(number))
            assert typ == "OK", data


def test_email_backlog_larger_than_budget_drains_over_successive_polls(imap_server):  # noqa: F811
    mailbox = imap_server.create_mailbox("backlog")
    deliver_many(imap_server, mailbox, range(1, 238))  # 237 messages, UIDs 1..237
    budget = 100
    channel = email_channel(imap_server, mailbox, max_messages_per_poll=budget, backfill_days=365)

    per_poll, cursors, backlog = [], [], []
    for number in range(1, 10):
        outcome = poll(channel)
        assert outcome.status == "ok", outcome.error
        assert outcome.result is not None
        per_poll.append(outcome.result.received)
        cursors.append(channel.cursor["last_uid"])
        backlog.append(channel.platform_status["backlog"])
        if channel.platform_status["backlog"]:
            # More waits: the next poll comes soon, not after the channel's interval.
            assert (channel.next_poll_at - timezone.now()).total_seconds() <= 16
        if number == 1:
            # Mail arriving mid-drain comes after the backlog (UIDs 238, 239), never before it.
            deliver_many(imap_server, mailbox, [900, 901])
        if outcome.result.received == 0:
            break

    print(f"email backlog: 239 messages, budget {budget} a poll, per-poll received {per_poll}")
    assert per_poll == [100, 100, 39, 0]
    assert cursors == [100, 200, 239, 239]
    assert backlog == [137, 39, 0, 0]  # the first poll saw 237; two arrived after it
    ids = stored(channel, order="stored")
    assert len(ids) == len(set(ids)) == 239  # every message stored exactly once
    numbers = [int(i.split("-")[1].split("@")[0]) for i in ids]
    assert numbers == [*range(1, 238), 900, 901]  # stored oldest first, chunk by chunk


def test_each_chunk_is_committed_with_its_cursor_and_a_poll_that_dies_part_way_loses_nothing(
    imap_server,  # noqa: F811
):
    mailbox = imap_server.create_mailbox("chunks")
    deliver_many(imap_server, mailbox, range(1, 61))  # 60 messages: chunks of 25, 25, 10
    channel = email_channel(imap_server, mailbox, max_messages_per_poll=200, backfill_days=365)
    adapter = EmailAdapter()

    chunks = adapter.fetch_chunks(channel=channel, session=build_session())
    assert isinstance(chunks, GeneratorType)  # so the worker's death can be played by closing it
    first = next(chunks)
    assert [m.external_id for m in first.mentions] == [f"backlog-{n:05d}@example.org" for n in range(1, 26)]
    assert first.cursor["last_uid"] == FETCH_CHUNK and first.more
    assert first.requests_made == 3  # EXAMINE, UID SEARCH, one UID FETCH
    mentions_store(channel=channel, mentions=first.mentions, rejected=first.rejected, cursor=first.cursor)
    chunks.close()  # the worker dies here: the connection is logged out, chunk 1 is stored with its cursor

    channel.refresh_from_db()
    assert channel.cursor["last_uid"] == 25 and len(stored(channel)) == 25

    outcome = poll(channel)
    assert outcome.result is not None
    assert outcome.result.received == 35 and outcome.result.created == 35 and outcome.result.duplicates == 0
    assert channel.cursor["last_uid"] == 60
    assert len(stored(channel)) == 60
