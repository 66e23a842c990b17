"""The language of a mention: py3langid (langid.py's model), on the words without links, handles or hashtags.

Short texts fool any detector, so a text under three words, or one langid is unsure of, is called English:
the desk's mentions are mostly English, and the code only chooses how the sentiment is read."""

from __future__ import annotations

import threading
from typing import Any

from mentions.judgement.cues import words_of

_lock = threading.Lock()
_identifier: Any = None


def _classify(text: str) -> tuple[str, float]:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        lang, probability = _identifier.classify(text)
    return str(lang), float(probability)


def language_of(text: str) -> str:
    """ISO 639-1 code of the text ("en" when it cannot be told)."""
    words = words_of(text)
    if len(words.split()) < 3 and not any(ord(c) > 0x2E80 for c in words):
        return "en"
    lang, probability = _classify(words)
    return lang if probability >= 0.5 else "en"
