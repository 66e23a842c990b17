"""Search on the embedded SQLite default without a full-text index: a crude English stem for the substring
match, and a snippet around the first match (PostgreSQL's ts_headline does both on the production database)."""

from __future__ import annotations

from django.utils.safestring import SafeString

from mentions.search.text import START, STOP, highlight

# SQLite has no stemmer: a word loses one common English ending before the substring match, so "registries"
# and "registry" both look for "registr", "timeouts" for "timeout", "merged" for "merg" (what PostgreSQL's
# english stemming finds, give or take). Words of four letters or fewer are matched as typed.
_ENDINGS = ("ies", "ing", "es", "ed", "s", "y", "e")
SNIPPET_CHARS = 80


def word_stem(word: str) -> str:
    word = word.casefold()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def fallback_snippet(body: str, stems: list[str]) -> SafeString | None:
    """The text around the first matched word of `body`, the matches marked (escaped by `highlight`)."""
    text = body.replace(START, "").replace(STOP, "")
    folded = text.casefold()
    hits = sorted((at, at + len(stem)) for stem in stems for at in [folded.find(stem)] if at >= 0)
    if not hits or len(folded) != len(text):  # a case fold that changes lengths would misplace the marks
        return None
    begin = max(0, hits[0][0] - SNIPPET_CHARS // 2)
    end = min(len(text), begin + SNIPPET_CHARS * 2)
    out, at = [], begin
    for start, stop in hits:
        if start < at or stop > end:
            continue
        out += [text[at:start], START, text[start:stop], STOP]
        at = stop
    out.append(text[at:end])
    return highlight(("… " if begin else "") + "".join(out) + (" …" if end < len(text) else ""))
