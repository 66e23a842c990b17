"""One verdict per mention: the nearest labelled examples (meaning) and the shape of the text (cues).

In order, the first that holds decides:
1. an advocate corrected a near-identical mention (cosine ≥ NEAR_DUPLICATE): their judgement;
2. a bot, a job post or spam by its shape: noise;
3. the mention does not name the product and its meaning is nearer everyday life than the product
   (a keyword in another sense): noise;
4. otherwise the intent of the nearest examples (advocates' corrections weighed double), with a question
   always making it a mention that needs a response: a real question marked noise or "worth knowing" is the
   costly error, so a mention about the product that asks is answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from channels.adapters.registry import platform_or_default
from mentions.judgement.cues import Cues, asked_in
from mentions.judgement.examples import Examples, Shipped
from mentions.judgement.features import MentionText as Mention
from mentions.judgement.features import mention_cues
from mentions.judgement.language import language_of
from mentions.judgement.product import Product
from mentions.judgement.sentiment import sentiment_of, warm
from mentions.models.judgement import Intent, Judgement

NEAR_DUPLICATE = 0.9
NEIGHBOURS = 7
# A mention that does not name the product is about it when its meaning is nearer the product's description
# and the product examples than everyday life, by at least this much.
RELEVANCE_MARGIN = 0.0
NEEDS_RESPONSE_INTENTS = {Intent.QUESTION, Intent.BUG, Intent.OUTAGE, Intent.COMPLAINT, Intent.FEATURE_REQUEST}
REASON_CHARS = 200
PRAISED = {Intent.BUG: "Praise, and reports a bug", Intent.FEATURE_REQUEST: "Praise, and asks for a feature"}


@dataclass(frozen=True)
class Verdict:
    judgement: str
    intent: str
    sentiment: str
    language: str
    reason: str
    confidence: float | None = None  # the learned model's (combine.py); None: the hand-written judgement alone


def _clip(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _asked(mention: Mention) -> str:
    """The first sentence that asks, as the reason quotes it (in the body where the title is a headline)."""
    whole = asked_in(mention.title, mention.text, headline=mention.headline)
    for sentence in re.split(r"(?<=[.!?\uff1f])\s+|\n", whole):
        if re.search(r"[?\uff1f]", sentence):
            return sentence
    return whole


def reason_for(intent: str, mention: Mention, product: Product, *, praise_too: bool, link_only: bool) -> str:
    """What the reason says of a mention with this intent; `praise_too`: it opens with praise (praise and a bug
    report is both: the intent is the report, the sentiment positive, and the reason says so)."""
    if intent == Intent.QUESTION:
        head = "Praise with a question" if praise_too else "Asks"
        return f"{head}: “{_clip(_asked(mention), REASON_CHARS - len(head) - 4)}”"
    if praise_too and intent in PRAISED:
        return PRAISED[Intent(intent)]
    fixed = {
        Intent.BUG: "Reports something broken",
        Intent.OUTAGE: f"Reports {product.name} down or failing now",
        Intent.COMPLAINT: "Complaint: expects an answer",
        Intent.FEATURE_REQUEST: "Asks for a feature",
        Intent.PRAISE: "Praise, no question",
    }
    if intent in fixed:
        return fixed[Intent(intent)]
    if link_only:
        return "Link shared, nothing asked"
    return "Nothing asked (news, a post, a passing mention)"


def _scores(sims: np.ndarray, labels: tuple[str, ...], weights: np.ndarray, keep: np.ndarray) -> dict[str, float]:
    """Weighted votes of the nearest kept examples: similarity cubed, so the closest count most."""
    candidates = np.flatnonzero(keep)
    if not len(candidates):
        return {}
    top = candidates[np.argsort(-sims[candidates])[:NEIGHBOURS]]
    votes: dict[str, float] = {}
    for index in top:
        votes[labels[index]] = votes.get(labels[index], 0.0) + float(weights[index] * max(sims[index], 0.0) ** 3)
    return votes


def _relevant(vector: np.ndarray, sims: np.ndarray, examples: Examples, shipped: Shipped) -> bool:
    about = max(
        float(shipped.product @ vector),
        float(sims[np.array([j != Judgement.NOISE for j in examples.judgements])].max()),
    )
    elsewhere = float((shipped.everyday @ vector).max()) if len(shipped.everyday) else -1.0
    return about >= elsewhere + RELEVANCE_MARGIN


def _noise(cues: Cues) -> str:
    if cues.bot:
        return "Automated post (a bot)"
    if cues.job_post:
        return "Job post"
    if cues.spam:
        return "Spam"
    return ""


def verdict(mention: Mention, vector: np.ndarray, product: Product, examples: Examples, shipped: Shipped) -> Verdict:
    whole = f"{mention.title}\n{mention.text}".strip()
    language = language_of(whole)
    cues = mention_cues(mention)
    sims = examples.vectors @ vector

    def made(judgement: str, intent: str, reason: str) -> Verdict:
        sentiment = sentiment_of(whole, language=language, intent=intent)
        return Verdict(judgement, intent, sentiment, language, _clip(reason, REASON_CHARS))

    if examples.advocate.any():
        advocate_sims = np.where(examples.advocate, sims, -1.0)
        best = int(np.argmax(advocate_sims))
        if advocate_sims[best] >= NEAR_DUPLICATE:
            return made(
                examples.judgements[best], examples.intents[best], "As an advocate judged a near-identical mention"
            )
    if why := _noise(cues):
        return made(Judgement.NOISE, Intent.OTHER, why)
    if (
        # A channel reading the product's own place (its forum, issue tracker, mailbox, ...: the platform's declared
        # `own_place`) finds what is about the product even when it is not named ("the runner on my laptop…").
        not platform_or_default(mention.platform).own_place
        and not product.named_in(whole)
        and not _relevant(vector, sims, examples, shipped)
    ):
        keyword = product.keyword_in(whole)
        said = f"“{keyword}” in another sense" if keyword else f"does not mention {product.name}"
        return made(Judgement.NOISE, Intent.OTHER, f"Not about {product.name}: {said}")
    keep = np.array([j != Judgement.NOISE for j in examples.judgements])
    votes = _scores(sims, examples.intents, examples.weights, keep)
    if not cues.question:
        # Without a question's shape the neighbours' "question" is a guess (often a language the model cannot
        # read): the next intent stands.
        votes.pop(Intent.QUESTION, None)
    intent = max(votes, key=lambda k: votes[k]) if votes else Intent.OTHER
    praise_too = False
    if cues.question and (intent not in NEEDS_RESPONSE_INTENTS or (intent == Intent.COMPLAINT and warm(whole))):
        # Warm words with a question: praise and a question (the sarcastic complaints the neighbours know
        # read warm too, and are answered all the same).
        praise_too = intent in (Intent.PRAISE, Intent.COMPLAINT) and warm(whole)
        intent = Intent.QUESTION
    judgement = Judgement.NEEDS_RESPONSE if intent in NEEDS_RESPONSE_INTENTS else Judgement.WORTH_KNOWING
    reason = reason_for(intent, mention, product, praise_too=praise_too, link_only=cues.link_only)
    return made(judgement, intent, reason)


def verdicts(
    mentions: list[Mention], vectors: np.ndarray, product: Product, examples: Examples, shipped: Shipped
) -> list[Verdict]:
    return [verdict(m, vectors[n], product, examples, shipped) for n, m in enumerate(mentions)]
