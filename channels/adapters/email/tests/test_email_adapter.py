"""The e-mail adapter without a server: config, parsing every real message, edge cases, ingest_payload, threading.

Polling a real IMAP server (Dovecot) is in test_email_imap.py.
"""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from channels.adapters.base import ConfigError, IncomingMention, PayloadError
from channels.adapters.email import EmailAdapter, imap_utf7, parse_fetch_response, uid_set
from channels.adapters.email.headers import msg_ids, strip_comments
from channels.adapters.email.parse import parse_message, read_message
from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures, ingest_payload, ingest_payload_twice
from mentions.models import Message, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
ADAPTER = EmailAdapter()
CONFIG = {"host": "imap.example.com", "address": "community@example.com"}

ALL_MESSAGES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.eml"))
MAILDIR_THREAD = sorted(p for p in ALL_MESSAGES if p.startswith("notmuch_thread_maildir_storage/"))
MACOSX_THREAD = sorted(p for p in ALL_MESSAGES if p.startswith("notmuch_thread_macosx/"))
SKIPPED = {"flanker_bounce_gmail_invalid_address.eml", "flanker_from_raw_8bit_header.eml"}

MAILDIR_ROOT = "20091117190054.GU3165@dottiness.seas.harvard.edu"
MACOSX_ROOT = "ddd65cda0911171950o4eea4389v86de9525e46052d3@mail.gmail.com"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mail(headers: str, body: str = "Hello,\n\nhow do I reset my password?\n", *, crlf: bool = True) -> bytes:
    """A message from header lines (one per line) and a body."""
    text = headers.strip("\n") + "\n\n" + body
    return text.replace("\n", "\r\n").encode() if crlf else text.encode()


def parsed(raw: bytes, *, internaldate: datetime | None = None) -> IncomingMention:
    """A message the desk reads (`parse_message` gives None only for one it skips: a bounce, an unreadable one)."""
    mention = parse_message(raw, internaldate=internaldate)
    assert mention is not None
    return mention


def email_channel(**kw):
    kw.setdefault("config", dict(CONFIG))
    kw.setdefault("our_accounts", [])
    return ChannelFactory(kind="email", **kw)


# --- every real message ------------------------------------------------------------------

# file: (subject, from, Message-ID, parent, number of References, attachments, skip reason ("" = a ticket))
EXPECTED = {
    "flanker_bilingual_cyrillic.eml": (
        "Simple text. How are you? Как ты поживаешь?",
        "hello@example.com",
        "341090.85574.qm@web50704.mail.re2.yahoo.com",
        "",
        0,
        [],
        "",
    ),
    "flanker_bounce_gmail_invalid_address.eml": (
        "Delivery Status Notification (Failure)",
        "mailer-daemon@googlemail.com",
        "001a11c2449205704f04e0cbff5b@google.com",
        "",
        0,
        [],
        "bounce (From: mailer-daemon@googlemail.com)",
    ),
    "flanker_from_raw_8bit_header.eml": (
        "Re: running server as root (Was: Re: PUT method)",
        "ingo@blank.pages.de",
        "33C7E4E1.2A12445E@blank.pages.de",
        "Pine.BSF.3.95q.970712135859.28530B-100000@valis.worldgate.com",
        1,
        [],
        "bulk mail (Precedence: bulk)",
    ),
    "flanker_gmail_forward_in_reply_to.eml": (
        "Fwd: Please forward this email to me",
        "hello@example.com",
        "AANLkTikbSvKnE9RjZLNrpupmNMKChv2Kz8qB3HAagmSw@mail.gmail.com",
        "AANLkTinUdYK2NpEiYCKGnCEp_OXKqst_bWNdBVHsfDVh@mail.gmail.com",
        2,
        [],
        "",
    ),
    "helpdesk_all-special-chars.eml": (
        "Testovácí email",
        "timothy.hobbs@auto-mat.cz",
        "0fd7067e-2842-5b6c-3548-3cf7e6a1c9ea@auto-mat.cz",
        "",
        0,
        [],
        "",
    ),
    "helpdesk_blank-body-with-attachment.eml": (
        "Attachment without body - and a lo" + "o" * 178 + "ng subject",
        "timothy.hobbs@auto-mat.cz",
        "b05893cd-77b5-3450-4b84-9a1ad5119def@auto-mat.cz",
        "",
        0,
        ["baf (24 bytes)"],
        "",
    ),
    "helpdesk_forwarded-message.eml": (
        "Test with original message from GitHub",
        "sender@domain.tld",
        "0d3a17d5-7136-75c0-c8ba-a7698c57ac42@gmail.com",
        "",
        0,
        [],
        "",
    ),
    "helpdesk_pgp.eml": (
        "example email that crashes django-helpdesk get_email",
        "bugreporter@example.com",
        "8eef2077-8aff-9fb4-0e2a-9876ba2530b1@gmail.com",
        "",
        0,
        [],
        "",
    ),
    "helpdesk_quoted_printable.eml": (
        "Český test",
        "tim.thelion@gmail.com",
        "CACf_UpPA7=DRF4NLFf4WpOVwHsRMtfNEwy1DHLjfh09DjuKZFA@mail.gmail.com",
        "",
        0,
        [],
        "",
    ),
    "helpdesk_utf-nondecodable.eml": (
        "Fwd: Cyklozaměstnavatel - změna vyhodnocení",
        "john.smith@example.cz",
        "00d73ce5-774a-5ea1-6742-af73ef58c01c@example.cz",
        "CAK0Q_=uQY=3V5iUSgEN16GLtYoJ-6oQu-vYjsgQ=jv6DwOkuLQ@mail.gmail.com",
        1,
        [],
        "",
    ),
    "notmuch_archive_delivered_twice.eml": (
        "[notmuch] archive",
        "agriffis@n01se.net",
        "20091117232137.GA7669@griffis1.net",
        "",
        0,
        [],
        "",
    ),
    "notmuch_thread_macosx/31.eml": (
        "[notmuch] Mac OS X/Darwin compatibility issues",
        "gzjjgod@gmail.com",
        MACOSX_ROOT,
        "",
        0,
        [],
        "",
    ),
    "notmuch_thread_macosx/34.eml": (
        "[notmuch] Mac OS X/Darwin compatibility issues",
        "alex.boterolowry@gmail.com",
        "86einw2xof.fsf@fortitudo.i-did-not-set--mail-host-address--so-tickle-me",
        MACOSX_ROOT,
        1,
        [],
        "",
    ),
    "notmuch_thread_macosx/35.eml": (
        "[notmuch] Mac OS X/Darwin compatibility issues",
        "gzjjgod@gmail.com",
        "ddd65cda0911172214t60d22b63hcfeb5a19ab54a39b@mail.gmail.com",
        "86einw2xof.fsf@fortitudo.i-did-not-set--mail-host-address--so-tickle-me",
        2,
        [],
        "",
    ),
    "notmuch_thread_macosx/36.eml": (
        "[notmuch] Mac OS X/Darwin compatibility issues",
        "alex.boterolowry@gmail.com",
        "86d43g2w3y.fsf@fortitudo.i-did-not-set--mail-host-address--so-tickle-me",
        "ddd65cda0911172214t60d22b63hcfeb5a19ab54a39b@mail.gmail.com",
        3,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/03.eml": (
        "[notmuch] Working with Maildir storage?",
        "lars@seas.harvard.edu",
        MAILDIR_ROOT,
        "",
        0,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/04.eml": (
        "Re: [notmuch] Working with Maildir storage?",
        "dottedmag@dottedmag.net",
        "87iqd9rn3l.fsf@vertex.dottedmag",
        MAILDIR_ROOT,
        1,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/08.eml": (
        "Re: [notmuch] Working with Maildir storage?",
        "lars@seas.harvard.edu",
        "20091117203301.GV3165@dottiness.seas.harvard.edu",
        "87iqd9rn3l.fsf@vertex.dottedmag",
        2,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/09.eml": (
        "[notmuch] Working with Maildir storage?",
        "dottedmag@dottedmag.net",
        "87fx8can9z.fsf@vertex.dottedmag",
        "20091117203301.GV3165@dottiness.seas.harvard.edu",
        3,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/12.eml": (
        "[notmuch] Working with Maildir storage?",
        "keithp@keithp.com",
        "yunaayketfm.fsf@aiko.keithp.com",
        "20091117203301.GV3165@dottiness.seas.harvard.edu",
        3,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/22.eml": (
        "Re: [notmuch] Working with Maildir storage?",
        "lars@seas.harvard.edu",
        "20091118005040.GA25380@dottiness.seas.harvard.edu",
        "yunaayketfm.fsf@aiko.keithp.com",
        4,
        [],
        "",
    ),
    "notmuch_thread_maildir_storage/41.eml": (
        "[notmuch] Working with Maildir storage?",
        "cworth@cworth.org",
        "87ocn0qh6d.fsf@yoom.home.cworth.org",
        MAILDIR_ROOT,
        1,
        [],
        "",
    ),
}


def test_every_shared_message_was_copied_and_has_an_expectation():
    assert len(ALL_MESSAGES) == 22
    assert set(ALL_MESSAGES) == set(EXPECTED)


@pytest.mark.parametrize("name", ALL_MESSAGES)
def test_every_real_message_parses(name):
    subject, sender, message_id, parent, n_refs, attachments, skip = EXPECTED[name]
    raw = load(name)
    parsed = read_message(raw)
    mention = parsed.mention

    assert parsed.skip_reason == skip
    assert (parse_message(raw) is None) == bool(skip)
    assert mention.title == subject
    assert mention.author_handle == sender
    assert mention.external_id == message_id
    assert mention.parent_id == parent
    assert len(msg_ids(parsed.mention.raw.get("References", ""))) == n_refs
    assert [a.label() for a in parsed.attachments] == attachments
    assert mention.text.strip()
    assert mention.created_at.tzinfo is not None and mention.created_at.utcoffset() == timedelta(0)
    assert mention.permalink == "" and mention.author_url == ""
    # The raw payload is a few headers and the attachment list, never the message itself.
    assert set(mention.raw) <= {
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Precedence",
        "List-Id",
        "attachments",
        "size",
    }
    assert mention.raw["size"] == len(raw)
    assert mention.raw["Message-ID"] == f"<{message_id}>"
    json.dumps(mention.raw)  # storable as jsonb


def test_dates_with_offsets_become_utc():
    # -0500, +0600 and -0800 in one thread (Date: Wed, 18 Nov 2009 01:02:38 +0600)
    assert read_message(load("notmuch_thread_maildir_storage/04.eml")).mention.created_at == datetime(
        2009, 11, 17, 19, 2, 38, tzinfo=UTC
    )
    # "Sun, 7 Feb 2010 14:02:38 -0800 (PST)": a trailing comment
    assert read_message(load("flanker_bilingual_cyrillic.eml")).mention.created_at == datetime(
        2010, 2, 7, 22, 2, 38, tzinfo=UTC
    )


# --- edge cases, one real message each -----------------------------------------------------


def test_bilingual_cyrillic_subject_split_across_encoded_words_and_qp_body():
    mention = parsed(load("flanker_bilingual_cyrillic.eml"))
    assert mention.title == "Simple text. How are you? Как ты поживаешь?"
    assert mention.text == "This line is in English\nА эта линия по-русски."  # noqa: RUF001 (the Russian line)
    assert mention.author_name == "Hello"


def test_quoted_printable_and_b_encoded_subject():
    mention = parsed(load("helpdesk_quoted_printable.eml"))
    assert mention.title == "Český test"
    assert mention.text == "Tohle je test českých písmen odeslaných z gmailu."
    assert mention.author_name == "Tim hobbs"


def test_eight_bit_utf8_body_and_thunderbird_forward():
    assert parsed(load("helpdesk_all-special-chars.eml")).text == "íářčšáíéřášč"
    mention = parsed(load("helpdesk_utf-nondecodable.eml"))
    assert "podle domluvy bych Tě poprosila o změnu vyhodnocení soutěže" in mention.text
    assert "\ufffd" not in mention.text
    # Only the text/plain alternative: the HTML one ("prosazuje lepší prostředí") is not appended.
    assert "prosazuje" not in mention.text


def test_blank_body_with_attachment_lists_it_and_never_inlines_it():
    parsed = read_message(load("helpdesk_blank-body-with-attachment.eml"))
    assert parsed.mention.text == "Attachments: baf (24 bytes)"
    assert "You shouldn't see this" not in parsed.mention.text
    assert parsed.mention.raw["attachments"] == [{"name": "baf", "size": 24, "content_type": "text/plain"}]


def test_inline_forwarded_message_is_kept_as_text():
    mention = parsed(load("helpdesk_forwarded-message.eml"))
    assert mention.text.startswith(
        "This is email body\n\n-----Original Message-----\nFrom: GitHub <noreply@github.com>"
    )
    assert mention.author_name == "The Sender"


def test_gmail_forward_prefers_the_plain_alternative():
    mention = parsed(load("flanker_gmail_forward_in_reply_to.eml"))
    assert "Forward please" in mention.text
    assert "<br>" not in mention.text and "gmail_quote" not in mention.text
    assert mention.thread_id == "AANLkTi=1ANR2FzeeQ-vK3-_ty0gUrOsAxMRYkob6CL-c@mail.gmail.com"


@pytest.mark.parametrize("name", ["helpdesk_pgp.eml", "notmuch_thread_maildir_storage/03.eml"])
def test_pgp_signed_mail_keeps_the_text_and_drops_the_signature(name):
    parsed = read_message(load(name))
    assert "BEGIN PGP SIGNATURE" not in parsed.mention.text
    assert parsed.attachments == ()
    assert "Attachments:" not in parsed.mention.text


def test_pgp_signed_body_text():
    mention = parsed(load("helpdesk_pgp.eml"))
    assert mention.text == (
        "hi, thanks for looking into this :)\n\n"
        "https://github.com/django-helpdesk/django-helpdesk/issues/567#issuecomment-342954233"
    )


def test_raw_8bit_latin1_byte_in_from_is_decoded():
    parsed = read_message(load("flanker_from_raw_8bit_header.eml"))
    assert parsed.mention.author_name == "Ingo Lütkebohle"
    assert parsed.mention.raw["From"] == '"Ingo Lütkebohle" <ingo@blank.pages.de>'
    # A 1997 majordomo list stamps its posts "Precedence: bulk": bulk mail opens no ticket.
    assert parsed.skip_reason == "bulk mail (Precedence: bulk)"


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("notmuch_thread_maildir_storage/04.eml", MAILDIR_ROOT),
        ("notmuch_thread_maildir_storage/09.eml", "20091117203301.GV3165@dottiness.seas.harvard.edu"),
    ],
)
def test_in_reply_to_with_a_trailing_comment(name, parent):
    mention = parsed(load(name))
    assert mention.parent_id == parent
    assert "Lars" not in mention.parent_id


def test_references_root_is_the_thread_and_the_rest_comes_nearest_first():
    mention = parsed(load("notmuch_thread_maildir_storage/22.eml"))  # tab-folded References, 4 ids
    assert mention.parent_id == "yunaayketfm.fsf@aiko.keithp.com"
    assert mention.thread_id == MAILDIR_ROOT
    assert mention.related_ids == (
        "20091117203301.GV3165@dottiness.seas.harvard.edu",
        "87iqd9rn3l.fsf@vertex.dottedmag",
    )


def test_mailing_list_posts_are_reported_not_skipped():
    parsed = read_message(load("notmuch_thread_maildir_storage/03.eml"))
    assert parsed.skip_reason == ""
    assert "notmuch.notmuchmail.org" in parsed.mailing_list


# --- edge cases, built here ------------------------------------------------------------------


def test_bytes_that_do_not_decode_and_unknown_charsets():
    raw = (
        b"From: =?x-klingon?Q?Kr=F6nk?= <K@Example.COM>\r\n"
        b"Subject: =?utf-8?B?bm90IGJhc2U2NCEhIQ?= and =?utf-8?Q?caf=C3=A9?=\r\n"
        b"Message-ID: <bytes@example.com>\r\n"
        b"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"broken \xff\xfe utf-8 caf\xc3\xa9\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=x-klingon\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"na\xefve in an unknown charset\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=zlib_codec\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"aGVsbG8gdGhlcmU=\r\n"
        b"--XX--\r\n"
    )
    mention = parsed(raw)
    assert mention.author_handle == "k@example.com"
    assert mention.author_name == "Krönk"
    assert mention.title == "not base64!!! and café"
    assert "broken \ufffd\ufffd utf-8 café" in mention.text
    assert "naïve in an unknown charset" in mention.text
    assert "hello there" in mention.text  # a bytes-to-bytes codec is no charset: read as text


def test_missing_message_id_is_a_hash_of_the_message():
    headers = "From: a@example.com\nSubject: no id\nDate: Mon, 3 Mar 2025 10:00:00 +0000"
    first = parsed(mail(headers))
    assert first.external_id.startswith("sha256:") and len(first.external_id) == 71
    # The same message with LF line endings (a saved file) or CRLF (IMAP) is the same message.
    assert parsed(mail(headers, crlf=False)).external_id == first.external_id
    assert parsed(mail(headers, "Another question\n")).external_id != first.external_id


def test_missing_date_falls_back_to_internaldate_then_now():
    internaldate = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    raw = mail("From: a@example.com\nSubject: no date\nMessage-ID: <nodate@example.com>")
    assert parsed(raw, internaldate=internaldate).created_at == internaldate
    before = datetime.now(tz=UTC)
    assert before <= parsed(raw).created_at <= datetime.now(tz=UTC)
    # An unreadable or impossible Date counts as missing.
    for date in ("yesterday-ish", "Thu, 01 Jan 1970 00:00:00 +0000", "Mon, 3 Mar 2031 10:00:00 +0000"):
        raw = mail(f"From: a@example.com\nDate: {date}\nMessage-ID: <d@example.com>")
        assert parsed(raw, internaldate=internaldate).created_at == internaldate, date


def test_date_without_zone_is_utc():
    raw = mail("From: a@example.com\nDate: Mon, 3 Mar 2025 10:00:00 -0000\nMessage-ID: <z@example.com>")
    assert parsed(raw).created_at == datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def test_html_only_mail_becomes_inert_text_with_safe_links():
    html = (
        "<html><head><style>p {color: red}</style><script>alert('pwned')</script></head><body>"
        "<p>Hi &amp; thanks,</p><p>see <a href='https://docs.example.com/reset'>the docs</a> or "
        '<a href="javascript:alert(document.cookie)">click me</a>'
        "<img src=x onerror=alert(1)></p></body></html>"
    )
    raw = mail(
        "From: a@example.com\nSubject: html\nMessage-ID: <html@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8",
        html,
    )
    mention = parsed(raw)
    assert mention.text == "Hi & thanks,\n\nsee the docs (https://docs.example.com/reset) or click me"
    assert "alert" not in mention.text and "javascript" not in mention.text and "<" not in mention.text


def test_empty_plain_alternative_falls_back_to_html():
    raw = mail(
        "From: a@example.com\nMessage-ID: <alt@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=B",
        "--B\nContent-Type: text/plain\n\n \n--B\nContent-Type: text/html\n\n<p>Only <b>here</b></p>\n--B--\n",
    )
    assert parsed(raw).text == "Only here"


def test_attachments_are_listed_with_sizes_and_safe_names():
    pdf = "A" * 16384  # base64 of 12 KB
    raw = mail(
        "From: a@example.com\nMessage-ID: <att@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=B",
        "--B\nContent-Type: text/plain\n\nSee attached.\n"
        f'--B\nContent-Type: application/pdf; name=x.pdf\nContent-Disposition: attachment; filename="report.pdf"\n'
        f"Content-Transfer-Encoding: base64\n\n{pdf}\n"
        "--B\nContent-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fetc%2F%C3%BCber.sh\n\n#!/bin/sh\n"
        "--B\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--B\nContent-Type: message/rfc822\n\nFrom: b@example.com\nSubject: the original\n\nOriginal text\n"
        "--B--\n",
    )
    parsed = read_message(raw)
    assert parsed.mention.text == (
        "See attached.\n\nAttachments: report.pdf (12 KB), über.sh (9 bytes), unnamed image/png (8 bytes), "
        "the original.eml (56 bytes)"
    )
    assert "Original text" not in parsed.mention.text
    assert [a["name"] for a in parsed.mention.raw["attachments"]] == [
        "report.pdf",
        "über.sh",
        "unnamed image/png",
        "the original.eml",
    ]


def test_encrypted_mail_says_so():
    raw = mail(
        "From: a@example.com\nMessage-ID: <enc@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=B',
        "--B\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
        "--B\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nhQEMA\n-----END PGP MESSAGE-----\n"
        "--B--\n",
    )
    mention = parsed(raw)
    assert mention.text == "[Encrypted message: it cannot be read here.]"


def test_our_reply_subject_names_its_ticket():
    raw = mail("From: community@example.com\nSubject: Re: [#4711] Password reset\nMessage-ID: <r@example.com>")
    assert parsed(raw).ticket_hint == 4711
    assert parsed(mail("From: a@example.com\nSubject: Re: [#abc] hi")).ticket_hint is None


def test_missing_in_reply_to_uses_the_last_reference_as_parent():
    raw = mail("From: a@example.com\nMessage-ID: <c@x>\nReferences: <a@x> <b@x>")
    mention = parsed(raw)
    assert (mention.parent_id, mention.thread_id, mention.related_ids) == ("b@x", "a@x", ())


def test_long_message_ids_are_hashed_the_same_way_everywhere():
    long_id = "x" * 250 + "@example.com"
    original = parsed(mail(f"From: a@example.com\nMessage-ID: <{long_id}>"))
    reply = parsed(mail(f"From: b@example.com\nMessage-ID: <r@x>\nIn-Reply-To: <{long_id}>"))
    assert original.external_id.startswith("msgid-sha256:") and len(original.external_id) <= 200
    assert reply.parent_id == original.external_id


def test_message_id_helpers():
    assert strip_comments('<a@x> (Lars\n\tK\'s message of "Tue, 17 Nov (2009)")') == "<a@x> "
    assert msg_ids('<a@x> (comment <not@this>) "quoted (not a comment)" <b@x>') == ["a@x", "b@x"]
    assert msg_ids("<a@\r\n x>") == ["a@x"]
    assert msg_ids("bare-id@example.com") == ["bare-id@example.com"]
    assert msg_ids("") == []


AUTOMATED = [
    ("Auto-Submitted: auto-replied", "auto-reply (Auto-Submitted: auto-replied)"),
    ("Auto-Submitted: auto-generated; owner-email=x@example.com", "auto-reply (Auto-Submitted: auto-generated)"),
    ("Precedence: bulk", "bulk mail (Precedence: bulk)"),
    ("Precedence: junk", "bulk mail (Precedence: junk)"),
    ("X-Autoreply: yes", "auto-reply (X-Autoreply: yes)"),
    ("X-Autorespond: Out of office", "auto-reply (X-Autorespond: out of office)"),
    ("Precedence: auto_reply", "auto-reply (Precedence: auto_reply)"),
    ("X-Apple-Action: VACATION", "auto-reply (X-Apple-Action: vacation)"),
    ("X-Auto-Reply: yes", "auto-reply (X-Auto-Reply: yes)"),
    ("X-Vacation: yes", "auto-reply (X-Vacation: yes)"),
    (
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent",
        "auto-reply (X-MS-Exchange-Generated-Message-Source: mailbox rules agent)",
    ),
    ("Return-Path: <>", "bounce or notification (null sender, Return-Path: <>)"),
    ("X-Failed-Recipients: gone@example.com", "bounce (X-Failed-Recipients)"),
    (
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B",
        "bounce or receipt (multipart/report; report-type=delivery-status)",
    ),
]


@pytest.mark.parametrize(("header", "reason"), AUTOMATED)
def test_auto_replies_bounces_and_bulk_mail_open_no_ticket(header, reason):
    raw = mail(f"From: someone@example.com\nSubject: Out of office\nMessage-ID: <auto@example.com>\n{header}")
    assert read_message(raw).skip_reason == reason
    assert parse_message(raw) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Runner fails on arm64",
        "Out of Office: Runner fails on arm64",
        "AutoReply: Runner fails on arm64",
        "Abwesenheitsnotiz: Runner fails on arm64",
        "Réponse automatique : Runner fails on arm64",
        "Respuesta automática: Runner fails on arm64",
    ],
)
def test_an_auto_reply_with_no_header_but_its_subject_opens_no_ticket(subject):
    """Many vacation responders set no Auto-Submitted and no vendor header; their subject says it."""
    raw = mail(f"From: someone@example.com\nSubject: {subject}\nMessage-ID: <away@example.com>")
    assert read_message(raw).skip_reason == f"auto-reply (Subject: {subject})"


@pytest.mark.parametrize("subject", ["Out of office sync fails in GitLab", "Question about auto-reply rules"])
def test_a_person_writing_about_auto_replies_is_kept(subject):
    raw = mail(f"From: someone@example.com\nSubject: {subject}\nMessage-ID: <human@example.com>")
    assert read_message(raw).skip_reason == "" and parse_message(raw) is not None


def test_human_mail_from_postmaster_is_not_a_bounce():
    """postmaster@ is a role mailbox people write from: without bounce evidence it is a mention."""
    raw = mail(
        "From: Postmaster <postmaster@example.org>\nSubject: Your relay rejects our mail\nMessage-ID: <pm@example.org>"
    )
    assert read_message(raw).skip_reason == ""
    assert parsed(raw).author_handle == "postmaster@example.org"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "Postmaster <postmaster@example.com>"])
def test_mail_from_mailer_daemon_or_postmaster_is_a_bounce(sender):
    raw = mail(f"From: {sender}\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <b@example.com>")
    assert read_message(raw).skip_reason.startswith("bounce (From: ")


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "Precedence: list", "X-Autoreply: no"])
def test_mail_a_person_wrote_is_kept(header):
    raw = mail(f"From: someone@example.com\nMessage-ID: <person@example.com>\n{header}")
    assert parse_message(raw) is not None


def test_garbage_never_crashes_the_parser():
    rng = random.Random(20251121)
    samples = [b"", b"\x00\xff\xfe", b"no headers at all", b"Content-Type: multipart/mixed\r\n\r\n--\r\n"]
    for name in ALL_MESSAGES:
        raw = load(name)
        for _ in range(8):
            data = bytearray(raw[: rng.randrange(1, len(raw) + 1)])
            for _flip in range(rng.randrange(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            samples.append(bytes(data))
    for sample in samples:
        parsed = read_message(sample)
        assert parsed.mention.external_id
        assert parsed.mention.created_at.tzinfo is not None
        assert "\x00" not in parsed.mention.text


# --- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"address": "community@example.com"}, '"host" is required'),
        ({**CONFIG, "host": "imaps://imap.example.com"}, "not a URL"),
        ({**CONFIG, "host": "imap.example.com:993"}, "not a valid host name"),
        ({**CONFIG, "security": "plain"}, "Plain IMAP is refused"),
        ({**CONFIG, "security": "none"}, "Plain IMAP is refused"),
        ({**CONFIG, "security": "tls"}, '"security" must be "ssl"'),
        ({**CONFIG, "security": ["ssl"]}, '"security" must be "ssl"'),
        ({**CONFIG, "port": 0}, '"port" must be a whole number from 1 to 65535'),
        ({**CONFIG, "port": "993"}, '"port" must be a whole number'),
        ({"host": "imap.example.com"}, '"address" is required'),
        ({**CONFIG, "address": "community"}, '"address" is required'),
        ({**CONFIG, "username": "a\r\nb"}, '"username" must be the IMAP login name'),
        ({**CONFIG, "mailbox": "INBOX\r\nA1 DELETE INBOX"}, '"mailbox" must be a folder name on one line'),
        ({**CONFIG, "ca_file": "ca.pem"}, "absolute path"),
        ({**CONFIG, "ca_file": "/nonexistent/ca.pem"}, "does not exist"),
        ({**CONFIG, "backfill_days": -1}, '"backfill_days" must be a whole number from 0 to 365'),
        ({**CONFIG, "max_messages_per_poll": 0}, '"max_messages_per_poll" must be a whole number from 1 to 5000'),
        ({**CONFIG, "max_messages_per_poll": True}, '"max_messages_per_poll" must be a whole number'),
        ({**CONFIG, "skip_list_mail": "yes"}, '"skip_list_mail" must be true or false'),
        ({**CONFIG, "imap_host": "x"}, "Unknown e-mail setting(s): imap_host"),
        ("imap.example.com", "Config must be a JSON object"),
    ],
)
def test_config_errors_are_clear(config, message):
    with pytest.raises(ConfigError) as excinfo:
        ADAPTER.validate_config(config)
    assert message in str(excinfo.value)


def test_a_password_in_the_config_is_refused_without_echoing_it():
    with pytest.raises(ConfigError) as excinfo:
        ADAPTER.validate_config({**CONFIG, "password": "hunter2-secret"})
    assert "credentials" in str(excinfo.value)
    assert "hunter2-secret" not in str(excinfo.value)


def test_config_is_normalised(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    cleaned = ADAPTER.validate_config(
        {
            "host": " IMAP.Example.COM ",
            "port": 143,
            "security": "STARTTLS",
            "mailbox": "inbox",
            "address": "Community@Example.com",
            "username": "community",
            "ca_file": str(ca),
            "backfill_days": 0,
            "max_messages_per_poll": 50,
            "skip_list_mail": True,
        }
    )
    assert cleaned == {
        "host": "imap.example.com",
        "port": 143,
        "security": "starttls",
        "mailbox": "INBOX",
        "address": "community@example.com",
        "username": "community",
        "ca_file": str(ca),
        "backfill_days": 0,
        "max_messages_per_poll": 50,
        "skip_list_mail": True,
    }
    assert ADAPTER.validate_config({**CONFIG, "host": "127.0.0.1", "ca_file": ""}) == {**CONFIG, "host": "127.0.0.1"}
    assert ADAPTER.own_accounts({**CONFIG, "address": "Merch@Example.com"}) == ["merch@example.com"]


@pytest.mark.django_db
def test_the_mailbox_address_is_one_of_our_accounts():
    channel = email_channel(our_accounts=["advocate@example.com"])
    assert channel.our_accounts == ["advocate@example.com", "community@example.com"]
    assert channel.is_our_account("Community@example.com")


@pytest.mark.django_db
def test_a_bad_config_cannot_be_saved():
    with pytest.raises(ValidationError) as excinfo:
        email_channel(config={**CONFIG, "security": "plain"})
    assert "Plain IMAP is refused" in str(excinfo.value)


# --- IMAP response helpers -----------------------------------------------------------------------


def test_fetch_response_parsing_handles_uid_after_the_body_and_unsolicited_flags():
    data = [
        (b'1 (UID 7 INTERNALDATE "03-Mar-2025 10:00:00 +0100" BODY[] {5}', b"one\r\n"),
        b")",
        b"2 (FLAGS (\\Seen))",
        (b"3 (BODY[] {5}", b"two\r\n"),
        b' UID 9 INTERNALDATE " 3-Mar-2025 23:30:00 -0230")',
        b"4 (UID 10 BODY[] NIL)",
    ]
    assert list(parse_fetch_response(data)) == [
        (7, datetime(2025, 3, 3, 9, 0, tzinfo=UTC), b"one\r\n"),
        (9, datetime(2025, 3, 4, 2, 0, tzinfo=UTC), b"two\r\n"),
    ]


def test_uid_sets_and_mailbox_names():
    assert uid_set([9, 1, 2, 3, 7, 10]) == "1:3,7,9:10"
    assert uid_set([5]) == "5"
    assert imap_utf7("Entwürfe") == "Entw&APw-rfe"
    assert imap_utf7("A&B") == "A&-B"
    assert imap_utf7("台北") == "&U,BTFw-"


# --- files: ingest_payload -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_MESSAGES)
def test_ingest_payload_takes_every_real_message_and_the_second_run_creates_nothing(name):
    channel = email_channel(name="Community mail", slug="community-mail")
    expected = 0 if name in SKIPPED else 1
    first, second = ingest_payload_twice(channel, FIXTURES / name)
    assert first["received"] == first["created"] == expected
    assert first["tickets_created"] == expected
    assert second == figures(received=expected, duplicates=expected)
    assert Message.objects.filter(channel=channel).count() == expected
    if expected:
        message = Message.objects.get(channel=channel)
        assert message.external_id == EXPECTED[name][2]
        assert message.ticket is not None
        assert message.ticket.subject == EXPECTED[name][0][:300]
        assert message.ticket.requester_handle == EXPECTED[name][1]


@pytest.mark.django_db
@pytest.mark.parametrize(("files", "root"), [(MAILDIR_THREAD, MAILDIR_ROOT), (MACOSX_THREAD, MACOSX_ROOT)])
def test_a_thread_fed_in_order_joins_one_ticket(files, root):
    channel = email_channel(name="Lists", slug="lists")
    results = [ingest_payload("--channel", "lists", str(FIXTURES / name)) for name in files]
    assert results[0]["tickets_created"] == 1
    assert all(r["threaded"] == 1 and r["tickets_created"] == 0 for r in results[1:])
    ticket = Ticket.objects.get(channel=channel)
    assert ticket.subject == EXPECTED[files[0]][0]
    assert ticket.messages.count() == len(files)
    assert Message.objects.get(channel=channel, external_id=root).ticket == ticket


@pytest.mark.django_db
def test_the_same_message_delivered_twice_is_stored_once():
    channel = email_channel()
    data = load("notmuch_archive_delivered_twice.eml")
    mbox = b"From agriffis Tue Nov 17 18:21:38 2009\n" + data + b"\nFrom agriffis Tue Nov 17 18:21:38 2009\n" + data
    assert len(ADAPTER.parse_file(mbox).mentions) == 2
    from intake.pipeline import mentions_ingest

    result = mentions_ingest(channel=channel, mentions=ADAPTER.parse_file(mbox).mentions)
    assert (result.created, result.duplicates, result.tickets_created) == (1, 1, 1)


@pytest.mark.django_db
def test_a_reply_naming_its_ticket_joins_it_without_references(tmp_path):
    channel = email_channel(name="Support", slug="support")
    ingest_payload("--channel", "support", str(FIXTURES / "helpdesk_quoted_printable.eml"))
    ticket = Ticket.objects.get(channel=channel)
    reply = tmp_path / "reply.eml"
    reply.write_bytes(mail(f"From: tim.thelion@gmail.com\nSubject: Re: [#{ticket.pk}] Český test\nMessage-ID: <r@x>"))
    assert ingest_payload("--channel", "support", str(reply))["threaded"] == 1
    assert ticket.messages.count() == 2


@pytest.mark.django_db
def test_ingest_payload_refuses_a_file_that_is_not_mail(tmp_path):
    from django.core.management import CommandError

    email_channel(name="Mail", slug="mail")
    path = tmp_path / "payload.json"
    path.write_text('{"items": []}')
    with pytest.raises(CommandError, match="not an e-mail message"):
        ingest_payload("--channel", "mail", str(path))


def test_parse_payload_points_to_eml_files():
    with pytest.raises(PayloadError, match=r"\.eml"):
        ADAPTER.parse_payload({"items": []})


@pytest.mark.django_db
def test_a_channel_without_a_password_fails_before_connecting():
    from intake.services.polling import channel_poll

    channel = email_channel(config={**CONFIG, "host": "127.0.0.1", "port": 9})
    outcome = channel_poll(channel_id=channel.pk)
    channel.refresh_from_db()
    assert outcome.status == "failing"
    assert channel.last_error == 'The channel has no IMAP password: set its credentials to {"password": "..."}.'
