"""A mention's intent and sentiment as the learned reading gives them (issue 68), decided once the judgement is:
combine.py asks `Reading.intent_within(judgement)` and `Reading.sentiment_for(judgement, intent)`.

- The intent is the likeliest of those the judgement allows, as the labelled sets use them: noise is "other" (the
  four seen sets label all their 238 noise mentions so); worth knowing is praise, a complaint to nobody, or other
  (a question to other users, news); a mention that needs a response is a question, a bug, a feature request, an
  outage or a complaint. Measured leaving one product out, choosing within the judgement did as well as choosing
  freely and keeps the two columns consistent.
- The sentiment: noise is neutral (the sets' noise is 87 % neutral: a text's own tone, not about the product);
  praise is positive and a complaint or an outage negative (as the sets label every one of them); a question, a
  bug or a feature request that opens with praise is positive ("Love X, but the export crashes on Y" is both: the
  intent is the report, the sentiment positive, the reason "Praise, and reports a bug", as the sets label praise
  with a question); a question or a feature request is otherwise neutral unless the sentiment head is sure; the rest
  is the sentiment head's.
- Praise followed by a failure, asking nothing, is a bug report that needs a response (combine.py), whatever the
  learned judgement read of the praise: two signs, like the cues that make noise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from mentions.judgement.classify import Verdict, reason_for
from mentions.judgement.cues import Cues
from mentions.judgement.features import SHAPE_COLUMNS, MentionText
from mentions.judgement.intent_cues import praise_turn, reports_failure
from mentions.judgement.intent_model import IntentModel, reading_rows
from mentions.judgement.product import Product
from mentions.models.judgement import Intent, Judgement, Sentiment

ALLOWED = {
    Judgement.NOISE.value: (Intent.OTHER.value,),
    Judgement.WORTH_KNOWING.value: (Intent.PRAISE.value, Intent.COMPLAINT.value, Intent.OTHER.value),
    Judgement.NEEDS_RESPONSE.value: (
        Intent.QUESTION.value,
        Intent.BUG.value,
        Intent.FEATURE_REQUEST.value,
        Intent.OUTAGE.value,
        Intent.COMPLAINT.value,
    ),
}
FIXED_SENTIMENT = {
    Intent.PRAISE.value: Sentiment.POSITIVE.value,
    Intent.COMPLAINT.value: Sentiment.NEGATIVE.value,
    Intent.OUTAGE.value: Sentiment.NEGATIVE.value,
}
PRAISE_TOO = (Intent.QUESTION.value, Intent.BUG.value, Intent.FEATURE_REQUEST.value)
ASKING = (Intent.QUESTION.value, Intent.FEATURE_REQUEST.value)
ASKING_SURE = 0.5  # chosen leaving one product out (0.5, 0.55, 0.6; none: 0.686, 0.687 at 0.5)


@dataclass(frozen=True)
class Reading:
    intents: dict[str, float]  # each intent's probability
    sentiments: dict[str, float]  # each sentiment's probability
    praise: bool  # it opens with praise (intent_cues.praise_turn)
    praised_report: bool  # and then reports something broken, asking nothing: a bug report (combine.py)
    describe: Callable[[str], str]  # the reason for an intent (classify.reason_for, of this mention)

    def intent_within(self, judgement: str) -> str:
        return max(ALLOWED[judgement], key=lambda intent: self.intents.get(intent, 0.0))

    def sentiment_for(self, judgement: str, intent: str) -> str:
        if judgement == Judgement.NOISE:
            return Sentiment.NEUTRAL.value
        if intent in FIXED_SENTIMENT:
            return FIXED_SENTIMENT[intent]
        if self.praise and intent in PRAISE_TOO:
            return Sentiment.POSITIVE.value
        said = max(self.sentiments, key=lambda sentiment: self.sentiments[sentiment])
        if intent in ASKING and self.sentiments[said] < ASKING_SURE:
            # "Merci d'avance" is manners, not warmth: a question is neutral unless the head is sure otherwise.
            return Sentiment.NEUTRAL.value
        return said


def _followed(features: np.ndarray, follow_ups: dict[int, np.ndarray]) -> np.ndarray:
    """The judgement's rows with, where the author followed up, the meaning of both messages (the mean of the two
    unit vectors, made unit again) in place of the first's."""
    rows = features.copy()
    start = len(SHAPE_COLUMNS)
    for n, vector in follow_ups.items():
        both = rows[n, start:] + vector
        rows[n, start:] = both / max(float(np.linalg.norm(both)), 1e-12)
    return rows


def readings(
    model: IntentModel | None,
    mentions: list[MentionText],
    features: np.ndarray,
    hand: list[Verdict],
    cues: list[Cues],
    product: Product,
    *,
    follow_ups: dict[int, np.ndarray] | None = None,
) -> list[Reading | None]:
    """Each mention's reading (None for all without a learned intent: the hand-written one stands). `follow_ups`:
    the meaning vectors of the author's newest follow-ups, by the mention's place in `mentions`: the intent reads
    them with the first mention (its words and its meaning); the sentiment and the judgement read the first alone."""
    if model is None or not mentions:
        return [None] * len(mentions)
    languages = [v.language for v in hand]
    plain = reading_rows(mentions, features, languages, follow_up=False)
    intents = model.intent.probabilities(
        reading_rows(mentions, _followed(features, follow_ups), languages, follow_up=True) if follow_ups else plain
    )
    sentiments = model.sentiment.probabilities(plain)
    made: list[Reading | None] = []
    for n, mention in enumerate(mentions):
        rest = praise_turn(mention.title, mention.text) if languages[n] == "en" else None
        praise = rest is not None
        made.append(
            Reading(
                intents=dict(zip(model.intent.classes, (float(p) for p in intents[n]), strict=True)),
                sentiments=dict(zip(model.sentiment.classes, (float(p) for p in sentiments[n]), strict=True)),
                praise=praise,
                praised_report=rest is not None and reports_failure(rest),
                describe=partial(_describe, mention, product, praise, cues[n].link_only),
            )
        )
    return made


def _describe(mention: MentionText, product: Product, praise: bool, link_only: bool, intent: str) -> str:
    return reason_for(intent, mention, product, praise_too=praise, link_only=link_only)
