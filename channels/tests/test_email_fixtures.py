"""Real recorded messages from other projects' corpora (channels/tests/fixtures/email/recorded/SOURCES.md), each with
expectations written from the message itself."""

from datetime import UTC, datetime
from pathlib import Path

from channels.adapters.email import EmailAdapter
from channels.adapters.email.parse import read_message

RECORDED = Path(__file__).parent / "fixtures" / "email" / "recorded"
adapter = EmailAdapter()


def load(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def test_every_recorded_message_is_listed_in_sources():
    listed = (RECORDED / "SOURCES.md").read_text()
    names = sorted(p.name for p in RECORDED.glob("*.rfc822"))
    assert names and all(f"`{name}`" in listed for name in names)


def test_exchange_2007_delivery_report_is_a_bounce_read_for_what_it_is():
    raw = load("sisimai_exchange2007_undeliverable.rfc822")
    parsed = read_message(raw)
    mention = parsed.mention

    assert parsed.skip_reason == "bounce or receipt (multipart/report; report-type=delivery-status)"
    assert adapter.parse_page(raw).mentions == []  # no ticket
    assert mention.external_id == "000000000000000000000000000000000000000000000000@example.com"
    assert mention.author_handle == "mailer-daemon@example.com"
    assert mention.title == "Undeliverable: Nyaan"
    assert mention.created_at == datetime(2011, 2, 22, 14, 34, 45, tzinfo=UTC)
    assert mention.parent_id == "" and mention.thread_id == ""
    # The human-readable part (the plain alternative) is the text; the original rides along as an attachment.
    assert mention.text.startswith("Delivery has failed to these recipients or distribution lists:")
    assert "550 5.1.1 RESOLVER.ADR.RecipNotFound" in mention.text


def test_apple_relay_bounce_with_a_bracketed_mailer_daemon_is_a_bounce():
    raw = load("sisimai_apple_undelivered.rfc822")
    parsed = read_message(raw)
    mention = parsed.mention

    assert parsed.skip_reason == "bounce or receipt (multipart/report; report-type=delivery-status)"
    assert adapter.parse_page(raw).mentions == []
    assert mention.author_handle == "mailer-daemon@mail-in2.apple.com"
    assert mention.title == "Undelivered Mail Returned to Sender"
    assert mention.external_id == "AA.BB.00000.00000CCC@mail-in2.apple.com"
    assert mention.created_at == datetime(2014, 7, 18, 6, 34, 45, tzinfo=UTC)
    assert "550 5.1.6 recipient no longer on server" in mention.text
