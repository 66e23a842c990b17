"""Erasing a person (people.privacy.erasure_hooks): what the stories keep of their tickets.

The detector read each of their tickets once and kept its words: in the ticket's signature and index keys, in
the day's term counts (TermDay), and in the story it joined (its words' counts, core terms, links, why each
ticket joined, the title it took from a ticket's subject). All of it is found through their tickets' ids. A text
that is theirs (the first mention of a ticket they opened) counts as having no words any more; in another
member's text only their strings go. Those words are taken off the counts, and anything left that is theirs (a
word of their name or handle, a link naming them) is dropped, so the detector, which only adds to what is kept,
cannot build it again: a story's title is chosen once, when the story is made, and is chosen here again when it
was their subject. Spike alerts are few and tied to no ticket: scanned. So are the issues the desk follows (few):
their strings go from every issue's title, and an issue linked to a ticket they opened whose title was that
ticket's subject (the desk files an issue under the mention's subject) is titled ERASED, and stays so: the
follow-up run does not read the title back from the tracker, where the desk cannot erase it. The meaning of a text
that was theirs (its vector) is taken off its story's centroid and its day's sum the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import numpy as np
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from advocacy.embeddings import from_bytes
from mentions.models import IssueLink, Ticket, TicketMeaning
from people.erasing import ERASED, Erasing
from stories.detection.reading import first_mentions
from stories.detection.text import text_words
from stories.issues.text import TITLE_MAX
from stories.models import IssueFollowUp, Key, MeaningDay, Membership, Signature, SpikeAlert, Story, StoryReply, TermDay

# The stories app's models that hold no community member's text (model label: why).
FREE_OF_PERSONAL_DATA = {
    "stories.StatusFeed": "a status page the desk polls, configured by admins",
    "stories.StatusIncident": "an incident as our status page announced it, in its words",
    "stories.IssueSettings": "where issues are filed: a channel and a project, set by admins",
    "stories.ReleaseSource": "where our release posts appear (our blog's feed, our Slack channel), set by admins",
    "stories.ReleasePlan": "our own release post (its address, title, features) and our answer; a Slack message's "
    "words are never kept (the title is read from the address)",
    "stories.StoryFeedback": "an advocate merged stories or moved a ticket out, and a cosine: no ticket, story or name",
    "stories.MeaningDay": "a day's sum of ticket meaning vectors (numbers); their tickets' are taken out of it",
}
SHARES = "shares: "


class _Theirs:
    """Which of a story's words, links and reasons are the person's."""

    def __init__(self, erasing: Erasing) -> None:
        self.erasing = erasing
        self.terms = set(text_words(" ".join(sorted(erasing.words))))
        # The detector keeps an @handle as one term, as written.
        self.terms |= {"@" + s.lstrip("@").casefold() for s in erasing.strings if s.split() == [s] and "://" not in s}

    def word(self, stem: str, word: str = "") -> bool:
        return stem.casefold() in self.terms or self.erasing.matches(stem) or bool(word and self.erasing.matches(word))

    def reason(self, reason: str) -> str:
        """Why a ticket joined, without their words ("shares: qoppa, cache" -> "shares: cache")."""
        if reason.startswith(SHARES):
            words = reason[len(SHARES) :].split(", ")
            kept = [w for w in words if not any(self.word(s, w) for s in text_words(w) or {w: w})]
            reason = SHARES + (", ".join(kept) if kept else ERASED)
        return self.erasing.replaced(reason)


def _words_removed(erasing: Erasing, texts: dict[int, tuple[int, str]], read: set[int]) -> dict[int, set[str]]:
    """Per ticket the detector read: the words its first mention loses (all of them when it is theirs)."""
    removed: dict[int, set[str]] = {}
    for ticket_id, (message_id, text) in texts.items():
        if ticket_id in read:
            before = set(text_words(text))
            after = set() if message_id in erasing.message_ids else set(text_words(erasing.replaced(text)))
            removed[ticket_id] = before - after
    return removed


def _term_days_take(removed: dict[int, set[str]], theirs: _Theirs) -> int:
    """The day's counts of the words their tickets no longer have, and the days' counts of their handles."""
    days = dict(Ticket.objects.filter(pk__in=list(removed)).values_list("pk", "requested_at"))
    taken: Counter[tuple[str, date]] = Counter()
    for ticket_id, words in removed.items():
        taken.update((word[:100], days[ticket_id].date()) for word in words)
    for (term, day), n in taken.items():
        TermDay.objects.filter(term=term, day=day).update(tickets=Greatest(F("tickets") - n, Value(0)))
    emptied = Q(tickets=0, term__in=sorted({term for term, _day in taken}))
    handles = Q(term__in=sorted(t for t in theirs.terms if t.startswith("@")))
    return len(taken) + TermDay.objects.filter(emptied | handles).delete()[0]


def _stories_clean(
    erasing: Erasing, theirs: _Theirs, story_ids: set[int], removed: dict[int, set[str]], subjects: dict[int, str]
) -> int:
    """Their stories' word counts less their tickets' words, without their words and links, and a title that
    was their subject chosen again."""
    members: dict[int, list[int]] = defaultdict(list)
    joined = Membership.objects.filter(story_id__in=story_ids).order_by("created_at", "pk")
    for story_id, ticket_id in joined.values_list("story_id", "ticket_id"):
        members[story_id].append(ticket_id)
    member_ids = [t for ts in members.values() for t in ts]
    subject_of = dict(Ticket.objects.filter(pk__in=member_ids).values_list("pk", "subject"))
    stories = list(Story.objects.filter(pk__in=story_ids))
    for story in stories:
        counts = {stem: [word, n] for stem, (word, n) in story.term_counts.items()}
        for ticket_id in members[story.pk]:
            for stem in removed.get(ticket_id, ()):
                if stem in counts:
                    counts[stem][1] -= 1
        story.term_counts = {s: wn for s, wn in counts.items() if wn[1] > 0 and not theirs.word(s, str(wn[0]))}
        story.terms = {s: w for s, w in story.terms.items() if not theirs.word(s, str(w))}
        story.links = [link for link in story.links if not erasing.matches(link)]
        if story.title in subjects.values():
            # Their subject was its title: the earliest other member's subject instead, as the detector names one.
            kept = [" ".join(subject_of.get(t, "").split()) for t in members[story.pk] if t not in subjects]
            story.title = next((s for s in kept if s), "Story")[:300]
        story.title = erasing.replaced(story.title)
    Story.objects.bulk_update(stories, ["term_counts", "terms", "links", "title"])
    erasing.scrub(Story.objects.filter(pk__in=story_ids))
    return len(stories)


def _reasons_clean(theirs: _Theirs, story_ids: set[int]) -> int:
    changed = []
    for membership in Membership.objects.filter(story_id__in=story_ids).only("pk", "reason"):
        reason = theirs.reason(membership.reason)
        if reason != membership.reason:
            membership.reason = reason
            changed.append(membership)
    return Membership.objects.bulk_update(changed, ["reason"]) if changed else 0


def _signatures_clean(erasing: Erasing, theirs: _Theirs, ticket_ids: list[int], whole: set[int]) -> int:
    signatures = list(Signature.objects.filter(ticket_id__in=ticket_ids))
    for signature in signatures:
        if signature.ticket_id in whole:
            signature.links, signature.terms = [], {}
        else:
            signature.links = [link for link in signature.links if not erasing.matches(link)]
            signature.terms = {s: w for s, w in signature.terms.items() if not theirs.word(s, str(w))}
    Signature.objects.bulk_update(signatures, ["links", "terms"])
    erasing.scrub(Signature.objects.filter(ticket_id__in=ticket_ids))
    return len(signatures)


def _keys_drop(theirs: _Theirs, ticket_ids: list[int], whole: set[int]) -> int:
    """Their tickets' index keys: all of a text that was theirs, and elsewhere the keys of their words and links."""
    keys = Key.objects.filter(ticket_id__in=ticket_ids).values_list("pk", "ticket_id", "key")
    gone = [pk for pk, ticket_id, key in keys if ticket_id in whole or theirs.word(key[2:], key)]
    return Key.objects.filter(pk__in=gone).delete()[0] if gone else 0


def _spike_alerts_clean(erasing: Erasing, theirs: _Theirs) -> int:
    """A term's alert is named by the term (unique with its kind and day): a term of theirs is renamed. Alerts
    are tied to no ticket and few (one per spike a day): the table is scanned."""
    renamed = [
        SpikeAlert(pk=pk, key=f"{ERASED} {pk}")
        for pk, key in SpikeAlert.objects.filter(kind=SpikeAlert.Kind.TERM).values_list("pk", "key")
        if theirs.word(key, key)
    ]
    SpikeAlert.objects.bulk_update(renamed, ["key"])
    return len(renamed) + erasing.scrub(SpikeAlert.objects.all())


def _issue_links_clean(erasing: Erasing) -> int:
    """The desk's copies of issue titles: their subject, where an issue linked to a ticket they opened took it, and
    their strings in any."""
    opened = Ticket.objects.filter(pk__in=erasing.opened_ticket_ids).values_list("subject", flat=True)
    # As stories.issues.text.issue_title makes a title of a subject: spaces made one, cut at the trackers' length.
    subjects = {" ".join(subject.split())[:TITLE_MAX].strip() for subject in opened} - {""}
    linked = IssueLink.objects.filter(links__ticket_id__in=erasing.opened_ticket_ids).distinct().only("pk", "title")
    theirs = [link.pk for link in linked if " ".join(link.title.split()) in subjects]
    titled = IssueLink.objects.filter(pk__in=theirs).update(title=ERASED) if theirs else 0
    return titled + erasing.scrub(IssueLink.objects.all())


def _meanings_take(whole: set[int]) -> int:
    """Their texts' vectors off their stories' centroids and their days' sums. A story whose sum cannot lose one
    (its vector is gone already) starts its centroid again from the tickets that come next."""
    if not whole:
        return 0
    stored = TicketMeaning.objects.filter(ticket_id__in=whole).values_list("ticket_id", "vector")
    vectors = {t: from_bytes(v) for t, v in stored}
    story_of = dict(Membership.objects.filter(ticket_id__in=whole).values_list("ticket_id", "story_id"))
    stories = {s.pk: s for s in Story.objects.filter(pk__in=set(story_of.values())).only("pk", "meaning", "meaning_n")}
    for ticket_id, story_id in story_of.items():
        _take(stories[story_id], "meaning", "meaning_n", vectors.get(ticket_id))
    Story.objects.bulk_update(list(stories.values()), ["meaning", "meaning_n"])
    days = dict(Ticket.objects.filter(pk__in=list(vectors)).values_list("pk", "requested_at"))
    rows = {d.day: d for d in MeaningDay.objects.filter(day__in={at.date() for at in days.values()})}
    for ticket_id, at in days.items():
        if at.date() in rows:
            _take(rows[at.date()], "total", "tickets", vectors[ticket_id])
    MeaningDay.objects.bulk_update(list(rows.values()), ["total", "tickets"])
    return len(story_of)


def _take(row: Story | MeaningDay, total_field: str, count_field: str, vector: np.ndarray | None) -> None:
    total = np.frombuffer(bytes(getattr(row, total_field)), dtype=np.float32)
    count = int(getattr(row, count_field))
    if vector is None or len(total) != len(vector) or count <= 1:
        setattr(row, total_field, b"")
        setattr(row, count_field, 0)
        return
    setattr(row, total_field, (total - vector).astype(np.float32).tobytes())
    setattr(row, count_field, count - 1)


def stories_erase(*, erasing: Erasing) -> dict[str, int]:
    ids = erasing.ticket_ids
    theirs = _Theirs(erasing)
    story_ids = set(Membership.objects.filter(ticket_id__in=ids).values_list("story_id", flat=True))
    # Read by the detector: in a story (its membership) or left outside one (its signature).
    read = set(Signature.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
    read |= set(Membership.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
    texts = first_mentions(ids)
    # Tickets whose first mention, all the detector read of them, is theirs.
    whole = {ticket_id for ticket_id, (message_id, _text) in texts.items() if message_id in erasing.message_ids}
    subjects = {
        pk: " ".join(subject.split())[:300]
        for pk, subject in Ticket.objects.filter(pk__in=sorted(whole)).values_list("pk", "subject")
    }
    removed = _words_removed(erasing, texts, read)
    return {
        "story_meanings": _meanings_take(whole),
        "story_term_days": _term_days_take(removed, theirs),
        "stories": _stories_clean(erasing, theirs, story_ids, removed, subjects) if story_ids else 0,
        "story_memberships": _reasons_clean(theirs, story_ids),
        "story_signatures": _signatures_clean(erasing, theirs, ids, whole),
        "story_keys": _keys_drop(theirs, ids, whole),
        "story_replies": erasing.scrub(StoryReply.objects.filter(ticket_id__in=ids)),
        "issue_followups": erasing.scrub(IssueFollowUp.objects.filter(ticket_id__in=ids)),
        "spike_alerts": _spike_alerts_clean(erasing, theirs),
        "issue_links": _issue_links_clean(erasing),
    }
