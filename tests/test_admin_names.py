"""How admin names the desk's own models: "Outreachs", "Persons", "Api tokens" and "Sign ins" were Django's
guesses (the class name with an "s"); every model of the desk's apps registered in admin now has a plural an
English reader expects. The libraries' models (allauth, Django's auth) are theirs and left as they are."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DESK_APPS = {
    "access",
    "channels",
    "mentions",
    "intake",
    "people",
    "answers",
    "experts",
    "notifications",
    "stories",
    "metrics",
    "slackapp",
    "imports",
    "api",
}
# Words that are initials: admin's capitalised first letter alone ("Api") misspells them.
INITIALS = {"api", "sso", "url", "csv", "json", "totp", "mfa", "imap", "oidc"}
IRREGULAR = {"person": "people"}
# Nouns written with a hyphen ("a sign-in"): as two words they read as a verb.
HYPHENATED = {"sign in": "sign-in"}


def naming_mistakes(singular: str, plural: str) -> list[str]:
    """What is wrong with a model's names, as admin shows them; empty when nothing is."""
    mistakes = []
    last = singular.split()[-1].lower() if singular.split() else ""
    if plural.lower() == singular.lower() + "s":
        if re.search(r"(s|x|z|ch|sh)$", last):
            mistakes.append(f"{plural!r}: a noun ending in {last[-2:]!r} takes -es")
        elif re.search(r"[^aeiou]y$", last):
            mistakes.append(f"{plural!r}: a noun ending in a consonant and y takes -ies")
    if last in IRREGULAR and plural.lower().endswith(last + "s"):
        mistakes.append(f"{plural!r}: the plural of {last!r} is {IRREGULAR[last]!r}")
    for words in (singular, plural):
        for word in re.findall(r"[A-Za-z]+", words):
            if word.lower() in INITIALS and word != word.upper():
                mistakes.append(f"{words!r}: {word!r} is initials, {word.upper()!r}")
        for wrong, right in HYPHENATED.items():
            if re.search(rf"\b{wrong}", words, re.I):
                mistakes.append(f"{words!r}: the noun is {right!r}")
    return mistakes


def test_the_rule_catches_the_mistakes_admin_showed():
    assert naming_mistakes("outreach", "outreachs")
    assert naming_mistakes("person", "persons")
    assert naming_mistakes("api token", "api tokens")
    assert naming_mistakes("sign in", "sign ins")
    assert naming_mistakes("discount batch", "discount batchs")
    assert naming_mistakes("saved reply", "saved replys")
    assert not naming_mistakes("outreach", "outreaches")
    assert not naming_mistakes("person", "people")
    assert not naming_mistakes("API token", "API tokens")
    assert not naming_mistakes("sign-in", "sign-ins")
    assert not naming_mistakes("holiday", "holidays")


def test_every_desk_model_in_admin_has_a_plural_an_english_reader_expects():
    desk_models = [m for m in admin.site._registry if m._meta.app_label in DESK_APPS]
    assert len(desk_models) > 30  # the registry was read, not an empty list

    mistakes = {
        f"{m._meta.app_label}.{m._meta.model_name}": found
        for m in desk_models
        if (found := naming_mistakes(str(m._meta.verbose_name), str(m._meta.verbose_name_plural)))
    }

    assert mistakes == {}


def test_the_admin_index_says_outreaches_and_people(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    for right in ("Outreaches", "People", "API tokens", "Sign-ins"):
        assert f">{right}</a>" in html, right
    for wrong in ("Outreachs", "Persons", "Api tokens", "Sign ins"):
        assert wrong not in html, wrong
