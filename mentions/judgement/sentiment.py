"""The sentiment of a mention: vaderSentiment for English; for other languages, what the intent says.

VADER's lexicon is English (with emoji and "!!!"): on French or Japanese words it sees nothing and calls almost
everything neutral. So for another language the intent decides (praise → positive; bug, outage, complaint →
negative; the rest neutral), which the development set showed is right far more often than VADER there.
In English a complaint is negative whatever VADER reads: sarcasm ("great job, logged out again 🙃") reads
positive word by word."""

from __future__ import annotations

import threading
from typing import Any

from mentions.judgement.cues import words_of
from mentions.models.judgement import Intent, Sentiment

_lock = threading.Lock()
_analyzer: Any = None

NEGATIVE_INTENTS = {Intent.BUG, Intent.OUTAGE, Intent.COMPLAINT}
# VADER's compound score from which a text counts as positive or negative. Its authors' ±0.05 called most
# polite questions ("thanks in advance!") positive; mentions to a product team are mostly neutral (chosen on
# the development set: sentiment accuracy 0.59 at ±0.05, 0.64 here, with the seeds of then).
POSITIVE_AT = 0.5
NEGATIVE_AT = -0.3


def compound(text: str) -> float:
    global _analyzer
    with _lock:
        if _analyzer is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            _analyzer = SentimentIntensityAnalyzer()
    return float(_analyzer.polarity_scores(text)["compound"])


def sentiment_of(text: str, *, language: str, intent: str) -> str:
    if intent == Intent.COMPLAINT or intent == Intent.OUTAGE:
        return Sentiment.NEGATIVE.value
    if language != "en":
        if intent == Intent.PRAISE:
            return Sentiment.POSITIVE.value
        return Sentiment.NEGATIVE.value if intent in NEGATIVE_INTENTS else Sentiment.NEUTRAL.value
    score = compound(words_of(text))
    if intent == Intent.BUG:
        return Sentiment.NEGATIVE.value if score < 0.3 else Sentiment.NEUTRAL.value
    if intent == Intent.PRAISE and score > -0.05:
        return Sentiment.POSITIVE.value
    if score >= POSITIVE_AT:
        return Sentiment.POSITIVE.value
    if score <= NEGATIVE_AT:
        return Sentiment.NEGATIVE.value
    return Sentiment.NEUTRAL.value


def warm(text: str) -> bool:
    """The words are clearly positive (VADER's compound ≥ 0.3): praise, even around a question."""
    return compound(words_of(text)) >= 0.3
