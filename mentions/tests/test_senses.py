"""The product name's other senses, found in words (mentions.judgement.senses): pure functions, no database. The
texts are written here for the tests, in the shapes people post about Hugo's other senses (Victor Hugo, Hugo Boss,
the Hugo Awards, the Hugo spritz) and about Hugo, the static site generator."""

from __future__ import annotations

from mentions.judgement.senses import (
    MIN_NOISE,
    channel_senses,
    log_odds,
    own_words,
    senses_learned,
    terms_held,
    tokens_of,
)

OWN = own_words(["hugo", "gohugo.io", "static site generator"])
NOISE = [
    "Victor Hugo's Les Misérables is still the best novel about Paris",
    "Reading Les Misérables by Victor Hugo for the third time",
    "Victor Hugo quote: even the darkest night will end and the sun will rise",
    "Les Misérables musical tickets, any tips?",
    "Hugo Boss suit on sale, worth it for a wedding?",
    "New Hugo Boss fragrance review",
    "The Hugo Boss store opens downtown",
    "Hugo Awards finalists announced",
    "Who wins the Hugo Awards best novella?",
    "Hugo Awards ceremony livestream",
    "Hugo spritz recipe: elderflower, prosecco, mint",
    "Summer cocktail: the Hugo spritz",
    "Ordered a Hugo spritz at the bar, so refreshing",
]
PRODUCT = [
    "How do I add a custom shortcode in Hugo?",
    "Hugo build fails after upgrading: template error in partials",
    "Is there a way to paginate taxonomies in Hugo?",
    "Deploying my Hugo site to Netlify, the theme CSS is missing",
    "Migrating from Jekyll to Hugo, my boss wants it done by Friday",
    "Hugo server live reload stopped working on macOS",
]


def _held(texts: list[str]) -> list[frozenset[str]]:
    return [terms_held(t) for t in texts]


def test_words_are_unicode_lowercased_and_pairs_are_adjacent_words():
    assert tokens_of("Les MISÉRABLES, by Victor\u00a0Hugo!") == ["les", "misérables", "by", "victor", "hugo"]
    # A full-width "hugo" and the "fi" ligature, as NFKC reads them.
    assert tokens_of("\uff48\uff55\uff47\uff4f \ufb01ne") == ["hugo", "fine"]
    held = terms_held("Hugo Boss's new store")
    assert {"boss", "hugo boss", "new store"} <= held
    assert "hugo store" not in held  # only adjacent words make a pair
    assert "boss" not in terms_held("bossa nova night")  # whole words: "bossa" is not "boss"


def test_the_senses_come_from_the_noise_and_never_name_the_product():
    senses = channel_senses(_held(NOISE), _held(PRODUCT), OWN)
    terms = [s.term for s in senses]
    assert {"victor hugo", "les misérables", "hugo boss", "hugo awards", "hugo spritz"} <= set(terms)
    # Words of the product's tickets never: the product's name, its keywords, its parts; nor stop-words.
    assert not {"hugo", "gohugo", "io", "static site", "the", "by"} & set(terms)
    for sense in senses:
        assert sense.noise >= MIN_NOISE and sense.product <= 1
    # A word held by exactly the tickets its pair holds is offered as the pair: "victor" alone is a first name.
    assert "victor" not in terms and "misérables" not in terms and "spritz" not in terms
    # "boss" is held by one ticket the team answered ("my boss wants it done"): it could still qualify alone, but
    # "hugo boss" says the same of the noise without hiding the product's mention.
    assert "boss" not in terms


def test_a_word_common_in_the_products_tickets_is_never_a_sense():
    noise = [*NOISE, "Victor Hugo exhibition this weekend", "Hugo Boss sale this weekend", "Awards this weekend"]
    product = [*PRODUCT, "Upgrading Hugo this weekend, what breaks?", "Spent the weekend writing a Hugo theme"]
    terms = {s.term for s in channel_senses(_held(noise), _held(product), OWN)}
    assert "weekend" not in terms  # in 3 noise tickets and 2 of the product's
    assert "victor hugo" in terms


def test_support_below_three_noise_tickets_is_chance():
    noise = _held(["Hugo spritz recipe", "Hugo spritz again", "Victor Hugo novel"])
    terms = {s.term for s in channel_senses(noise, _held(PRODUCT), OWN)}
    assert terms == set()  # "hugo spritz" in two tickets only
    assert {s.term for s in channel_senses([*noise, terms_held("A Hugo spritz")], [], OWN)} == {"hugo spritz"}


def test_ranking_prefers_support_and_absence_from_the_product():
    assert log_odds(9, 12, 0, 100) > log_odds(3, 12, 0, 100) > log_odds(3, 12, 1, 100)
    senses = channel_senses(_held(NOISE * 2), _held(PRODUCT), OWN)
    # Each sense's score falls down the list; "victor hugo" (6 tickets here) before a 2-ticket one never happens.
    scores = [s.score for s in senses]
    assert scores == sorted(scores, reverse=True)
    assert senses[0].noise >= senses[-1].noise


def test_per_channel_with_the_products_tickets_from_every_channel_and_a_cap():
    other = _held(["Hugo Awards shortlist", "Hugo Awards voting", "Hugo Awards night", "Victor Hugo"])
    learned = senses_learned({1: _held(NOISE), 2: other, 3: _held(["nothing here"])}, _held(PRODUCT), OWN, top=3)
    assert set(learned) == {1, 2}  # a channel with nothing learned has no entry
    assert len(learned[1]) == 3
    assert [s.term for s in learned[2]] == ["hugo awards"]
    # The same labels, the same list.
    assert learned == senses_learned({1: _held(NOISE), 2: other}, _held(PRODUCT), OWN, top=3)
