"""Erasing a person (people.privacy.erasure_hooks): the suggestions' index keeps copies of their tickets (the
title, the question, our reply "Hi <name>, ...") and the stems of those words, which every advocate sees
beside the composer and through `/api/tickets/{id}/suggestions/`.

The rows of their tickets are scrubbed in place, not dropped for the indexer to build again: the indexer reads
only tickets answered in the last day (answers.index.follow.LOOKBACK), so an older answer dropped would never come
back, and the row keeps what advocates taught it (`uses`, later questions' words). As on the ticket itself: a
title and question that were theirs (a ticket they opened) are emptied, elsewhere their strings are replaced;
our reply keeps its words, their strings replaced (a reply left with nothing but erasures leaves the index:
nothing in it is worth offering). The stems are read again from the new texts, less the words
of their name and handles, and the stems' counts (`Term`) move with them. The indexer never indexes a ticket
twice, so no later run brings the old text back.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat

from answers.index.follow import answer_words, terms_count_add
from answers.index.rows import reply_offerable
from answers.models import Answer, StoredSuggestion, Term
from answers.suggestions.ranking import ticket_question
from answers.terms import text_terms
from mentions.models import Message, Ticket, TicketEvent
from people.erasing import ERASED, Erasing

# The answers app's models that hold no community member's text (model label: why).
FREE_OF_PERSONAL_DATA = {
    "answers.SavedReply": "the team's saved replies, written by staff for any ticket, with placeholders",
    "answers.Synonyms": "words that mean the same, kept by admins",
    "answers.KnowledgeSource": "our documentation sites and projects, configured by admins",
    "answers.DocPage": "a page of our own documentation, as fetched from our site",
    "answers.SuggestionFeedback": "what became of a suggestion (inserted, dismissed, ignored): ids, numbers, no text",
    "answers.FitWeights": "the weights of the nothing-fits model learnt from the desk's use: numbers only",
    "answers.MeaningCell": "averages of thousands of answers' meaning vectors (k-means centroids), no one's text",
}
_TEXTS = ("title", "question", "reply", "reply_permalink", "link", "platform")
_TERMS = ("title_terms", "question_terms", "reply_terms", "asked_terms")


def _stems(text: str, theirs: set[str]) -> str:
    return " ".join(s for s in text_terms(text.replace(ERASED, " ")) if s not in theirs)


def _run_removed(stems: list[str], run: list[str]) -> list[str]:
    """`stems` without the last place `run` stands in it whole (one ticket's question, added when its answer was
    used there), else as it is."""
    for start in range(len(stems) - len(run), -1, -1):
        if run and stems[start : start + len(run)] == run:
            return stems[:start] + stems[start + len(run) :]
    return stems


def _asked_by_them(erasing: Erasing) -> dict[int, list[list[str]]]:
    """{answer: [the stems of each of their questions it was used for]}: using an answer adds the question's
    stems to its other wordings (answers.services.answer_use), and the question of a ticket they opened is theirs."""
    used = TicketEvent.objects.filter(ticket_id__in=erasing.opened_ticket_ids, kind=TicketEvent.Kind.ANSWER_USED)
    out: dict[int, list[list[str]]] = {}
    tickets = {t.pk: t for t in Ticket.objects.filter(pk__in=erasing.opened_ticket_ids)}
    for ticket_id, source in used.values_list("ticket_id", "data__source"):
        if not str(source).isdigit():  # an event written by hand without its answer: nothing was added
            continue
        title, body = ticket_question(tickets[ticket_id])
        out.setdefault(int(source), []).append(text_terms(f"{title}\n{body}"))
    return out


def _holding(stem: str) -> int:
    """How many answers hold `stem` now (a Term row's count, read again)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM answers_answer WHERE words @@ to_tsquery('simple', quote_literal(%s))", [stem]
            )
            return int(cursor.fetchone()[0])
    spaced = Concat(Value(" "), *(x for f in _TERMS for x in (F(f), Value(" "))), output_field=TextField())
    return Answer.objects.annotate(stems=spaced).filter(stems__contains=f" {stem} ").count()


def _counts_move(before: Counter[str], after: Counter[str], theirs: set[str]) -> int:
    """Move the stems' counts by what the rows lost and gained, dropping a count that reached zero (its stem is
    in no answer now). The stems of their words are counted again from the answers: a count is all that is left
    of a word once no answer holds it, and it must not outlive them."""
    lost, gained = before - after, after - before
    if lost:
        terms_count_add(lost, -1)
        Term.objects.filter(term__in=sorted(set(lost) - {""}), df__lte=0).delete()
    if gained:
        terms_count_add(gained, +1)
    for stem in Term.objects.filter(term__in=sorted(theirs)).values_list("term", flat=True):
        n = _holding(stem)
        if n:
            Term.objects.filter(term=stem).update(df=n)
        else:
            Term.objects.filter(term=stem).delete()
    return len(lost) + len(gained)


def answers_erase(*, erasing: Erasing) -> dict[str, int]:
    theirs = set(text_terms(" ".join(sorted(erasing.words))))
    asked = _asked_by_them(erasing)
    rows = list(Answer.objects.select_for_update().filter(pk__in=sorted({*erasing.ticket_ids, *asked})).order_by("pk"))
    firsts: dict[int, int] = {}
    inbound = Message.objects.filter(ticket_id__in=erasing.ticket_ids, kind=Message.Kind.INBOUND)
    for ticket_id, pk in inbound.order_by("ticket_id", "platform_created_at", "pk").values_list("ticket_id", "pk"):
        firsts.setdefault(ticket_id, pk)
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    gone: list[int] = []  # a reply with nothing left but erasures: nothing to offer
    for answer in rows:
        before.update(answer_words(answer))
        if answer.ticket_id in erasing.ticket_ids:
            question_theirs = firsts.get(answer.ticket_id) in erasing.message_ids
            for name in _TEXTS:
                setattr(answer, name, erasing.replaced(getattr(answer, name)))
            if question_theirs or answer.ticket_id in erasing.opened_ticket_ids:
                answer.title = answer.question = ERASED
            answer.title_terms = _stems(answer.title, theirs)
            answer.question_terms = _stems(answer.question, theirs)
            answer.reply_terms = _stems(answer.reply, theirs)
            # The meaning was computed from their words: filled again from the erased text
            # (answers.suggestions.meaning).
            answer.meaning, answer.meaning_model = None, ""
        stems = answer.asked_terms.split()
        for run in asked.get(answer.pk, []):
            stems = _run_removed(stems, run)
        answer.asked_terms = " ".join(s for s in stems if s.casefold() not in theirs and not erasing.matches(s))
        if reply_offerable(answer.reply):
            after.update(answer_words(answer))
        else:
            gone.append(answer.pk)
    Answer.objects.bulk_update([a for a in rows if a.pk not in gone], [*_TEXTS, *_TERMS, "meaning", "meaning_model"])
    stored = _stored_erase(erasing, [a.pk for a in rows])
    Answer.objects.filter(pk__in=gone).delete()
    return {"answers": len(rows), "answer_terms": _counts_move(before, after, theirs), "stored_suggestions": stored}


def _stored_erase(erasing: Erasing, answer_ids: list[int]) -> int:
    """The stored suggestions of their tickets ("why" quotes their question's words) and those offering an answer
    of theirs (its text changed) are dropped at once, the tickets computed again by the next refresh; their
    strings in any other row's "why" are replaced."""
    dropped = StoredSuggestion.objects.offering_drop(answer_ids)
    theirs, _ = StoredSuggestion.objects.filter(ticket_id__in=erasing.ticket_ids).delete()
    return dropped + theirs + erasing.scrub(StoredSuggestion.objects.all(), "why")
