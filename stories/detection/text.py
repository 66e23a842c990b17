"""What the detector reads of a mention: its links, normalised so the same page shared in different ways is one
key, and its terms (Snowball stems, as the answers panel compares words), with the word as people wrote it so a
story can say why a ticket joined ("shares: 502, pipelines")."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from answers.terms import STOP_WORDS, word_stem

# Query parameters that say who shared a link, not what it points to ("u": the sharer, as status pages and
# newsletters append it).
_TRACKING = frozenset(
    {"ref", "ref_src", "ref_url", "source", "src", "s", "t", "u", "si", "fbclid", "gclid", "igshid", "mc_cid", "mc_eid"}
)
_TRACKING_PREFIXES = ("utm_", "__", "hs")
_HOST_PREFIXES = ("www.", "m.", "mobile.", "old.", "new.")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"…"
MAX_LINKS = 5

# Stop words for stories: Snowball's list less the words that carry an outage ("down", "up", "out", "off"), plus
# the chatter every mention carries, which says nothing about what happened.
_KEEP = frozenset({"down", "up", "out", "off", "not", "no", "again"})
_CHATTER = frozenset(
    """anyone anybody someone else really just get got getting gets use used using uses like want need know
    think thanks thank thx pls please hey hi hello guys folks also still even yet ever one two lot lots
    today yesterday now way thing things something anything make made would could should will can cant can't
    don't doesn't didn't isn't it's i'm i've you're that's there's what's im ive dont doesnt didnt isnt thats
    see look looks looking seems seem going go gone new good great nice cool awesome love best bad
    work works worked working time day week help question questions issue issues problem problems
    com org net www http https every lol read first part""".split()  # noqa: SIM905 (a word list reads better as text)
)
STORY_STOP = (STOP_WORDS - _KEEP) | _CHATTER
_APOSTROPHE = "\u2019"  # a typographic apostrophe, as phones write it
MAX_TERMS = 30
CACHED_URL_MAX = 500


def link_normalise(url: str) -> str:
    """The page a link points to, as one key: no scheme, lower-case host without www., no fragment, no
    tracking parameters, no trailing slash. "" for a link that names no page (a bare domain) or cannot be read."""
    # A wave shares the same few links again and again; a long one (rare) is not worth keeping in memory.
    return _normalise_cached(url) if len(url) <= CACHED_URL_MAX else _normalise(url)


def _normalise(url: str) -> str:
    url = url.strip().rstrip(_TRAILING)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "." not in host:
        return ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    path = re.sub(r"/{2,}", "/", parts.path or "")
    path = re.sub(r"/(index\.html?)?$", "", path)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=False)
        if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    if not path and not query:
        return ""
    key = host + path
    if query:
        key += "?" + urlencode(sorted(query))
    return key[:290]


_normalise_cached = lru_cache(maxsize=4096)(_normalise)


def text_links(text: str) -> list[str]:
    """The distinct normalised links of `text`, in order, at most MAX_LINKS."""
    out: list[str] = []
    for match in _URL.finditer(text):
        key = link_normalise(match.group())
        if key and key not in out:
            out.append(key)
            if len(out) == MAX_LINKS:
                break
    return out


def _stem_of(word: str) -> str:
    """The term a (case-folded) word counts as, or "" for a word that tells nothing."""
    plain = word.replace(_APOSTROPHE, "'")
    bare = plain.replace("'", "")
    if plain in STORY_STOP or bare in STORY_STOP or len(bare) > 40:
        return ""
    if bare.isdigit():
        return bare if 3 <= len(bare) <= 4 else ""
    if len(bare) < 3:
        return ""
    stem = word_stem(bare)
    return "" if stem in STORY_STOP else stem


_stems: dict[str, str] = {}  # word -> term: a mention's words are mostly words seen before


# One pass over a mention: a link (skipped), an @handle, a version, or a word.
_TOKEN = re.compile(
    r"(https?://[^\s<>\"'`]+)|((?<!\w)@\w+)|(\b\d+\.\d+(?:\.\d+)?\b)|([^\W_]+(?:['\u2019][^\W_]+)?)",
    re.IGNORECASE,
)


def text_words(text: str) -> dict[str, str]:
    """{stem: the word as first written, lower-cased} for the words of `text` that can tell a story: @handles as
    written, no links or stop words; a version ("18.6") is one term; numbers of three or four digits ("502")
    are kept."""
    out: dict[str, str] = {}
    stems = _stems
    for _link, handle, version, word in _TOKEN.findall(text.casefold()):
        if word:
            stem = stems.get(word)
            if stem is None:
                stem = _stem_of(word)
                if len(stems) < 200_000:
                    stems[word] = stem
            if not stem:
                continue
        elif handle or version:
            stem = word = (handle or version)[:100]
        else:
            continue
        if stem not in out:
            out[stem] = word
            if len(out) >= MAX_TERMS:
                break
    return out
