"""Real recorded messages from other projects' corpora (channels/adapters/email/tests/fixtures/recorded/SOURCES.md),
each with expectations written from the message itself."""

from datetime import UTC, datetime
from pathlib import Path

from channels.adapters.base import IncomingMention
from channels.adapters.email import EmailAdapter
from channels.adapters.email.parse import read_message

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
adapter = EmailAdapter()
DELIVERY_REPORT = "bounce or receipt (multipart/report; report-type=delivery-status)"


def load(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def skipped(name: str, reason: str) -> tuple[bytes, IncomingMention]:
    """The recorded message `name` read as skipped for `reason`, so its page opens no ticket: the message and what
    was read of it, for the test's own checks."""
    raw = load(name)
    parsed = read_message(raw)
    assert parsed.skip_reason == reason
    assert adapter.parse_page(raw).mentions == []
    return raw, parsed.mention


def test_every_recorded_message_is_listed_in_sources():
    listed = (RECORDED / "SOURCES.md").read_text()
    names = sorted(p.name for p in RECORDED.glob("*.rfc822"))
    assert names and all(f"`{name}`" in listed for name in names)


def test_exchange_2007_delivery_report_is_a_bounce_read_for_what_it_is():
    _, mention = skipped("sisimai_exchange2007_undeliverable.rfc822", DELIVERY_REPORT)
    assert mention.external_id == "000000000000000000000000000000000000000000000000@example.com"
    assert mention.author_handle == "mailer-daemon@example.com"
    assert mention.title == "Undeliverable: Nyaan"
    assert mention.created_at == datetime(2011, 2, 22, 14, 34, 45, tzinfo=UTC)
    assert mention.parent_id == "" and mention.thread_id == ""
    # The human-readable part (the plain alternative) is the text; the original rides along as an attachment.
    assert mention.text.startswith("Delivery has failed to these recipients or distribution lists:")
    assert "550 5.1.1 RESOLVER.ADR.RecipNotFound" in mention.text


def test_apple_relay_bounce_with_a_bracketed_mailer_daemon_is_a_bounce():
    _, mention = skipped("sisimai_apple_undelivered.rfc822", DELIVERY_REPORT)
    assert mention.author_handle == "mailer-daemon@mail-in2.apple.com"
    assert mention.title == "Undelivered Mail Returned to Sender"
    assert mention.external_id == "AA.BB.00000.00000CCC@mail-in2.apple.com"
    assert mention.created_at == datetime(2014, 7, 18, 6, 34, 45, tzinfo=UTC)
    assert "550 5.1.6 recipient no longer on server" in mention.text


# --- auto-replies: none opens a ticket


def test_cyrus_sieve_vacation_reply_marked_only_by_x_autoreply_is_skipped():
    # X-Autoreply is its only mark: its "re:" subject alone would pass as a person's
    _, mention = skipped("gitlab_cyrus_sieve_autoreply.rfc822", "auto-reply (X-Autoreply: yes)")
    assert (mention.author_handle, mention.author_name) == ("jake@adventuretime.ooo", "Jake the Dog")
    assert mention.title == "re: [Discourse Meta] eviltrout posted in 'Adventure Time Sux'"
    assert mention.external_id == "CADkmRc+rNGAGGbV2iE5p918UVy4UyJqVcXRO2=otppgzduJSg@mail.gmail.com"
    assert mention.created_at == datetime(2013, 6, 13, 21, 3, 48, tzinfo=UTC)
    assert mention.text == "Test reply to Discourse email digest"


def test_gmail_vacation_reply_in_arabic_is_skipped_and_read_right():
    _, mention = skipped("chatwoot_gmail_vacation_arabic.rfc822", "auto-reply (Auto-Submitted: auto-replied)")
    assert (mention.author_handle, mention.author_name) == ("example@gmail.com", "متجر سوق نت")
    assert mention.title == "أهلين عميلنا الكريم"  # three encoded words joined, the trailing space dropped
    assert mention.text == "أنظروا، أنا أحتاجها فقط لتقوم بالتدقيق في مقالتي الشخصية"  # base64 UTF-8 body
    assert mention.parent_id == "4e6e35f5a38b4_479f13bb90078178@small-app-01.mail"  # first of two In-Reply-To ids
    assert mention.created_at == datetime(2022, 4, 3, 18, 48, 20, tzinfo=UTC)


# --- bounces, delivery reports and a read receipt


def test_read_receipt_is_a_receipt_not_a_ticket():
    raw, mention = skipped(
        "flanker_read_receipt_mdn.rfc822", "bounce or receipt (multipart/report; report-type=disposition-notification)"
    )
    assert raw.count(b"\r\n") == 33 and len(raw) == 1103
    # Sent from the reader's own address: only the report type tells it from their reply.
    assert (mention.author_handle, mention.author_name) == ("joe_recipient@example.com", "Joe Recipient")
    assert mention.title == "Disposition notification"
    assert mention.created_at == datetime(1995, 9, 20, 4, 19, tzinfo=UTC)  # "(EDT) -0400": the comment is skipped
    assert mention.text.startswith("The message sent on 1995 Sep 19 at 13:30:00 (EDT) -0400 to Joe\n")
    assert mention.text.endswith("This is no guarantee that the message\nhas been read or understood.")
    assert "Disposition: manual-action" not in mention.text  # the machine-readable part is not the text


def test_gmail_plain_text_bounce_without_report_mime_is_a_bounce():
    _, mention = skipped("flanker_gmail_dsn_plain.rfc822", "bounce (From: mailer-daemon@googlemail.com)")
    assert mention.title == "Delivery Status Notification (Failure)"
    assert mention.external_id == "001a11c2449205704f04e0cbff5b@google.com"
    assert mention.created_at == datetime(2013, 7, 5, 23, 24, 28, tzinfo=UTC)
    assert mention.text.startswith("Delivery to the following recipient failed permanently:")
    assert "550 5.1.0 Recipient rejected: <awfawfawfawfawfaw@someserverhere.com>" in mention.text


def test_sendmail_report_after_five_days_is_a_bounce():
    _, mention = skipped("flanker_sendmail_delayed_dsn.rfc822", DELIVERY_REPORT)
    assert mention.author_handle == "mailer-daemon@cs.utk.edu"  # lowercased
    assert mention.title == "Returned mail: Cannot send message for 5 days"
    assert mention.created_at == datetime(1994, 7, 7, 21, 16, 5, tzinfo=UTC)
    # The first part has no headers at all: read as text/plain, the report and the original left out.
    assert mention.text.startswith("The original message was received at Sat, 2 Jul 1994 17:10:28 -0400")
    assert mention.text.endswith("Message will be deleted from queue")


def test_sendmail_dsn_from_a_misspelt_postmaster_is_skipped_by_auto_submitted():
    raw, mention = skipped(
        "sisimai_sendmail_docomo_dsn.rfc822", "auto-reply (Auto-Submitted: auto-generated (failure))"
    )
    assert len(raw) == 2153 and raw.count(b"\r\n") == 62
    assert (mention.author_handle, mention.author_name) == ("poostmaster@example.jp", "Mail Delivery Subsystem")
    assert mention.title == "Returned mail: see transcript for details"
    assert mention.external_id == "202211010823.2A18Nuql028789@nijo.example.jp"
    assert mention.created_at == datetime(2022, 11, 1, 8, 23, 56, tzinfo=UTC)
    assert "<<< 550 Unknown user azumakuniyuki@ntt.docomo.example.ne.jp" in mention.text
    assert "\r" not in mention.text


def test_postfix_policy_rejection_dsn_is_skipped():
    raw, mention = skipped("sisimai_postfix_yahoo_policy_dsn.rfc822", "auto-reply (Auto-Submitted: auto-replied)")
    assert len(raw) == 3150
    assert (mention.author_handle, mention.author_name) == ("mailer-daemon@smtp.example.jp", "Mail Delivery System")
    assert mention.title == "Undelivered Mail Returned to Sender"
    assert mention.created_at == datetime(2020, 11, 13, 0, 48, 34, tzinfo=UTC)
    assert mention.text.startswith("This is the mail system at host smtp.example.jp.")
    assert "554 5.7.9 Message not accepted for policy reasons." in mention.text


# --- a person's mail: a mention with the right author, subject, text and time


def test_korean_ks_c_5601_body_is_decoded_as_euc_kr():
    raw = load("mail_ks_c_5601_korean.rfc822")
    assert raw.endswith(b"\n\n\xbd\xba\xc6\xbc\xc7\xd8\n")
    parsed = read_message(raw)
    [mention] = adapter.parse_page(raw).mentions

    assert parsed.skip_reason == ""
    assert mention.text == "스티해"
    assert (mention.author_handle, mention.title) == ("from@example.com", "test")
    assert mention.external_id == "from@example.com"
    assert mention.created_at == datetime(2014, 5, 28, 8, 18, 19, tzinfo=UTC)


def test_iso_2022_jp_body_without_date_or_message_id():
    raw = load("mail_iso_2022_jp_no_date.rfc822")
    assert b"\x1b$B$9$_$^$;$s!#\x1b(B" in raw
    internaldate = datetime(2014, 5, 1, 12, 0, tzinfo=UTC)
    parsed = read_message(raw, internaldate=internaldate)
    mention = parsed.mention

    assert parsed.skip_reason == ""
    assert mention.text == "すみません。"
    assert mention.title == "まみむめも"
    assert (mention.author_handle, mention.author_name) == ("raasdnil@gmail.com", "Mikel Lindsaar")
    assert mention.created_at == internaldate  # no Date: the server's INTERNALDATE
    assert mention.external_id.startswith("sha256:")  # no Message-ID: the hash of the bytes
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert read_message(raw, now=now).mention.created_at == now  # nor INTERNALDATE: now
    assert len(adapter.parse_page(raw).mentions) == 1


def test_empty_date_header_falls_back():
    raw = load("chatwoot_empty_date.rfc822")
    internaldate = datetime(2020, 4, 1, 9, 30, tzinfo=UTC)
    parsed = read_message(raw, internaldate=internaldate)
    mention = parsed.mention

    assert parsed.skip_reason == ""
    assert mention.created_at == internaldate
    assert (mention.author_handle, mention.title, mention.text) == (
        "testemail@gmail.com",
        "test text only mail",
        "text only mail",
    )
    assert mention.external_id.startswith("sha256:")
    assert [m.text for m in adapter.parse_page(raw).mentions] == ["text only mail"]


def test_gmail_html_only_reply_is_read_as_text_and_threaded():
    raw = load("gitlab_gmail_html_only.rfc822")
    parsed = read_message(raw)
    [mention] = adapter.parse_page(raw).mentions

    assert parsed.skip_reason == ""
    assert (mention.author_handle, mention.author_name) == ("walter.white@googlemail.com", "Walter White")
    assert mention.title == "Re: [Discourse Meta] [Lounge] Testing default email replies"
    assert mention.created_at == datetime(2014, 11, 28, 20, 36, 49, tzinfo=UTC)
    assert (mention.parent_id, mention.thread_id) == (
        "topic/22638/86406@meta.discourse.org",
        "topic/22638@meta.discourse.org",
    )
    assert mention.text.startswith("### This is a reply from standard GMail in Google Chrome.\n\nThe quick brown fox")
    assert "<div" not in mention.text and "=3D" not in mention.text
    assert "Here's some **bold** text, strong text and italic in Markdown." in mention.text
    assert "http://example.com" in mention.text
    assert mention.text.endswith("Test reply.\n\nFirst paragraph.\n\nSecond paragraph.")


# --- real messages the adapter read wrong before (fixed in channels/adapters/email/)


def test_dragonfly_bounce_from_mailer_daemon_with_no_address_is_a_bounce():
    # Was a ticket: "From: MAILER-DAEMON <>" has no address, so the mailer-daemon rule never saw it.
    raw, mention = skipped("sisimai_dragonfly_dma_bounce.rfc822", "bounce (From: MAILER-DAEMON <>)")
    assert len(raw) == 1357 and raw.count(b"\r\n") == 40
    assert mention.author_handle == ""
    assert mention.title == "Mail delivery failed"
    assert mention.external_id == "e0720@df.example.jp"
    assert mention.created_at == datetime(2024, 6, 11, 9, 2, 2, tzinfo=UTC)
    assert mention.text.startswith("This is the DragonFly Mail Agent v0.13 at df.example.jp.")


def test_raw_gb2312_headers_are_read_in_the_declared_charset():
    raw = load("flanker_qq_gb2312_html_no_date.rfc822")
    assert len(raw) == 2122 and "腾讯企业邮箱".encode("gb2312") in raw
    now = datetime(2030, 1, 1, tzinfo=UTC)
    parsed = read_message(raw, now=now)
    mention = parsed.mention

    assert parsed.skip_reason == ""  # a system notice with no machine header: nothing tells it from a person
    # Was mojibake ("ÌÚÑ¶ÆóÒµÓÊÏä"): raw 8-bit header bytes were read as Windows-1252, not as the declared GB2312.
    assert (mention.author_handle, mention.author_name) == ("10000@qq.com", "腾讯企业邮箱")
    assert mention.title == "提示\uff1a您的企业成员暂时无法登录邮件客户端"  # a full-width colon
    assert mention.created_at == now  # no Date, no INTERNALDATE
    assert mention.external_id.startswith("sha256:")
    assert mention.text.startswith("尊敬的管理员\uff1a\n\n系统检测到邮箱账号jianxin@jianxinapp.com频繁地登录失败")
    assert "了解更多 (http://service.exmail.qq.com/cgi-bin/help?subtype=1&&no=1001023&&id=23)" in mention.text
    assert "<table" not in mention.text
    [listed] = adapter.parse_page(raw).mentions
    assert listed.author_name == "腾讯企业邮箱"


def test_date_with_a_zone_comment_before_the_offset_keeps_the_offset():
    # "Wed, 20 Sep 1995 00:19:00 (EDT) -0400" was read as 00:19 UTC (the read receipt above): comments are removed
    # before the date is parsed.
    mention = read_message(load("flanker_read_receipt_mdn.rfc822")).mention
    assert mention.created_at == datetime(1995, 9, 20, 4, 19, tzinfo=UTC)
