"""Polling a mailbox end to end against a real IMAP server (Dovecot, see imap_server.py):
channel_poll -> EmailAdapter -> ingest. Each test works in its own folder of the one test server."""

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.adapters import get_adapter
from channels.adapters.base import AuthError, ConfigError
from channels.http import build_session
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures, poll, stored
from channels.tests.imap_server import imap_date, imap_server  # noqa: F401
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "community@example.com"
ALL_MESSAGES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.eml"))


@pytest.fixture(autouse=True)
def _dovecot_reachable(settings):
    """Dovecot listens on 127.0.0.1: the fetch guard's escape hatch, said here for this module's mailboxes."""
    settings.DESK_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mail(headers: str, body: str = "Hello,\n\nhow do I reset my password?\n") -> bytes:
    return (headers.strip("\n") + "\n\n" + body).replace("\n", "\r\n").encode()


@pytest.fixture
def mailbox(imap_server):  # noqa: F811
    return imap_server.create_mailbox()


def email_channel(server, mailbox, *, password=None, **config):
    channel = ChannelFactory(
        kind="email",
        name=f"Mail {mailbox}",
        slug=f"mail-{mailbox}",
        config={
            "host": server.host,
            "port": server.port,
            "ca_file": server.ca_file,
            "mailbox": mailbox,
            "address": ADDRESS,
            "username": server.user,
            **config,
        },
        our_accounts=["advocate@example.com"],
    )
    channel.credentials = {"password": server.password if password is None else password}
    channel.save()
    return channel


def counts(outcome):
    return outcome.result.as_dict()


# --- new mail, threads, replies ---------------------------------------------------------------


def test_new_mail_becomes_tickets_and_the_cursor_moves(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    for name in ("helpdesk_quoted_printable.eml", "flanker_bilingual_cyrillic.eml", "helpdesk_pgp.eml"):
        imap_server.deliver(load(name), mailbox=mailbox)

    outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert counts(outcome) == figures(received=3, created=3, tickets_created=3)
    status = imap_server.status(mailbox)
    assert channel.cursor == {"mailbox": mailbox, "uidvalidity": status["UIDVALIDITY"], "last_uid": 3}
    assert channel.health == Channel.Health.OK
    assert channel.platform_status["messages"] == 3
    assert channel.platform_status["backlog"] == 0
    message = Message.objects.get(channel=channel, external_id="341090.85574.qm@web50704.mail.re2.yahoo.com")
    assert message.title == "Simple text. How are you? Как ты поживаешь?"
    assert message.body == "This line is in English\nА эта линия по-русски."  # noqa: RUF001 (the Russian line)
    assert (message.author_handle, message.author_name) == ("hello@example.com", "Hello")
    assert message.platform_created_at == datetime(2010, 2, 7, 22, 2, 38, tzinfo=UTC)
    assert message.raw["internaldate"]
    assert message.ticket is not None
    assert message.ticket.subject == message.title


def test_every_real_message_through_the_server(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    for name in ALL_MESSAGES:
        imap_server.deliver(load(name), mailbox=mailbox)

    outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    # 22 files: the bounce and the "Precedence: bulk" post are dropped, the rest have distinct Message-IDs.
    assert counts(outcome)["created"] == 20
    assert channel.cursor["last_uid"] == 22
    for root, size in (
        ("20091117190054.GU3165@dottiness.seas.harvard.edu", 7),
        ("ddd65cda0911171950o4eea4389v86de9525e46052d3@mail.gmail.com", 4),
    ):
        ticket = Message.objects.get(channel=channel, external_id=root).ticket
        assert ticket is not None
        assert ticket.messages.count() == size
    # 20 messages, 11 of them in the two threads: 9 + 2 tickets.
    assert Ticket.objects.filter(channel=channel).count() == 11


def test_a_reply_in_the_thread_joins_its_ticket(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(load("notmuch_thread_macosx/31.eml"), mailbox=mailbox)
    assert counts(poll(channel))["tickets_created"] == 1
    ticket = Ticket.objects.get(channel=channel)

    for name in ("notmuch_thread_macosx/34.eml", "notmuch_thread_macosx/35.eml", "notmuch_thread_macosx/36.eml"):
        imap_server.deliver(load(name), mailbox=mailbox)
    outcome = poll(channel)

    assert counts(outcome) == figures(received=3, created=3, threaded=3)
    assert Ticket.objects.filter(channel=channel).count() == 1
    assert ticket.messages.count() == 4


def test_our_own_reply_is_recorded_and_sets_first_reply_at(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(
        mail(
            "From: Jane Doe <jane@example.org>\nTo: community@example.com\nSubject: Stickers?\n"
            "Message-ID: <ask-1@example.org>\nDate: Mon, 3 Mar 2025 09:00:00 +0000"
        ),
        mailbox=mailbox,
    )
    poll(channel)
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.first_reply_at is None

    # We answered from the mailbox's own address and Bcc'd the mailbox.
    imap_server.deliver(
        mail(
            f"From: Community Team <{ADDRESS}>\nTo: jane@example.org\nSubject: Re: [#{ticket.pk}] Stickers?\n"
            "Message-ID: <reply-1@example.com>\nIn-Reply-To: <ask-1@example.org>\nReferences: <ask-1@example.org>\n"
            "Date: Mon, 3 Mar 2025 10:30:00 +0100",
            "Sure, they are on their way.\n",
        ),
        mailbox=mailbox,
    )
    outcome = poll(channel)

    assert counts(outcome)["our_replies"] == 1
    assert counts(outcome)["tickets_created"] == 0
    ticket.refresh_from_db()
    assert ticket.first_reply_at == datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    assert ticket.first_reply_seconds == 1800
    reply = Message.objects.get(channel=channel, external_id="reply-1@example.com")
    assert (reply.kind, reply.ticket_id) == (Message.Kind.OUR_REPLY, ticket.pk)


# --- what never becomes a ticket ----------------------------------------------------------------


def test_out_of_office_bounce_and_bulk_open_no_ticket_but_the_cursor_passes_them(
    imap_server,  # noqa: F811
    mailbox,
    caplog,
):
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(
        mail(
            "From: Jane Doe <jane@example.org>\nSubject: Automatic reply: Stickers?\n"
            "Message-ID: <ooo-1@example.org>\nAuto-Submitted: auto-replied\nDate: Mon, 3 Mar 2025 09:00:00 +0000",
            "I am out of the office until Monday.\n",
        ),
        mailbox=mailbox,
    )
    imap_server.deliver(load("flanker_bounce_gmail_invalid_address.eml"), mailbox=mailbox)
    imap_server.deliver(load("flanker_from_raw_8bit_header.eml"), mailbox=mailbox)

    with caplog.at_level(logging.INFO, logger="channels.adapters.email"):
        outcome = poll(channel)

    assert outcome.status == "ok"
    assert counts(outcome)["received"] == 0
    assert stored(channel) == []
    assert channel.cursor["last_uid"] == 3
    logged = caplog.text
    assert "ooo-1@example.org skipped, no ticket: auto-reply (Auto-Submitted: auto-replied)" in logged
    assert "001a11c2449205704f04e0cbff5b@google.com skipped, no ticket: bounce" in logged
    assert "33C7E4E1.2A12445E@blank.pages.de skipped, no ticket: bulk mail (Precedence: bulk)" in logged

    imap_server.deliver(load("helpdesk_forwarded-message.eml"), mailbox=mailbox)
    outcome = poll(channel)
    assert counts(outcome)["created"] == 1
    assert outcome.result is not None
    assert outcome.result.received == 1  # the skipped ones were not read again
    assert channel.cursor["last_uid"] == 4


@pytest.mark.parametrize(("skip_list_mail", "expected"), [(False, 1), (True, 0)])
def test_mailing_list_posts_are_kept_unless_the_channel_skips_them(
    imap_server,  # noqa: F811
    mailbox,
    skip_list_mail,
    expected,
):
    channel = email_channel(imap_server, mailbox, skip_list_mail=skip_list_mail)
    imap_server.deliver(load("notmuch_thread_maildir_storage/03.eml"), mailbox=mailbox)  # List-Id, Precedence: list
    outcome = poll(channel)
    assert counts(outcome)["created"] == expected
    assert channel.cursor["last_uid"] == 1


# --- cursor discipline ----------------------------------------------------------------------------


def test_polling_twice_stores_nothing_twice(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    for name in ("helpdesk_quoted_printable.eml", "notmuch_archive_delivered_twice.eml"):
        imap_server.deliver(load(name), mailbox=mailbox)
    # The same Message-ID delivered twice (two copies in the folder).
    imap_server.deliver(load("notmuch_archive_delivered_twice.eml"), mailbox=mailbox)

    first = poll(channel)
    second = poll(channel)

    assert counts(first) == figures(received=3, created=2, duplicates=1, tickets_created=2)
    assert counts(second)["received"] == 0
    assert second.result is not None
    assert second.result.created == 0
    # A lost cursor re-reads the backfill window: everything is a duplicate.
    Channel.objects.filter(pk=channel.pk).update(cursor={})
    third = poll(channel)
    assert third.result is not None
    assert (third.result.received, third.result.created, third.result.duplicates) == (3, 0, 3)
    assert len(stored(channel)) == 2
    assert channel.cursor["last_uid"] == 3


def test_uidvalidity_change_resyncs_without_duplicates(imap_server, mailbox, caplog):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)
    poll(channel)
    old_validity = channel.cursor["uidvalidity"]

    new_validity = imap_server.reset_uidvalidity(mailbox)
    imap_server.deliver(load("flanker_bilingual_cyrillic.eml"), mailbox=mailbox)
    with caplog.at_level(logging.WARNING, logger="channels.adapters.email"):
        outcome = poll(channel)

    assert new_validity != old_validity
    assert outcome.status == "ok"
    assert counts(outcome) == figures(received=3, created=1, duplicates=2, tickets_created=1)
    assert channel.cursor == {"mailbox": mailbox, "uidvalidity": new_validity, "last_uid": 3}
    assert f"UIDVALIDITY {old_validity} -> {new_validity}" in caplog.text
    assert Ticket.objects.filter(channel=channel).count() == 3
    assert counts(poll(channel))["received"] == 0


def test_first_poll_reads_only_the_backfill_window(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox, backfill_days=7)
    month_ago = datetime.now(tz=UTC) - timedelta(days=30)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox, internaldate=month_ago)
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)

    outcome = poll(channel)

    assert counts(outcome)["created"] == 1
    assert stored(channel) == ["CACf_UpPA7=DRF4NLFf4WpOVwHsRMtfNEwy1DHLjfh09DjuKZFA@mail.gmail.com"]
    assert channel.cursor["last_uid"] == 2


def test_backfill_zero_starts_with_new_mail_only(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox, backfill_days=0)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)
    assert counts(poll(channel))["received"] == 0
    assert channel.cursor["last_uid"] == 1
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)
    assert counts(poll(channel))["created"] == 1


def test_max_messages_per_poll_moves_the_cursor_only_as_far_as_it_read(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox, max_messages_per_poll=2)
    for name in ALL_MESSAGES[:5]:
        imap_server.deliver(load(name), mailbox=mailbox)

    progress = []
    for _ in range(4):
        outcome = poll(channel)
        assert outcome.result is not None
        progress.append((outcome.result.received, channel.cursor["last_uid"], channel.platform_status["backlog"]))

    # File 2 is the bounce and file 3 the bulk post: read and passed, not stored.
    assert progress == [(1, 2, 3), (1, 4, 1), (1, 5, 0), (0, 5, 0)]
    assert len(stored(channel)) == 3


def test_missing_date_falls_back_to_internaldate(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    when = imap_date(datetime.now(tz=UTC) - timedelta(days=2, hours=3))
    imap_server.deliver(
        mail("From: a@example.org\nSubject: no date\nMessage-ID: <nodate@example.org>"),
        mailbox=mailbox,
        internaldate=when,
    )
    poll(channel)
    assert Message.objects.get(channel=channel).platform_created_at == when


def test_messages_are_not_marked_seen(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox, flags="\\Flagged")

    outcome = poll(channel)

    assert counts(outcome)["created"] == 2
    flags = imap_server.flags(mailbox)
    assert set(flags) == {1, 2}
    assert all("\\Seen" not in f for f in flags.values()), flags
    assert "\\Flagged" in flags[2]


# --- errors ----------------------------------------------------------------------------------------


def test_wrong_password_marks_the_channel_failing_with_a_readable_error(imap_server, mailbox):  # noqa: F811
    secret = "Wr0ng-Passw0rd-do-not-log"
    channel = email_channel(imap_server, mailbox, password=secret)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)

    outcome = poll(channel)

    assert outcome.status == "failing"
    assert channel.health == Channel.Health.FAILING
    assert channel.last_error.startswith(f"IMAP 127.0.0.1:{imap_server.port}: login as 'desk-test' was refused")
    assert "AUTHENTICATIONFAILED" in channel.last_error
    assert secret not in channel.last_error
    assert channel.cursor == {}
    with pytest.raises(AuthError) as excinfo:
        get_adapter("email").test_connection(channel=channel, session=build_session())
    assert secret not in str(excinfo.value)


def test_server_down_is_transient_and_the_next_poll_stores_everything(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)
    poll(channel)
    cursor = dict(channel.cursor)
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)
    imap_server.deliver(load("flanker_bilingual_cyrillic.eml"), mailbox=mailbox)

    with imap_server.down():
        outcome = poll(channel)
        assert outcome.status == "transient_error"
        assert "connection refused" in outcome.error
        assert channel.health == Channel.Health.BACKING_OFF
        assert channel.cursor == cursor
        assert channel.next_poll_at is not None

    outcome = poll(channel)
    assert outcome.status == "ok"
    assert counts(outcome)["created"] == 2
    assert channel.health == Channel.Health.OK
    assert channel.cursor["last_uid"] == 3


def test_a_server_that_never_answers_is_a_timeout(imap_server, mailbox, settings):  # noqa: F811
    settings.DESK_HTTP_TIMEOUT_SECONDS = 0.5
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        channel = email_channel(imap_server, mailbox, port=listener.getsockname()[1])
        outcome = poll(channel)
    finally:
        thread.join(timeout=5)
        for conn, _addr in accepted:
            conn.close()
        listener.close()
    assert outcome.status == "transient_error"
    assert outcome.error.endswith("no answer within 0.5s")
    assert channel.cursor == {}


def test_an_untrusted_certificate_is_permanent_and_says_what_to_do(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    channel.config = {k: v for k, v in channel.config.items() if k != "ca_file"}
    channel.save()

    outcome = poll(channel)

    assert outcome.status == "failing"
    assert "TLS certificate was not accepted" in channel.last_error
    assert '"ca_file"' in channel.last_error


def test_a_missing_mailbox_is_a_config_error(imap_server):  # noqa: F811
    channel = email_channel(imap_server, "no-such-folder")
    outcome = poll(channel)
    assert outcome.status == "failing"
    assert "mailbox 'no-such-folder' cannot be opened" in channel.last_error
    with pytest.raises(ConfigError):
        get_adapter("email").test_connection(channel=channel, session=build_session())


def test_ssl_on_the_plain_port_is_a_config_error(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox, port=imap_server.starttls_port)
    outcome = poll(channel)
    assert outcome.status == "failing"
    assert "did not answer with TLS" in channel.last_error


def test_starttls(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox, security="starttls", port=imap_server.starttls_port)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)
    outcome = poll(channel)
    assert outcome.status == "ok", outcome.error
    assert counts(outcome)["created"] == 1


def test_test_connection_reports_the_mailbox(imap_server, mailbox):  # noqa: F811
    channel = email_channel(imap_server, mailbox)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=mailbox)
    imap_server.deliver(load("helpdesk_quoted_printable.eml"), mailbox=mailbox)
    validity = imap_server.status(mailbox)["UIDVALIDITY"]

    summary = get_adapter("email").test_connection(channel=channel, session=build_session())

    assert summary == f"IMAP answered: {mailbox} has 2 messages (UIDVALIDITY {validity})."
    assert all("\\Seen" not in f for f in imap_server.flags(mailbox).values())


def test_the_inbox_itself(imap_server):  # noqa: F811
    """The default folder: INBOX is shared by the session, so this test only counts what it delivered."""
    channel = email_channel(imap_server, "INBOX")
    channel.config = {k: v for k, v in channel.config.items() if k != "mailbox"}
    channel.save()
    poll(channel)
    before = Message.objects.filter(channel=channel).count()
    imap_server.deliver(
        mail(f"From: a@example.org\nSubject: inbox\nMessage-ID: <inbox-{channel.pk}-{before}@example.org>")
    )
    outcome = poll(channel)
    assert outcome.status == "ok", outcome.error
    assert counts(outcome)["created"] == 1
    assert channel.cursor["mailbox"] == "INBOX"


def test_a_folder_name_with_spaces_and_umlauts(imap_server):  # noqa: F811
    folder = imap_server.create_mailbox(prefix="Team Entwürfe ")
    channel = email_channel(imap_server, folder)
    imap_server.deliver(load("helpdesk_pgp.eml"), mailbox=folder)
    outcome = poll(channel)
    assert outcome.status == "ok", outcome.error
    assert counts(outcome)["created"] == 1
    assert channel.cursor["mailbox"] == folder


def test_a_password_that_is_not_ascii_logs_in_with_authenticate_plain(imap_server):  # noqa: F811
    channel = email_channel(imap_server, "INBOX", username=imap_server.intl_user, password=imap_server.intl_password)
    summary = get_adapter("email").test_connection(channel=channel, session=build_session())
    assert summary.startswith("IMAP answered: INBOX has 0 messages (UIDVALIDITY ")
