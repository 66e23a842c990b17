"""What the product is, and what its name means otherwise, from the team's own words (issue 68, item 3): "is this
about our product at all?" answered on day one.

Noise is mostly the name in another sense (a poetry slam for Poetry, Victor Hugo for Hugo). The embedding of the
description alone cannot tell those apart: leaving one product out, a classifier over the meaning vector and the
shape columns found no more of them than the cues do (docs/decisions.md, 2026-11-28). What does tell them apart is
what the team writes and does:

- the **description** (admin): its sentences about the product give the product's vocabulary ("pyproject.toml",
  "shortcodes", "themes"); a sentence naming the other senses ("The name is also an everyday word that is not the
  product: poems, slams...") gives the words that come with them;
- the **other names** (a domain, a handle) and the **channels' keywords**: the product's own vocabulary;
- the **answered history**: the technical words (a file, a version, a flag) of two or more mentions the team
  answered join the product's vocabulary, and code in a mention is always the product's;
- the **docs** the desk indexes (answers' knowledge sources, through mentions.judgement.product_texts): the words
  of their pages' titles;
- the **other senses learned** from the team's noise (mentions.judgement.senses: accepted exclusion terms and the
  suggested ones), which join the other-sense words.

A mention is the name in another sense when it holds an other-sense word and none of the product's vocabulary:
product evidence always wins, so a real question that happens to say "snake" next to `poetry add` is never called
noise. Plain word sets: nothing to train, nothing to load, the same in the web process and the worker."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mentions.judgement.product import Product

EVAL_DIR = Path(__file__).resolve().parent / "eval"
# A sentence that names what the name means otherwise (the admin's own words; docs/judgement.md says how to write
# one): "is also an everyday word", "Not the product: ...", "other senses", "unrelated".
OTHER_SENSE_SENTENCE = re.compile(
    r"\b(is also|also an? (everyday|common|ordinary)|not the product|other senses?|unrelated|everyday word)\b", re.I
)
# Code in a mention is the software's, never a poem's or a cocktail's: backticks, a file name, a command's flag.
CODE = re.compile(
    r"`|\b[\w-]+\.(toml|ya?ml|json|jsx?|tsx?|py|go|rb|rs|sh|lock|conf|ini|cfg|html?|css|scss|md)\b|\s--[a-z]"
)
# A word shaped like a technical one (config.toml, v0.146, node_modules, --minify): the answered history's words
# that join the product's vocabulary (everyday words of answered mentions would also be other senses' words).
TECHNICAL = re.compile(r"[./_#+]|\d|^-")
SENTENCE = re.compile(r"(?<=[.!?;])\s+")
WORD = re.compile(r"[^\W_][\w+#./-]*[\w+#]|[^\W_]")
# Words too common to be evidence either way: English function words, the words descriptions use about any
# product or any sense, and the function words of the languages mentions come in most (a French "les" in an
# other-sense sentence must not call a French question noise).
STOP_WORDS = (
    "a about above after again against all also an and any are around as at be because been before being "
    "below between both but by can could did do does doing down during each else even every few for from "
    "further had has have having here how i if in into is it its itself just like made make many may more "
    "most much must my no nor not now of off often on once one only or other our out over own people same "
    "so some such than that the their them then there these they this those through to too under until up "
    "use used uses using usually very was we were what when where which while who whom why will with "
    "within without would you your name names word words everyday product products sense senses called "
    "common ordinary thing things kind kinds mean means texts text new open source free way ways lot lots "
    "etc e.g i.e vs via "
    "les des une est pour avec dans sur par pas qui que aux los las una uno con por para del "
    "der die das und ein eine mit von für auf ist nicht den dem zum zur não com uma dos della per che non "
)
STOP = frozenset(STOP_WORDS.split())


@dataclass(frozen=True)
class Fingerprint:
    product_words: frozenset[str]  # the product's vocabulary: evidence that a mention is about it
    other_words: frozenset[str]  # what the name comes with in its other senses

    def other_sense(self, text: str) -> str:
        """The other-sense word `text` holds when it holds none of the product's vocabulary and no code ("" if
        none)."""
        words = set(words_of(text))
        if words & self.product_words or CODE.search(text):
            return ""
        found = sorted(words & self.other_words, key=lambda w: (-len(w), w))
        return found[0] if found else ""  # the longest: the most telling ("misérables" before "victor")


def words_of(text: str) -> list[str]:
    """Lowercase words, with what makes a technical word one kept inside it (pyproject.toml, c++, node_modules)."""
    return [w.lower().rstrip(".") for w in WORD.findall(text)]


def _content(words: Iterable[str], names: set[str]) -> set[str]:
    return {w for w in words if len(w) > 2 and w not in STOP and w not in names and not w.isdigit()}


def fingerprint_of(
    product: Product, *, learned_other: Iterable[str] = (), answered: Iterable[str] = (), docs: Iterable[str] = ()
) -> Fingerprint:
    """The product's fingerprint from its description, other names and keywords, the other senses learned from the
    team's noise (`learned_other`: terms of one or two words) and the technical words of the mentions the team
    answered (`answered`: their texts; a word in two of them) and the words of the docs' titles (`docs`)."""
    bare = {product.name.lower(), product.name.lower().replace(" ", "")}
    names = {w for name in bare for w in words_of(name)}
    product_sentences: list[str] = []
    other_sentences: list[str] = []
    for sentence in SENTENCE.split(product.description):
        (other_sentences if OTHER_SENSE_SENTENCE.search(sentence) else product_sentences).append(sentence)
    own = _content((w for s in product_sentences for w in words_of(s)), names)
    # Other names (a domain, a handle) and the keywords are the product's own words, split into their words too.
    for phrase in (*(n for n in product.names if n not in bare), *product.keywords):
        own |= _content(words_of(phrase), names) | ({phrase} if " " not in phrase and phrase not in names else set())
    seen: dict[str, int] = {}
    for text in answered:
        for word in _content(words_of(text), names):
            if TECHNICAL.search(word):
                seen[word] = seen.get(word, 0) + 1
    own |= {word for word, count in seen.items() if count >= 2}
    own |= {word for title in docs for word in _content(words_of(title), names)}
    other = _content((w for s in other_sentences for w in words_of(s)), names)
    for term in learned_other:
        other |= _content(words_of(term), names)
    return Fingerprint(product_words=frozenset(own), other_words=frozenset(other - own - common_words()))


@functools.cache
def common_words() -> frozenset[str]:
    """Words the mentions about their products hold in the shipped labelled sets (GitLab, Render, Bun,
    Ghost: not noise): everyday and software words ("first", "storage", "box") that an other-sense sentence may use
    ("the first name Hugo", "tea caddy storage") but that say nothing of another sense. Read once per process."""
    from mentions.judgement.shipped_model import TRAINING_SETS

    seen: set[str] = set()
    for name in TRAINING_SETS:
        for mention in json.loads((EVAL_DIR / name).read_text(encoding="utf-8"))["mentions"]:
            if mention["label"]["judgement"] != "noise":
                seen.update(words_of(f"{mention.get('title') or ''}\n{mention.get('text') or ''}"))
    return frozenset(seen)
