"""Erasing a person leaves none of their strings in any model that keeps text, unless its app declares the model
free of personal data, while the reports' counts and first-reply times stay as they were
(people.privacy.person_erase and the apps' shredders, the every-model check of tests/erasure_scan.py).

Here because it drives every app end to end: the ingest (so every copy it makes exists), the desk's replies
and notes, outreach, the Slack outbox and the webhook deliveries. A lower app's tests may not import them.
Shapes: the mentions are IncomingMentions as the Hacker News and e-mail parsers make them; the webhook
delivery's payload is the desk's own documented one (docs/webhooks.md)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client

from api.models import WebhookDelivery
from api.tests.conftest import subscribe
from channels.adapters.base import Media, Rejected
from channels.adapters.registry import platform_of
from channels.models import DeadLetter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import hn_mention
from experts.tests.factories import OutreachFactory
from intake.pipeline import mentions_ingest
from intake.services.quarantine import mentions_store
from mentions import services
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import ManagerFactory
from metrics.first_reply import first_reply_stats
from notifications.models import SlackNotice
from people.models import Contribution, Erasure, Gift, Identity, Person, PersonEvent, Requester
from people.privacy import ERASED, person_erase, person_export
from people.selectors import people_first
from people.tests.factories import person_tag
from tests.erasure_scan import (
    Theirs,
    columns_with_hits,
    declared_free,
    holders,
    rows_build,
    tables_without_models,
    text_models,
    verdicts,
)
from tests.erasure_stores import file_hits, redis_hits

pytestmark = pytest.mark.django_db

NAME, HANDLE, ADDRESS = "Zyxwvut Qoppa", "zyx_qoppa_42", "zyx.qoppa@example.org"
# Their accounts' own ids on Bluesky and X (in their posts' raw items as the platforms send them: author.did,
# author_id), the phone number they gave, and the forms those and their address take in links.
DID, X_ID = "did:plc:zyxqoppa42ewx7kfhn3c", "1790000000004242424"
PHONE = "+1 415 555 0132"
NOTED_PHONE = "+49 30 12345678"  # only in an advocate's note on their ticket
AT_URI = f"at://{DID}/app.bsky.feed.post/3kzyxq"
X_DM = f"https://x.com/messages/1500000000000000001-{X_ID}"
FORUM_DM = "https://forum.example.com/t/zyx-qoppa-example-org/77?to=zyx.qoppa%40example.org"
# The name's words too: a search vector keeps words, not the phrase, and a cut-off copy keeps one of them. The
# clipped address ("zyx.qoppa@exa…" in a judgement's reason), the slug and URL-encoded address, the phone numbers
# as written elsewhere, the ids.
STRINGS = (
    NAME,
    HANDLE,
    ADDRESS,
    "Zyxwvut",
    "Qoppa",
    "zyx.qoppa@exa",
    "zyx-qoppa-example-org",
    "zyx.qoppa%40example.org",
    DID,
    X_ID,
    "(415) 555-0132",
    "4155550132",
    "415 555 0132",
    "30 12345678",
)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def said(handle: str, text: str, *, name: str = "", parent: str = "", mentioned: tuple[str, ...] = ()):
    n = next(_ids)
    return hn_mention(
        n,
        handle,
        text,
        at=T0 + timedelta(minutes=n),
        prefix="e",
        author_name=name,
        parent_id=parent,
        mentioned=mentioned,
        # What they attached: its address and their description of it name them too.
        media=(Media(kind="image", url=f"https://files.example/{handle}/shot.png", alt=f"{name or handle}'s screen"),),
        raw={"by": handle, "text": text, "author": {"name": name}},
    )


def reports() -> dict:
    per_channel = list(
        Ticket.objects.values("channel_id")
        .annotate(n=Count("id"), seconds=Sum("first_reply_seconds"), solved=Count("solved_at"))
        .order_by("channel_id")
    )
    stats = first_reply_stats(start=date(2026, 11, 1), end=date(2026, 11, 30), now=T0 + timedelta(days=3))
    # FirstReplyStats compare by their figures (and the overdue tickets by id).
    figures = {"all": stats["all"], "high_priority": stats["high_priority"], **stats["by_channel"]}
    times = sorted(Ticket.objects.values_list("requested_at", "first_reply_at", "status"))
    return {"per_channel": per_channel, "figures": figures, "times": times}


def the_person_everywhere() -> Person:
    """Zyxwvut Qoppa as the desk comes to hold them: two accounts through the real ingest, a follow-up and
    another member answering them by handle, our reply quoting them, a note, outreach, Slack lines, webhook
    deliveries, a dead letter, a gift, a contribution, and another person's history naming them."""
    manager = ManagerFactory()
    hn = ChannelFactory(slack_channel="#hn-mirror")
    mail = ChannelFactory(kind="email", config={"host": "imap.example.com", "address": "help@example.com"})
    subscription = subscribe("https://hooks.example.com/desk", events=("replied",))
    question = said(HANDLE, f"I am {NAME} ({HANDLE}); the runner cache breaks", name=NAME)
    mentions_ingest(channel=hn, mentions=[question, said("vera_k", "Unrelated: how do I pin a runner?")])
    mentions_ingest(
        channel=hn,
        mentions=[
            said(HANDLE, f"Still broken, {NAME} here", name=NAME, parent=question.external_id),
            said("ola_b", f"@{HANDLE} same for me", parent=question.external_id, mentioned=(HANDLE,)),
            # Another member's own question, addressed to them: a ticket they neither opened nor wrote in.
            said("ola_b", f"cc @{HANDLE}: did the cache fix hold?", mentioned=(HANDLE,)),
        ],
    )
    # Edited on the platform: the earlier text is kept in the ticket's history.
    mentions_ingest(
        channel=hn,
        mentions=[
            replace(question, text="Runner cache breaks with v17.2", edited_at=question.created_at + timedelta(1))
        ],
    )
    mentions_ingest(channel=mail, mentions=[said(ADDRESS, f"Reach me at {ADDRESS} or {PHONE}. {NAME}", name=NAME)])
    mentions_store(channel=hn, mentions=[], rejected=[Rejected("e999", "no text", {"by": HANDLE, "name": NAME})])

    # On Bluesky and X, with the platforms' own ids in the raw items; a member's Bluesky reply names their post
    # (its AT URI, the DID in it) as its parent.
    sky, x = (ChannelFactory(kind=kind, config=platform_of(kind).example_config()) for kind in ("bluesky", "twitter"))
    posted = replace(said(HANDLE, "Runner cache question", name=NAME), external_id=AT_URI)
    posted = replace(posted, raw={"uri": AT_URI, "author": {"did": DID, "handle": HANDLE}})
    answer = replace(said("vera_k", "Same here", parent=AT_URI), raw={"uri": "at://did:plc:vera/app.bsky.feed.post/1"})
    mentions_ingest(channel=sky, mentions=[posted, answer])
    mentions_ingest(channel=x, mentions=[replace(said(HANDLE, "cache?", name=NAME), raw={"author_id": X_ID})])

    person = Identity.objects.get(platform="hackernews", key=HANDLE).person
    by_mail = Identity.objects.get(platform="email")
    for account in Identity.objects.filter(key=HANDLE).exclude(person=person) | Identity.objects.filter(pk=by_mail.pk):
        Identity.objects.filter(pk=account.pk).update(person=person)  # as merging them would
        Person.objects.filter(pk=account.person_id).delete()
    Person.objects.filter(pk=person.pk).update(notes=f"Met {NAME} at a meetup", links="https://qoppa.example.org/")
    person_tag(person, "customer")

    theirs = Ticket.objects.get(requester__identity__key=HANDLE, channel=hn)
    services.ticket_add_note(ticket=theirs, user=manager, body=f"{NAME} is a paying customer")
    services.ticket_add_note(ticket=theirs, user=manager, body="Called (415) 555-0132, then 4155550132")
    services.ticket_add_note(ticket=theirs, user=manager, body=f"Their office: {NOTED_PHONE}")
    # Our direct messages to them: on X (the conversation's link holds their X id) and on a forum (a private
    # topic titled with their address: its slug, and the address URL-encoded).
    on_x = Ticket.objects.get(channel=x)
    by_mail_ticket = Ticket.objects.get(channel=mail, requester_handle=ADDRESS)
    for ticket, link in ((on_x, X_DM), (by_mail_ticket, FORUM_DM)):
        Message.objects.create(
            ticket=ticket,
            channel=ticket.channel,
            kind=Message.Kind.DIRECT,
            body="Sent you a message",
            permalink=link,
            platform_created_at=T0 + timedelta(hours=1),
        )
    # Their private answer to our DM on X (intake.services.direct_replies), through the real ingest.
    answered = said(HANDLE, f"Privately: call {PHONE}, {NAME}", name=NAME)
    mentions_ingest(channel=x, mentions=[replace(answered, private=True, ticket_hint=on_x.pk, raw={"sender_id": X_ID})])
    # The judgement's reasons (docs/judgement.md: a quote cut to fit): theirs, and another member's quoting them.
    Ticket.objects.filter(pk=theirs.pk).update(judgement_reason=f"Asks: “I am {NAME} ({HANDLE}); the runner cache…”")
    Ticket.objects.filter(messages__body__startswith="cc @").update(
        judgement_reason=f"Asks: “cc @{HANDLE}: did the cache fix hold? Write to zyx.qoppa@exa…”"
    )
    services.ticket_mark_replied(
        ticket=theirs, user=manager, body=f"> {HANDLE} wrote: {NAME} here\nTry clearing the cache", status="solved"
    )
    OutreachFactory(ticket=theirs, message=f"Can you help {NAME} (@{HANDLE})?")
    Ticket.objects.filter(pk=theirs.pk).update(reply_draft=f"Hi {NAME},")
    # A "replied" delivery whose link names them, as a reply on X does (x.com/<handle>/status/<id>).
    WebhookDelivery.objects.create(
        subscription=subscription,
        event_id=1,
        ticket_id=theirs.pk,
        event="replied",
        payload={"event": "ticket.replied", "history_event": {"data": {"url": f"https://x.com/{HANDLE}/status/1"}}},
    )
    Gift.objects.create(person=person, item="Hoodie", postal_address=f"{NAME}\n1 Qoppa Lane\nBerlin")
    Contribution.objects.create(person=person, kind="talk", date=date(2026, 10, 1), title=f"{NAME} on caching")
    other = Person.objects.create(name="Ola B")
    PersonEvent.objects.create(person=other, kind=PersonEvent.Kind.SPLIT, data={"from": NAME, "handle": HANDLE})
    return person


def test_no_model_holds_the_erased_persons_strings_unless_its_app_declares_it_free(capsys, settings):
    """Every model with a text column gets a row holding their strings, tied to their ticket, person, identity
    or story (tests/erasure_scan.py), beside the copies the real ingest, replies and outreach made; after the
    erasure each is clean or declared free of personal data by its app. The list is printed (-s shows it)."""
    person = the_person_everywhere()
    theirs = Theirs.of(person, (NAME, HANDLE, ADDRESS, "(415) 555-0132", NOTED_PHONE, AT_URI, X_DM, FORUM_DM))
    made = rows_build(theirs)
    reported = reports()  # (reading the figures first: it computes the day's rollups again)
    # Pages an advocate opens keep rendered rows in the shared cache (Redis): the ticket list shows their name.
    settings.DESK_FRAGMENT_CACHE = True  # as deployed (the suite's settings turn it off)
    advocate = Client()
    advocate.force_login(ManagerFactory())
    assert advocate.get("/tickets/").status_code == 200
    redis_url = settings.CACHES["default"]["LOCATION"]
    assert any(NAME.casefold() in hit.casefold() for hit in redis_hits(STRINGS, redis_url))
    before = holders(STRINGS)
    # The scan sees the scenario's copies, the search vector's words among them.
    assert {"mentions.Message", "mentions.Ticket", "people.Identity", "channels.DeadLetter", "people.Gift"} <= set(
        before
    )
    assert "search_vector: Qoppa" in before["mentions.Message"]
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    manager = ManagerFactory()

    erasure = person_erase(person=person, actor=manager, via="page")

    after = holders(STRINGS)
    found = verdicts(made, before, after, declared_free())
    hits = columns_with_hits(after, declared_free())
    elsewhere = redis_hits(STRINGS, redis_url) + file_hits(STRINGS, Path(settings.VAR_DIR))
    with capsys.disabled():
        print("\nModels with text, JSON or binary columns after erasing a person (PostgreSQL):")
        print("\n".join(f"  {v}" for v in found))
        print(f"Columns with hits after erasure (PostgreSQL): {len(hits)} {hits}")
        print(f"Redis keys and var files with hits after erasure: {len(elsewhere)} {elsewhere}")
    assert [str(v) for v in found if v.failed] == []
    assert hits == [] and elsewhere == []
    assert tables_without_models() == []
    assert len(found) >= 70  # every installed model with a text column, Django's and allauth's too

    # The reports and the rows stay; the person is emptied, and recorded as erased without what was erased.
    assert reports() == reported
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)
    # Four ingested (Hacker News, e-mail, Bluesky, X), one built.
    assert Requester.objects.filter(identity__person=person).count() == 5
    person.refresh_from_db()
    assert person.erased_at is not None and person.name == ""
    assert person.pk not in {p.pk for p in people_first("", stop=100)}
    assert set(Identity.objects.filter(person=person).values_list("key", flat=True)) == {
        f"erased-{pk}" for pk in Identity.objects.filter(person=person).values_list("pk", flat=True)
    }
    # Their messages: four that opened tickets, a follow-up and their private answer to our DM on X.
    assert (erasure.counts["identities"], erasure.counts["messages"], erasure.counts["tickets"]) == (5, 6, 5)
    assert list(Message.objects.filter(kind=Message.Kind.PRIVATE).values_list("body", flat=True)) == [ERASED]
    assert (erasure.person_number, erasure.by, erasure.via) == (person.pk, manager, "page")
    assert PersonEvent.objects.filter(person=person, kind=PersonEvent.Kind.ERASED).count() == 1
    # Their own messages keep nothing they wrote or attached; someone else's keep their words and attachments,
    # only the strings were replaced.
    assert list(Message.objects.filter(external_id__in=["e1", "e3", "e6"]).values_list("media", flat=True)) == [[]] * 3
    answer = Message.objects.get(author_handle="ola_b", parent_external_id__gt="")
    assert answer.media == [
        {"kind": "image", "url": "https://files.example/ola_b/shot.png", "preview_url": "", "alt": "ola_b's screen"}
    ]
    assert answer.body == f"@{ERASED} same for me"
    assert Message.objects.filter(body="Unrelated: how do I pin a runner?").exists()
    assert (
        TicketEvent.objects.get(kind=TicketEvent.Kind.MESSAGE_EDITED, data__has_key="previous_text").data[
            "previous_text"
        ]
        == ERASED
    )
    assert Message.objects.filter(body=f"cc @{ERASED}: did the cache fix hold?").exists()
    assert SlackNotice.objects.filter(text=ERASED).exists()
    delivery = WebhookDelivery.objects.get(event_id=1, subscription__name="Status page")
    assert delivery.payload["history_event"]["data"]["url"] == f"https://x.com/{ERASED}/status/1"
    assert DeadLetter.objects.get(external_id="e999").payload.count(ERASED) == 2
    # Their platform ids where others' rows and ours hold them: the Bluesky reply's parent (an AT URI with their
    # DID), our DMs' links (their X id; the forum topic's slug and the address URL-encoded).
    assert Message.objects.get(author_handle="vera_k", body="Same here").parent_external_id == (
        f"at://{ERASED}/app.bsky.feed.post/3kzyxq"
    )
    dms = Message.objects.filter(kind=Message.Kind.DIRECT).order_by("pk").values_list("permalink", flat=True)
    on_x, on_forum = dms  # (the scan's identity row holds the forum link as their address: erased whole)
    assert on_x == f"https://x.com/messages/1500000000000000001-{ERASED}"
    assert ERASED in on_forum and "zyx" not in on_forum.casefold()
    # The phone number they gave, as an advocate wrote it twice, and the one noted only about them.
    notes = Message.objects.filter(kind=Message.Kind.NOTE, body__contains="Called").values_list("body", flat=True)
    assert list(notes) == [f"Called {ERASED}, then {ERASED}"]
    assert Message.objects.filter(body=f"Their office: {ERASED}").exists()
    # The judgement's reasons: the quote of their words erased, what the judgement saw kept; another member's
    # ticket quoting their clipped address too.
    assert Ticket.objects.get(pk=theirs.tickets[0]).judgement_reason == f"Asks: “{ERASED}”"
    assert Ticket.objects.get(messages__body__startswith="cc @").judgement_reason == f"Asks: “{ERASED}”"


def test_every_declaration_names_a_model_with_text_and_gives_one_line_of_reason():
    declared = declared_free()
    with_text = text_models()
    assert declared
    for label, reason in declared.items():
        assert label in with_text, f"{label} is declared free but is no model with a text column"
        assert reason.strip() and "\n" not in reason and len(reason) <= 160, label


def test_the_export_holds_everything_and_is_recorded():
    person = the_person_everywhere()
    manager = ManagerFactory()
    data = person_export(person=person, actor=manager)
    assert data["person"]["name"] == NAME and data["person"]["tags"] == ["customer"]
    assert {i["key"] for i in data["identities"]} == {HANDLE, ADDRESS}
    # Hacker News (2), e-mail, Bluesky, X and their private answer to our DM there.
    assert len(data["tickets"]) == 4 and len(data["messages"]) == 6
    assert all(m["permalink"] and m["body"] for m in data["messages"])
    assert data["gifts"][0]["postal_address"].startswith(NAME)
    assert data["contributions"][0]["title"] == f"{NAME} on caching"
    event = PersonEvent.objects.get(person=person, kind=PersonEvent.Kind.EXPORTED)
    assert event.actor == manager and event.data == {}
    assert not Erasure.objects.exists()


def test_the_pattern_finds_a_string_as_written_in_json_and_escaped_for_slack():
    from people.erasing import strings_pattern

    pattern = strings_pattern(['Ann "A&B" O\'Neil', "ab"])  # two letters: too short to replace blindly
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT regexp_replace(%s, %s, 'X', 'gi')",
            ['ann "a&b" o\'neil; {"n": "Ann \\"A&B\\" O\'Neil"}; Ann "A&amp;B" O\'Neil; ab', pattern],
        )
        assert cursor.fetchone()[0] == 'X; {"n": "X"}; X; ab'
