"""The desk's sentiment of a text that is not a ticket (share of voice: what a competitor search found).

The same reading as a ticket's (mentions.judgement.sentiment.sentiment_of, its language told the same way), without
the learned intent, which needs the product's examples and the meaning model: the only intent it reads is the
shape of a failure report ("X's runners crash with exit code 137"), which makes a text negative in English as a
bug does on a ticket. Cheap enough to run inside a poll."""

from __future__ import annotations

from mentions.judgement.cues import words_of
from mentions.judgement.intent_cues import reports_failure
from mentions.judgement.language import language_of
from mentions.judgement.sentiment import sentiment_of
from mentions.models.judgement import Intent


def text_sentiment(*, title: str, text: str) -> str:
    """ "positive", "neutral" or "negative" (mentions.models.judgement.Sentiment's values)."""
    whole = f"{title}\n{text}".strip()
    intent = Intent.BUG.value if reports_failure(words_of(whole)) else ""
    return sentiment_of(whole, language=language_of(whole), intent=intent)
