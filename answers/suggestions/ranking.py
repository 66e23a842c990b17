"""Earlier answers for a ticket: the answered tickets whose question (and our answer) most resemble this one.

Two passes. The first (answers.suggestions.candidates) finds a few hundred answers holding the question's rarer stems or
a title alike in spelling. The second ranks them here with BM25F, the classic ranking of search engines: each
stem of the question counts by how rare it is among all answers (a word every ticket has, "pipeline" on a CI
product, counts little; "artifact" or "403" counts much), by how often the answer holds it, more in the title
than in the question and more in the question than in our reply, less in a long text than in a short one.
Then a title alike in spelling (pg_trgm similarity, PostgreSQL only) and an answer advocates used before
(`uses`, which also adds that later question's words as `asked_terms`) move an answer up.

What a plain full-text OR query misses and this does not: it ranks by how many words match, so three common
words outweigh one telling word, and a long answer outweighs a short one (figures: bench/README.md, Answers).

That ranking is one of three lists (answers.suggestions.hybrid): the plain full-text query and the answers nearest in
meaning over the whole index are the others, fused by reciprocal rank. Most mentions fit no earlier answer (praise,
events, hiring posts, small talk), and a ranking always has a best: each of the fused top answers gets P(fit) from
features of all three lists (answers.fit.label), and only those at the threshold or more are shown. The words'
*evidence* is one feature: the part of the score that comes from the question's distinctive stems, neither the
product's own words (its name, keywords and handles as the channels follow it: answers.product) nor everyday ones
(stems held by more than a fifth of the answers, once the index is large enough to say), counted in units of what
one stem held by a single answer weighs, so it means the same on a desk of 300 answers and of 800,000
(docs/answers.md, "When nothing fits").
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

from answers.fit.label import (
    COLD_WEIGHTS,
    FIT_NEXT,
    FIT_THRESHOLD,
    WORDS_THRESHOLD,
    WORDS_WEIGHTS,
    FitContext,
    fit_features,
    fit_gaps,
    fit_label,
    fit_probability,
)
from answers.fit.plain_first import KEPT, PLAIN_WHY, plain_kept
from answers.fit_models import active_fit_weights
from answers.models import Answer, Term
from answers.product import product_stems
from answers.suggestions.candidates import Weighted, first_pass, rows_for
from answers.suggestions.earlier import EarlierAnswer
from answers.synonyms import synonym_stems
from answers.terms import function_stems, query_terms, text_terms
from mentions.models import Message, Ticket
from mentions.products import desk_products

if TYPE_CHECKING:
    import numpy as np

LIMIT = 5
FIT_DEPTH = 10  # the fused answers P(fit) is computed for
FIELD_WEIGHTS = {"title_terms": 3.0, "question_terms": 1.5, "asked_terms": 1.5, "reply_terms": 1.0}
K1 = 1.2
B = 0.5
AVERAGE_LENGTH = 60.0  # weighted stems of a typical answer: title 3 * 6, question 1.5 * 20, reply 20
TITLE_WEIGHT = 4.0  # a title identical in spelling adds as much as a fairly rare stem
USES_WEIGHT = 0.15
SYNONYM_WEIGHT = 0.5  # a stem only a synonym brings counts half as much as the question's own
COMMON_SHARE = 0.2  # a stem in more than this share of the answers is an everyday word of the desk's questions
COMMON_MIN_DF = 20  # ...once it is in this many: a small index says too little about which words are everyday
WHY_WORDS = 5


@dataclass
class Suggestion(EarlierAnswer):
    answer: Answer
    score: float
    why: list[str] = field(default_factory=list)
    # What P(fit) was computed from (answers.fit.label.FIT_FEATURES) and P(fit) itself, 0..1.
    features: dict[str, float] = field(default_factory=dict)
    fit: float = 0.0

    @property
    def fit_label(self) -> str:
        return fit_label(self.fit)


def ticket_question(ticket: Ticket) -> tuple[str, str]:
    """The ticket's title (subject or thread title) and its first mention's text."""
    first = (
        Message.objects.filter(ticket=ticket, kind=Message.Kind.INBOUND)
        .order_by("platform_created_at", "pk")
        .only("title", "body")
        .first()
    )
    return (ticket.subject or (first.title if first else "")), (first.body if first else "")


def ticket_suggestions(ticket: Ticket, *, limit: int = LIMIT) -> list[Suggestion]:
    return ticket_ranked(ticket, limit=limit)[0]


def ticket_ranked(ticket: Ticket, *, limit: int = LIMIT) -> tuple[list[Suggestion], Suggestion | None]:
    """The ticket's suggestions and, when none is shown, the likeliest answer all the same (answers.suggestions.stored
    keeps it unshown, for the learning)."""
    # Imported here: numpy and the vectors are loaded by the processes that show suggestions, not by every Celery
    # process that imports this module at start (tests/test_process_set.py).
    from mentions.meaning import ticket_vector

    title, body = ticket_question(ticket)
    # The ticket's meaning as the worker stored it at intake; read, never computed here (a web process).
    # The language the judgement stored at intake: not told again here (an unjudged ticket's is told).
    vector = ticket_vector(ticket.pk)
    return text_ranked(
        title,
        body,
        exclude=[ticket.pk],
        limit=limit,
        vector=vector,
        language=ticket.language,
        product_id=ticket.product_id,
    )


def text_suggestions(title: str, body: str, **options: Any) -> list[Suggestion]:
    """Earlier answers for a question, most likely to fit first (text_ranked's options; without its unshown)."""
    return text_ranked(title, body, **options)[0]


def text_ranked(
    title: str,
    body: str,
    *,
    exclude: Sequence[int] = (),
    limit: int = LIMIT,
    vector: np.ndarray | None = None,
    gate: bool = True,
    language: str = "",
    product_id: int | None = None,
) -> tuple[list[Suggestion], Suggestion | None]:
    """Earlier answers for a question, most likely to fit first; `vector` is the question's meaning
    (advocacy.embeddings) when known. Three lists (the plain full-text query, BM25F, meaning:
    answers.suggestions.hybrid) are fused; the fused top answers get their features and P(fit) (answers.fit.label);
    nothing is shown unless the likeliest reaches FIT_THRESHOLD (gate=False: all of the fused top in the fused order,
    for learning the weights). With several products, those shown answered a ticket of `product_id`'s product first
    among equals (`_product_first`)."""
    from answers.suggestions.hybrid import LIST_DEPTH, counted_list, fused, meaning_list, plain_among, plain_list

    text = title + "\n" + body
    words = _words(text)
    synonyms = synonym_stems(text_terms(text))
    own = list(words)
    words.update(synonyms)
    # Neither the product's own words nor a foreign language's function words are evidence of anything.
    terms, unit, weighs = _weighted(own, list(synonyms), product_stems() | function_stems(text, language))
    candidates, alike = first_pass(terms, title, exclude) if terms else ([], {})
    near = meaning_list(vector, exclude)
    plain = plain_list(text, exclude, among=plain_among(terms, words)) if connection.vendor == "postgresql" else []
    found = {a.pk for a in candidates}
    more, more_alike = rows_for([pk for pk in [*plain, *(pk for pk, _ in near)] if pk not in found], title)
    candidates += more
    alike.update(more_alike)
    if not candidates:
        return [], None
    scored = {a.pk: _score(a, terms, alike.get(a.pk, 0.0)) for a in candidates}
    by_words = sorted(scored, key=lambda pk: (-scored[pk][0].score, -scored[pk][0].answer.answered_at.timestamp()))
    by_words = [pk for pk in by_words if scored[pk][0].score > 0][:LIST_DEPTH]
    if connection.vendor == "postgresql":
        plain = [pk for pk in plain if pk in scored][:LIST_DEPTH]  # those still offered
    else:
        plain = counted_list({pk: len(parts) for pk, (_, parts) in scored.items() if parts})
    by_meaning = [pk for pk, _ in near]
    fusion = fused([plain, by_words, by_meaning])
    ranked = sorted(fusion, key=lambda pk: (-fusion[pk], -scored[pk][0].answer.answered_at.timestamp()))
    cosines = dict(near)
    context = FitContext(plain, by_words, by_meaning, cosines, unit, weighs, max(s.score for s, _ in scored.values()))
    # Without the question's vector (not yet computed by the worker) or any answer's (an index filled before the
    # meaning was), the words alone decide, with their own weights: meaning absent is not meaning far.
    meant = vector is not None and bool(near)
    # With meaning, the weights this desk learnt from its advocates' use when a version is active (answers.fit.use).
    weights, threshold = (
        ((active_fit_weights() or COLD_WEIGHTS), FIT_THRESHOLD) if meant else (WORDS_WEIGHTS, WORDS_THRESHOLD)
    )
    top = ranked[:FIT_DEPTH]
    anchor = plain[0] if plain else None  # the plain query's first: P(fit) is known for it (answers.fit.plain_first)
    out = [scored[pk] for pk in (top if anchor is None or anchor in top else [*top, anchor])]
    for suggestion, parts in out:
        pk = suggestion.ticket_id
        suggestion.features = fit_features(pk, _evidence(parts), alike.get(pk, 0.0), suggestion.score, context)
    fit_gaps([s.features for s, _ in out])
    for suggestion, _ in out:
        suggestion.fit = fit_probability(suggestion.features, weights)
        suggestion.score = round(suggestion.fit, 3)
    unshown, kept_in = None, None
    if gate:  # nothing is shown unless the likeliest fits; then the others as likely as FIT_NEXT
        out.sort(key=lambda sp: -sp[0].fit)
        likeliest = out[0][0] if out else None
        out = [sp for n, sp in enumerate(out) if sp[0].fit >= (threshold if n == 0 else FIT_NEXT)]
        out = out if out and out[0][0].fit >= threshold else []
        unshown = None if out else likeliest
        out = _product_first(out, product_id)
        # Last: whatever the fusion, P(fit) and the products' order did, the plain query's first keeps its place.
        before = {sp[0].ticket_id for sp in out[:KEPT]}
        out = plain_kept(out, scored[anchor] if anchor is not None else None, fit=lambda sp: sp[0].fit)
        kept_in = anchor if anchor not in before and anchor in {sp[0].ticket_id for sp in out[:KEPT]} else None
    shown = out[:limit]
    for suggestion, parts in shown:  # why, for the few shown only
        suggestion.why = _why(suggestion, parts, words, alike.get(suggestion.ticket_id, 0.0))
        if suggestion.ticket_id == kept_in:  # the panel says why a less likely answer is there
            suggestion.why.append(PLAIN_WHY)
    return [suggestion for suggestion, _ in shown], unshown


def _product_first(out: Ranked, product_id: int | None) -> Ranked:
    """Issue 71: with several products, an answer given on a ticket of the question's product (an empty one is the
    desk's first) comes before another product's of equal fit, equal as the panel says it ("likely fits", "may
    fit"); the others still follow, in their order. With one product, the order is the fit's. One query, for the
    few that passed the gate."""
    products = desk_products()
    if not products.many or len(out) < 2:
        return out
    own = product_id if product_id is not None else products.default_id
    of = dict(Ticket.objects.filter(pk__in=[s.ticket_id for s, _ in out]).values_list("pk", "product_id"))
    default = products.default_id

    def other(suggestion: Suggestion) -> bool:
        answered = of.get(suggestion.ticket_id)
        return (answered if answered is not None else default) != own

    # Stable: within a band and a product, the fit's order stays.
    return sorted(out, key=lambda sp: (sp[0].fit_label != "likely fits", other(sp[0])))


def _words(text: str) -> dict[str, str]:
    """The question's stems, each with the first word that gave it (what "why" shows)."""
    out: dict[str, str] = {}
    for stem in query_terms(text):
        out.setdefault(stem, stem)
    for word in text.replace("\u2019", "'").split():
        for stem in text_terms(word):
            if stem in out and out[stem] == stem:
                out[stem] = word.strip(".,;:!?()[]{}\"'`@#").casefold()
    return out


def _weighted(stems: list[str], synonyms: list[str], product: frozenset[str]) -> tuple[list[Weighted], float, float]:
    """Each stem (the question's, then its synonyms') with its count among the answers, its weight and whether
    it is evidence, in one query; stems no answer holds are dropped. And the unit of evidence (the weight of a
    stem held by a single answer) and what the question's own distinctive stems weigh, those no answer holds
    included (a question of ten words that only two answers know is not a short question)."""
    if not stems and not synonyms:
        return [], 1.0, 0.0
    counts = dict(Term.objects.filter(term__in=[*stems, *synonyms, ""]).values_list("term", "df"))
    total = counts.get("", 0)
    common = max(COMMON_SHARE * total, COMMON_MIN_DF)
    out = []
    weighs = 0.0
    for stem, synonym in [*((s, False) for s in stems), *((s, True) for s in synonyms)]:
        df = counts.get(stem, 0)
        evidence = stem not in product and df <= common
        idf = _idf(df, total)
        if evidence and not synonym:
            weighs += idf
        if df > 0:
            out.append(Weighted(stem, df, idf * SYNONYM_WEIGHT if synonym else idf, synonym, evidence))
    return out, _idf(1, max(total, 1)), weighs


def _idf(df: int, total: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


Part = tuple[float, Weighted]  # a stem's share of an answer's score
Ranked = list[tuple[Suggestion, list[Part]]]  # suggestions with their stems' parts, in the order shown


def _score(answer: Answer, terms: Sequence[Weighted], alike: float) -> tuple[Suggestion, list[Part]]:
    """The answer's BM25F score (a title alike in spelling and its uses lift it a little) and each stem's part."""
    tf: defaultdict[str, float] = defaultdict(float)  # weighted: a title's stem counts more than a body's
    length = 0.0
    wanted = {w.term for w in terms}
    for name, weight in FIELD_WEIGHTS.items():
        stems = getattr(answer, name).split()
        length += weight * len(stems)
        # Only the question's stems are weighed: counted in C (Counter), not stem by stem in Python.
        for stem, n in Counter(stems).items():
            if stem in wanted:
                tf[stem] += weight * n
    norm = K1 * (1 - B + B * length / AVERAGE_LENGTH)
    parts = [(w.idf * tf[w.term] * (K1 + 1) / (tf[w.term] + norm), w) for w in terms if tf[w.term]]
    score = sum(p for p, _ in parts)
    if alike >= 0.3:
        score += TITLE_WEIGHT * alike
    score *= 1 + USES_WEIGHT * math.log1p(answer.uses)
    return Suggestion(answer=answer, score=round(score, 3)), parts


def _evidence(parts: list[Part]) -> float:
    """The part of the score the question's distinctive stems give: the product's name, everyday words and a title
    alike in spelling (which the product's name makes alike: "GitLab vs GitHub") are no evidence."""
    return sum(p for p, w in parts if w.evidence)


def _why(suggestion: Suggestion, parts: list[Part], words: dict[str, str], alike: float) -> list[str]:
    answer = suggestion.answer
    # The evidence only: "shares: gitlab, vs" justified nothing.
    parts = sorted((pw for pw in parts if pw[1].evidence), key=lambda pw: -pw[0])
    own = list(dict.fromkeys(words.get(w.term, w.term) for _, w in parts if not w.synonym))[:WHY_WORDS]
    why = [f"shares: {', '.join(own)}"] if own else []
    alike_words = list(dict.fromkeys(words.get(w.term, w.term) for _, w in parts if w.synonym))[:WHY_WORDS]
    if alike_words:
        why.append(f"in other words: {', '.join(alike_words)}")
    if alike >= 0.3:
        why.append(f"title alike ({round(alike * 100)}%)")
    if suggestion.features.get("rr_meaning"):  # among the answers nearest in meaning (answers.suggestions.hybrid)
        why.append("alike in meaning")
    if answer.uses:
        why.append(f"used {answer.uses} time{'s' if answer.uses != 1 else ''} before")
    return why
