"""Privacy: everything the desk holds about a person as JSON (person_export), and erasing a person
(person_erase).

Erasing empties in place: the person's name, notes and links, their identities' handles, names and addresses, the
texts of the messages they wrote and of the tickets they opened. The rows stay, with their times, statuses and
first replies, so the reports' counts and times do not change. Copies of their names, handles and addresses
elsewhere are replaced where they stand (people.erasing.Erasing.scrub): in every text column of the rows of their
tickets (our replies quoting them, the ticket history, drafts, replies sent or waiting for approval, watched
threads), in the tables not tied to a ticket that can name them (dead letters, the admin log, triage rules and
saved searches, another person's history), and in the apps above people, each through the shredder it registers in
`erasure_hooks` (answers, outreach, Slack lines, stories, Slack deliveries, webhook deliveries). What is recorded
(an `Erasure` and an "erased" event) holds counts only, never what was removed.

Every app declares the models that hold no community member's text in its `privacy` module
(`FREE_OF_PERSONAL_DATA`); tests/test_person_erasure.py fails for any other model that keeps a person's strings
after an erasure.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any, Protocol

from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.db.models.lookups import IRegex
from django.utils import timezone

from advocacy.cache_values import cached_values_drop
from advocacy.hooks import Hooks
from advocacy.sqlite import erased_text_overwritten
from advocacy.versioned import version_bump
from channels.models import CompetitorMention, DeadLetter, DemoSent
from mentions.models import (
    ExclusionSuggestion,
    Message,
    ReplyApproval,
    ReplyImage,
    ReplySend,
    Rule,
    SavedSearch,
    TeamModelOutput,
    ThreadWatch,
    Ticket,
    TicketEvent,
    TicketMeaning,
)
from mentions.services.judgement import CORRECTIONS_VERSION_KEY
from people.erasing import ERASED, Erasing, strings_pattern, text_columns
from people.identifiers import identifiers_found
from people.models import (
    Activity,
    Authorship,
    Contribution,
    Erasure,
    Gift,
    Identity,
    Person,
    PersonEvent,
    Requester,
)
from people.selectors import identities_seen

# The people app's models that hold no community member's text (model label: why).
FREE_OF_PERSONAL_DATA = {
    "people.PersonTag": "labels for people such as customer, press or spam, named by admins",
    "people.DiscountBatch": "a batch of discount codes and what they are worth, uploaded by admins",
    "people.DiscountCode": "a code from an uploaded batch; who got it is a link, kept so no code is given twice",
    "people.Erasure": "the record of an erasure: who, when and how many rows, never what was erased",
    "people.ActivityWeight": "the points an activity kind is worth, set by admins",
    "people.Level": "the contributor journey's levels and their suggested gifts, named by admins",
    "people.Recognition": "that a person reached a level: links and states, no text of theirs",
}
# A rule's pattern stays a valid regular expression that matches only the marker, not any of its letters
# (regexp_replace reads a doubled backslash in its replacement as one).
_RULE_PATTERN_ERASED = r"\\[erased\\]"
# The quoted words in a judgement's reason (mentions.judgement.classify: “…”).
_QUOTED = re.compile(r"“.*”", re.DOTALL)


class ErasureHook(Protocol):
    """An app above people erases its copies of the person's data (`erasing.scrub` on its rows of
    `erasing.ticket_ids`, or of a table not tied to tickets), in the erasure's transaction; answers
    {what: rows changed}."""

    def __call__(self, *, erasing: Erasing) -> dict[str, int]: ...


erasure_hooks: Hooks[ErasureHook] = Hooks(ErasureHook)


def _strings(person: Person, identities: list[Identity]) -> list[str]:
    strings = [person.name]
    for identity in identities:
        strings += [identity.handle, identity.handle.lstrip("@"), identity.key, identity.name, identity.url]
    return [s for s in strings if s]


def _earlier_texts_erase(message_ids: list[int]) -> int:
    """The texts their messages had before an edit on the platform ("message_edited" events keep it)."""
    theirs = Message.objects.filter(pk__in=message_ids, ticket__isnull=False, external_id__isnull=False)
    by_ticket: dict[int, set[str | None]] = {}
    for ticket_id, external_id in theirs.values_list("ticket_id", "external_id"):
        by_ticket.setdefault(ticket_id, set()).add(external_id)
    events = TicketEvent.objects.filter(
        kind=TicketEvent.Kind.MESSAGE_EDITED, ticket_id__in=list(by_ticket), data__has_key="previous_text"
    )
    erased = []
    for event in events.only("pk", "ticket_id", "data"):
        if event.data.get("external_id") in by_ticket[event.ticket_id]:
            event.data = {**event.data, "previous_text": ERASED}
            erased.append(event)
    return TicketEvent.objects.bulk_update(erased, ["data"]) if erased else 0


def _reasons_erase(erasing: Erasing) -> int:
    """The judgement's reason quotes the ticket's first mention, clipped to fit ("Asks: “How do I …?”"): on a
    ticket they opened those are their words, and elsewhere a clipped copy of their strings ("jane.doe@exa…")
    escapes the pattern. The quote is erased; the reason's head, what the judgement saw, stays with the judgement
    (its kind, intent and sentiment are the desk's reading, not their words)."""
    opened = set(erasing.opened_ticket_ids)
    changed = []
    for ticket in Ticket.objects.filter(pk__in=erasing.ticket_ids, judgement_reason__contains="“").only(
        "pk", "judgement_reason"
    ):
        reason = ticket.judgement_reason
        if ticket.pk in opened or erasing.matches(reason) or erasing.cut_in(reason):
            ticket.judgement_reason = _QUOTED.sub(f"“{ERASED}”", reason)
            changed.append(ticket)
    return Ticket.objects.bulk_update(changed, ["judgement_reason"]) if changed else 0


def _exclusion_terms_erase(erasing: Erasing) -> int:
    """Exclusion terms learned from their words (their handle in three spam posts): a term holding one of their
    strings, or made only of their name's words, is deleted whatever its state; a decision about their name is not
    kept after them. A table of at most a few hundred rows, read whole."""
    found = [
        pk
        for pk, term in ExclusionSuggestion.objects.values_list("pk", "term")
        if erasing.matches(term) or set(term.split()) <= erasing.words
    ]
    return ExclusionSuggestion.objects.filter(pk__in=found).delete()[0] if found else 0


def _competitor_mentions_erase(erasing: Erasing) -> int:
    """What they said of a competitor (share of voice, channels.competitors): a counted row holds nothing of theirs
    but its author, their handle; the rows they wrote are deleted, and their count with them. The whole handle is
    matched, so another author whose handle merely contains theirs keeps their rows."""
    if not erasing.pattern:
        return 0
    theirs = IRegex(F("author"), f"^(?:{erasing.pattern})$")
    return CompetitorMention.objects.filter(theirs).delete()[0]


def _copies_erase(erasing: Erasing) -> dict[str, int]:
    """Their strings wherever the desk copied them below the apps' shredders: every text column of the rows of
    their tickets, and the tables that can name them without a key to a ticket."""
    in_their_tickets = Q(ticket_id__in=erasing.ticket_ids)
    others = Message.objects.filter(in_their_tickets).exclude(pk__in=erasing.message_ids)
    rules = Rule.objects.all()
    return {
        "messages_quoting": erasing.scrub(others),
        "judgement_reasons": _reasons_erase(erasing),
        "ticket_texts": erasing.scrub(Ticket.objects.filter(pk__in=erasing.ticket_ids)),
        "ticket_events": erasing.scrub(TicketEvent.objects.filter(in_their_tickets)),
        "reply_sends": erasing.scrub(ReplySend.objects.filter(in_their_tickets)),
        # An image's description (alt text) on a reply to them may name them.
        "reply_images": erasing.scrub(ReplyImage.objects.filter(send__ticket_id__in=erasing.ticket_ids)),
        # And the image itself, kept until the send is done: it may show them (a screenshot of their post).
        "reply_image_data": ReplyImage.objects.filter(send__ticket_id__in=erasing.ticket_ids)
        .exclude(data=b"")
        .update(data=b""),
        "thread_watches": erasing.scrub(ThreadWatch.objects.filter(in_their_tickets)),
        # A reply waiting for approval (or decided) on their ticket quotes them, and a rejection's reason may too.
        "reply_approvals": erasing.scrub(ReplyApproval.objects.filter(in_their_tickets)),
        # The meaning of their tickets' first mentions was computed from their words: dropped, and computed again
        # by the worker from the erased text when something asks for it (mentions.meaning).
        "ticket_meanings": TicketMeaning.objects.filter(in_their_tickets).delete()[0],
        # The team model's draft and summary of their tickets retell their words (a paraphrase no pattern finds):
        # deleted; the summary is written again from the erased thread when it grows.
        "team_model_outputs": TeamModelOutput.objects.filter(in_their_tickets).delete()[0],
        # Not tied to a ticket, so found by what they hold (each a scan of its table, all small but the first):
        # platform items never stored as tickets; the admin log (an object's name as it was when an admin
        # changed it); triage rules and saved searches naming their handle; another person's history (a merge,
        # a split).
        "dead_letters": erasing.scrub(DeadLetter.objects.all()),
        # The demo's memory of our DMs to them (their platform id, our words to them: channels.demo.kept).
        "demo_sent": erasing.scrub(DemoSent.objects.all()),
        "competitor_mentions": _competitor_mentions_erase(erasing),
        "admin_log": erasing.scrub(LogEntry.objects.all()),
        "rules": erasing.scrub(rules, *(n for n in text_columns(Rule) if n != "text_regex"))
        + erasing.scrub(rules, "text_regex", replacement=_RULE_PATTERN_ERASED),
        "saved_searches": erasing.scrub(SavedSearch.objects.all()),
        "exclusion_terms": _exclusion_terms_erase(erasing),
        "person_events": erasing.scrub(PersonEvent.objects.exclude(person=erasing.person)),
    }


def _own_rows_erase(erasing: Erasing, identities: list[Identity]) -> dict[str, int]:
    """Their own rows: emptied whole where the whole text is theirs, their strings replaced in the rest; times,
    statuses, kinds and links between rows kept."""
    person = erasing.person
    counts = {"earlier_texts": _earlier_texts_erase(erasing.message_ids)}
    theirs = Message.objects.filter(pk__in=erasing.message_ids)
    counts["messages"] = theirs.update(
        body=ERASED, title="", author_handle=ERASED, author_name="", author_url="", raw={}, mentioned=[], media=[]
    )
    # Their permalinks and platform ids only where they spell a handle (x.com/<handle>/status/...).
    counts["message_links"] = erasing.scrub(theirs)
    opened = Ticket.objects.filter(pk__in=erasing.opened_ticket_ids)
    counts["tickets"] = opened.update(
        subject=ERASED, requester_handle=ERASED, requester_name="", requester_url="", requester_audience=None
    )
    # The key is rewritten whole below (unique per platform: two keys scrubbed alike would collide).
    erasing.scrub(
        Identity.objects.filter(pk__in=erasing.identity_ids), *(n for n in text_columns(Identity) if n != "key")
    )
    for identity in identities:
        # The key stays unique per platform; the platform is kept for the counts by platform. Their audience
        # (how many follow them) is about them too.
        Identity.objects.filter(pk=identity.pk).update(
            key=f"erased-{identity.pk}",
            handle=ERASED,
            name="",
            url="",
            audience=None,
            audience_kind="",
            audience_at=None,
        )
    counts["identities"] = len(identities)
    gifts = Gift.objects.filter(person=person)
    counts["gifts"] = erasing.scrub(gifts) + gifts.update(postal_address="")
    contributions = Contribution.objects.filter(person=person)
    erasing.scrub(contributions)
    counts["contributions"] = contributions.update(title=ERASED, link="")
    # The contributor journey keeps its counts (kinds and times), not where they were: the links go.
    # (Their sources name tickets and contributions by number; scrubbed like every text column all the same.)
    activities = Activity.objects.filter(person=person)
    erasing.scrub(activities)
    counts["activities"] = activities.exclude(link="").update(link="")
    counts["events"] = PersonEvent.objects.filter(person=person).exclude(data={}).update(data={})
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        name="", notes="", links="", time_zone="", region="", erased_at=now, updated_at=now
    )
    return counts


def _cached_drop(erasing: Erasing) -> int:
    return max(cached_values_drop(lambda text: erasing.matches(text) or erasing.matches(html.unescape(text))), 0)


@transaction.atomic
def person_erase(*, person: Person, actor: Any, via: str) -> Erasure:
    """Erase `person` (see the module's docstring) in one transaction; the record of it, counts only."""
    erased_text_overwritten(connection)
    person = Person.objects.select_for_update().get(pk=person.pk)
    identities = list(Identity.objects.filter(person=person).select_for_update())
    identity_ids = [i.pk for i in identities]
    message_ids = list(Authorship.objects.filter(identity_id__in=identity_ids).values_list("message_id", flat=True))
    opened = list(Requester.objects.filter(identity_id__in=identity_ids).values_list("ticket_id", flat=True))
    written_in = Message.objects.filter(pk__in=message_ids, ticket__isnull=False).values_list("ticket_id", flat=True)
    # Others' messages addressing them by handle (IncomingMention.mentioned): those tickets hold their handle.
    handles = strings_pattern([s for i in identities for s in (i.handle.lstrip("@"), i.key)])
    addressed = (
        Message.objects.exclude(mentioned=[])
        .filter(IRegex(Cast(F("mentioned"), TextField()), f'"@?({handles})"'), ticket__isnull=False)
        .values_list("ticket_id", flat=True)
        if handles
        else []
    )
    ticket_ids = sorted(set(opened) | set(written_in) | set(addressed))
    # Read before any row is emptied: their addresses and phone numbers in what they wrote and what is noted about
    # them, their accounts' platform ids in the raw items they wrote (people.identifiers).
    emails, phones, ids = identifiers_found(person=person, message_ids=message_ids, ticket_ids=ticket_ids)
    erasing = Erasing(
        person=person,
        identity_ids=identity_ids,
        message_ids=message_ids,
        opened_ticket_ids=opened,
        ticket_ids=ticket_ids,
        strings=[*_strings(person, identities), *sorted(emails)],
        ids=sorted(ids),
        phones=sorted(phones),
    )
    # The apps' shredders first, while every row still holds what it held: a copy is told from the text it was
    # made of (the detector's words of a mention, an answer's question). Then the desk's own copies, then
    # their own rows.
    counts: dict[str, int] = {}
    for hook in erasure_hooks:
        for key, n in hook(erasing=erasing).items():
            counts[key] = counts.get(key, 0) + n
    counts.update(_copies_erase(erasing))
    counts.update(_own_rows_erase(erasing, identities))
    # Their tickets' meanings were dropped: the judgement's examples, cached from the corrected tickets' meanings,
    # are read again in every worker.
    version_bump(CORRECTIONS_VERSION_KEY)
    # Rendered rows and pages the cache shares (a ticket list's rows, the KPI's figures) may show them: dropped
    # now and again once the erasure commits, when a page rendered in between from the rows before would be.
    counts["cached_values"] = _cached_drop(erasing)
    transaction.on_commit(lambda: _cached_drop(erasing))
    counts = {k: v for k, v in sorted(counts.items()) if v}
    PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.ERASED, actor=actor, data={"counts": counts})
    return Erasure.objects.create(person=person, person_number=person.pk, by=actor, via=via, counts=counts)


def _row(obj: Any, names: str) -> dict[str, Any]:
    """`obj`'s attributes `names` (space-separated) as JSON values: a date or a time in ISO 8601."""
    values = {name: getattr(obj, name) for name in names.split()}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def person_export(*, person: Person, actor: Any) -> dict[str, Any]:
    """Everything the desk holds about `person`, as JSON values; recorded as an "exported" event."""
    identities = identities_seen(list(Identity.objects.filter(person=person)))
    identity_ids = [i.pk for i in identities]
    opened = (
        Ticket.objects.filter(requester__identity_id__in=identity_ids)
        .select_related("channel")
        .prefetch_related("tags")
        .order_by("requested_at", "id")
    )
    written = Message.objects.filter(
        pk__in=Authorship.objects.filter(identity_id__in=identity_ids).values("message_id")
    ).order_by("platform_created_at", "id")
    data = {
        "person": {
            "id": person.pk,
            **_row(person, "name notes links region time_zone created_at erased_at"),
            "tags": [t.name for t in person.tags.all()],
        },
        "identities": [_row(i, "platform key handle name url mentions first_seen_at last_seen_at") for i in identities],
        "tickets": [
            {
                "id": t.pk,
                "channel": t.channel.name,
                **_row(t, "subject status requested_at first_reply_at solved_at"),
                "tags": sorted(tag.name for tag in t.tags.all()),
                "url": t.get_absolute_url(),
            }
            for t in opened
        ],
        "messages": [
            {
                "id": m.pk,
                "ticket": m.ticket_id,
                **_row(m, "title body author_handle author_name platform_created_at edited_at deleted_at permalink"),
            }
            for m in written
        ],
        "contributions": [_row(c, "kind date title link") for c in person.contributions.all()],
        "journey": {
            "points": person.points,
            "level": person.level.name if person.level is not None else None,
            "activities": [_row(a, "kind at link") for a in person.activities.order_by("at", "id")],
        },
        "gifts": [_row(g, "item state postal_address shipped_at created_at") for g in person.gifts.all()],
        "codes": [
            {"code": c.code, "batch": c.batch.name, "ticket": c.ticket_id, **_row(c, "given_at")}
            for c in person.codes.select_related("batch")
        ],
        "events": [_row(e, "kind data created_at") for e in person.events.all()],
    }
    PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.EXPORTED, actor=actor, data={})
    return data
