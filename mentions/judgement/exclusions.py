"""Exclusion terms, in the worker: suggested from the desk's labels (`exclusions_suggest`, the daily task
`mentions.exclusions_suggest`) and, once a person accepted one in admin, used by the judgement
(`excluded_terms_applied`, called by run.py's batch_judge). The terms themselves are found by senses.py.

What the team's history says of a ticket, for this (labels.py's rules, without its need of a meaning vector: words
are read here, not vectors):
- noise: an advocate corrected it to noise, or it was solved without a reply while the desk judged it noise;
- the product: the team answered it, or an advocate corrected it to needs a response or worth knowing;
- neither: open, merged, or solved without a reply while judged otherwise (someone read it and moved on: a sense of
  the product or not, nobody said).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import reduce
from operator import and_, or_

from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from channels.models import Channel
from mentions.judgement.classify import Verdict
from mentions.judgement.combine import ADVOCATE_NEAR
from mentions.judgement.features import MentionText
from mentions.judgement.product import JudgedProducts, products_load
from mentions.judgement.reading import first_mentions
from mentions.judgement.senses import Sense, own_words, senses_learned, terms_held, tokens_of
from mentions.models import ExclusionSuggestion, Intent, JudgedBy, Judgement, Message, Ticket

LABELS_MAX = 10_000  # the newest labelled tickets read, as the learned judgement reads (learning.LEARN_MAX)
EXCLUDED_CONFIDENCE = 0.95
State = ExclusionSuggestion.State


@dataclass(frozen=True)
class Labelled:
    """The tickets the history labels, as the term sets of their first mentions: noise by channel, the product's by
    product (issue 71: each product's own; keyed as JudgedProducts.key)."""

    noise: dict[int, list[frozenset[str]]]
    product: dict[int | None, list[frozenset[str]]]


def labelled_read(products: JudgedProducts, limit: int = LABELS_MAX) -> Labelled:
    """Three queries: the labelled tickets, newest first, then their first mentions (reading.first_mentions)."""
    advocate = Q(judged_by=JudgedBy.ADVOCATE) & ~Q(judgement="")
    solved_as_noise = Q(status=Ticket.Status.SOLVED, first_reply_at__isnull=True, judgement=Judgement.NOISE)
    rows = list(
        Ticket.objects.filter(merged_into__isnull=True)
        .filter(advocate | Q(first_reply_at__isnull=False) | solved_as_noise)
        .order_by("-id")
        .values_list("pk", "channel_id", "judged_by", "judgement", "first_reply_at", "product_id")[:limit]
    )
    texts = first_mentions([pk for pk, *_ in rows])
    labelled = Labelled(noise={}, product={})
    for pk, channel_id, judged_by, judgement, replied_at, product_id in rows:
        if pk not in texts:
            continue
        held = terms_held(texts[pk].whole)
        # An advocate's word first (as labels.py): an answered ticket they corrected to noise is noise; otherwise an
        # answered one is the product's, and what is left was solved without a reply while judged noise.
        noise = judgement == Judgement.NOISE if judged_by == JudgedBy.ADVOCATE else replied_at is None
        if noise:
            labelled.noise.setdefault(channel_id, []).append(held)
        else:
            labelled.product.setdefault(products.key(product_id), []).append(held)
    return labelled


@dataclass(frozen=True)
class Past:
    would_exclude: int
    answered: int


def _first_inbound() -> Subquery:
    return Subquery(
        Message.objects.filter(ticket=OuterRef("pk"), kind=Message.Kind.INBOUND)
        .order_by("platform_created_at", "id")
        .values("pk")[:1]
    )


def past_counts(terms: dict[int, set[str]]) -> dict[tuple[int, str], Past]:
    """How many past mentions (tickets' first mentions, merged ones left out) of each channel hold each of its terms,
    and how many of those the team answered; in one query. The database narrows the rows to those holding every word
    of some term (`icontains`, a superset), and the words are then matched as the judgement matches them
    (`terms_held`), so the count is what accepting the term would have done. (Text written in compatibility forms,
    full-width letters or ligatures, is read by `terms_held` as the plain letters but may escape the database's
    narrowing: such a mention can be left out of these counts, never added to them.)"""
    wanted = {(c, t) for c, ts in terms.items() for t in ts}
    if not wanted:
        return {}
    whole = Concat("title", Value(" "), "body", Value(" "), "ticket__subject", output_field=CharField())
    holding = reduce(
        or_,
        (Q(ticket__channel_id=c) & reduce(and_, (Q(whole__icontains=w) for w in tokens_of(t))) for c, t in wanted),
    )
    firsts = Ticket.objects.filter(merged_into__isnull=True, channel_id__in=list(terms)).annotate(
        first=_first_inbound()
    )
    rows = (
        Message.objects.filter(pk__in=firsts.values("first"))
        .annotate(whole=whole)
        .filter(holding)
        .values_list("ticket__channel_id", "ticket__first_reply_at", "title", "ticket__subject", "body")
    )
    found = {key: [0, 0] for key in wanted}
    for channel_id, replied_at, title, subject, body in rows.iterator(chunk_size=2000):
        held = terms_held(MentionText(title=title or subject, text=body, author="").whole)
        for term in terms[channel_id] & held:
            found[(channel_id, term)][0] += 1
            found[(channel_id, term)][1] += replied_at is not None
    return {key: Past(*counts) for key, counts in found.items()}


def senses_not_declined(where: Q | None = None) -> list[str]:
    """The other senses learned from the team's noise that nobody declined, on any channel of the product (`where`:
    JudgedProducts.scope on "channel__product"): the judgement's fingerprint reads them as words of the name's other
    senses (fingerprint.py). Accepting one also excludes it (`excluded_terms_applied`); declining it says it is the
    product's after all."""
    rows = ExclusionSuggestion.objects.filter(where or Q()).exclude(state=State.DECLINED)
    return list(rows.values_list("term", flat=True).distinct())


def exclusions_suggest() -> dict[str, int]:
    """Learn the senses again and store them with their counts; idempotent. A term already decided keeps its state
    (accepted or declined) and gets fresh counts; a suggestion no longer learned (the product's tickets now hold it,
    or fewer noise tickets do) is withdrawn. A constant number of queries, whatever the tickets, channels, terms or
    products.

    Per product (issue 71): a channel's noise is weighed against its product's own tickets and never offers that
    product's names and keywords; another product's words are no evidence either way."""
    products = products_load()
    labelled = labelled_read(products)
    product_of = {pk: products.key(p) for pk, p in Channel.objects.values_list("pk", "product_id")}
    learned: dict[int, list[Sense]] = {}
    for key, product in products.products.items():
        noise = {channel: held for channel, held in labelled.noise.items() if product_of.get(channel) == key}
        own = own_words([*product.names, *product.keywords])
        learned |= senses_learned(noise, labelled.product.get(key, []), own)
    decided = ExclusionSuggestion.objects.exclude(state=State.SUGGESTED).order_by().values_list("channel_id", "term")
    terms: dict[int, set[str]] = {}
    for channel_id, term in [*decided, *((c, s.term) for c, found in learned.items() for s in found)]:
        terms.setdefault(channel_id, set()).add(term)
    noise_of = {(c, t): sum(t in held for held in labelled.noise.get(c, [])) for c, ts in terms.items() for t in ts}
    past = past_counts(terms)
    now = timezone.now()
    rows = [
        ExclusionSuggestion(
            channel_id=c,
            term=t,
            noise_count=noise_of[(c, t)],
            would_exclude=past[(c, t)].would_exclude,
            answered=past[(c, t)].answered,
            computed_at=now,
        )
        for c, ts in terms.items()
        for t in sorted(ts)
    ]
    # One upsert: new terms arrive suggested; a stored row gets its counts and keeps its state and who decided it.
    ExclusionSuggestion.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["channel", "term"],
        update_fields=["noise_count", "would_exclude", "answered", "computed_at"],
    )
    withdrawn, _ = ExclusionSuggestion.objects.filter(state=State.SUGGESTED).exclude(computed_at=now).delete()
    return {"terms": len(rows), "learned": sum(len(found) for found in learned.values()), "withdrawn": withdrawn}


def _decider(first: str | None, last: str | None, username: str | None) -> str:
    # As the history names a person (get_full_name, else the username); an account since deleted names nobody.
    if username is None:
        return "an advocate"
    return f"{first or ''} {last or ''}".strip() or username


def excluded_terms_applied(judged: dict[int, Verdict], mentions: dict[int, MentionText]) -> dict[int, Verdict]:
    """The verdicts, with each mention holding a term accepted for its ticket's channel judged noise, 95 % sure,
    its reason naming the term and who accepted it. An advocate's judgement of a near-identical mention still
    stands (and the store never writes over an advocate's own). One query when no term is accepted, two otherwise."""
    accepted: dict[int, list[tuple[str, str]]] = {}
    for channel_id, term, first, last, username in (
        ExclusionSuggestion.objects.filter(state=State.ACCEPTED)
        .order_by("term")
        .values_list("channel_id", "term", "decided_by__first_name", "decided_by__last_name", "decided_by__username")
    ):
        accepted.setdefault(channel_id, []).append((term, _decider(first, last, username)))
    if not accepted or not judged:
        return judged
    channel_of = dict(Ticket.objects.filter(pk__in=list(judged)).values_list("pk", "channel_id"))
    out = dict(judged)
    for ticket_id, verdict in judged.items():
        terms = accepted.get(channel_of.get(ticket_id, 0))
        if not terms or verdict.reason == ADVOCATE_NEAR or ticket_id not in mentions:
            continue
        held = terms_held(mentions[ticket_id].whole)
        for term, who in terms:
            if term in held:
                out[ticket_id] = replace(
                    verdict,
                    judgement=Judgement.NOISE,
                    intent=Intent.OTHER,
                    confidence=EXCLUDED_CONFIDENCE,
                    reason=f"Excluded term “{term}” (accepted by {who})"[:200],
                )
                break
    return out
