"""One verdict from the hand-written judgement (classify.py: intent, sentiment, language, the cue it read) and the
learned one (learned.py: needs_response, worth_knowing or noise, and how sure).

- An advocate's near-identical correction and the two-sign cues (a bot, a job post, spam) stand as they are.
- Otherwise the learned model decides the judgement, with its probability as the confidence. Below
  DESK_JUDGEMENT_UNSURE_BELOW it is *Unsure*: stored as needs_response (Play and the "Needs a response" view
  serve it; a person decides), the reason saying which way the model leaned.
- The intent is kept only where it agrees with the judgement (a question the model calls worth knowing is a
  question to other users: "other"; noise is always "other").
- The reason names the evidence: the nearest earlier ticket of this desk and what the team did with it, else the
  cue the hand-written judgement read."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from mentions.judgement.classify import NEEDS_RESPONSE_INTENTS, REASON_CHARS, Verdict
from mentions.models.judgement import Intent, Judgement

CUE_CONFIDENCE = 0.95
ADVOCATE_NEAR = "As an advocate judged a near-identical mention"


def _fits(judgement: str, intent: str) -> str:
    if judgement == Judgement.NOISE:
        return Intent.OTHER
    if judgement == Judgement.WORTH_KNOWING and intent in NEEDS_RESPONSE_INTENTS and intent != Intent.COMPLAINT:
        return Intent.OTHER
    return intent


def _clip(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1].rstrip() + "…"


def combined(verdict: Verdict, learned: str, confidence: float, *, cue_noise: bool, earlier: str) -> Verdict:
    if verdict.reason == ADVOCATE_NEAR:
        return replace(verdict, confidence=1.0)
    if cue_noise:
        sure = max(confidence, CUE_CONFIDENCE) if learned == Judgement.NOISE else CUE_CONFIDENCE
        return replace(verdict, confidence=round(float(sure), 3))
    if verdict.judgement == Judgement.NOISE and learned == Judgement.WORTH_KNOWING:
        # Two readings agree it is not for the team, and the hand-written one read why: not about the product.
        learned = Judgement.NOISE
    intent = _fits(learned, verdict.intent)
    if learned == verdict.judgement:
        reason = earlier or verdict.reason
    elif learned == Judgement.NEEDS_RESPONSE:
        reason = earlier or ("Asks" if verdict.intent == Intent.QUESTION else "Reads like one the team answers")
        if not earlier and verdict.intent == Intent.QUESTION:
            reason = verdict.reason
    elif learned == Judgement.NOISE:
        reason = earlier or "Reads like the mentions this desk treats as noise"
    else:
        reason = earlier or (
            "A question to other users, nothing asked of the team"
            if verdict.intent == Intent.QUESTION
            else "Nothing asked of the team"
        )
    if confidence < settings.DESK_JUDGEMENT_UNSURE_BELOW:
        leaning = Judgement(learned).label.lower()
        return replace(
            verdict,
            judgement=Judgement.NEEDS_RESPONSE,
            intent=verdict.intent,  # not shown while unsure; the hand-written reading, for whoever decides
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
        confidence=max(OTHER_SENSE_CONFIDENCE, verdict.confidence or 0.0),
        reason=_clip(f"Not about {product}: “{word}”, the name in another sense"),
    )
