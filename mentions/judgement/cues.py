"""What a mention's shape says, whatever its words mean: a question, a link alone, a job post, spam, a bot.

These are the few strong structural cues the judgement adds to the meaning (the nearest examples): each is a
shape any product's mentions share, not a list of one product's words. Job posts and spam turn a mention into
noise, so their patterns ask for two signs each (a hiring phrase and an apply/salary line; a money or
follower offer and a link or a hashtag wall): a real question must not be lost to one ambiguous word."""

from __future__ import annotations

import re
from dataclasses import dataclass

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_HANDLE = re.compile(r"(?<!\w)[@#][\w.]+")
_QUESTION_MARK = re.compile(r"[?\uff1f¿]")
# Interrogative openings in the desk's common languages; a question mark is the stronger sign.
_ASKS = re.compile(
    r"(?:^|[.!\n]\s*)(?:how (?:do|does|did|can|could|should|would|to|is|are|much|many|come)|"
    r"what|why|where|when|which|who|is there|are there|is it|does|do|did|can|could|should|"
    r"would|will|anyone|any idea|any way|has anyone|help|wie|was|warum|gibt es|kann|comment|pourquoi|est-ce|"
    r"cómo|como|qué|por qué|hay|alguien|come|perché|hoe|jak|czy)\b",
    re.I,
)
_HELP = re.compile(r"\b(?:help|please advise|any idea|anyone else|what am i missing|hilfe|aide|ayuda|ajuda)\b", re.I)
_HIRING = re.compile(
    r"\b(?:we(?:'|\u2019)?re hiring|we are hiring|hiring|now hiring|new job|job opening|job offer|vacancy|wir suchen|"
    r"stellenangebot|oferta de empleo|empleo|offre d'emploi|cdi|cdd|for hire|recrutement|vaga)\b|\[hiring\]|"
    # Hacker News' "Who is hiring" shape: Company | Role | Remote | Full-time
    r"\|[^|\n]*\|\s*(?:remote|onsite|hybrid)\b|"
    r"\((?:m/w/d|f/h|h/f|m/f/d)\)",
    re.I,
)
_JOB_DETAIL = re.compile(
    r"\b(?:apply|bewerben|postulez|postula|send (?:your|us your) (?:cv|resume)|envía tu cv|full[- ]time|"
    r"part[- ]time|vollzeit|remote \(|hybrid|híbrido|salary|\d+\s?k\b|\d+\s?-\s?\d+\s?k|years? experience|"
    r"requirements|careers?\.|jobs?@|/hour|portfolio)",
    re.I,
)
_MONEY_OFFER = re.compile(
    r"(?:earn|profit|giveaway|free iphone|followers|stars and followers|takip[cç]i|crack|keygen|license generator|"
    r"loans?|no credit check|essay|casino|betting|singles|seo|first page of google|cheap|discount code|usdt|"
    r"crypto|airdrop|\$\d+(?:\.\d\d)? only|for only)",
    re.I,
)
_BOT_AUTHOR = re.compile(
    r"(?:bot$|[_-]bot\b|\[bot\]|dependabot|renovate|mailer-daemon|noreply|no-reply|rss2|^system$)", re.I
)
_BOT_TEXT = re.compile(
    r"^\s*\[bot\]|auto-generated|automated message|this mr contains the following updates|^bumps \S+ from|"
    r"undelivered mail|could not be delivered",
    re.I,
)


@dataclass(frozen=True)
class Cues:
    question: bool
    link_only: bool
    job_post: bool
    spam: bool
    bot: bool


def words_of(text: str) -> str:
    """The text without links, handles and hashtags: what the language and the sentiment read."""
    return re.sub(r"\s+", " ", _HANDLE.sub(" ", _URL.sub(" ", text))).strip()


def asked_in(title: str, text: str, *, headline: bool = False) -> str:
    """The words a question is looked for in: the title and the text, or the text alone where the title is a
    headline (an article's "Why I moved to X?" asks nobody anything: platform `headline_titles`)."""
    return words_of(text if headline else f"{title}\n{text}".strip())


def cues_read(*, title: str, text: str, author: str, headline: bool = False) -> Cues:
    whole = f"{title}\n{text}".strip()
    links = _URL.findall(whole)
    hashtags = len(re.findall(r"(?<!\w)#\w+", whole))
    asking = asked_in(title, text, headline=headline)
    asks = bool(_QUESTION_MARK.search(asking)) or bool(_ASKS.search(asking)) or bool(_HELP.search(asking))
    job = bool(_HIRING.search(whole)) and bool(_JOB_DETAIL.search(whole))
    offer = bool(_MONEY_OFFER.search(whole))
    spam = offer and (
        bool(links) or hashtags >= 3 or bool(re.search(r"\b\w+\.example\b|visit|click|contact", whole, re.I))
    )
    bot = bool(_BOT_TEXT.search(whole)) or bool(_BOT_AUTHOR.search(author or ""))
    # A title with no text (a link submission) or a text that is only a link: shared, nothing asked.
    link_only = not asks and (not text.strip() or len(words_of(text)) < 3) and (bool(links) or bool(title))
    return Cues(question=asks, link_only=link_only, job_post=job, spam=spam, bot=bot)
