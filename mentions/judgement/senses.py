"""The product's name in its other senses, learned from the desk's labels (issue 68, item 4).

A desk for Hugo, the static site generator, meets Victor Hugo, Hugo Boss, the Hugo Awards and the Hugo spritz. The
tickets its team labelled noise hold the words those senses come with ("victor hugo", "boss", "awards", "spritz");
the tickets it answered or corrected to needs a response or worth knowing almost never do. Those words are offered
in admin as exclusion terms per channel (mentions.judgement.exclusions), never applied until a person accepts one.

Pure and set-based: no database, no model. A mention is the set of terms it holds (`terms_held`), and a term is
scored by how many of a channel's noise tickets hold it against how many of the product's tickets do, counted once a
ticket (document frequency: a spam post repeating "boss" ten times is one ticket, one vote).

Plain Python (`re`, `collections.Counter`) rather than scikit-learn's CountVectorizer: the web process never imports
scikit-learn (tests/test_embedded_default.py), the accepted terms are matched with this same tokeniser in the worker
(so what admin counts is what the desk does), and the counting is a dozen lines."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

MIN_NOISE = 3  # a term held by fewer of a channel's noise tickets is chance, not a sense
MAX_PRODUCT = 1  # a term held by two or more of the product's tickets would hide real mentions
TOP = 20  # the suggestions kept per channel, best first: a list a person reads in a minute
LONGEST = 40  # a longer "word" is a hash, a token or a run of letters, not a sense anyone writes
_WORD = re.compile(r"\w+")

# English function words, the pieces of links and HTML entities a mention's text keeps ("https", "www", "amp"), and
# what an erasure leaves in a person's texts ("[erased]", people.erasing): words every sense of the name shares, so
# none of them says which sense it is. Kept short on purpose: a word that is ordinary but not a function word
# ("awards", "boss") is exactly what the desk should learn.
_STOP = """
    a about above after again against all also am an and any are aren as at be because been before being below
    between both but by can cannot could couldn did didn do does doesn doing don down during each even ever every few
    for from further get gets got had hadn has hasn have haven having he her here hers herself him himself his how i
    if in into is isn it its itself just let like ll me more most much must mustn my myself no nor not now of off on
    once one only or other ought our ours ourselves out over own re same shan she should shouldn so some still such
    than that the their theirs them themselves then there these they this those through to too under until up upon
    us ve very via was wasn we were weren what when where which while who whom why will with won would wouldn yes yet
    you your yours yourself yourselves
    http https www com org net html htm amp quot nbsp gt lt
    erased
"""
STOP_WORDS = frozenset(_STOP.split())


def tokens_of(text: str) -> list[str]:
    """The words of `text` in order: NFKC-normalised (a full-width or ligatured letter is the letter) and lowercased,
    split on anything that is not a letter, a digit or an underscore (Unicode words, so "misérables" is one)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def terms_held(text: str) -> frozenset[str]:
    """Every word and every pair of adjacent words of `text` ("victor", "hugo", "victor hugo"): what a term must be
    among to be held by it. Matching whole tokens is matching at word boundaries, case-insensitively: "Hugo
    Boss's" holds "boss" and "hugo boss", "bossa nova" holds neither."""
    words = tokens_of(text)
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in pairwise(words))


def _wordy(word: str) -> bool:
    return 2 <= len(word) <= LONGEST and not word.isdigit() and word not in STOP_WORDS


def own_words(names: Iterable[str]) -> frozenset[str]:
    """The product's own words: its names and keywords whole ("static site") and each of their words ("gohugo",
    "io"). A term that is one of them can never be an exclusion: it is what the channel searches for."""
    own: set[str] = set()
    for name in names:
        words = tokens_of(name)
        own |= set(words)
        own.add(" ".join(words))
    return frozenset(own)


def candidate(term: str, own: frozenset[str]) -> bool:
    """A term that could be a sense: not the product's own, and made of real words. A pair may hold the product's
    name beside another word ("victor hugo": the sense is the pair), not two of the product's words."""
    words = term.split(" ")
    if term in own or not all(_wordy(w) for w in words):
        return False
    return not (len(words) == 2 and all(w in own for w in words))


@dataclass(frozen=True)
class Sense:
    term: str
    noise: int  # the channel's noise tickets holding it
    product: int  # the product's tickets (every channel) holding it
    score: float


def log_odds(noise: int, noise_total: int, product: int, product_total: int) -> float:
    """How much likelier a noise ticket is to hold the term than a product ticket: the log of the odds ratio, with
    half a ticket added to each cell (Haldane and Anscombe's correction), so a term no product ticket holds has a
    finite score that still grows with its support and with the number of product tickets that do without it."""
    noise_odds = (noise + 0.5) / (noise_total - noise + 0.5)
    product_odds = (product + 0.5) / (product_total - product + 0.5)
    return math.log(noise_odds / product_odds)


def _redundant(qualified: set[str], holders: Mapping[str, frozenset[int]]) -> set[str]:
    """A word held by exactly the same noise tickets as a pair holding it says nothing the pair does not, and would
    exclude more ("victor" alone is also a user's first name): the pair is offered, the word is not."""
    return {
        word
        for pair in qualified
        if " " in pair
        for word in pair.split(" ")
        if word in qualified and holders[word] == holders[pair]
    }


def channel_senses(
    noise: list[frozenset[str]], product: list[frozenset[str]], own: frozenset[str], *, top: int = TOP
) -> list[Sense]:
    """The best `top` senses of one channel's noise tickets (each the set of terms it holds) against the product's
    tickets. A term qualifies with at least MIN_NOISE noise tickets and at most MAX_PRODUCT product tickets; the
    qualified ones are ranked by `log_odds`, then by support, then alphabetically (the same labels give the same
    list)."""
    in_noise = Counter(term for held in noise for term in held)
    wanted = {t for t, n in in_noise.items() if n >= MIN_NOISE and candidate(t, own)}
    if not wanted:
        return []
    in_product = Counter(term for held in product for term in held & wanted)
    qualified = {t for t in wanted if in_product[t] <= MAX_PRODUCT}
    holding: dict[str, set[int]] = {t: set() for t in qualified}
    for i, held in enumerate(noise):
        for term in held & qualified:
            holding[term].add(i)
    dropped = _redundant(qualified, {t: frozenset(ids) for t, ids in holding.items()})
    senses = [
        Sense(t, in_noise[t], in_product[t], log_odds(in_noise[t], len(noise), in_product[t], len(product)))
        for t in qualified
        if t not in dropped
    ]
    senses.sort(key=lambda s: (-s.score, -s.noise, s.term))
    return senses[:top]


def senses_learned(
    noise: Mapping[int, list[frozenset[str]]], product: list[frozenset[str]], own: frozenset[str], *, top: int = TOP
) -> dict[int, list[Sense]]:
    """Per channel (its id -> the term sets of its noise tickets), its senses. The product's tickets are every
    channel's: the product is the same wherever it is written about, and a word the team answered on the forum is
    not a sense to hide on Reddit."""
    return {channel: found for channel, held in noise.items() if (found := channel_senses(held, product, own, top=top))}
