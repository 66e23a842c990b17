"""The product's fingerprint (issue 68, item 3, mentions/judgement/fingerprint.py): the name in another sense told
from the product by the team's own words (the description's sentence on other senses, its other sentences, the
other names and keywords, the answered history's technical words, the other senses learned from the team's noise).
The mentions are written here, in the shapes of the platforms' posts; no platform is called."""

from __future__ import annotations

import pytest

from mentions.judgement.fingerprint import fingerprint_of
from mentions.judgement.product import product_make
from mentions.judgement.run import tickets_judge
from mentions.models import ProductProfile, Ticket
from mentions.tests.factories import ChannelFactory, MessageFactory, TicketFactory

DESCRIPTION = (
    "Hugo is the static site generator written in Go: hugo new site, hugo server, themes, shortcodes, front matter, "
    "taxonomies and Hugo Modules, deployed to Netlify or GitHub Pages. Not the product: the first name Hugo, Victor "
    "Hugo and Les Misérables, the Hugo Awards for science fiction, Hugo Boss perfume, the Hugo spritz cocktail."
)
HUGO = product_make("Hugo", description=DESCRIPTION, other_names="gohugo.io", keywords=["hugo", "hugo server"])


def test_a_mention_with_an_other_sense_word_and_none_of_the_products_is_the_name_in_another_sense():
    print_ = fingerprint_of(HUGO)
    assert print_.other_sense("Re-reading Victor Hugo on the train, Les Misérables never gets old") == "misérables"
    assert print_.other_sense("Got the new Hugo Boss perfume for my birthday!") == "perfume"
    # The product's vocabulary wins: a question about themes that happens to name an award is the product's.
    assert print_.other_sense("My Hugo theme for the awards site breaks the shortcodes after upgrading") == ""
    # So does code, and the product's other names.
    assert print_.other_sense("Victor here: `hugo --minify` fails on the perfume shop's site") == ""
    assert print_.other_sense("Is gohugo.io down? Victor can't load the docs") == ""
    # Nothing said of the name's other senses: nothing is called another sense.
    plain = product_make("Hugo", description="Hugo is the static site generator written in Go.")
    assert fingerprint_of(plain).other_sense("Victor Hugo's birthday today") == ""


def test_senses_learned_from_the_teams_noise_and_the_answered_historys_words_join_it():
    learned = fingerprint_of(HUGO, learned_other=["aperol spritz", "hippo"])
    assert learned.other_sense("Hugo the hippo is my kid's favourite cartoon") == "hippo"
    answered = ["Upgrading broke layouts/_default/baseof.html", "Why is layouts/_default/baseof.html ignored?"]
    print_ = fingerprint_of(HUGO, learned_other=["hippo"], answered=answered)
    # A technical word two answered mentions hold is the product's: it wins over the other sense.
    assert print_.other_sense("the hippo in layouts/_default/baseof.html") == ""
    assert "layouts/_default/baseof.html" in print_.product_words
    assert "upgrading" not in print_.product_words  # everyday words of answered mentions stay out


@pytest.mark.django_db
def test_the_worker_judges_the_name_in_another_sense_noise_and_says_why():
    ProductProfile.objects.create(name="Hugo", description=DESCRIPTION, other_names="gohugo.io")
    channel = ChannelFactory(config={"keywords": ["hugo"]})
    made = {}
    for key, text in {
        "boss": "New Hugo Boss suit for the wedding, feeling sharp",
        "question": "@GoHugoIO how do I make hugo server rebuild taxonomies when front matter changes?",
    }.items():
        made[key] = TicketFactory(channel=channel)
        MessageFactory(ticket=made[key], body=text, author_handle=f"someone_{key}")

    tickets_judge(batches=2)

    boss = Ticket.objects.get(pk=made["boss"].pk)
    assert (boss.judgement, boss.intent) == ("noise", "other")
    assert boss.judgement_confidence is not None and boss.judgement_confidence >= 0.95
    assert boss.judgement_reason == "Not about Hugo: “boss”, the name in another sense"
    assert Ticket.objects.get(pk=made["question"].pk).judgement == "needs_response"


def test_the_docs_titles_are_the_products_words():
    """A docs page titled "Image processing" makes "processing" the product's: a mention about image processing
    with an other-sense word in it is not called another sense."""
    text = "Victor asked how image processing resizes the gallery"
    assert fingerprint_of(HUGO).other_sense(text) == "victor"
    assert fingerprint_of(HUGO, docs=["Image processing", "Shortcodes"]).other_sense(text) == ""
