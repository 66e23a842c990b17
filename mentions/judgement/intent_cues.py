"""What the shape of a text says about its intent and its tone (issue 68): the columns the learned intent and
sentiment read beside the judgement's row (intent_model.py), and the praise that opens a report.

Each column is a shape any product's mentions share, not one product's words: a question mark in the body, not
only in the title (a headline asks nobody anything); a question in the last sentence (where a praise that ends in a
question puts it); interrogative openings; an error or a stack trace; "down", a status code; warm words; "would be
nice" and "please add"; negations and sour words; VADER's reading of an English text. Chosen leaving one product
out on the four seen sets (docs/judgement.md)."""

from __future__ import annotations

import re

from mentions.judgement.cues import words_of
from mentions.judgement.sentiment import compound

_QUESTION_MARK = re.compile(r"[?\uff1f¿]")
_SENTENCE_END = re.compile(r"(?<=[.!?\uff1f])\s+|\n")
_ASK_OPENING = re.compile(
    r"^(?:how|what|why|where|when|which|who|is|are|does|do|did|can|could|should|would|will|has|have|any|anyone|"
    r"wie|was|warum|gibt|kann|comment|pourquoi|est-ce|cómo|como|qué|por qué|hay|alguien|come|perché|hoe|jak|czy)\b",
    re.I,
)
_ERROR = re.compile(
    r"(?:traceback|exception|error|errno|segfault|segmentation fault|panic|stack trace|crash\w*|fails?\b|failed|"
    r"failing|broke\w*|bug\b|regression|doesn'?t work|does not work|not working|won'?t|undefined|null pointer|"
    r"\bat \S+\(|\w+Error\b|\w+Exception\b|exit code|core dumped|```)",
    re.I,
)
_DOWN = re.compile(
    r"(?:\bdown\b|outage|incident|status page|unreachable|timing out|timeouts?|timed out|5\d\d\b|\b50[234]\b|"
    r"degraded|not loading|can'?t (?:log ?in|sign in|reach|access)|for everyone|anyone else|right now|since \d+|"
    r"for \d+ ?min)",
    re.I,
)
_STATUS_CODE = re.compile(r"\b[45]\d\d\b")
_WARM = re.compile(
    r"(?:thank|thanks|merci|danke|gracias|obrigad|grazie|love|loving|great|awesome|amazing|fantastic|excellent|"
    r"brilliant|nice|best|favou?rite|happy|impressed|kudos|well done|❤|♥|🙏|🙌|🔥|🎉|😍|💜|👏)",
    re.I,
)
_WANT = re.compile(
    r"(?:would be (?:nice|great|cool|awesome)|please add|please support|feature request|would love|wish|"
    r"it'd be nice|could you add|any plans?|roadmap|support for|add (?:an? )?option|suggestion)",
    re.I,
)
_NEGATION = re.compile(r"(?:\bnot\b|n't\b|\bnever\b|\bno\b|\bnothing\b|\bwithout\b|\bcan'?t\b|\bcannot\b)", re.I)
_SOUR = re.compile(
    r"(?:🙃|😒|🙄|😡|😤|🤬|ridiculous|unacceptable|frustrat\w*|annoy\w*|terrible|awful|worst|hate|disappoint\w*|"
    r"brutal|again\b|still\b|refund|cancel\w*|charged|billed|support hasn'?t)",
    re.I,
)
# Praise that opens a report: warm words before "but", "though", "one thing", ... (or in the first sentence), not
# sarcasm ("love waiting 20 minutes for a deploy 🙃" is a complaint).
_CONTRAST = re.compile(
    r"(?:\bbut\b|\bhowever\b|\bthough\b|\btho\b|one thing|only thing|one question|quick q|\bexcept\b|\bmais\b|"
    r"\baber\b|\bpero\b)",
    re.I,
)
_PRAISE = re.compile(
    r"\b(?:love|loving|great|fantastic|amazing|awesome|best|excellent|brilliant|nicest|gorgeous|superb|wonderful|"
    r"thank(?:s| you))\b",
    re.I,
)
_SARCASM = re.compile(
    r"(?:🙃|🙄|😒|/s\b|\blove (?:how|when|waiting|that)\b|\bso glad\b|\bthanks for nothing\b|\bjust great\b|"
    r"\bcool cool\b|\breally love\b)",
    re.I,
)
PRAISE_AT = 0.5  # VADER's compound of the opening from which it reads as praise

COLUMNS = (
    "question_mark_in_text",
    "question_mark_in_title",
    "question_mark_last_sentence",
    "asking_opening",
    "error_shape",
    "down_shape",
    "status_code",
    "warm_words",
    "wants_something",
    "negations",
    "sour_words",
    "exclamation",
    "long",
    "short",
    "link",
    "non_latin",
    "vader_compound",
    "vader_positive",
    "vader_negative",
)


def _sentences(words: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(words) if s.strip()]


def _share(count: int, most: int = 3) -> float:
    return min(count, most) / most


def reading_columns(title: str, text: str, *, english: bool, headline: bool = False) -> list[float]:
    """The columns of one mention's title and text (`headline`: the title asks nothing, its question is not read)."""
    body = words_of(text)
    heading = "" if headline else words_of(title)
    whole = f"{words_of(title)}\n{body}".strip()
    sentences = _sentences(body)
    last = sentences[-1] if sentences else heading
    score = compound(whole) if english else 0.0
    columns = [
        bool(_QUESTION_MARK.search(body)),
        bool(_QUESTION_MARK.search(heading)),
        bool(_QUESTION_MARK.search(last)),
        any(_ASK_OPENING.match(s) for s in [*sentences, heading] if s),
        bool(_ERROR.search(whole)),
        bool(_DOWN.search(whole)),
        bool(_STATUS_CODE.search(whole)),
        _share(len(_WARM.findall(whole))),
        bool(_WANT.search(whole)),
        _share(len(_NEGATION.findall(whole))),
        _share(len(_SOUR.findall(whole))),
        "!" in whole,
        len(whole) > 400,
        len(whole) < 60,
        bool(re.search(r"https?://", f"{title} {text}")),
        sum(ord(c) > 127 for c in whole) / max(len(whole), 1) > 0.02,
        score,
        score > 0.3,
        score < -0.3,
    ]
    return [float(v) for v in columns]


def praise_turn(title: str, text: str) -> str | None:
    """What follows the praise a mention opens with ("Love X, but the export crashes on Y": "the export crashes on
    Y"): warm words that VADER reads as positive before a "but" (or in the first sentence), more after them, no
    sarcasm. None when it does not open with praise or says nothing more."""
    words = words_of(text) or words_of(title)
    if _SARCASM.search(words):
        return None
    # The first "but" with words after it ("… crashes on big projects though." turns nothing), else the first
    # sentence.
    turn = next((t for t in _CONTRAST.finditer(words) if re.search(r"\w\w", words[t.end() :])), None)
    if turn:
        head, rest = words[: turn.start()], words[turn.end() :]
    else:
        parts = re.split(r"(?<=[.!?])\s+", words, maxsplit=1)
        head, rest = parts[0], parts[1] if len(parts) > 1 else ""
    if re.search(r"\w\w", rest) and _PRAISE.search(head) and compound(head) >= PRAISE_AT:
        return rest
    return None


def reports_failure(words: str) -> bool:
    """The words report something broken (an error, a crash, a status code) and ask nothing: after a praise, a bug
    report (with a question, the praise and the question are the seen sets' "praise with a question")."""
    failing = bool(_ERROR.search(words)) or bool(_STATUS_CODE.search(words))
    return failing and not _QUESTION_MARK.search(words)
