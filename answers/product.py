"""The product's own words, as the desk's channels are set up to follow it: the keywords Hacker News, Reddit
and GitLab issues are searched for, the Stack Exchange tags, the Disqus forum, the X handles and the words of
the X searches, and our own accounts' handles. Every mention the desk holds was found by these words, so they
are in the question of every answer and tell nothing about which one fits ("GitLab vs GitHub?" shares "gitlab"
with every answer): the suggestions do not count them as evidence (answers.suggestions.ranking).

Read from the channels once and kept in the cache (they change when someone edits a channel in admin, not per
ticket), dropped whenever a channel's settings or accounts are saved or a channel is deleted, else after
CACHE_SECONDS. A poll writes its channel with `update()`, which sends no signal: polling never drops it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from answers.terms import text_terms
from channels.followed import SEARCHED_KEYS, config_strings, searched_words
from channels.models import Channel

CACHE_KEY = "answers:product-words:v1"
CACHE_SECONDS = 600
# The settings that name the product (channels/adapters/*/config.py). Subreddits, projects and forum addresses
# are left out: a desk may follow r/devops or a project called "api", whose words are questions' words too.
WORD_KEYS = (*SEARCHED_KEYS, "forum")
WATCHED = {"config", "our_accounts"}


def product_stems() -> frozenset[str]:
    stems = cache.get(CACHE_KEY)
    if stems is None:
        stems = sorted(_configured())
        cache.set(CACHE_KEY, stems, CACHE_SECONDS)
    return frozenset(stems)


def product_stems_forget() -> None:
    """After channels are written without signals (bulk_create: the evaluation's channels)."""
    cache.delete(CACHE_KEY)


@receiver(post_save, sender=Channel, dispatch_uid="answers.product.forget")
def _saved(update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
    if update_fields is None or WATCHED & set(update_fields):
        _forget()


@receiver(post_delete, sender=Channel, dispatch_uid="answers.product.forget-deleted")
def _deleted(**kwargs: Any) -> None:
    _forget()


def _forget() -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))  # a process that read the old ones meanwhile


def _configured() -> set[str]:
    out: set[str] = set()
    for config, accounts in Channel.objects.values_list("config", "our_accounts"):
        for word in channel_words(config if isinstance(config, dict) else {}, accounts or []):
            out.update(text_terms(word))
    return out


def channel_words(config: dict[str, Any], accounts: list[Any]) -> list[str]:
    """The words one channel follows the product by, and our handles on it."""
    words = searched_words(config, WORD_KEYS)
    words += [h["username"] for h in config.get("handles") or [] if isinstance(h, dict) and "username" in h]
    for query in config_strings(config.get("search_queries")):
        words += [_query_word(token) for token in query.split()]
    # An e-mail address is a mailbox's, not a handle; a numeric id (Stack Exchange) is no word.
    words += [a for a in config_strings(accounts) if "@" not in a and not a.isdigit()]
    return words


def _query_word(token: str) -> str:
    """An X search's word: "from:gitlab" names our handle; other operators ("-is:retweet", "lang:en") do not."""
    if token.startswith("from:"):
        return token.removeprefix("from:")
    return "" if ":" in token or token.startswith("-") else token
