"""One verdict from the hand-written judgement (classify.py: intent, sentiment, language, the cue it read) and the
learned one (learned.py: needs_response, worth_knowing or noise, and how sure).

- An advocate's near-identical correction and the two-sign cues (a bot, a job post, spam) stand as they are; so
  does praise followed by a failure (intent.py): a bug report that needs a response.
- Otherwise the learned model decides the judgement, with its probability as the confidence. Below
  DESK_JUDGEMENT_UNSURE_BELOW it is *Unsure*: stored as needs_response (Play and the "Needs a response" view
  serve it; a person decides), the reason saying which way the model leaned.
- The intent and sentiment: the learned reading's (intent.py), the likeliest intent the judgement allows; without
  one (a desk on another embedding model), the hand-written reading's, kept only where it agrees with the judgement
  (a question the model calls worth knowing is a question to other users: "other"; noise is always "other").
- The reason names the evidence: the nearest earlier ticket of this desk and what the team did with it, else the
  cue the hand-written judgement read."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from mentions.judgement.classify import NEEDS_RESPONSE_INTENTS, REASON_CHARS, Verdict
from mentions.judgement.intent import Reading
from mentions.models.judgement import Intent, Judgement, Sentiment

CUE_CONFIDENCE = 0.95
ADVOCATE_NEAR = "As an advocate judged a near-identical mention"
NOISE_LIKE = "Reads like the mentions this desk treats as noise"
TO_OTHERS = "A question to other users, nothing asked of the team"


def _fits(judgement: str, intent: str) -> str:
    if judgement == Judgement.NOISE:
        return Intent.OTHER
    if judgement == Judgement.WORTH_KNOWING and intent in NEEDS_RESPONSE_INTENTS and intent != Intent.COMPLAINT:
        return Intent.OTHER
    return intent


def _clip(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1].rstrip() + "…"


def _read(verdict: Verdict, learned: str, reading: Reading, earlier: str) -> tuple[str, str, str]:
    """The learned reading's intent, sentiment and reason, the judgement (or the lean) being `learned`."""
    intent = reading.intent_within(learned)
    sentiment = reading.sentiment_for(learned, intent)
    if learned == Judgement.NOISE:
        reason = verdict.reason if verdict.judgement == Judgement.NOISE else NOISE_LIKE
    elif learned == Judgement.WORTH_KNOWING and intent == Intent.OTHER and verdict.intent == Intent.QUESTION:
        reason = TO_OTHERS
    elif learned == Judgement.WORTH_KNOWING and intent == Intent.COMPLAINT:
        reason = "A complaint, nothing asked of the team"
    else:
        reason = reading.describe(intent)
    return intent, sentiment, earlier or reason


def combined(
    verdict: Verdict,
    learned: str,
    confidence: float,
    *,
    cue_noise: bool,
    earlier: str,
    reading: Reading | None = None,
) -> Verdict:
    """`reading`: the learned intent and sentiment (intent.py); without it, the hand-written reading's."""
    if verdict.reason == ADVOCATE_NEAR:
        return replace(verdict, confidence=1.0)
    if cue_noise:
        sure = max(confidence, CUE_CONFIDENCE) if learned == Judgement.NOISE else CUE_CONFIDENCE
        if reading is not None:
            verdict = replace(verdict, sentiment=reading.sentiment_for(Judgement.NOISE, Intent.OTHER))
        return replace(verdict, confidence=round(float(sure), 3))
    if reading is not None and reading.praised_report:
        # "Love X, but the export crashes on Y": praise and a bug report, which needs a response (the learned
        # judgement reads the praise that fills the meaning vector). Both are stored: the intent is the report,
        # the sentiment the praise's.
        sure = max(confidence, CUE_CONFIDENCE) if learned == Judgement.NEEDS_RESPONSE else CUE_CONFIDENCE
        return replace(
            verdict,
            judgement=Judgement.NEEDS_RESPONSE,
            intent=Intent.BUG.value,
            sentiment=Sentiment.POSITIVE.value,
            confidence=round(float(sure), 3),
            reason=_clip(reading.describe(Intent.BUG)),
        )
    if verdict.judgement == Judgement.NOISE and learned == Judgement.WORTH_KNOWING:
        # Two readings agree it is not for the team, and the hand-written one read why: not about the product.
        learned = Judgement.NOISE
    if reading is not None:
        intent, sentiment, reason = _read(verdict, learned, reading, earlier)
        verdict = replace(verdict, intent=intent, sentiment=sentiment)
        return _decided(verdict, learned, confidence, intent, reason)
    intent = _fits(learned, verdict.intent)
    if learned == verdict.judgement:
        reason = earlier or verdict.reason
    elif learned == Judgement.NEEDS_RESPONSE:
        reason = earlier or ("Asks" if verdict.intent == Intent.QUESTION else "Reads like one the team answers")
        if not earlier and verdict.intent == Intent.QUESTION:
            reason = verdict.reason
    elif learned == Judgement.NOISE:
        reason = earlier or NOISE_LIKE
    else:
        reason = earlier or (TO_OTHERS if verdict.intent == Intent.QUESTION else "Nothing asked of the team")
    # Unsure, the hand-written reading's intent is kept for whoever decides (it is not shown).
    return _decided(verdict, learned, confidence, intent, reason, unsure_intent=verdict.intent)


def _decided(
    verdict: Verdict, learned: str, confidence: float, intent: str, reason: str, *, unsure_intent: str = ""
) -> Verdict:
    if confidence < settings.DESK_JUDGEMENT_UNSURE_BELOW:
        # Stored as needs a response, for a person to decide; the intent and sentiment of the lean are not shown.
        leaning = Judgement(learned).label.lower()
        return replace(
            verdict,
            judgement=Judgement.NEEDS_RESPONSE,
            intent=unsure_intent or intent,
            confidence=round(float(confidence), 3),
            reason=_clip(f"Unsure, leans {leaning} ({confidence:.0%}): {reason}"),
        )
    return replace(
        verdict, judgement=learned, intent=intent, confidence=round(float(confidence), 3), reason=_clip(reason)
    )


OTHER_SENSE_CONFIDENCE = 0.95  # the admin's own words say what the name means otherwise: held back as noise (0.9)


def other_sense_noise(verdict: Verdict, word: str, product: str) -> Verdict:
    """The name in another sense (fingerprint.py: an other-sense word and none of the product's vocabulary) is noise,
    whatever the model read; an advocate's near-identical correction still stands."""
    if not word or verdict.reason == ADVOCATE_NEAR:
        return verdict
    return replace(
        verdict,
        judgement=Judgement.NOISE,
        intent=Intent.OTHER,
        sentiment=Sentiment.NEUTRAL,  # as the learned reading gives noise (most noise is labelled neutral)
        confidence=max(OTHER_SENSE_CONFIDENCE, verdict.confidence or 0.0),
        reason=_clip(f"Not about {product}: “{word}”, the name in another sense"),
    )
