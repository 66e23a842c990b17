"""The demo mailbox: with DESK_DEMO_REPLAY the real e-mail poll (EXAMINE, UID SEARCH, UID FETCH, the parser, the
cursor, intake) reads the demo week's mail. The answers' shapes come from channels/adapters/email/replay.py, which
follows imaplib's return shapes for RFC 3501 commands (as protocol.parse_fetch_response documents them and the
Dovecot tests in test_email_imap.py receive them) and RFC 5322 threading headers (as in the notmuch fixtures)."""

from __future__ import annotations

import imaplib
import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine

from channels.adapters.base import ReplyTarget
from channels.adapters.email.client import imap_session
from channels.adapters.email.config import settings_of, validate_config
from channels.adapters.email.replay import ReplayMailbox, render
from channels.adapters.email.reply import email_reply_send
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.demo.week import THREADS, Thread, thread_start
from channels.models import Channel
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "email"
ANCHOR = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then
SPEC = DEMO_CHANNELS[KIND]
OURS = SPEC["our_accounts"][0]
WEEK = [(index, thread) for index, thread in enumerate(THREADS) if thread.kind == KIND]
POSTS = sum(1 + len(thread.followups) for _, thread in WEEK)  # 8: the meetup's two, the programme's six
OUR_REPLIES = sum(author == "@ours" for _, thread in WEEK for _, author, _ in thread.followups)


@pytest.fixture(autouse=True)
def no_socket(monkeypatch):
    """The demo mailbox is answered here: any socket the poll opened would fail the test."""

    def refused(*args, **kwargs):
        raise AssertionError(f"the demo opened a connection: {args}")

    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", refused)


def ticket_of(channel: Channel, thread: Thread) -> Ticket:
    return demo.ticket_of(channel, title=thread.title)


def test_the_week_polls_into_one_ticket_per_thread_with_our_replies():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert len(demo.assert_week_stored(channel, ANCHOR)) == len(WEEK) == 2
    for index, thread in WEEK:
        ticket = ticket_of(channel, thread)
        assert demo.ticket_posts(ticket) == demo.thread_posts(
            index, ANCHOR
        )  # times, authors, texts, our replies as ours
        assert ticket.subject == thread.title
    meetup = ticket_of(channel, WEEK[0][1])
    assert meetup.first_reply_at == demo.thread_posts(WEEK[0][0], ANCHOR)[1].at  # our reply, read from the mailbox
    counts = ingested(outcome)
    assert (counts.created, counts.our_replies, counts.quarantined) == (POSTS, OUR_REPLIES, 0) == (8, 3, 0)
    assert channel.cursor["uidvalidity"] and channel.cursor["last_uid"] > 0


def test_a_second_poll_stores_nothing_twice():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        ingested(poll(channel))
        cursor = channel.cursor
        again = demo.assert_second_poll_stores_nothing(channel)

    assert again.received == 0
    assert len(stored(channel)) == POSTS
    assert channel.cursor == cursor


def test_the_external_ids_are_the_same_at_every_poll():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        poll(channel)
        first = stored(channel)
        Channel.objects.filter(pk=channel.pk).update(cursor={})  # a re-sync reads the whole window again
        channel.refresh_from_db()
        resync = poll(channel)

    assert ingested(resync).received == POSTS and ingested(resync).created == 0
    assert stored(channel) == first


def test_a_post_is_served_once_its_time_has_come_and_joins_its_ticket():
    index, meetup = WEEK[0]
    opened = thread_start(meetup, ANCHOR)
    with time_machine.travel(opened + timedelta(hours=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        first = poll(channel)
    assert first.status == "ok", first.error
    ticket = ticket_of(channel, meetup)
    assert list(ticket.messages.values_list("body", flat=True)) == [meetup.text]  # our reply comes at +300 min
    assert Ticket.objects.filter(channel=channel).count() == 1  # the other thread opens four days later

    with time_machine.travel(opened + timedelta(minutes=301), tick=False):
        later = poll(channel)
    assert ingested(later).created == 1 and ingested(later).our_replies == 1
    reply = ticket.messages.get(kind=Message.Kind.OUR_REPLY)
    assert reply.body == meetup.followups[0][2] and reply.author_handle == OURS
    assert reply.parent_external_id == f"demo-email-{index}@example.org"  # In-Reply-To: the opening post

    with time_machine.travel(ANCHOR, tick=False):
        last = poll(channel)
    assert ingested(last).tickets_created == 1
    assert Ticket.objects.filter(channel=channel).count() == 2


def test_the_mailbox_answers_in_imaplibs_shapes():
    with time_machine.travel(ANCHOR, tick=False):
        config = settings_of(validate_config(SPEC["config"]))
        mailbox = ReplayMailbox(config, demo_posts(KIND, now=ANCHOR))
        assert mailbox.login(config.username, SPEC["credentials"]["password"]) == ("OK", [b"Logged in"])
        typ, data = mailbox.select('"INBOX"', readonly=True)
        assert (typ, data) == ("OK", [str(POSTS).encode()])
        uids = sorted(mailbox.messages)
        assert mailbox.untagged_responses["UIDNEXT"] == [str(uids[-1] + 1).encode()]
        assert mailbox.uid("SEARCH", f"UID {uids[0] + 1}:*") == ("OK", [" ".join(map(str, uids[1:])).encode()])
        assert mailbox.uid("SEARCH", f"UID {uids[-1] + 5}:*") == ("OK", [str(uids[-1]).encode()])  # "*" is the last
        # The programme's thread, all of it on the 9th (the meetup's is of the 5th).
        since = [uid for uid in uids if uid >= datetime(2025, 3, 9, tzinfo=UTC).timestamp()]
        assert len(since) == 6
        assert mailbox.uid("SEARCH", "SINCE", "09-Mar-2025") == ("OK", [" ".join(map(str, since)).encode()])
        typ, fetched = mailbox.uid("FETCH", f"{uids[0]}", "(UID INTERNALDATE BODY.PEEK[])")
        assert typ == "OK" and fetched[1] == b")"
        meta, raw = fetched[0]
        assert meta == f'1 (UID {uids[0]} INTERNALDATE "05-Mar-2025 09:00:00 +0000" BODY[] {{{len(raw)}}}'.encode()
        assert b"\r\nMessage-ID: <demo-email-" in raw
        with pytest.raises(imaplib.IMAP4.error, match="BAD"):
            mailbox.uid("SEARCH", "FROM", "someone")
        assert mailbox.select('"Archive"', readonly=True)[0] == "NO"


def test_a_follow_up_is_threaded_to_the_post_before_it():
    with time_machine.travel(ANCHOR, tick=False):
        posts = demo_posts(KIND, now=ANCHOR)
    opening, reply = posts.threads()[0]
    raw = render(reply, [opening], ours=posts.our_account, mailbox=OURS).decode()
    assert f"From: {OURS}\r\n" in raw and "To: meetup.organiser@example.org\r\n" in raw
    assert f"In-Reply-To: <{opening.external_id}@example.org>\r\n" in raw
    assert f"References: <{opening.external_id}@example.org>\r\n" in raw
    assert f"Subject: Re: {opening.title}\r\n" in raw


def test_a_wrong_password_is_refused_like_a_server_would():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        channel.credentials = {"password": "not-the-demo-one"}
        channel.save()
        outcome = poll(channel)
    assert outcome.status != "ok"
    assert "login as 'community@example.com' was refused" in outcome.error
    assert "not-the-demo-one" not in outcome.error
    assert stored(channel) == []


def test_another_mailbox_outside_this_machine_is_refused_and_one_on_it_is_connected_to(caplog):
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        Channel.objects.filter(pk=channel.pk).update(config={**SPEC["config"], "host": "imap.gmail.com"})
        outcome = poll(channel)
    assert outcome.status != "ok" and "connection refused" in outcome.error
    assert "refused an IMAP connection to imap.gmail.com" in caplog.text
    assert stored(channel) == []

    local = settings_of(validate_config({**SPEC["config"], "host": "127.0.0.1"}))  # a test server on this machine
    with pytest.raises(AssertionError, match="the demo opened a connection"), imap_session(local, "pw"):
        pass


def test_without_the_demo_the_client_connects_to_the_server(settings, monkeypatch):
    settings.DESK_DEMO_REPLAY = False
    # The fetch guard resolves the host before connecting: the name answered at the resolver (no DNS here).
    answer = [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.215.14", 993))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    config = settings_of(validate_config(SPEC["config"]))
    with pytest.raises(AssertionError, match="the demo opened a connection"), imap_session(config, "pw"):
        pass


def test_a_reply_sent_from_the_demo_desk_never_leaves_the_machine(settings, monkeypatch, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example.com", 587

    def no_smtp(*args, **kwargs):
        raise AssertionError("the demo desk opened an SMTP connection")

    monkeypatch.setattr("smtplib.SMTP.__init__", no_smtp)
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        poll(channel)
    ticket = ticket_of(channel, WEEK[1][1])
    asked = ticket.messages.order_by("platform_created_at").first()
    assert asked is not None and asked.author_handle == "maintainer@example.net"

    target = ReplyTarget(
        external_id=asked.external_id or "",
        author_handle=asked.author_handle,
        raw=asked.raw,
        title=asked.title or ticket.subject,
        ticket_hint=ticket.pk,
    )
    sent = email_reply_send(
        channel=channel, account=None, session=requests.Session(), target=target, text="We'll look into it today."
    )

    printed = capsys.readouterr().out
    assert "To: maintainer@example.net" in printed and "We'll look into it today." in printed
    assert sent.raw["To"] == "maintainer@example.net"


def test_smtp_to_this_machine_is_left_alone_on_the_demo_desk(settings):
    from channels.adapters.email.reply import demo_connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"  # a local catcher (Mailpit)
    assert demo_connection() is None
    settings.EMAIL_HOST = "smtp.example.com"
    assert demo_connection() is not None
    settings.DESK_DEMO_REPLAY = False
    assert demo_connection() is None  # production: EMAIL_URL's backend, whatever it is
