"""Words as the suggestions compare them: lower-cased, links left out, English stop words dropped, each word
cut to its Snowball stem ("registries" and "registry" → "registri"). PostgreSQL's 'english' configuration
uses the same Snowball stemmer; doing it in Python lets the embedded SQLite default and PostgreSQL match the
same stems, and lets the ranking read a candidate's words without asking the database again.
`snowballstemmer` is the Snowball project's own Python port (pure Python, BSD, what Sphinx uses)."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# Snowball's English stop list, and the greetings and thanks most mentions carry, which say nothing about
# the question.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "im",
        "ive",
        "id",
        "dont",
        "doesnt",
        "didnt",
        "cant",
        "isnt",
        "wont",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "get",
        "got",
        "also",
        "still",
        "anyone",
        "someone",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "thx",
        "please",
        "pls",
        "guys",
        "folks",
        "help",
        # An e-mail's salutation and sign-off (found by the Supabase set: a question shared only these with an answer).
        "dear",
        "regards",
        "cheers",
        "sincerely",
        "greetings",
    ]
)
MAX_QUESTION_TERMS = 40
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def word_stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def _word_term(word: str) -> str:
    """A casefolded word's stem, or "" for a word left out. Cached whole (not only the stem): indexing 800,000
    answers calls this for every word, and the test, the stop list and the stem are the same each time."""
    word = word.replace("'", "")
    if len(word) < 2 or word in STOP_WORDS or len(word) > 40:
        return ""
    return word_stem(word)


def text_terms(text: str) -> list[str]:
    """Every stem of `text` in order, repeats kept (the ranking counts them)."""
    return [term for term in map(_word_term, _WORD.findall(_LINK.sub(" ", text).casefold())) if term]


def query_terms(text: str) -> list[str]:
    """The distinct stems of a question, first seen first, at most MAX_QUESTION_TERMS."""
    return list(dict.fromkeys(text_terms(text)))[:MAX_QUESTION_TERMS]


@lru_cache(maxsize=64)
def _function_stems(language: str) -> frozenset[str]:
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    if language not in LANGUAGE_MAPPING:
        return frozenset()
    return frozenset(filter(None, (_word_term(word.casefold()) for word in get_stop_words(language))))


def function_stems(text: str, language: str = "") -> frozenset[str]:
    """The stems of the function words ("auf", "eine", "sind", "aber") of the text's language when it is not English:
    the index keeps them (it stems every language as English), but a German question sharing them with a German
    answer about something else shares no evidence. Stop lists: the `stop-words` package (BSD), the lists of
    stopwords-iso and Snowball; the language: the ticket's as the judgement stored it, else py3langid, as the
    judgement tells it."""
    if not language:
        from mentions.judgement.language import language_of

        language = language_of(text)
    return frozenset() if language == "en" else _function_stems(language)


def first_link(text: str) -> str:
    match = _LINK.search(text)
    return match.group().rstrip(".,;:!?)]}>'\"") if match else ""
