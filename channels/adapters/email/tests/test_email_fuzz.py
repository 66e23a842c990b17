"""Property-based tests on BYTES: every real .eml fixture, broken the ways mail breaks (truncated, invalid UTF-8,
broken RFC 2047 encoded words, charsets that are no charset, NUL, huge headers, MIME nested hundreds deep, dates in
year 1 or 9999, header lines without a colon), is parsed without an unhandled exception, its mentions come out
clean, and a chunk of them is stored whole or not at all. The message items a dead letter keeps are fuzzed too."""

import base64
from pathlib import Path

import pytest
from hypothesis import strategies as st

from channels.adapters.email import EmailAdapter
from channels.adapters.email.page import message_item
from channels.adapters.email.parse import read_message
from channels.tests.factories import ChannelFactory
from channels.tests.fuzzing import FUZZ_EXAMPLES, QUARTER, check_parse, fuzz_each, mutated
from intake.services.quarantine import mentions_store
from mentions.models import Message, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.suffix in (".eml", ".rfc822"))
MESSAGES = {name: (FIXTURES / name).read_bytes() for name in NAMES}
adapter = EmailAdapter()

INVALID_UTF8 = [b"\xff", b"\xfe\xfe", b"\xc3", b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80\x81"]
BROKEN_WORDS = [
    b"=?utf-8?B?!!!not-base64?=",
    b"=?utf-8?B?w6k?=",  # unpadded, half a character
    b"=?x-unknown?Q?caf=E9?=",
    b"=?zlib_codec?B?eJzLSM3JyVcozy/KSQEAGgQEXQ==?=",
    b"=?base64?Q?=ZZ=?=",
    b"=?utf-8*en?q?caf=C3=A9?=",
    b"=?utf-16?B?2D3eAA==?=",  # a lone surrogate in UTF-16
    b"=?unicode-1-1-utf-7?Q?+AOk-?=",
    b"=?=?=?=?",
    b"=?utf-8?Q?\x00?=",
]
BAD_CHARSETS = [b"zlib_codec", b"base64", b"utf-7", b"x-nonexistent", b"idna", b"rot13", b'"', b"", b"utf-8\x00"]
BAD_DATES = [
    b"Mon, 1 Jan 0001 00:00:00 +0000",
    b"Fri, 31 Dec 9999 23:59:59 -2359",
    b"Mon, 99 Foo 99999 99:99:99 +9999",
    b"1970-01-01",
    b"-1",
    b"\xff\xfe",
]
HOSTILE_HEADERS = [
    b"Subject: " + b"x " * 60_000,
    b"References: " + b" ".join(b"<%d@x>" % i for i in range(3_000)),
    b"Message-ID: <" + b"a" * 5000 + b">",
    b"From: \x00 <\x00@\x00>",
    b"From: =?utf-8?B?QGNoYW5uZWw=?= <<<@@@>>>",
    b"In-Reply-To: (((((((((((((((((((",
    b"Content-Type: multipart/mixed",  # no boundary
    b"Content-Type: text/plain; charset*=utf-8''%ZZ",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1=\x00",
    b"Auto-Submitted: \xff\xfe",
    b"no colon on this line",
    b": empty name",
    b"\tcontinuation before any header",
]


def nested_multipart(levels: int) -> bytes:
    """A MIME tree `levels` deep, each level a multipart with its own boundary, a text part at the bottom."""
    head = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1) for i in range(levels)
    )
    tail = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(levels + 1)))
    return head + b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text" % levels + tail


def forwarded_deep(levels: int) -> bytes:
    """message/rfc822 inside message/rfc822, `levels` deep."""
    inner = b"Subject: bottom\r\n\r\nbottom text\r\n"
    for _ in range(levels):
        inner = b"Content-Type: message/rfc822\r\nSubject: fwd\r\n\r\n" + inner
    return inner


@st.composite
def broken(draw, raw: bytes) -> bytes:
    """`raw` with 1 to 3 byte-level mutations at drawn places."""
    data = raw
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        split = data.find(b"\n\n") if b"\n\n" in data else data.find(b"\r\n\r\n")
        header_end = split if split > 0 else len(data)
        at = draw(st.integers(min_value=0, max_value=max(0, len(data))))
        header_at = draw(st.integers(min_value=0, max_value=max(0, header_end)))
        line_start = data.rfind(b"\n", 0, header_at) + 1
        operation = draw(
            st.sampled_from(
                [
                    "truncate",
                    "invalid_utf8",
                    "encoded_word",
                    "charset",
                    "nul",
                    "header",
                    "nested",
                    "date",
                    "crlf",
                    "flip",
                ]
            )
        )
        if operation == "truncate":
            data = data[:at]
        elif operation == "invalid_utf8":
            data = data[:at] + draw(st.sampled_from(INVALID_UTF8)) + data[at:]
        elif operation == "encoded_word":
            data = data[:header_at] + b" " + draw(st.sampled_from(BROKEN_WORDS)) + b" " + data[header_at:]
        elif operation == "charset":
            charset = draw(st.sampled_from(BAD_CHARSETS))
            data = data[:line_start] + b"Content-Type: text/plain; charset=" + charset + b"\r\n" + data[line_start:]
        elif operation == "nul":
            data = data[:at] + b"\x00" * draw(st.sampled_from([1, 3, 1000])) + data[at:]
        elif operation == "header":
            data = data[:line_start] + draw(st.sampled_from(HOSTILE_HEADERS)) + b"\r\n" + data[line_start:]
        elif operation == "nested":
            levels = draw(st.sampled_from([3, 30, 120]))  # deeper: test_deep_mime_...
            if draw(st.booleans()):
                body = nested_multipart(levels)
                head = b'Content-Type: multipart/mixed; boundary="b0"\r\nMIME-Version: 1.0\r\n'
            else:
                body = forwarded_deep(levels)
                head = b"Content-Type: message/rfc822\r\n"
            data = head + data[:header_end].replace(b"Content-Type:", b"X-Old-Type:") + b"\r\n\r\n" + body
        elif operation == "date":
            data = data[:line_start] + b"Date: " + draw(st.sampled_from(BAD_DATES)) + b"\r\n" + data[line_start:]
        elif operation == "crlf":
            data = data.replace(b"\r\n", b"\r") if draw(st.booleans()) else data.replace(b"\n", b"\r\r\n")
        else:  # flip one byte
            if data:
                index = min(at, len(data) - 1)
                data = data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
    return data


@fuzz_each(NAMES, examples=max(10, FUZZ_EXAMPLES // 2))  # x 22+ fixtures
def test_email_survives_mutated_messages(name, data):
    raw = data.draw(broken(MESSAGES[name]))
    read_message(raw)  # the parser itself never raises
    check_parse(lambda: adapter.parse_page(raw))
    check_parse(lambda: adapter.parse_page([message_item(raw, uid=7, mailbox="INBOX")]))


@fuzz_each(NAMES[:4], examples=QUARTER)
def test_email_survives_mutated_message_items(name, data):
    """The JSON item a dead letter keeps (uid, internaldate, base64 message), mutated like any payload."""
    item = data.draw(mutated(message_item(MESSAGES[name], uid=3, mailbox="INBOX")))
    check_parse(lambda: adapter.parse_item(item))
    check_parse(lambda: adapter.parse_page(item))


@pytest.mark.django_db
@fuzz_each(["helpdesk_quoted_printable.eml", "notmuch_thread_macosx/31.eml"], examples=40)
def test_email_mutated_messages_are_stored_whole_or_not_at_all(name, data):
    """A chunk of mutated messages through the poll's own store (`mentions_store`): every message is stored
    once with its ticket, or quarantined, and the figures add up."""
    raws = [data.draw(broken(MESSAGES[name])) for _ in range(3)]
    items = [message_item(raw, uid=i, mailbox="INBOX") for i, raw in enumerate(raws, 1)]
    parsed = adapter.parse_page(items)
    channel = ChannelFactory(kind="email", config={"host": "imap.example.com", "address": "community@example.com"})
    result = mentions_store(channel=channel, mentions=parsed.mentions, rejected=parsed.rejected, cursor={"last_uid": 3})
    stored = Message.objects.filter(channel=channel)
    assert result.created + result.duplicates + result.quarantined == result.received
    assert result.received == len(parsed.mentions) + len(parsed.rejected)
    assert not stored.filter(ticket__isnull=True).exists()
    assert stored.count() == result.created
    assert Ticket.objects.filter(channel=channel).count() == result.tickets_created
    channel.refresh_from_db()
    assert channel.cursor == {"last_uid": 3}  # the cursor moved with the chunk


def test_every_fixture_is_fuzzed_and_parses_unmutated():
    assert len(NAMES) >= 22
    for name in NAMES:
        parsed = adapter.parse_page(MESSAGES[name])
        assert not parsed.rejected, name


@pytest.mark.parametrize("levels", [30, 300, 1500, 5000])
def test_deep_mime_and_deep_forwards_do_not_exhaust_the_stack(levels):
    for body, content_type in (
        (nested_multipart(levels), b'multipart/mixed; boundary="b0"'),
        (forwarded_deep(levels), b"message/rfc822"),
    ):
        raw = b"From: a@example.org\r\nMessage-ID: <deep@x>\r\nContent-Type: " + content_type + b"\r\n\r\n" + body
        parsed = adapter.parse_page(raw)
        assert len(parsed.mentions) == 1 and not parsed.rejected


def test_an_item_that_is_not_a_message_is_rejected_with_its_payload():
    good = message_item(MESSAGES["helpdesk_quoted_printable.eml"], uid=1)
    bad = {"uid": 2, "message": "!!! not base64 !!!"}
    parsed = adapter.parse_page([good, bad, "a string", None])
    assert len(parsed.mentions) == 1
    assert [r.external_id for r in parsed.rejected] == ["2", "", ""]
    assert parsed.rejected[0].error == "ValueError: the item's message is not base64"
    assert parsed.rejected[0].raw == bad
    # A dead letter's payload read again (an admin's retry) gives the message back.
    again = adapter.parse_item(good)
    assert [m.external_id for m in again.mentions] == [parsed.mentions[0].external_id]
    assert base64.b64decode(good["message"]) == MESSAGES["helpdesk_quoted_printable.eml"]
